"""Writes of continuous communication: one function per state change, atomic, with emails and
tasks enqueued on commit. Views, the API, tasks and the demo all come through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.core.validators import URLValidator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from initiatives.models import Initiative, Membership
from initiatives.people import display_name
from initiatives.permissions import require

from . import messages, permissions, reports
from .choices import (
    DEFAULT_DELIVERY,
    DIGESTS,
    ActionStatus,
    AttendanceStatus,
    Body,
    Delivery,
    DocumentKind,
    NotificationKind,
    PeriodKind,
    ReportStatus,
    Visibility,
)
from .files import inspect_upload
from .models import (
    ActionItem,
    Attendance,
    Comment,
    Decision,
    Document,
    Meeting,
    Notification,
    NotificationPreference,
    Post,
    ProgressReport,
    ReaderLanguage,
)

User = get_user_model()
log = logging.getLogger(__name__)

MAX_AGENDA_ITEMS = 50
MAX_LINKS = 20


def _members_by_user(initiative: Initiative, user_ids: Iterable[int], field: str) -> dict[int, Membership]:
    """The memberships of these people; anyone not a member of the initiative is refused by name."""
    wanted = {int(pk) for pk in user_ids}
    found = {m.user_id: m for m in initiative.memberships.filter(user_id__in=wanted).select_related("user")}
    missing = wanted - set(found)
    if missing:
        names = ", ".join(sorted(display_name(u) for u in User.objects.filter(pk__in=missing))) or _(
            "unknown people"
        )
        raise ValidationError(
            {
                field: _(
                    "%(names)s: not a member of this initiative. Only members can be invited or recorded."
                )
                % {"names": names}
            }
        )
    return found


def _clean_lines(items: Iterable[str], limit: int, field: str) -> list[str]:
    lines = [line.strip() for line in items if line and line.strip()]
    if len(lines) > limit:
        raise ValidationError({field: _("At most %(n)d lines.") % {"n": limit}})
    return lines


def _clean_links(links: Iterable[str]) -> list[str]:
    validate = URLValidator(schemes=["http", "https"])
    cleaned = _clean_lines(links, MAX_LINKS, "links")
    for link in cleaned:
        try:
            validate(link)
        except ValidationError as exc:
            raise ValidationError(
                {"links": _("“%(link)s” is not a web address (http:// or https://).") % {"link": link[:80]}}
            ) from exc
    return cleaned


def _check_body(body: str, body_name: str) -> None:
    if body not in Body.values:
        raise ValidationError({"body": _("Choose which body it is.")})
    if body == Body.WORKING_GROUP and not body_name.strip():
        raise ValidationError({"body_name": _("Name the working group.")})


def _url(path_name: str, initiative: Initiative, **kwargs) -> str:
    return reverse(f"communication:{path_name}", kwargs={"slug": initiative.slug, **kwargs})


# --- Meetings -----------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    initiative: Initiative,
    by,
    title: str,
    starts_at: datetime,
    body: str = Body.STEERING,
    body_name: str = "",
    ends_at: datetime | None = None,
    location: str = "",
    link: str = "",
    agenda_items: Iterable[str] = (),
    invitees: Iterable = (),
) -> Meeting:
    """Schedule a meeting and invite members; the invitees are notified."""
    require(by, permissions.RECORD, initiative)
    _check_body(body, body_name)
    if ends_at and ends_at < starts_at:
        raise ValidationError({"ends_at": _("A meeting cannot end before it starts.")})
    members = _members_by_user(initiative, [getattr(u, "pk", u) for u in invitees], "invitees")
    meeting = Meeting(
        initiative=initiative,
        title=title.strip(),
        body=body,
        body_name=body_name.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        link=link.strip(),
        agenda_items=_clean_lines(agenda_items, MAX_AGENDA_ITEMS, "agenda_items"),
        created_by=by,
    )
    meeting.full_clean(exclude=["initiative", "created_by"])
    meeting.save()
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user_id=m.user_id, organization_id=m.organization_id)
        for m in members.values()
    )
    _notify_invitation(meeting, [m.user for m in members.values()])
    return meeting


def _notify_invitation(meeting: Meeting, users: list) -> None:
    if not users:
        return
    when = messages.moment(timezone.localtime(meeting.starts_at))
    where = ", ".join(x for x in (meeting.location, meeting.link) if x)
    notify(
        initiative=meeting.initiative,
        kind=NotificationKind.MEETING_INVITATION,
        subject=messages.message(
            gettext_noop("Invitation: %(title)s, %(when)s"), title=meeting.title, when=when
        ),
        # A layout, not a sentence (nothing to translate): the body's name and the time read in the
        # reader's language, the place and the agenda as written.
        body=messages.message(
            "%(body)s\n%(when)s%(where)s\n\n%(agenda)s",
            body=messages.label(Body(meeting.body), meeting.body_name),
            when=when,
            where=f" — {where}" if where else "",
            agenda="\n".join(f"• {item}" for item in meeting.agenda_items),
        ),
        url=meeting.get_absolute_url(),
        recipients=users,
    )


MEETING_FIELDS = {"title", "body", "body_name", "starts_at", "ends_at", "location", "link", "agenda_items"}


@transaction.atomic
def meeting_update(*, meeting: Meeting, by, **fields) -> Meeting:
    require(by, permissions.RECORD, meeting.initiative)
    unknown = set(fields) - MEETING_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "agenda_items" in fields:
        fields["agenda_items"] = _clean_lines(fields["agenda_items"], MAX_AGENDA_ITEMS, "agenda_items")
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _check_body(meeting.body, meeting.body_name)
    meeting.full_clean(exclude=["initiative", "created_by"])
    meeting.save()
    return meeting


@transaction.atomic
def meeting_invite(*, meeting: Meeting, by, users: Iterable) -> list[Attendance]:
    """Invite more members; those already invited are left as they are."""
    require(by, permissions.RECORD, meeting.initiative)
    members = _members_by_user(meeting.initiative, [getattr(u, "pk", u) for u in users], "invitees")
    already = set(meeting.attendances.values_list("user_id", flat=True))
    new = [m for uid, m in members.items() if uid not in already]
    created = Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user_id=m.user_id, organization_id=m.organization_id) for m in new
    )
    _notify_invitation(meeting, [m.user for m in new])
    return created


@transaction.atomic
def attendance_record(*, meeting: Meeting, by, statuses: dict) -> None:
    """Record who came: {user id: status}. People not yet invited are added (they came anyway);
    anyone not a member of the initiative is refused."""
    require(by, permissions.RECORD, meeting.initiative)
    for status in statuses.values():
        if status not in AttendanceStatus.values:
            raise ValidationError({"statuses": _("Unknown attendance status.")})
    members = _members_by_user(meeting.initiative, statuses.keys(), "statuses")
    existing = {a.user_id: a for a in meeting.attendances.select_for_update()}
    changed, added = [], []
    for user_id, status in ((int(k), v) for k, v in statuses.items()):
        row = existing.get(user_id)
        if row is None:
            added.append(
                Attendance(
                    meeting=meeting,
                    user_id=user_id,
                    organization_id=members[user_id].organization_id,
                    status=status,
                )
            )
        elif row.status != status:
            row.status = status
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["status"])
    Attendance.objects.bulk_create(added)


@transaction.atomic
def minutes_save(*, meeting: Meeting, by, minutes: str, publish: bool = False) -> Meeting:
    """Save the minutes (Markdown, rendered safely); sharing them notifies the invitees once."""
    require(by, permissions.RECORD, meeting.initiative)
    meeting.minutes = minutes
    fields = ["minutes", "updated_at"]
    first_share = publish and meeting.minutes_published_at is None
    if first_share:
        if not minutes.strip():
            raise ValidationError({"minutes": _("Write the minutes before sharing them.")})
        meeting.minutes_published_at = timezone.now()
        fields.append("minutes_published_at")
    meeting.save(update_fields=fields)
    if first_share:
        invited = [a.user for a in meeting.attendances.select_related("user")]
        recipients = invited or [m.user for m in meeting.initiative.memberships.select_related("user")]
        notify(
            initiative=meeting.initiative,
            kind=NotificationKind.MEETING_MINUTES,
            subject=messages.message(gettext_noop("Minutes: %(title)s"), title=meeting.title),
            body=messages.message(
                gettext_noop("The minutes of the meeting of %(date)s are shared."),
                date=messages.day(timezone.localtime(meeting.starts_at).date()),
            ),
            url=meeting.get_absolute_url(),
            recipients=recipients,
        )
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by) -> None:
    require(by, permissions.RECORD, meeting.initiative)
    meeting.delete()


# --- Decisions --------------------------------------------------------------------------------------


def _check_bases(initiative: Initiative, meeting, measures, documents) -> None:
    if meeting is not None and meeting.initiative_id != initiative.pk:
        raise ValidationError({"meeting": _("This meeting belongs to another initiative.")})
    if any(m.initiative_id != initiative.pk for m in measures):
        raise ValidationError({"measures": _("A shared measure of another initiative cannot be cited.")})
    if any(d.initiative_id != initiative.pk for d in documents):
        raise ValidationError({"documents": _("A document of another initiative cannot be cited.")})


@transaction.atomic
def decision_record(
    *,
    initiative: Initiative,
    by,
    title: str,
    decided_on: date,
    body: str = Body.STEERING,
    body_name: str = "",
    text: str = "",
    meeting: Meeting | None = None,
    measures: Iterable = (),
    documents: Iterable = (),
    links: Iterable[str] = (),
) -> Decision:
    """Record a decision with what it rested on; every member is notified."""
    require(by, permissions.RECORD, initiative)
    _check_body(body, body_name)
    measures, documents = list(measures), list(documents)
    _check_bases(initiative, meeting, measures, documents)
    if not title.strip():
        raise ValidationError({"title": _("Say what was decided.")})
    decision = Decision.objects.create(
        initiative=initiative,
        meeting=meeting,
        title=title.strip(),
        text=text,
        decided_on=decided_on,
        body=body,
        body_name=body_name.strip(),
        links=_clean_links(links),
        created_by=by,
    )
    decision.measures.set(measures)
    decision.documents.set(documents)
    notify(
        initiative=initiative,
        kind=NotificationKind.DECISION,
        subject=messages.message(gettext_noop("Decision: %(title)s"), title=decision.title[:200]),
        body=messages.message(
            gettext_noop("Decided by %(body)s on %(date)s."),
            body=messages.label(Body(decision.body), decision.body_name),
            date=messages.day(decided_on),
        ),
        url=decision.get_absolute_url(),
        recipients=[m.user for m in initiative.memberships.select_related("user").exclude(user=by)],
    )
    from webhooks.services import event_emit  # webhooks, queued on commit

    event_emit(initiative=initiative, type="decision.recorded", subject=decision)
    return decision


@transaction.atomic
def decision_update(
    *,
    decision: Decision,
    by,
    measures: Iterable | None = None,
    documents: Iterable | None = None,
    links: Iterable[str] | None = None,
    **fields,
) -> Decision:
    initiative = decision.initiative
    require(by, permissions.RECORD, initiative)
    allowed = {"title", "text", "decided_on", "body", "body_name", "meeting"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(decision, name, value)
    _check_body(decision.body, decision.body_name)
    measures = list(measures) if measures is not None else None
    documents = list(documents) if documents is not None else None
    _check_bases(initiative, decision.meeting, measures or [], documents or [])
    if links is not None:
        decision.links = _clean_links(links)
    decision.save()
    if measures is not None:
        decision.measures.set(measures)
    if documents is not None:
        decision.documents.set(documents)
    return decision


# --- Action items -----------------------------------------------------------------------------------


@transaction.atomic
def action_item_create(
    *,
    initiative: Initiative,
    by,
    title: str,
    owner=None,
    due_on: date | None = None,
    meeting: Meeting | None = None,
    decision: Decision | None = None,
) -> ActionItem:
    require(by, permissions.RECORD, initiative)
    if meeting is not None and meeting.initiative_id != initiative.pk:
        raise ValidationError({"meeting": _("This meeting belongs to another initiative.")})
    if decision is not None and decision.initiative_id != initiative.pk:
        raise ValidationError({"decision": _("This decision belongs to another initiative.")})
    organization_id = None
    if owner is not None:
        organization_id = _members_by_user(initiative, [owner.pk], "owner")[owner.pk].organization_id
    return ActionItem.objects.create(
        initiative=initiative,
        meeting=meeting,
        decision=decision,
        title=title.strip(),
        owner=owner,
        owner_organization_id=organization_id,
        due_on=due_on,
        created_by=by,
    )


@transaction.atomic
def action_item_set_status(*, item: ActionItem, by, status: str) -> ActionItem:
    if not permissions.can_update_action_item(by, item):
        raise PermissionDenied
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    item.status = status
    item.completed_at = timezone.now() if status == ActionStatus.DONE else None
    item.save(update_fields=["status", "completed_at", "updated_at"])
    return item


# --- Updates feed -----------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    initiative: Initiative,
    by,
    title: str,
    body: str,
    kind: str,
    tag: str = "",
    shared_externally: bool = False,
) -> Post:
    require(by, permissions.CONTRIBUTE, initiative)
    if not body.strip():
        raise ValidationError({"body": _("Write something.")})
    membership = permissions.membership_of(by, initiative)
    return Post.objects.create(
        initiative=initiative,
        author=by,
        author_organization=membership.organization,
        kind=kind,
        title=title.strip(),
        body=body,
        tag=tag.strip(),
        shared_externally=shared_externally,
    )


@transaction.atomic
def post_update(*, post: Post, by, **fields) -> Post:
    if not permissions.can_edit_post(by, post):
        raise PermissionDenied
    allowed = {"title", "body", "kind", "tag", "shared_externally"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(post, name, value.strip() if name in ("title", "tag") else value)
    post.save()
    return post


@transaction.atomic
def post_delete(*, post: Post, by) -> None:
    if not permissions.can_edit_post(by, post):
        raise PermissionDenied
    post.delete()


@transaction.atomic
def comment_add(*, post: Post, by, body: str) -> Comment:
    require(by, permissions.CONTRIBUTE, post.initiative)
    if not body.strip():
        raise ValidationError({"body": _("Write something.")})
    return Comment.objects.create(post=post, author=by, body=body)


# --- Document library -------------------------------------------------------------------------------


def _check_visibility(initiative: Initiative, visibility: str, group_name: str, group_members: list) -> None:
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may see it.")})
    if visibility == Visibility.GROUP:
        if not group_name.strip():
            raise ValidationError({"group_name": _("Name the group that may see it.")})
        if not group_members:
            raise ValidationError({"group_members": _("Choose the group's members.")})
        _members_by_user(initiative, [u.pk for u in group_members], "group_members")


@transaction.atomic
def document_add(
    *,
    initiative: Initiative,
    by,
    title: str,
    upload=None,
    url: str = "",
    description: str = "",
    visibility: str = Visibility.MEMBERS,
    group_name: str = "",
    group_members: Iterable = (),
    tag: str = "",
) -> Document:
    """Add a file (checked: size, type by content) or a link to the library."""
    require(by, permissions.CONTRIBUTE, initiative)
    group_members = list(group_members) if visibility == Visibility.GROUP else []
    _check_visibility(initiative, visibility, group_name, group_members)
    if (upload is None) == (not url):
        raise ValidationError(_("Add either a file or a link."))
    document = Document(
        initiative=initiative,
        title=title.strip(),
        description=description,
        visibility=visibility,
        group_name=group_name.strip() if visibility == Visibility.GROUP else "",
        tag=tag.strip(),
        uploaded_by=by,
    )
    if upload is not None:
        try:
            facts = inspect_upload(upload)
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from exc
        document.kind = DocumentKind.FILE
        document.original_name = facts["name"]
        document.content_type = facts["content_type"]
        document.size = facts["size"]
        document.sha256 = facts["sha256"]
        document.file.save(facts["name"], upload, save=False)
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError as exc:
            raise ValidationError({"url": _("Enter a web address (http:// or https://).")}) from exc
        document.kind = DocumentKind.LINK
        document.url = url
    try:
        document.save()
        document.group_members.set(group_members)
    except Exception:
        # The row was not stored: the file written above must not stay behind.
        if document.file:
            document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    if not permissions.can_delete_document(by, document):
        raise PermissionDenied
    name = document.file.name if document.file else ""
    document.delete()
    if name:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(name))


# --- Notifications ------------------------------------------------------------------------------------


def preferences_of(user, initiative: Initiative) -> dict[str, str]:
    """Every kind's delivery for this member: their choice, or the kind's default."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, initiative=initiative).values_list(
            "kind", "delivery"
        )
    )
    return {
        kind: chosen.get(kind, DEFAULT_DELIVERY[NotificationKind(kind)]) for kind in NotificationKind.values
    }


