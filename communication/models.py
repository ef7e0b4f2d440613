"""Continuous communication: meetings with attendance, minutes, decisions and action items; the
updates feed; the document library; notifications; and frozen periodic progress reports.

Decisions record what they rested on (shared measures, documents, links): backbone indicator 16,
"partners make decisions based on data", is read from those links.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Organization

from . import messages
from .choices import (
    ActionStatus,
    AttendanceStatus,
    Body,
    Delivery,
    DocumentKind,
    NotificationKind,
    PeriodKind,
    PostKind,
    ReportStatus,
    Visibility,
)


class BodyMixin(models.Model):
    body = models.CharField(_("body"), max_length=20, choices=Body.choices, default=Body.STEERING)
    body_name = models.CharField(
        _("name of the group"),
        max_length=200,
        blank=True,
        help_text=_("For a working group: its name, e.g. “Early literacy”."),
    )

    class Meta:
        abstract = True

    @property
    def body_label(self) -> str:
        label = str(self.get_body_display())
        return f"{label}: {self.body_name}" if self.body_name else label


def validate_meeting_year(value) -> None:
    """A meeting between the years 1900 and 2200: a year such as 0038 is a typing slip, and its
    local time has no offset that RFC 3339 (and so the API's date-time) can write."""
    if not 1900 <= value.year <= 2200:
        raise ValidationError(_("Enter a date between the years 1900 and 2200."), code="year")


class Meeting(BodyMixin):
    """A meeting of a body of the initiative: who was invited and came, what was said and decided."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), validators=[validate_meeting_year])
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, validators=[validate_meeting_year])
    location = models.CharField(_("place"), max_length=300, blank=True)
    link = models.URLField(_("online link"), blank=True)
    agenda_items = models.JSONField(_("agenda"), default=list, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown is allowed."))
    minutes_published_at = models.DateTimeField(_("minutes shared"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["initiative", "starts_at"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("communication:meeting", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    def clean(self):
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


class Attendance(models.Model):
    """One member's invitation to a meeting and whether they came, on behalf of their organisation."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation they represented then: memberships may change later.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("attendance"), max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED
    )

    class Meta:
        ordering = ["organization__name", "user__last_name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_person")]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_status_display()}"


