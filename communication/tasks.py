"""Thin Celery tasks: ids in, a service call out. Emails retry on connection errors."""

from smtplib import SMTPException

from celery import shared_task

from . import services
from .choices import DIGESTS

RETRY = {"autoretry_for": (OSError, SMTPException), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def notification_email_task(notification_id: int) -> bool:
    return services.notification_email_send(notification_id)


@shared_task
def notification_digest_task(delivery: str) -> int:
    """Run by beat (communication/schedule.py): one digest task per person with something waiting."""
    if delivery not in DIGESTS:
        raise ValueError(f"not a digest: {delivery}")
    users = services.digest_recipients(delivery)
    for user_id in users:
        notification_digest_send_task.delay(user_id, delivery)
    return len(users)


@shared_task(**RETRY)
def notification_digest_send_task(user_id: int, delivery: str) -> int:
    return services.digest_send(user_id=user_id, delivery=delivery)


@shared_task
def progress_report_generate_task(report_id: int) -> None:
    services.report_generate(report_id)


@shared_task
def progress_report_pdf_task(report_id: int, language: str) -> None:
    services.report_pdf_make(report_id, language)


@shared_task
def report_card_pdf_task(pdf_id: int) -> None:
    services.report_card_pdf_make(pdf_id)


@shared_task
def reports_catch_up_task(older_than_seconds: int = 600) -> int:
    """Every few minutes (Celery beat): queue again the reports still waiting to be generated
    after `older_than_seconds`, e.g. requested while the broker was down (generation is idempotent)."""
    from ci_platform.celery import requeue_pending

    from .choices import ReportStatus
    from .models import ProgressReport

    pending = ProgressReport.objects.filter(status=ReportStatus.PENDING)
    return requeue_pending(pending, "requested_at", older_than_seconds, progress_report_generate_task, "pk")
