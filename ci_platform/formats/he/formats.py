# Hebrew groups thousands as English does (7,600,000): Django's Hebrew locale names the separator
# but no grouping, so `intcomma` and `floatformat:"g"` printed 7600000 to a Hebrew reader and
# 7,600,000 to an English one.
NUMBER_GROUPING = 3
