# A short date that reads one way only. Django's English writes 12/07/2026, which an American reads
# as 7 December and everyone else, a reader of the Hebrew pages switching to English among them
# (where the same date is 07/12/2026), as 12 July. The month in letters leaves no doubt.
SHORT_DATE_FORMAT = "M j, Y"  # Dec 7, 2026
SHORT_DATETIME_FORMAT = "M j, Y, P"  # Dec 7, 2026, 10:15 a.m.