@transaction.atomic
def preferences_update(*, user, initiative: Initiative, choices: dict[str, str]) -> None:
    if not permissions.can(user, permissions.VIEW, initiative):
        raise PermissionDenied
    for kind, delivery in choices.items():
        if kind not in NotificationKind.values or delivery not in Delivery.values:
            raise ValidationError(_("Unknown notification kind or delivery."))
        NotificationPreference.objects.update_or_create(
            user=user, initiative=initiative, kind=kind, defaults={"delivery": delivery}
        )


@transaction.atomic
def notify(
    *,
    initiative: Initiative,
    kind: str,
    subject: str | dict,
    body: str | dict = "",
    url: str = "",
    recipients: Iterable,
) -> list[Notification]:
    """Tell members about something: an in-app notification each, and email as each chose
    (immediately, in the daily or weekly digest, or not at all). Emails go after commit.

    `recipients` are users (or user ids); anyone not a member of the initiative is skipped, so
    callers may pass a broad list. `url` is a path inside the platform. `subject` and `body` are
    user text or a sentence of the platform (communication.messages.message), which is stored with
    its parameters and rendered in each reader's language when read or sent.
    """
    subject_message = subject if isinstance(subject, dict) else None
    body_message = body if isinstance(body, dict) else None
    subject, body = messages.render(subject_message, str(subject)), messages.render(body_message, str(body))
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind: {kind}")
    ids = {getattr(r, "pk", r) for r in recipients}
    member_ids = set(initiative.memberships.filter(user_id__in=ids).values_list("user_id", flat=True))
    if not member_ids:
        return []
    chosen = dict(
        NotificationPreference.objects.filter(
            initiative=initiative, kind=kind, user_id__in=member_ids
        ).values_list("user_id", "delivery")
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    now = timezone.now()
    created = Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            initiative=initiative,
            kind=kind,
            subject=subject[:300],
            body=body,
            subject_message=subject_message,
            body_message=body_message,
            url=url[:500],
            delivery=chosen.get(user_id, DEFAULT_DELIVERY[NotificationKind(kind)]),
            language=language,
            created_at=now,
        )
        for user_id in sorted(member_ids)
    )
    immediate = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
    if immediate:
        from ci_platform.celery import enqueue

        from .tasks import notification_email_task

        # With the broker down the notification stays in the app (and unsent); the request still succeeds.
        transaction.on_commit(lambda: [enqueue(notification_email_task, pk) for pk in immediate])
    return created


