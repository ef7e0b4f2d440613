"""Pages of continuous communication. Thin: load through selectors, change through services, and
ask `permissions` (this app's, built on the initiative's) who may do what."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView

from ci_platform import bases
from initiatives.models import Initiative
from initiatives.views import InitiativeMixin, apply_errors

from . import pdf, permissions, selectors, services
from .choices import Body, NotificationKind, PostKind, ReportStatus, Visibility
from .forms import (
    ActionItemForm,
    ActionStatusForm,
    AttendanceForm,
    CommentForm,
    DecisionForm,
    DocumentForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
    PostForm,
    PreferencesForm,
    ReportRequestForm,
    lines,
)
from .models import Notification

User = get_user_model()


class _ActionRequired(bases.PageView):
    """Runs after InitiativeMixin has loaded the initiative and turned outsiders away (404)."""

    action = permissions.VIEW
    initiative: Initiative  # InitiativeMixin's

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can(request.user, self.action, self.initiative):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CommunicationMixin(InitiativeMixin, _ActionRequired):
    section = "communication"
    tab = "home"

    def get_context_data(self, **kwargs):
        user, initiative = self.request.user, self.initiative
        kwargs.setdefault("tab", self.tab)
        kwargs.setdefault("can_record", permissions.can(user, permissions.RECORD, initiative))
        kwargs.setdefault("can_contribute", permissions.can(user, permissions.CONTRIBUTE, initiative))
        kwargs.setdefault("can_report", permissions.can(user, permissions.REPORT, initiative))
        kwargs.setdefault("unread", selectors.unread_count(user, initiative))
        return super().get_context_data(**kwargs)


def _here(view, name: str, **kwargs) -> str:
    return reverse(f"communication:{name}", kwargs={"slug": view.initiative.slug, **kwargs})


class HomeView(CommunicationMixin, TemplateView):
    template_name = "communication/home.html"

    def get_context_data(self, **kwargs):
        initiative, user = self.initiative, self.request.user
        return super().get_context_data(
            upcoming=selectors.upcoming_meetings(initiative)[:5],
            decisions=selectors.decisions_of(initiative)[:5],
            posts=selectors.posts_of(initiative)[:5],
            my_actions=selectors.action_items_of(initiative, open_only=True, owner=user)[:10],
            documents=selectors.documents_visible_to(user, initiative)[:5],
            reports=selectors.reports_visible_to(user, initiative)[:3],
            **kwargs,
        )


# --- Meetings -----------------------------------------------------------------------------------------


class MeetingListView(CommunicationMixin, TemplateView):
    template_name = "communication/meeting_list.html"
    tab = "meetings"

    def get_context_data(self, **kwargs):
        body = self.request.GET.get("body", "")
        upcoming = selectors.upcoming_meetings(self.initiative)
        past = selectors.past_meetings(self.initiative)
        if body in Body.values:
            upcoming, past = upcoming.filter(body=body), past.filter(body=body)
        else:
            body = ""
        return super().get_context_data(
            upcoming=upcoming, past=past, body=body, bodies=Body.choices, **kwargs
        )


class MeetingCreateView(CommunicationMixin, FormView):
    action = permissions.RECORD
    template_name = "communication/form_page.html"
    form_class = MeetingForm
    tab = "meetings"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Schedule a meeting"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                initiative=self.initiative,
                by=self.request.user,
                agenda_items=lines(data["agenda_text"]),
                invitees=data["invitees"],
                **{f: data[f] for f in MeetingForm.Meta.fields},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting was scheduled and the invitees notified."))
        return redirect(meeting)


class MeetingObjectMixin(CommunicationMixin):
    tab = "meetings"

    def get_meeting(self):
        if not hasattr(self, "meeting"):
            self.meeting = selectors.meeting_detail(self.initiative, self.kwargs["pk"])
        return self.meeting


class MeetingDetailView(MeetingObjectMixin, TemplateView):
    template_name = "communication/meeting_detail.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        return super().get_context_data(
            meeting=meeting,
            by_organization=selectors.attendance_by_organization(meeting),
            status_form=ActionStatusForm(),
            **kwargs,
        )


class MeetingEditView(MeetingObjectMixin, FormView):
    action = permissions.RECORD
    template_name = "communication/form_page.html"
    form_class = MeetingForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "initiative": self.initiative,
            "instance": self.get_meeting(),
            "invite": False,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit the meeting"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        meeting = self.get_meeting()
        try:
            services.meeting_update(
                meeting=meeting,
                by=self.request.user,
                agenda_items=lines(data["agenda_text"]),
                **{f: data[f] for f in MeetingForm.Meta.fields},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(meeting)


class MeetingAttendanceView(MeetingObjectMixin, TemplateView):
    """Invite more members and record who came."""

    action = permissions.RECORD
    template_name = "communication/meeting_attendance.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        kwargs.setdefault("form", AttendanceForm(meeting=meeting))
        kwargs.setdefault(
            "invite_form",
            InviteForm(initiative=self.initiative, exclude={a.user_id for a in meeting.attendances.all()}),
        )
        return super().get_context_data(meeting=meeting, **kwargs)

    def post(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        if "invite" in request.POST:
            invite_form = InviteForm(
                request.POST,
                initiative=self.initiative,
                exclude={a.user_id for a in meeting.attendances.all()},
            )
            if invite_form.is_valid():
                try:
                    services.meeting_invite(
                        meeting=meeting, by=request.user, users=invite_form.cleaned_data["invitees"]
                    )
                except ValidationError as exc:
                    apply_errors(invite_form, exc)
                else:
                    messages.success(request, _("Invited and notified."))
                    return redirect(_here(self, "meeting_attendance", pk=meeting.pk))
            return self.render_to_response(self.get_context_data(invite_form=invite_form), status=400)
        form = AttendanceForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.attendance_record(meeting=meeting, by=request.user, statuses=form.statuses())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Attendance recorded."))
                return redirect(meeting)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MeetingMinutesView(MeetingObjectMixin, FormView):
    action = permissions.RECORD
    template_name = "communication/meeting_minutes.html"
    form_class = MinutesForm

    def get_initial(self):
        return {"minutes": self.get_meeting().minutes}

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.get_meeting(), **kwargs)

    def form_valid(self, form):
        meeting = self.get_meeting()
        try:
            services.minutes_save(meeting=meeting, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Minutes saved."))
        return redirect(meeting)


# --- Decisions and action items ---------------------------------------------------------------------


class DecisionListView(CommunicationMixin, TemplateView):
    template_name = "communication/decision_list.html"
    tab = "decisions"

    def get_context_data(self, **kwargs):
        body = self.request.GET.get("body", "")
        body = body if body in Body.values else ""
        return super().get_context_data(
            decisions=selectors.decisions_of(self.initiative, body=body),
            body=body,
            bodies=Body.choices,
            data_use=selectors.decision_data_use(self.initiative),
            **kwargs,
        )


class DecisionFormMixin(CommunicationMixin, bases.FormView):
    action = permissions.RECORD
    template_name = "communication/decision_form.html"
    form_class = DecisionForm
    tab = "decisions"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative, "user": self.request.user}

    def _fields(self, form) -> dict:
        data = form.cleaned_data
        return {
            "title": data["title"],
            "text": data["text"],
            "decided_on": data["decided_on"],
            "body": data["body"],
            "body_name": data["body_name"],
            "meeting": data["meeting"],
            "measures": data["measures"],
            "documents": data["documents"],
            "links": lines(data["links_text"]),
        }


class DecisionCreateView(DecisionFormMixin, FormView):
    def get_initial(self):
        initial = super().get_initial()
        meeting_id = self.request.GET.get("meeting", "")
        if meeting_id.isdigit():
            meeting = self.initiative.meetings.filter(pk=meeting_id).first()
            if meeting:
                initial.update(
                    meeting=meeting,
                    body=meeting.body,
                    body_name=meeting.body_name,
                    decided_on=meeting.starts_at.date(),
                )
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Record a decision"), **kwargs)

    def form_valid(self, form):
        try:
            decision = services.decision_record(
                initiative=self.initiative, by=self.request.user, **self._fields(form)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The decision was recorded."))
        return redirect(decision.meeting or decision)


class DecisionEditView(DecisionFormMixin, FormView):
    def get_decision(self):
        if not hasattr(self, "decision"):
            self.decision = selectors.decision_detail(self.initiative, self.kwargs["pk"])
        return self.decision

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_decision()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit the decision"), **kwargs)

    def form_valid(self, form):
        decision = self.get_decision()
        try:
            services.decision_update(decision=decision, by=self.request.user, **self._fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(decision)


class DecisionDetailView(CommunicationMixin, TemplateView):
    template_name = "communication/decision_detail.html"
    tab = "decisions"

    def get_context_data(self, **kwargs):
        decision = selectors.decision_detail(self.initiative, self.kwargs["pk"])
        # A cited document the reader may not see is named as private, not linked.
        visible = set(
            selectors.documents_visible_to(self.request.user, self.initiative)
            .filter(pk__in=[d.pk for d in decision.documents.all()])
            .values_list("pk", flat=True)
        )
        return super().get_context_data(decision=decision, visible_documents=visible, **kwargs)


class ActionItemListView(CommunicationMixin, TemplateView):
    template_name = "communication/action_list.html"
    tab = "actions"

    def get_context_data(self, **kwargs):
        show = self.request.GET.get("show", "open")
        mine = self.request.GET.get("mine") == "1"
        items = selectors.action_items_of(
            self.initiative, open_only=show == "open", owner=self.request.user if mine else None
        )
        return super().get_context_data(
            items=items, show=show, mine=mine, status_form=ActionStatusForm(), **kwargs
        )


class ActionItemCreateView(CommunicationMixin, FormView):
    action = permissions.RECORD
    template_name = "communication/form_page.html"
    form_class = ActionItemForm
    tab = "actions"

    def get_meeting(self):
        meeting_id = self.request.GET.get("meeting", "")
        if not meeting_id.isdigit():
            return None
        return get_object_or_404(self.initiative.meetings, pk=meeting_id)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative, "meeting": self.get_meeting()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Add an action item"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        meeting = self.get_meeting()
        owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
        try:
            services.action_item_create(
                initiative=self.initiative,
                by=self.request.user,
                title=data["title"],
                owner=owner,
                due_on=data["due_on"],
                meeting=meeting,
                decision=data["decision"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Action item added."))
        return redirect(meeting or _here(self, "actions"))


class ActionItemStatusView(CommunicationMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        item = get_object_or_404(self.initiative.action_items.select_related("initiative"), pk=kwargs["pk"])
        form = ActionStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a status."))
        else:
            services.action_item_set_status(item=item, by=request.user, status=form.cleaned_data["status"])
            messages.success(request, _("Status updated."))
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = _here(self, "actions")
        return HttpResponseRedirect(back)


# --- Updates feed ------------------------------------------------------------------------------------


class PostListView(CommunicationMixin, TemplateView):
    template_name = "communication/post_list.html"
    tab = "updates"

    def get_context_data(self, **kwargs):
        tag = self.request.GET.get("tag", "")[:80]
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in PostKind.values else ""
        posts = selectors.posts_of(self.initiative, tag=tag, kind=kind)
        external = self.request.GET.get("external") == "1"
        if external:
            posts = posts.filter(shared_externally=True)
        return super().get_context_data(
            posts=posts,
            tag=tag,
            kind=kind,
            external=external,
            kinds=PostKind.choices,
            tags=selectors.tags_of(self.initiative),
            **kwargs,
        )


class PostCreateView(CommunicationMixin, FormView):
    action = permissions.CONTRIBUTE
    template_name = "communication/form_page.html"
    form_class = PostForm
    tab = "updates"

    def get_initial(self):
        return {"tag": self.request.GET.get("tag", "")[:80], "kind": PostKind.NEWS}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Post an update"),
            intro=_(
                "Share news, a success to celebrate, or ask the partners a question. Markdown is allowed."
            ),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            post = services.post_create(initiative=self.initiative, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Posted."))
        return redirect(post)


class PostDetailView(CommunicationMixin, TemplateView):
    template_name = "communication/post_detail.html"
    tab = "updates"

    def get_context_data(self, **kwargs):
        post = selectors.post_detail(self.initiative, self.kwargs["pk"])
        kwargs.setdefault("comment_form", CommentForm())
        return super().get_context_data(
            post=post, can_edit=permissions.can_edit_post(self.request.user, post), **kwargs
        )


class CommentCreateView(PostDetailView):
    action = permissions.CONTRIBUTE
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        post = get_object_or_404(self.initiative.posts, pk=kwargs["pk"])
        form = CommentForm(request.POST)
        if form.is_valid():
            services.comment_add(post=post, by=request.user, body=form.cleaned_data["body"])
            messages.success(request, _("Comment added."))
            return redirect(post)
        return self.render_to_response(self.get_context_data(comment_form=form), status=400)


class PostEditView(CommunicationMixin, FormView):
    template_name = "communication/form_page.html"
    form_class = PostForm
    tab = "updates"

    def get_post(self):
        if not hasattr(self, "post_object"):
            self.post_object = get_object_or_404(
                self.initiative.posts.select_related("initiative"), pk=self.kwargs["pk"]
            )
            if not permissions.can_edit_post(self.request.user, self.post_object):
                raise PermissionDenied
        return self.post_object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_post()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Edit the update"), **kwargs)

    def form_valid(self, form):
        post = services.post_update(post=self.get_post(), by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Saved."))
        return redirect(post)


class PostDeleteView(CommunicationMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        post = get_object_or_404(self.initiative.posts.select_related("initiative"), pk=kwargs["pk"])
        services.post_delete(post=post, by=request.user)
        messages.success(request, _("The update was deleted."))
        return redirect(_here(self, "updates"))


# --- Document library ---------------------------------------------------------------------------------


class DocumentListView(CommunicationMixin, TemplateView):
    template_name = "communication/document_list.html"
    tab = "documents"

    def get_context_data(self, **kwargs):
        tag = self.request.GET.get("tag", "")[:80]
        return super().get_context_data(
            documents=selectors.documents_visible_to(self.request.user, self.initiative, tag=tag),
            tag=tag,
            tags=selectors.tags_of(self.initiative),
            **kwargs,
        )


class DocumentCreateView(CommunicationMixin, FormView):
    action = permissions.CONTRIBUTE
    template_name = "communication/document_form.html"
    form_class = DocumentForm
    tab = "documents"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def form_valid(self, form):
        data = form.cleaned_data
        members = (
            User.objects.filter(pk__in=data["group_members"])
            if data["visibility"] == Visibility.GROUP
            else []
        )
        try:
            document = services.document_add(
                initiative=self.initiative,
                by=self.request.user,
                title=data["title"],
                description=data["description"],
                upload=data["upload"],
                url=data["url"],
                visibility=data["visibility"],
                group_name=data["group_name"],
                group_members=members,
                tag=data["tag"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Added to the library."))
        return redirect(document)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DocumentDetailView(CommunicationMixin, TemplateView):
    template_name = "communication/document_detail.html"
    tab = "documents"

    def get_context_data(self, **kwargs):
        document = selectors.document_for(self.request.user, self.initiative, self.kwargs["pk"])
        return super().get_context_data(
            document=document,
            can_delete=permissions.can_delete_document(self.request.user, document),
            **kwargs,
        )


class DocumentDownloadView(CommunicationMixin, TemplateView):
    """Files are served here, after the permission check, always as a download: never inline,
    never sniffed, never run (a sandboxing CSP covers a browser that opens it anyway)."""

    def get(self, request, *args, **kwargs):
        document = selectors.document_for(request.user, self.initiative, kwargs["pk"])
        if not document.file:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=document.original_name or f"document-{document.pk}",
            content_type=document.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


class DocumentDeleteView(CommunicationMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        document = selectors.document_for(request.user, self.initiative, kwargs["pk"])
        services.document_delete(document=document, by=request.user)
        messages.success(request, _("The document was removed from the library."))
        return redirect(_here(self, "documents"))


# --- Notifications ---------------------------------------------------------------------------------


class NotificationListView(CommunicationMixin, TemplateView):
    template_name = "communication/notification_list.html"
    tab = "notifications"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            notifications=selectors.notifications_of(self.request.user, self.initiative)[:100], **kwargs
        )


class NotificationsReadView(CommunicationMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.notifications_mark_read(user=request.user, initiative=self.initiative)
        return redirect(_here(self, "notifications"))


class NotificationOpenView(CommunicationMixin, TemplateView):
    """Follow a notification's link. The list opens it by POST, which marks it read; a GET (an old
    link, a prefetch) only follows it, because a GET never writes. Only links inside the platform
    are followed."""

    def _notification(self) -> Notification:
        return get_object_or_404(
            selectors.notifications_of(self.request.user, self.initiative), pk=self.kwargs["pk"]
        )

    def _follow(self, notification: Notification) -> HttpResponseRedirect:
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            target = _here(self, "notifications")
        return HttpResponseRedirect(target)

    def get(self, request, *args, **kwargs):
        return self._follow(self._notification())

    def post(self, request, *args, **kwargs):
        notification = self._notification()
        services.notifications_mark_read(user=request.user, initiative=self.initiative, ids=[notification.pk])
        return self._follow(notification)


class NotificationSettingsView(CommunicationMixin, FormView):
    template_name = "communication/notification_settings.html"
    form_class = PreferencesForm
    tab = "notifications"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "current": services.preferences_of(self.request.user, self.initiative),
        }

    def form_valid(self, form):
        services.preferences_update(
            user=self.request.user, initiative=self.initiative, choices=form.cleaned_data
        )
        messages.success(self.request, _("Your notification settings are saved."))
        return redirect(_here(self, "notification_settings"))


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(TemplateView):
    """The link in every email. It works without signing in: the signed token is the permission.
    A GET only asks (mail scanners open links); the POST, from the page or a mail client's
    one-click unsubscribe (RFC 8058), turns the email off."""

    template_name = "communication/unsubscribe.html"

    def dispatch(self, request, *args, **kwargs):
        found = services.unsubscribe_read(kwargs["token"])
        if found is None or found[1].slug != kwargs["slug"]:
            raise Http404
        self.user, self.initiative, self.kind = found
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kind_label = (
            NotificationKind(self.kind).label
            if self.kind in NotificationKind.values
            else _("all notifications")
        )
        return super().get_context_data(initiative=self.initiative, kind_label=kind_label, **kwargs)

    def post(self, request, *args, **kwargs):
        services.unsubscribe(token=kwargs["token"], all_kinds=request.POST.get("all") == "1")
        return self.render_to_response(self.get_context_data(done=True))


# --- Progress reports ---------------------------------------------------------------------------------


class ReportListView(CommunicationMixin, TemplateView):
    template_name = "communication/report_list.html"
    tab = "reports"

    def get_context_data(self, **kwargs):
        if permissions.can(self.request.user, permissions.REPORT, self.initiative):
            kwargs.setdefault("form", ReportRequestForm())
        return super().get_context_data(
            reports=selectors.reports_visible_to(self.request.user, self.initiative), **kwargs
        )


class ReportCreateView(ReportListView):
    action = permissions.REPORT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_request(
                    initiative=self.initiative, by=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The report for %(period)s is being generated.") % {"period": report.period_label},
                )
                return redirect(report)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _reader_language(request, offered: list[str]) -> str:
    """The version a reader gets: the one asked for (?lang=he, the switch), else their own
    language's, else the first there is."""
    asked = request.GET.get("lang", "")
    if asked in offered:
        return asked
    own = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return own if own in offered else offered[0]


