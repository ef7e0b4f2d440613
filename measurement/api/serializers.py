import math
import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from ci_platform.api.fields import InitiativeRelatedField
from initiatives.models import Organization

from ..aggregation.completeness import is_complete
from ..choices import AuditAction, SubmissionStatus
from ..models import Assignment, ReportingPeriod, SharedMeasure, Submission

if TYPE_CHECKING:
    from agenda.models import Strategy


class SharedMeasureSerializer(serializers.ModelSerializer):
    breakdowns = serializers.SerializerMethodField()
    strategies: "serializers.PrimaryKeyRelatedField[Strategy]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    denominator: "serializers.SlugRelatedField[SharedMeasure]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    targets = serializers.SerializerMethodField()

    class Meta:
        model = SharedMeasure
        fields = [
            "id",
            "code",
            "name_en",
            "name_he",
            "definition",
            "level",
            "unit",
            "value_type",
            "direction",
            "aggregation",
            "denominator",
            "kind",
            "formula",
            "frequency",
            "baseline_value",
            "baseline_period",
            "min_value",
            "max_value",
            "required",
            "breakdowns",
            "targets",
            "strategies",
            "data_source",
            "active_from",
            "active_to",
        ]
        read_only_fields = fields

    def get_breakdowns(self, obj) -> list[dict]:
        return [
            {
                "position": d.position,
                "code": d.dimension.code,
                "members": [m.code for m in d.dimension.members.all()],
            }
            for d in obj.measure_dimensions.all()
        ]

    def get_targets(self, obj) -> dict[str, str]:
        return {t.period_code: format(t.value.normalize(), "f") for t in obj.targets.all()}


class ReportingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "frequency", "code", "start", "end", "opens_on", "closes_on", "due_on"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    organization_id = serializers.IntegerField()
    measure = serializers.CharField(source="measure.code")

    class Meta:
        model = Assignment
        fields = ["id", "organization_id", "organization", "measure"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    organization_id = serializers.IntegerField()
    period = serializers.CharField(source="period.code")
    frequency = serializers.CharField(source="period.frequency")
    open_cells = serializers.ListField(
        child=serializers.ListField(
            child=serializers.IntegerField(allow_null=True), min_length=3, max_length=3
        ),
        source="reopened_cells",
        allow_null=True,
        read_only=True,
        help_text="During a correction of approved data: the cells [measure id, member 1 id, member 2 "
        "id] reopened one by one (empty when every cell was reopened: `reopened_whole`); null when "
        "no correction is under way. The approved values go on counting until it is approved.",
    )
    in_correction = serializers.BooleanField(read_only=True)
    reopened_whole = serializers.BooleanField(read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "organization_id",
            "organization",
            "period",
            "frequency",
            "status",
            "open_cells",
            "in_correction",
            "reopened_whole",
            "message",
            "submitted_at",
            "reviewed_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class UnlockSerializer(ReviewSerializer):
    value = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,  # a larger number is a clear 400, not a database overflow
        help_text="A data value's id: reopen only this value (the others stay approved). "
        "Without it, the whole submission is reopened.",
    )


def _decimal(value) -> str | None:
    return None if value is None else f"{value:.6f}"


_MOMENT = serializers.DateTimeField()


class DataValueSerializer(serializers.Serializer):
    """One raw value. Read from a `values()` query (see VALUE_COLUMNS), never from model instances:
    a page of 1,000 values is one query and a loop over dicts."""

    id = serializers.IntegerField()
    measure = serializers.CharField(help_text="Shared measure code.")
    period = serializers.CharField(help_text="Reporting period code (2026, 2026-Q1, 2026-01).")
    organization_id = serializers.IntegerField()
    breakdown_1 = serializers.CharField(allow_null=True, help_text="Member code of the first breakdown.")
    breakdown_2 = serializers.CharField(allow_null=True, help_text="Member code of the second breakdown.")
    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)
    comment = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, help_text="The submission's status.")
    updated_at = serializers.DateTimeField()

    def to_representation(self, row):
        return {
            "id": row["id"],
            "measure": row["measure__code"],
            "period": row["period__code"],
            "organization_id": row["organization_id"],
            "breakdown_1": row["member1__code"],
            "breakdown_2": row["member2__code"],
            "value": _decimal(row["value"]),
            "comment": row["comment"],
            "status": row["submission__status"],
            "updated_at": _MOMENT.to_representation(row["updated_at"]),
        }