def document_path(instance, filename: str) -> str:
    """A random name: what the uploader called the file is kept in `original_name` only."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"communication/documents/{instance.initiative_id}/{uuid.uuid4().hex}{extension}"


class Document(models.Model):
    """A file or link in the library, seen by all members, the leadership, or a named group."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DocumentKind.choices, default=DocumentKind.FILE)
    # Stored under MEDIA_ROOT with a random name and served only by the permission-checked
    # download view, as an attachment: MEDIA_URL is never routed.
    file = models.FileField(_("file"), upload_to=document_path, blank=True, max_length=300)
    url = models.URLField(_("link"), blank=True, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    visibility = models.CharField(
        _("who may see it"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    group_name = models.CharField(_("group name"), max_length=120, blank=True)
    group_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("group members")
    )
    tag = models.CharField(
        _("working group or topic"), max_length=80, blank=True, help_text=_("Used to filter the library.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["initiative", "visibility"])]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communication:document", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    @property
    def download_url(self) -> str:
        if self.kind == DocumentKind.LINK:
            return self.url
        return reverse(
            "communication:document_download", kwargs={"slug": self.initiative.slug, "pk": self.pk}
        )

    @property
    def extension(self) -> str:
        return os.path.splitext(self.original_name)[1].lower().lstrip(".")


class Decision(BodyMixin):
    """What a body decided, when, and what it rested on."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="decisions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("meeting"),
    )
    title = models.CharField(_("what was decided"), max_length=300)
    text = models.TextField(_("details"), blank=True, help_text=_("Markdown is allowed."))
    decided_on = models.DateField(_("decided on"))
    measures = models.ManyToManyField(
        "measurement.SharedMeasure",
        blank=True,
        related_name="decisions",
        verbose_name=_("shared measures it rested on"),
    )
    documents = models.ManyToManyField(
        Document, blank=True, related_name="decisions", verbose_name=_("documents it rested on")
    )
    links = models.JSONField(_("other sources (links)"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["initiative", "decided_on"])]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communication:decision", kwargs={"slug": self.initiative.slug, "pk": self.pk})


class ActionItem(models.Model):
    """A task agreed in a meeting: who does it, by when, and how far it is."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="action_items"
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("decision"),
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    owner_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["initiative", "status", "due_on"])]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_on is not None
            and self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
            and self.due_on < timezone.localdate()
        )


class Post(models.Model):
    """A post in the initiative's updates feed: news, a success to celebrate, or a question."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices, default=PostKind.NEWS)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown is allowed."))
    tag = models.CharField(
        _("working group or topic"),
        max_length=80,
        blank=True,
        help_text=_("A working group's name or a topic, to follow one stream of the feed."),
    )
    shared_externally = models.BooleanField(
        _("also shared outside the initiative"),
        default=False,
        help_text=_("Published in a newsletter, the press or the public site: an external update."),
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["initiative", "created_at"])]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communication:post", kwargs={"slug": self.initiative.slug, "pk": self.pk})


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), help_text=_("Markdown is allowed."))
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class NotificationPreference(models.Model):
    """How a member wants one kind of notification by email; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(_("email"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["initiative", "user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "initiative", "kind"], name="one_preference_per_kind")
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.delivery}"


class ReaderLanguage(models.Model):
    """The language a person reads the platform in, kept when they choose it (the language
    switcher), so that what is sent to them later (emails, digests) is in their language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_language"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reading language")
        verbose_name_plural = _("reading languages")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class Notification(models.Model):
    """One notification for one member: always in the in-app list; by email as they chose."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    # The subject and text as the writer read them; `subject_message` / `body_message` keep the
    # sentence and its parameters, rendered in the reader's language (`title`, `text`).
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    subject_message = models.JSONField(null=True, blank=True)
    body_message = models.JSONField(null=True, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The delivery chosen when it was created: changing a preference later does not re-route it.
    delivery = models.CharField(_("email"), max_length=10, choices=Delivery.choices)
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "initiative", "read_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject

    @property
    def title(self) -> str:
        """The subject in the active language (the reader's)."""
        return messages.render(self.subject_message, self.subject)

    @property
    def text(self) -> str:
        """The text in the active language; user-written text stays as written."""
        return messages.render(self.body_message, self.body)


class ReportIsFrozen(ValidationError):
    pass


def report_pdf_path(instance, filename: str) -> str:
    # A random part: the file is served through the report's permission check, never by a guessable URL.
    return f"reports/{instance.initiative_id}/{uuid.uuid4().hex}/{filename}"


class ProgressReport(models.Model):
    """A Progress Report for a quarter or a year: a frozen snapshot (data and rendered sections).

    Generated by a Celery task. Once published it never changes: the model refuses it, whatever
    calls save(); only the publication itself may be withdrawn.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="progress_reports")
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), default=0, help_text=_("0 for a whole year."))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    error = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    snapshot = models.JSONField(default=dict, blank=True)
    sections = models.JSONField(default=list, blank=True)  # in `language`, the requester's
    # The same sections rendered in every language of the platform at generation time, from the
    # same figures: {"en": [...], "he": [...]}. Empty for a report generated before there were two.
    sections_by_language = models.JSONField(default=dict, blank=True)
    # The frozen report as PDF, one per language (communication.pdf, on Celery after generation).
    pdf_en = models.FileField(_("PDF (English)"), upload_to=report_pdf_path, blank=True, max_length=300)
    pdf_he = models.FileField(_("PDF (Hebrew)"), upload_to=report_pdf_path, blank=True, max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    PUBLICATION_FIELDS = frozenset({"published_at", "published_by"})
    # A PDF is the frozen HTML printed: it may be attached to a published report (once, by the service).
    PDF_FIELDS = {"en": "pdf_en", "he": "pdf_he"}

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "period_kind", "year", "quarter"], name="one_report_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_kind="year", quarter=0)
                | models.Q(period_kind="quarter", quarter__gte=1, quarter__lte=4),
                name="report_quarter_matches_kind",
            ),
        ]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.period_label}"

    def save(self, *args, update_fields=None, **kwargs):
        allowed = self.PUBLICATION_FIELDS | set(self.PDF_FIELDS.values())
        if self._stored_published() and set(update_fields or ["*"]) - allowed:
            raise ReportIsFrozen(_("A published report cannot be changed."))
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("communication:report", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    def delete(self, *args, **kwargs):
        if self._stored_published():
            raise ReportIsFrozen(_("A published report cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def period_label(self) -> str:
        return f"{self.year} Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def languages(self) -> list[str]:
        """The languages the report was rendered in (a report older than the bilingual ones: its own)."""
        return [code for code, _name in settings.LANGUAGES if code in self.sections_by_language] or [
            self.language
        ]

    def sections_in(self, language: str) -> list:
        """The frozen sections in `language`, or in the report's own language if it has no such version."""
        return self.sections_by_language.get(language) or self.sections

    def pdf_in(self, language: str):
        """The stored PDF in `language` (a FieldFile, empty if there is none)."""
        name = self.PDF_FIELDS.get(language)
        return getattr(self, name) if name else None

    def _stored_published(self) -> bool:
        if self.pk is None:
            return False
        return type(self).objects.filter(pk=self.pk, published_at__isnull=False).exists()


def report_card_pdf_path(instance, filename: str) -> str:
    return f"report-cards/{instance.initiative_id}/{uuid.uuid4().hex}/{filename}"


class ReportCardPdf(models.Model):
    """The public Community Report Card as PDF, in one language, for one state of what the card
    shows: the active aggregate run and the card's settings (`fingerprint`, communication.pdf).
    Made on Celery when someone asks for it (a POST); a GET only serves a stored one."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="report_card_pdfs")
    run = models.ForeignKey(
        "measurement.AggregateRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=report_card_pdf_path, blank=True, max_length=300)
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "fingerprint", "language"], name="one_report_card_pdf_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.initiative_id}/{self.language}/{self.fingerprint[:8]}"