class ReportDetailView(CommunicationMixin, TemplateView):
    template_name = "communication/report_detail.html"
    tab = "reports"

    def get_context_data(self, **kwargs):
        report = selectors.report_for(self.request.user, self.initiative, self.kwargs["pk"])
        language = _reader_language(self.request, report.languages)
        names = dict(settings.LANGUAGES)
        return super().get_context_data(
            report=report,
            pending=report.status == ReportStatus.PENDING,
            version=language,
            version_bidi=translation.get_language_info(language)["bidi"],
            sections=report.sections_in(language),
            # The switch to the report's other versions, named in the page's language.
            other_versions=[
                (code, names[code]) for code in report.languages if code != language and code in names
            ],
            pdfs=[(code, names.get(code, code)) for code in report.PDF_FIELDS if report.pdf_in(code)],
            pdfs_missing=report.status == ReportStatus.READY
            and not all(report.pdf_in(code) for code in report.PDF_FIELDS),
            **kwargs,
        )


class ReportPdfView(CommunicationMixin, TemplateView):
    """A report's stored PDF in one language, to whoever may read the report."""

    def get(self, request, *args, **kwargs):
        report = selectors.report_for(request.user, self.initiative, kwargs["pk"])
        stored = report.pdf_in(kwargs["language"])
        if not stored:
            raise Http404
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            as_attachment=False,
            filename=pdf.report_filename(report, kwargs["language"]),
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class ReportPdfRequestView(CommunicationMixin, TemplateView):
    """Print a generated report's missing PDFs (one made before there were PDFs, or a failed print)."""

    action = permissions.REPORT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        report = get_object_or_404(self.initiative.progress_reports, pk=kwargs["pk"])
        try:
            services.report_pdf_request(report=report, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The PDF is being made. Reload the page in a minute."))
        return redirect(report)


class ReportPublishView(CommunicationMixin, TemplateView):
    action = permissions.REPORT
    http_method_names = ["post"]
    publish = True

    def post(self, request, *args, **kwargs):
        report = get_object_or_404(self.initiative.progress_reports, pk=kwargs["pk"])
        try:
            if self.publish:
                services.report_publish(report=report, by=request.user)
                messages.success(request, _("The report is published: every member can read it."))
            else:
                services.report_unpublish(report=report, by=request.user)
                messages.success(request, _("The report is no longer published."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(report)


class ReportUnpublishView(ReportPublishView):
    publish = False


class ReportCardPdfView(TemplateView):
    """The public report card as PDF (no sign-in, as the card itself; 404 until it is published).

    A GET serves the stored PDF of the card as it stands now in the chosen language, or a page
    offering to make it; the POST behind that page asks a Celery task to make it. It is not made
    when the card is published or the aggregates change: a card changes with every approved
    figure, and most of its states are never printed."""

    template_name = "communication/report_card_pdf.html"

    def _state(self, language: str):
        from measurement.dashboards import readers

        initiative = get_object_or_404(Initiative, slug=self.kwargs["slug"])
        with translation.override(language):
            state = readers.public_report_card(initiative)
        if state is None:
            raise Http404
        return initiative, state

    def _language(self) -> str:
        return _reader_language(self.request, [code for code, _name in settings.LANGUAGES])

    def get(self, request, *args, **kwargs):
        from .models import ReportCardPdf

        language = self._language()
        initiative, state = self._state(language)
        row = ReportCardPdf.objects.filter(
            initiative=initiative, fingerprint=pdf.report_card_key(state), language=language
        ).first()
        if row is not None and row.status == ReportStatus.READY and row.file:
            try:
                handle = row.file.open("rb")
            except FileNotFoundError as exc:
                raise Http404 from exc
            response = FileResponse(
                handle,
                filename=pdf.report_card_filename(initiative, language),
                content_type="application/pdf",
            )
            response["X-Content-Type-Options"] = "nosniff"
            return response
        return self.render_to_response(
            self.get_context_data(initiative=initiative, card=state.card, row=row, language=language)
        )

    def post(self, request, *args, **kwargs):
        language = request.POST.get("lang", "")
        if language not in dict(settings.LANGUAGES):
            language = self._language()
        initiative, _state = self._state(language)
        services.report_card_pdf_request(initiative=initiative, language=language)
        url = reverse("report_card_pdf", kwargs={"slug": initiative.slug})
        return HttpResponseRedirect(f"{url}?lang={language}", status=303)


def set_language(request):
    """Django's language switch, which also keeps the choice of a signed-in person: what is sent
    to them later (notification emails, digests) is written in it. Only a POST changes anything."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.reader_language_set(user=request.user, language=language)
    return response