VALUE_COLUMNS = (
    "id",
    "measure__code",
    "period__code",
    "organization_id",
    "member1__code",
    "member2__code",
    "value",
    "comment",
    "submission__status",
    "updated_at",
)


class AggregateSerializer(serializers.Serializer):
    """A number behind the charts: a measure across partners, for a period and breakdown cell
    (both breakdowns null = the total). Read from a `values()` query (AGGREGATE_COLUMNS)."""

    id = serializers.IntegerField()
    measure = serializers.CharField()
    period = serializers.CharField()
    frequency = serializers.CharField()
    breakdown_1 = serializers.CharField(allow_null=True)
    breakdown_2 = serializers.CharField(allow_null=True)
    value = serializers.DecimalField(
        max_digits=26,
        decimal_places=6,
        coerce_to_string=True,
        allow_null=True,
        help_text="Null when the measure is not aggregable across partners and no single source reported.",
    )
    organizations = serializers.IntegerField(help_text="How many organizations' approved values it rests on.")
    gap = serializers.CharField(
        help_text="Why a calculated measure has no value here: division_by_zero, input_missing (an input "
        "has no value) or too_large; empty otherwise."
    )
    expected = serializers.IntegerField(
        allow_null=True,
        help_text="How many organizations are expected to report the measure for the period "
        "(null when not counted).",
    )
    approved = serializers.IntegerField(
        allow_null=True, help_text="How many of the expected organizations are approved for the period."
    )
    provisional = serializers.BooleanField(
        help_text="True while approved / expected is below the initiative's completeness threshold "
        "(100 % unless backbone staff set it lower): the figure may still change, and dashboards leave "
        "it out of headlines, changes, verdicts, forecasts and the public report card."
    )

    def to_representation(self, row):
        expected, approved = row.get("expected"), row.get("approved")
        return {
            "id": row["id"],
            "measure": row["measure__code"],
            "period": row["period__code"],
            "frequency": row["period__frequency"],
            "breakdown_1": row["member1__code"],
            "breakdown_2": row["member2__code"],
            "value": _decimal(row["value"]),
            "organizations": row["organizations"],
            "gap": row["gap"],
            "expected": expected,
            "approved": approved,
            "provisional": not is_complete(approved, expected, self.context.get("complete_pct")),
        }


AGGREGATE_COLUMNS = (
    "id",
    "measure__code",
    "period__code",
    "period__frequency",
    "member1__code",
    "member2__code",
    "value",
    "organizations",
    "gap",
)


class AuditEntrySerializer(serializers.Serializer):
    """A change in the audit trail: a value entered, changed or cleared, or a submission's step."""

    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.ChoiceField(choices=AuditAction.choices)
    organization_id = serializers.IntegerField()
    period = serializers.CharField()
    measure = serializers.CharField(allow_null=True)
    breakdown_1 = serializers.CharField(allow_null=True)
    breakdown_2 = serializers.CharField(allow_null=True)
    old_value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    new_value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_null=True, help_text="Who: a person's name, or an API token's label.")

    def to_representation(self, row):
        by = " ".join(p for p in (row["by__first_name"], row["by__last_name"]) if p) or row["by__username"]
        return {
            "id": row["id"],
            "at": _MOMENT.to_representation(row["at"]),
            "action": row["action"],
            "organization_id": row["organization_id"],
            "period": row["submission__period__code"],
            "measure": row["measure__code"],
            "breakdown_1": row["member1__code"],
            "breakdown_2": row["member2__code"],
            "old_value": _decimal(row["old_value"]),
            "new_value": _decimal(row["new_value"]),
            "reason": row["reason"],
            "by": by,
        }


