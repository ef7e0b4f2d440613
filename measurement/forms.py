from decimal import Decimal, InvalidOperation
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ci_platform.i18n_format import isolate

from .choices import Aggregation, Frequency, MeasureKind
from .models import Dimension, MeasurementSettings, SharedMeasure
from .periods import parse_period


class MeasureForm(forms.ModelForm):
    dimension_1 = forms.ModelChoiceField(
        Dimension.objects.none(), required=False, label=_("Broken down by (rows)")
    )
    dimension_2 = forms.ModelChoiceField(
        Dimension.objects.none(), required=False, label=_("and by (columns)")
    )
    targets = forms.CharField(
        label=_("Targets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
        help_text=_("One per line: period, then the value. For example “2027: 60”."),
    )

    class Meta:
        model = SharedMeasure
        fields = [
            "code",
            "name_en",
            "name_he",
            "definition",
            "level",
            "unit",
            "value_type",
            "direction",
            "frequency",
            "kind",
            "formula",
            "aggregation",
            "denominator",
            "baseline_value",
            "baseline_period",
            "min_value",
            "max_value",
            "max_change_pct",
            "required",
            "strategies",
            "data_source",
            "active_from",
            "active_to",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "data_source": forms.Textarea(attrs={"rows": 2}),
            "active_from": forms.DateInput(attrs={"type": "date"}),
            "active_to": forms.DateInput(attrs={"type": "date"}),
            "strategies": forms.CheckboxSelectMultiple,
            "kind": forms.RadioSelect,
            "formula": forms.TextInput(attrs={"dir": "ltr", "spellcheck": "false", "autocomplete": "off"}),
        }

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        cast(forms.ModelChoiceField, self.fields["dimension_1"]).queryset = initiative.dimensions.all()
        cast(forms.ModelChoiceField, self.fields["dimension_2"]).queryset = initiative.dimensions.all()
        others = initiative.measures.all()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            dims = {d.position: d.dimension for d in self.instance.measure_dimensions.all()}
            self.initial.setdefault("dimension_1", dims.get(1))
            self.initial.setdefault("dimension_2", dims.get(2))
            self.initial.setdefault(
                "targets",
                "\n".join(
                    f"{t.period_code}: {format(t.value.normalize(), 'f')}"
                    for t in self.instance.targets.all()
                ),
            )
        cast(forms.ModelChoiceField, self.fields["denominator"]).queryset = others
        # A calculated measure has no aggregation of its own (nor breakdown: its inputs').
        self.fields["aggregation"].required = False
        self.fields["kind"].required = False  # entered, unless chosen
        from agenda.models import Strategy

        cast(forms.ModelChoiceField, self.fields["strategies"]).queryset = Strategy.objects.filter(
            initiative=initiative
        )

    def clean_code(self):
        code = self.cleaned_data["code"]
        clash = self.initiative.measures.filter(code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another measure has this code."))
        return code

    def clean_baseline_period(self):
        code = self.cleaned_data.get("baseline_period", "").strip()
        if code and parse_period(code) is None:
            raise forms.ValidationError(_("Write a period like 2025, 2025-Q4 or 2025-12."))
        return code

    def clean_targets(self):
        targets = {}
        for number, line in enumerate(self.cleaned_data.get("targets", "").splitlines(), start=1):
            if not line.strip():
                continue
            period, sep, value = line.partition(":")
            if not sep or parse_period(period.strip()) is None:
                raise forms.ValidationError(_("Line %(n)s: write “period: value”.") % {"n": number})
            try:
                targets[period.strip()] = Decimal(value.strip())
            except InvalidOperation as exc:
                raise forms.ValidationError(
                    _("Line %(n)s: the value is not a number.") % {"n": number}
                ) from exc
        return targets

    def clean(self):
        super().clean()
        data = self.cleaned_data
        d1, d2 = data.get("dimension_1"), data.get("dimension_2")
        if d2 and not d1:
            self.add_error("dimension_2", _("Choose the first breakdown before the second."))
        if d1 and d2 and d1 == d2:
            self.add_error("dimension_2", _("Choose two different breakdowns."))
        data["kind"] = data.get("kind") or MeasureKind.ENTERED
        if data.get("kind") == MeasureKind.CALCULATED:
            # Computed by its formula across partners: the service sets these as the model needs.
            data["aggregation"], data["denominator"] = Aggregation.NONE, None
        else:
            data["formula"] = ""
            if not data.get("aggregation"):
                self.add_error("aggregation", _("Choose how partners' values are aggregated."))
        # The measure's own rules (denominator, range, active dates) are SharedMeasure.clean's,
        # which the model form runs on the instance.
        return data


class DimensionForm(forms.ModelForm):
    members = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"}),
    )

    class Meta:
        model = Dimension
        fields = ["code", "name_en", "name_he"]

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        # The example line as typed (code, English name, Hebrew name), isolated left to right inside
        # a sentence of the reader's language; its names are the translators' to choose.
        self.fields["members"].help_text = _(
            "One per line: code, English name, Hebrew name, separated by “|”. For example: %(example)s."
        ) % {"example": isolate(_("0-5 | Age 0–5 | גילאי 0–5"), direction="ltr")}

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.initiative.dimensions.filter(code=code).exists():
            raise forms.ValidationError(_("Another breakdown has this code."))
        return code

    def clean_members(self):
        from django.utils.text import slugify

        members, codes = [], set()
        for number, line in enumerate(self.cleaned_data["members"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            code = slugify(parts[0])
            if not code:
                raise forms.ValidationError(_("Line %(n)s has no code.") % {"n": number})
            if code in codes:
                raise forms.ValidationError(_("Code “%(code)s” appears twice.") % {"code": code})
            codes.add(code)
            members.append(
                (
                    code,
                    parts[1] if len(parts) > 1 and parts[1] else parts[0],
                    parts[2] if len(parts) > 2 else "",
                )
            )
        if len(members) < 2:
            raise forms.ValidationError(_("A breakdown needs at least two members."))
        if len(members) > 50:
            raise forms.ValidationError(_("At most 50 members."))
        return members


class PeriodsForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    grace_days = forms.IntegerField(
        label=_("Days after the period's end that data is accepted"), initial=30, min_value=0, max_value=365
    )
    due_days = forms.IntegerField(
        label=_("Due this many days after the period's end"), initial=15, min_value=0, max_value=365
    )


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MeasurementSettings
        fields = ["share_named_values", "reminder_days", "complete_pct"]


class ReturnForm(forms.Form):
    message = forms.CharField(
        label=_("What should be fixed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen approved data"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"))
