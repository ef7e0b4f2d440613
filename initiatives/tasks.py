"""Thin Celery tasks: ids in, a service or a send out."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def invitation_send_task(invitation_id: int, token: str, language: str = "en") -> None:
    invitation = Invitation.objects.select_related("initiative", "organization", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_pending:
        return
    with translation.override(language):
        context = {
            "invitation": invitation,
            "link": settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"token": token}),
        }
        subject = render_to_string("initiatives/email/invitation_subject.txt", context).strip()
        body = render_to_string("initiatives/email/invitation_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
