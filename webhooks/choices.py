from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """What a subscription may be told of. The values are the payloads' `type` (docs/webhooks.md)."""

    SUBMISSION_SUBMITTED = "submission.submitted", _("Data submitted for review")
    SUBMISSION_APPROVED = "submission.approved", _("Submitted data approved")
    SUBMISSION_RETURNED = "submission.returned", _("Submitted data returned for correction")
    SUBMISSION_REOPENED = "submission.reopened", _("Approved data reopened for correction")
    AGGREGATES_UPDATED = "aggregates.updated", _("Aggregates updated")
    AGENDA_PUBLISHED = "agenda.published", _("Common agenda version published")
    DECISION_RECORDED = "decision.recorded", _("Decision recorded")
    REPORT_GENERATED = "report.generated", _("Progress report generated")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SUCCEEDED = "succeeded", _("delivered")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("not sent: subscription disabled")
