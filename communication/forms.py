from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.people import display_name

from . import selectors
from .choices import ActionStatus, AttendanceStatus, Delivery, NotificationKind, PeriodKind, Visibility
from .files import allowed_extensions, max_upload_bytes
from .models import Decision, Meeting, Post

NOT_A_MEMBER = _("%(value)s is not a member of this initiative.")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def member_choices(initiative) -> list[tuple[str, str]]:
    return [
        (
            str(m.user_id),
            f"{display_name(m.user)} — {m.organization.name} ({m.get_role_display()})",
        )
        for m in selectors.members_of(initiative)
    ]


class MembersField(forms.TypedMultipleChoiceField):
    """People picked from the initiative's members; anyone else is refused by name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("error_messages", {"invalid_choice": NOT_A_MEMBER})
        super().__init__(**kwargs)


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class MeetingForm(forms.ModelForm):
    agenda_text = forms.CharField(
        label=_("Agenda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One agenda item per line."),
        max_length=10000,
    )
    invitees = MembersField(label=_("Invite"), help_text=_("Members of the initiative only."))

    class Meta:
        model = Meeting
        fields = ["title", "body", "body_name", "starts_at", "ends_at", "location", "link"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args, initiative, invite=True, **kwargs):
        super().__init__(*args, **kwargs)
        if invite:
            cast(forms.ChoiceField, self.fields["invitees"]).choices = member_choices(initiative)
        else:
            del self.fields["invitees"]
        if self.instance.pk:
            self.initial.setdefault("agenda_text", "\n".join(self.instance.agenda_items))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("A meeting cannot end before it starts."))
        return data


class InviteForm(forms.Form):
    invitees = MembersField(label=_("Invite more members"))

    def __init__(self, *args, initiative, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["invitees"]).choices = [
            c for c in member_choices(initiative) if int(c[0]) not in exclude
        ]


class AttendanceForm(forms.Form):
    """One status per invited person, and members who came without an invitation."""

    walk_ins = MembersField(label=_("Also attended (not invited)"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        invited = set()
        for attendance in meeting.attendances.all():
            invited.add(attendance.user_id)
            name = f"status_{attendance.user_id}"
            self.fields[name] = forms.ChoiceField(
                label=f"{display_name(attendance.user)} — {attendance.organization.name}",
                choices=AttendanceStatus.choices,
                initial=attendance.status,
            )
            self.rows.append(name)
        cast(forms.ChoiceField, self.fields["walk_ins"]).choices = [
            c for c in member_choices(meeting.initiative) if int(c[0]) not in invited
        ]
        # The walk-ins come last.
        self.order_fields([*self.rows, "walk_ins"])

    def statuses(self) -> dict[int, str]:
        result = {int(name.removeprefix("status_")): self.cleaned_data[name] for name in self.rows}
        for user_id in self.cleaned_data.get("walk_ins", []):
            result[user_id] = AttendanceStatus.ATTENDED
        return result


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown is allowed: **bold**, lists, links. HTML is removed."),
        max_length=100_000,
    )
    publish = forms.BooleanField(
        label=_("Share the minutes with the invitees now"),
        required=False,
        help_text=_("They are notified once; later edits are not announced again."),
    )


class DecisionForm(forms.ModelForm):
    links_text = forms.CharField(
        label=_("Other sources (links)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One web address per line: dashboards, research, reports."),
        max_length=5000,
    )

    class Meta:
        model = Decision
        fields = ["title", "text", "decided_on", "body", "body_name", "meeting", "measures", "documents"]
        widgets = {
            "decided_on": DateInput(),
            "text": forms.Textarea(attrs={"rows": 5}),
            "measures": forms.CheckboxSelectMultiple,
            "documents": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "measures": _("The shared measures whose data the decision rested on."),
        }

    def __init__(self, *args, initiative, user, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["meeting"]).queryset = initiative.meetings.order_by(
            "-starts_at"
        )
        cast(forms.ModelChoiceField, self.fields["measures"]).queryset = selectors.measures_of(initiative)
        cast(forms.ModelChoiceField, self.fields["documents"]).queryset = selectors.documents_visible_to(
            user, initiative
        )
        measures = cast(forms.ModelChoiceField, self.fields["measures"])
        measures.label_from_instance = lambda obj: f"{obj.code} — {obj.name}"  # type: ignore[method-assign]
        if self.instance.pk:
            self.initial.setdefault("links_text", "\n".join(self.instance.links))
        else:
            self.initial.setdefault("decided_on", timezone.localdate())


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": NOT_A_MEMBER},
    )
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    decision: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Follows from the decision"), queryset=None, required=False
    )

    def __init__(self, *args, initiative, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", "---------"),
            *member_choices(initiative),
        ]
        decisions = initiative.decisions.all()
        if meeting is not None:
            decisions = decisions.filter(meeting=meeting)
        cast(forms.ModelChoiceField, self.fields["decision"]).queryset = decisions


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["kind", "title", "body", "tag", "shared_externally"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6}), "kind": forms.RadioSelect}


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    upload = forms.FileField(label=_("File"), required=False)
    url = forms.URLField(label=_("…or a link"), required=False, max_length=500, assume_scheme="https")
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Visibility.choices,
        initial=Visibility.MEMBERS,
        widget=forms.RadioSelect,
    )
    group_name = forms.CharField(
        label=_("Group name"),
        required=False,
        max_length=120,
        help_text=_("For a named group: e.g. the working group's name."),
    )
    group_members = MembersField(label=_("Group members"))
    tag = forms.CharField(label=_("Working group or topic"), required=False, max_length=80)

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group_members"]).choices = member_choices(initiative)
        self.fields["upload"].help_text = _("Up to %(mb)d MB. Accepted: %(types)s.") % {
            "mb": max_upload_bytes() // (1024 * 1024),
            "types": ", ".join(allowed_extensions()),
        }

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if bool(data.get("upload")) == bool(data.get("url")) and not self.errors:
            raise forms.ValidationError(_("Add either a file or a link."))
        return data


class PreferencesForm(forms.Form):
    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, initial=current[kind.value]
            )


class ReportRequestForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        empty_value=0,  # type: ignore[arg-type]  # any value: no quarter is 0, the whole year
        choices=[("", "—"), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
