"""Sent after a submission's state changes and the transaction commits (aggregates listen here)."""

from django.dispatch import Signal

submission_changed = Signal()  # kwargs: submission, action
