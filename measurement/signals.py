"""Sent when a submission's state changes, inside the transaction of the change (aggregates listen
here): a receiver's database writes commit or roll back with it, and anything that leaves the
database (a task queued, a message sent) it defers with `transaction.on_commit`."""

from django.dispatch import Signal

submission_changed = Signal()  # kwargs: submission, action