def notify_agenda_published(version) -> list[Notification]:
    """For agenda.services.agenda_publish: ask the endorsers to read and endorse the new version."""
    from initiatives.choices import Role

    initiative = version.initiative
    return notify(
        initiative=initiative,
        kind=NotificationKind.AGENDA_PUBLISHED,
        subject=messages.message(
            gettext_noop("Common agenda %(label)s published for endorsement"), label=version.label
        ),
        body=version.change_summary,
        url=version.get_absolute_url(),
        recipients=initiative.memberships.filter(role__in=[Role.STEERING, Role.PARTNER]).values_list(
            "user_id", flat=True
        ),
    )


@transaction.atomic
def notifications_mark_read(*, user, initiative: Initiative, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, initiative=initiative, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


UNSUBSCRIBE_SALT = "communication.unsubscribe"
ALL_KINDS = "all"


def unsubscribe_token(*, user, initiative: Initiative, kind: str) -> str:
    """A signed token for the unsubscribe link: it works without signing in, and only for this."""
    return signing.dumps({"u": user.pk, "i": initiative.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple | None:
    """(user, initiative, kind) from a token, or None when it is forged or malformed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        initiative = Initiative.objects.get(pk=data["i"])
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist, Initiative.DoesNotExist):
        return None
    kind = data.get("k")
    if kind != ALL_KINDS and kind not in NotificationKind.values:
        return None
    return user, initiative, kind


@transaction.atomic
def unsubscribe(*, token: str, all_kinds: bool = False) -> tuple | None:
    """Turn email off for the token's kind (or every kind); no sign-in needed."""
    found = unsubscribe_read(token)
    if found is None:
        return None
    user, initiative, kind = found
    kinds = NotificationKind.values if (all_kinds or kind == ALL_KINDS) else [kind]
    for k in kinds:
        NotificationPreference.objects.update_or_create(
            user=user, initiative=initiative, kind=k, defaults={"delivery": Delivery.OFF}
        )
    return user, initiative, kinds


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path.startswith("/") else path


def _unsubscribe_url(user, initiative: Initiative, kind: str) -> str:
    token = unsubscribe_token(user=user, initiative=initiative, kind=kind)
    return _absolute(_url("unsubscribe", initiative, token=token))


def _send(*, to: str, subject: str, body: str, unsubscribe_url: str) -> None:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        # One-click unsubscribe (RFC 8058): mail clients show their own button.
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.send()


def reader_language(user, default: str) -> str:
    """The language `user` reads the platform in (kept by reader_language_set when they choose
    it); `default` for someone who never chose."""
    chosen = ReaderLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return chosen or default


def reader_language_set(*, user, language: str) -> None:
    """Keep the language a person chose, for what is sent to them later."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    ReaderLanguage.objects.update_or_create(user=user, defaults={"language": language})


def notification_email_send(notification_id: int) -> bool:
    """Email one notification now (the 'immediately' choice). Idempotent: sent at most once on success."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user", "initiative")
            .filter(pk=notification_id, emailed_at__isnull=True, delivery=Delivery.IMMEDIATE)
            .first()
        )
        if notification is None or not notification.user.email:
            return False
        with translation.override(reader_language(notification.user, notification.language)):
            context = {
                "n": notification,
                "link": _absolute(notification.url) if notification.url else "",
                "unsubscribe": _unsubscribe_url(
                    notification.user, notification.initiative, notification.kind
                ),
                "settings_url": _absolute(_url("notification_settings", notification.initiative)),
            }
            subject = render_to_string("communication/email/notification_subject.txt", context).strip()
            body = render_to_string("communication/email/notification_body.txt", context)
        # Sent inside the transaction: if sending fails, emailed_at stays empty and the task retries.
        _send(
            to=notification.user.email,
            subject=subject,
            body=body,
            unsubscribe_url=str(context["unsubscribe"]),
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def digest_recipients(delivery: str) -> list[int]:
    """Users with notifications waiting for this digest."""
    return sorted(
        set(
            Notification.objects.filter(delivery=delivery, emailed_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
    )


def digest_send(*, user_id: int, delivery: str) -> int:
    """One digest email with everything waiting for this user under this delivery, across their
    initiatives; returns how many notifications it carried (0: nothing sent)."""
    if delivery not in DIGESTS:
        raise ValueError(f"not a digest: {delivery}")
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user_id=user_id, delivery=delivery, emailed_at__isnull=True)
            .select_related("initiative", "user")
            .order_by("initiative__name", "created_at", "id")
        )
        if not waiting:
            return 0
        user = waiting[0].user
        if not user.email:
            return 0
        groups: dict[int, dict] = {}
        for n in waiting:
            group = groups.setdefault(
                n.initiative_id, {"initiative": n.initiative, "items": [], "settings_url": ""}
            )
            group["items"].append({"n": n, "link": _absolute(n.url) if n.url else ""})
            group["settings_url"] = _absolute(_url("notification_settings", n.initiative))
            group["unsubscribe"] = _unsubscribe_url(user, n.initiative, ALL_KINDS)
        with translation.override(reader_language(user, waiting[-1].language)):
            context = {
                "user": user,
                "groups": list(groups.values()),
                "count": len(waiting),
                "weekly": delivery == Delivery.WEEKLY,
            }
            subject = render_to_string("communication/email/digest_subject.txt", context).strip()
            body = render_to_string("communication/email/digest_body.txt", context)
        first = next(iter(groups.values()))
        _send(to=user.email, subject=subject, body=body, unsubscribe_url=first["unsubscribe"])
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=timezone.now())
    return len(waiting)


# --- Progress reports -------------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *, initiative: Initiative, by, period_kind: str, year: int, quarter: int = 0
) -> ProgressReport:
    """Ask for a report of a period; a Celery task generates it. An unpublished report of the same
    period is generated again; a published one is frozen and refused."""
    require(by, permissions.REPORT, initiative)
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": _("Choose a quarter or a year.")})
    if period_kind == PeriodKind.YEAR:
        quarter = 0
    elif quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("Choose the quarter (1 to 4).")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    start, end = reports.period_bounds(period_kind, year, quarter)
    if start > timezone.localdate():
        raise ValidationError(_("This period has not started yet."))
    report = (
        ProgressReport.objects.select_for_update()
        .filter(initiative=initiative, period_kind=period_kind, year=year, quarter=quarter)
        .first()
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    if report is not None:
        if report.is_published:
            raise ValidationError(
                _("The report for %(period)s is published and frozen; it cannot be generated again.")
                % {"period": report.period_label}
            )
        report.status = ReportStatus.PENDING
        report.error = ""
        report.requested_by = by
        report.language = language
        report.requested_at = timezone.now()
        report.save(update_fields=["status", "error", "requested_by", "language", "requested_at"])
    else:
        report = ProgressReport.objects.create(
            initiative=initiative,
            period_kind=period_kind,
            year=year,
            quarter=quarter,
            period_start=start,
            period_end=end,
            requested_by=by,
            language=language,
        )
    from ci_platform.celery import enqueue

    from .tasks import progress_report_generate_task

    # A report that could not be queued stays pending; reports_catch_up_task queues it later.
    transaction.on_commit(lambda: enqueue(progress_report_generate_task, report.pk))
    return report


def _previous_snapshot(report: ProgressReport) -> dict | None:
    previous = (
        ProgressReport.objects.filter(
            initiative_id=report.initiative_id, published_at__isnull=False, period_end__lt=report.period_start
        )
        .order_by("-period_end")
        .only("snapshot")
        .first()
    )
    return previous.snapshot if previous else None


def report_generate(report_id: int) -> ProgressReport | None:
    """Assemble and store the snapshot (the task's work). A failure is recorded on the row."""
    with transaction.atomic():
        report = (
            ProgressReport.objects.select_for_update(of=("self",))  # the report, not its initiative
            .select_related("initiative")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.is_published:
            return report
        try:
            with transaction.atomic():
                # Rendered in every language from one set of figures; the snapshot in the requester's.
                snapshot, versions = reports.build_versions(
                    report.initiative,
                    kind=report.period_kind,
                    year=report.year,
                    quarter=report.quarter,
                    previous=_previous_snapshot(report),
                    language=report.language,
                )
        except Exception as exc:
            log.exception("progress report %s failed", report_id)
            report.status = ReportStatus.FAILED
            report.error = f"{type(exc).__name__}: {exc}"[:2000]
            report.save(update_fields=["status", "error"])
            return report
        report.snapshot = snapshot
        report.sections = versions[report.language]
        report.sections_by_language = versions
        report.status = ReportStatus.READY
        report.error = ""
        report.generated_at = timezone.now()
        # The PDFs of an earlier generation print what is no longer there: made again below.
        stale = [getattr(report, name).name for name in report.PDF_FIELDS.values() if getattr(report, name)]
        for name in report.PDF_FIELDS.values():
            setattr(report, name, "")
        report.save(
            update_fields=[
                "snapshot",
                "sections",
                "sections_by_language",
                "status",
                "error",
                "generated_at",
                *report.PDF_FIELDS.values(),
            ]
        )
        # robust: with tasks run in-process (`make run`), a print that fails (WeasyPrint without
        # Debian's pango, docs/reports.md) is logged and leaves the committed report as it is.
        transaction.on_commit(lambda: _report_pdfs_after_generation(report.pk, stale), robust=True)
        from webhooks.services import event_emit  # webhooks, queued on commit

        event_emit(initiative=report.initiative, type="report.generated", subject=report)
    return report


def _report_pdfs_after_generation(report_id: int, stale: list[str]) -> None:
    from django.core.files.storage import default_storage

    from ci_platform.celery import enqueue

    from .tasks import progress_report_pdf_task

    for name in stale:
        default_storage.delete(name)
    for language, _name in settings.LANGUAGES:
        enqueue(progress_report_pdf_task, report_id, language)


def report_pdf_make(report_id: int, language: str) -> ProgressReport | None:
    """Print the frozen report in `language` to PDF and attach it (the task's work). A published
    report gets a PDF only where it has none: the PDF of a frozen report is made once."""
    from . import pdf

    report = ProgressReport.objects.select_related("initiative").filter(pk=report_id).first()
    if report is None or report.status != ReportStatus.READY or language not in report.PDF_FIELDS:
        return report
    if report.is_published and getattr(report, report.PDF_FIELDS[language]):
        return report  # printed already (checked again under the lock below): not printed twice
    content = pdf.progress_report_pdf(report, language)
    with transaction.atomic():
        locked = ProgressReport.objects.select_for_update(of=("self",)).get(pk=report_id)
        field = locked.PDF_FIELDS[language]
        if locked.generated_at != report.generated_at or (locked.is_published and getattr(locked, field)):
            return locked  # generated again meanwhile (its own PDFs follow), or already printed
        old = getattr(locked, field).name
        getattr(locked, field).save(pdf.report_filename(locked, language), content, save=False)
        locked.save(update_fields=[field])
        if old:
            transaction.on_commit(lambda: getattr(locked, field).storage.delete(old))
    return locked


def report_pdf_request(*, report: ProgressReport, by) -> None:
    """Ask for the PDFs of a report again (e.g. one generated before there were PDFs, or a print
    that failed): only the missing ones are made."""
    require(by, permissions.REPORT, report.initiative)
    if report.status != ReportStatus.READY:
        raise ValidationError(_("Only a generated report can be printed."))
    from ci_platform.celery import enqueue

    from .tasks import progress_report_pdf_task

    for language, field in report.PDF_FIELDS.items():
        if not getattr(report, field):
            transaction.on_commit(partial(enqueue, progress_report_pdf_task, report.pk, language))


def report_card_pdf_request(*, initiative: Initiative, language: str):
    """Ask for the public report card as PDF in `language`, as it stands now (anyone may: the card
    is public). One row per state of the card and language: asking again for one that is made or
    being made changes nothing; a failed one is tried again. None if the card is not published."""
    from measurement.dashboards import readers

    from . import pdf
    from .models import ReportCardPdf

    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language of the platform."))
    with translation.override(language):
        state = readers.public_report_card(initiative)
    if state is None:
        return None
    with transaction.atomic():
        row, created = ReportCardPdf.objects.select_for_update().get_or_create(
            initiative=initiative,
            fingerprint=pdf.report_card_key(state),
            language=language,
            defaults={"run": state.run},
        )
        if not created and row.status != ReportStatus.FAILED:
            return row
        row.status, row.error = ReportStatus.PENDING, ""
        row.save(update_fields=["status", "error"])
        from ci_platform.celery import enqueue

        from .tasks import report_card_pdf_task

        transaction.on_commit(lambda: enqueue(report_card_pdf_task, row.pk))
    return row


def report_card_pdf_make(pdf_id: int):
    """Print the report card for a requested row (the task's work). If the card changed since it
    was asked for, the row fails with a word saying so: its PDF would not be of its state."""
    from measurement.dashboards import readers

    from . import pdf
    from .models import ReportCardPdf

    row = ReportCardPdf.objects.select_related("initiative").filter(pk=pdf_id).first()
    if row is None or row.status == ReportStatus.READY:
        return row
    try:
        with translation.override(row.language):
            state = readers.public_report_card(row.initiative)
            if state is None or pdf.report_card_key(state) != row.fingerprint:
                raise ValueError("the report card changed or was withdrawn since the PDF was asked for")
            content = pdf.report_card_pdf(state, row.language)
    except Exception as exc:
        log.exception("report card PDF %s failed", pdf_id)
        row.status, row.error = ReportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        row.save(update_fields=["status", "error"])
        return row
    row.file.save(pdf.report_card_filename(row.initiative, row.language), content, save=False)
    row.status, row.generated_at = ReportStatus.READY, timezone.now()
    row.save(update_fields=["file", "status", "generated_at"])
    return row


@transaction.atomic
def report_publish(*, report: ProgressReport, by) -> ProgressReport:
    require(by, permissions.REPORT, report.initiative)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.READY:
        raise ValidationError(_("Only a generated report can be published."))
    if not report.is_published:
        report.published_at = timezone.now()
        report.published_by = by
        report.save(update_fields=["published_at", "published_by"])
    return report


@transaction.atomic
def report_unpublish(*, report: ProgressReport, by) -> ProgressReport:
    """Withdraw the publication (the content stays as it was)."""
    require(by, permissions.REPORT, report.initiative)
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    report.published_at = None
    report.published_by = None
    report.save(update_fields=["published_at", "published_by"])
    return report


@transaction.atomic
def report_delete(*, report: ProgressReport, by) -> None:
    require(by, permissions.REPORT, report.initiative)
    if report.is_published:
        raise ValidationError(_("A published report cannot be deleted."))
    report.delete()