AUDIT_COLUMNS = (
    "id",
    "at",
    "action",
    "organization_id",
    "submission__period__code",
    "measure__code",
    "member1__code",
    "member2__code",
    "old_value",
    "new_value",
    "reason",
    "by__first_name",
    "by__last_name",
    "by__username",
)


# --- Bulk submission -----------------------------------------------------------------------------


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> bool:
    """No NUL and no lone surrogate: what DRF's CharField validators refuse."""
    return "\x00" not in text and (text.isascii() or not _SURROGATE.search(text))


@extend_schema_field({"oneOf": [{"type": "string", "maxLength": 40}, {"type": "number"}]})
class NumberOrTextField(serializers.CharField):
    """A value as typed (`"1,234.5"`) or as a JSON number; parsed by the same rules as a file."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        return super().to_internal_value(repr(data) if isinstance(data, float) else data)


class CommentField(serializers.CharField):
    """A comment passed on as given: the entry pipeline checks it as every channel's
    (entry.comment_problem), so that the API refuses with the same row reason as the grid and a
    file, not with a field error of its own."""

    def __init__(self, **kwargs):
        super().__init__(trim_whitespace=False, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class BulkValueSerializer(serializers.Serializer):
    measure = serializers.CharField(max_length=40, help_text="Shared measure code.")
    period = serializers.CharField(max_length=10, help_text="Reporting period code.")
    breakdown_1 = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Member code, if broken down."
    )
    breakdown_2 = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="Member code, second breakdown.",
    )
    value = NumberOrTextField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text="The number (a JSON number or a string); leave it out with `clear`.",
    )
    comment = CommentField(
        required=False,
        allow_blank=True,
        default="",
        help_text="At most 2,000 characters, no NUL, not starting like a spreadsheet formula (checked "
        "with the values, as for the grid and files: a refusal is the row's reason).",
    )
    clear = serializers.BooleanField(
        default=False,
        help_text="Clear this cell's value. During a correction of approved data an approved value is "
        "cleared only so, never by an empty value.",
    )

    # A request holds up to API_BULK_MAX_VALUES items, and DRF's field-by-field validation of each
    # was half of a bulk request's time (docs/performance.md). An item of plain JSON strings and
    # numbers that every field would accept as it is, is read here directly; anything else (a
    # missing code, a wrong type, an over-long or blank string, NUL or a lone surrogate, a boolean
    # written as text) goes through the fields, for their exact messages. tests/api/test_bulk.py
    # holds the two equal.
    _CODES = (
        ("measure", 40, False),
        ("period", 10, False),
        ("breakdown_1", 40, True),
        ("breakdown_2", 40, True),
    )

    def run_validation(self, data=empty):
        plain = self._plain(data)
        return super().run_validation(data) if plain is None else plain

    @classmethod
    def _plain(cls, data) -> dict | None:
        if type(data) is not dict:
            return None
        item: dict = {}
        for name, limit, optional in cls._CODES:
            raw = data.get(name, "" if optional else None)
            if type(raw) is not str:
                return None
            text = raw.strip()
            if (not text and not optional) or len(text) > limit or not _clean(text):
                return None
            item[name] = text
        raw = data.get("value", "")
        if type(raw) is int:
            raw = str(raw)
        elif type(raw) is float and math.isfinite(raw):
            raw = repr(raw)
        elif type(raw) is not str:
            return None
        value = raw.strip()
        if len(value) > 40 or not _clean(value):
            return None
        item["value"] = value
        comment = data.get("comment", "")
        if type(comment) is not str or not (comment.isascii() or not _SURROGATE.search(comment)):
            return None
        item["comment"] = comment
        clear = data.get("clear", False)
        if type(clear) is not bool:
            return None
        item["clear"] = clear
        return item


class BulkSubmissionSerializer(serializers.Serializer):
    organization = InitiativeRelatedField(
        model=Organization,
        scope=lambda initiative: Organization.objects.filter(participations__initiative=initiative),
        required=False,
        help_text="Whose data (an organization of the initiative). Defaults to the caller's own "
        "organization for a partner contributor or a submit token; backbone staff must say.",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Validate and report what would happen, without writing anything."
    )
    submit = serializers.BooleanField(
        default=False, help_text="After saving, submit every period in the request for review."
    )
    # min_length is the ListSerializer's (many=True), which the stubs do not see.
    values = BulkValueSerializer(many=True, allow_empty=False, min_length=1)  # type: ignore[call-arg]

    def validate_values(self, values):
        limit = settings.API_BULK_MAX_VALUES
        if len(values) > limit:
            raise serializers.ValidationError(
                _("At most %(n)s values per request; split the data.") % {"n": f"{limit:,}"}
            )
        return values


class BulkRowSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position in `values`, from 0.")
    measure = serializers.CharField()
    period = serializers.CharField()
    breakdown_1 = serializers.CharField(allow_blank=True)
    breakdown_2 = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(
        choices=["create", "update", "clear", "unchanged", "reject"],
        help_text="What the row does (or would do, in a dry run).",
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why a row is rejected.")


class BulkSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    cleared = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()


class BulkResultSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    organization = serializers.IntegerField()
    summary = BulkSummarySerializer()
    submitted = serializers.ListField(
        child=serializers.CharField(), help_text="Periods submitted for review (with `submit`)."
    )
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Refusals that concern no single row (e.g. a required value missing on submit).",
    )
    rows = BulkRowSerializer(many=True)


class BulkErrorSerializer(serializers.Serializer):
    """A refused bulk submission: nothing was written. The error shape, with the row report."""

    code = serializers.CharField(
        help_text="`invalid` (rows rejected) or `locked` (approved or submitted data)."
    )
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # a field (DRF's metaclass takes it), not the property
    summary = BulkSummarySerializer(required=False, help_text="When rows were checked.")
    rows = BulkRowSerializer(
        many=True, required=False, help_text="When rows were checked: each row's verdict."
    )


# --- Public report card ----------------------------------------------------------------------------


class PointSerializer(serializers.Serializer):
    period = serializers.CharField()
    value = serializers.FloatField(allow_null=True)


class CellSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a field (DRF's metaclass takes it)
    value = serializers.FloatField(allow_null=True, help_text="Null when suppressed.")
    suppressed = serializers.BooleanField(help_text="Hidden: it rests on fewer than the threshold.")


class BreakdownSerializer(serializers.Serializer):
    period = serializers.CharField()
    dimensions = serializers.CharField(
        allow_blank=True,
        help_text='What the cells break the measure down by, in the language asked for ("Neighbourhood · Gender").',
    )
    cells = CellSerializer(many=True, help_text="In the order of the dimension's members.")


class CardWorksheetSerializer(serializers.Serializer):
    """The turn-the-curve conversation as the public report card shows it: the latest worksheet the
    backbone chose to publish, its story behind the curve and what works (never the partners with a
    role or the action plan)."""

    period = serializers.CharField(help_text="The reporting period the worksheet is about.")
    story = serializers.CharField(allow_blank=True, help_text="The story behind the curve.")
    what_works = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()


class CardMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    baseline_period = serializers.CharField(allow_blank=True)
    latest_period = serializers.CharField(allow_null=True)
    latest = serializers.FloatField(allow_null=True)
    change_previous = serializers.FloatField(allow_null=True)
    change_baseline = serializers.FloatField(allow_null=True)
    on_track = serializers.BooleanField(allow_null=True)
    history = PointSerializer(many=True)
    targets = PointSerializer(many=True)
    forecast = PointSerializer(many=True)
    breakdown = BreakdownSerializer(allow_null=True)
    worksheet = CardWorksheetSerializer(
        allow_null=True, help_text="Null unless the backbone published a worksheet of this measure."
    )


class ReportCardSerializer(serializers.Serializer):
    initiative = serializers.CharField(help_text="The initiative's short name (slug).")
    name = serializers.CharField()
    place = serializers.CharField()
    title = serializers.CharField()
    introduction = serializers.CharField(allow_blank=True)
    suppression_threshold = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the aggregates were computed.")
    measures = CardMeasureSerializer(many=True)
