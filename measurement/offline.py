"""The data-entry grid without a connection (docs/measurement.md, "Offline data entry").

Two things the grid page needs beyond the online grid:
- `grid_rules`: the checks the pipeline makes of each value and comment, as data the page carries,
  with the server's own messages in the reader's language, so that a value typed offline is
  refused with the message the pipeline would give (static/measurement/offline.js applies them).
  The pipeline stays the authority: a draft kept offline is sent through it like any save.
- `entry_save_at`: the grid's save with the version the page was loaded at. If the submission
  changed in between (a colleague's save, a submission, a return, an approval), nothing is
  written and `SubmissionChanged` says what is stored now, for the partner to compare and choose.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from initiatives.models import Initiative, Organization

from .choices import ValueType
from .entry import pipeline
from .entry.validation import MAX_DIGITS, NON_NEGATIVE_UNITS, RuleSpec
from .models import ReportingPeriod, Submission


def version_of(submission: Submission | None) -> str:
    """The submission as the page saw it: its last change (every save, submission, return,
    approval and unlock moves `updated_at`), or "" before the first save created it."""
    if submission is None or submission.pk is None:
        return ""
    return submission.updated_at.isoformat()


class SubmissionChanged(Exception):
    """The submission is not at the version the page was loaded at; nothing was written."""

    def __init__(self, current: Submission):
        super().__init__("the submission changed since the page was loaded")
        self.current = current


@transaction.atomic
def entry_save_at(
    *,
    version: str,
    initiative: Initiative,
    organization: Organization,
    period: ReportingPeriod,
    by,
    change: pipeline.Change,
    submit: bool,
) -> pipeline.SaveResult:
    """Save the grid as `pipeline.save` does, if the submission is still at `version`.

    The submission row is created (or found) and locked first, in this transaction, so that two
    first saves of the same period cannot both pass the check.
    """
    submission, created = Submission.objects.get_or_create(
        organization=organization, period=period, defaults={"initiative": initiative}
    )
    locked = Submission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
    if version_of(locked) != version and not (created and version == ""):
        raise SubmissionChanged(locked)
    (result,) = pipeline.save(
        initiative=initiative,
        organization=organization,
        by=by,
        changes=[change],
        replace=True,
        submit=submit,
    )
    return result


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def grid_rules(grid, *, previous: dict[int, Decimal], rules: list[RuleSpec]) -> dict:
    """What the page's script checks, per measure, with the catalogue's messages.

    Mirrors `entry/validation.py` (`parse_number`, `check_value`, the change that needs a comment,
    the validation rules between totals) and `pipeline.comment_problem`. "Required." is a check of
    submitting, which needs the connection, so it is not sent.
    """
    measures = {}
    for g in grid:
        spec = g.spec()
        measures[str(spec.id)] = {
            "type": spec.value_type,
            "min": None if spec.min_value is None else _plain(spec.min_value),
            "max": None if spec.max_value is None else _plain(spec.max_value),
            "minMessage": None
            if spec.min_value is None
            else _("The lowest valid value is %(min)s.") % {"min": _plain(spec.min_value)},
            "maxMessage": None
            if spec.max_value is None
            else _("The highest valid value is %(max)s.") % {"max": _plain(spec.max_value)},
            "nonNegative": spec.min_value is None and spec.unit in NON_NEGATIVE_UNITS,
            "maxChange": spec.max_change_pct,
            "previous": None if previous.get(spec.id) is None else _plain(previous[spec.id]),
            "cells": [f"v{spec.id}_{a or 0}_{b or 0}" for a, b in spec.cells],
        }
    return {
        "measures": measures,
        "rules": [
            {"left": str(r.left), "op": str(r.operator), "right": str(r.right), "message": r.message}
            for r in rules
            if str(r.left) in measures and str(r.right) in measures
        ],
        "maxDigits": MAX_DIGITS,
        "maxComment": pipeline.MAX_COMMENT,
        "integer": ValueType.INTEGER.value,
        "percent": ValueType.PERCENT.value,
        # Templates with %(name)s, filled in by the script as Python fills them in.
        "messages": {
            "formula": _("Formulas are not accepted; enter the number itself."),
            "notNumber": _("“%(value)s” is not a number."),
            "tooLarge": _("The number is too large."),
            "decimals": _("Use at most 6 decimal places."),
            "whole": _("Enter a whole number."),
            "percent": _("Enter a percentage between 0 and 100."),
            "nonNegative": _("Enter zero or more: a count, a percentage or a rate cannot be negative."),
            "change": _("%(change)s%% change from the previous period (over %(limit)s%%): add a comment."),
            "rule": _("This value breaks a validation rule."),
            "commentNul": _("The comment contains a NUL character; remove it."),
            "commentLength": _("The comment has %(n)s characters; the limit is %(max)s."),
            "commentFormula": _(
                "The comment starts like a spreadsheet formula (%(char)s); start it with a word."
            ),
            "invalid": _("Nothing was saved: correct the marked cells."),
        },
    }


def page_texts() -> dict:
    """The script's own sentences, translated here (the page carries them; no English in JS)."""
    return {
        "savedHere": _("Saved on this device, not yet sent."),
        "offline": _(
            "You are offline. Save the draft: it is kept on this device and sent when the connection returns."
        ),
        "sending": _("Sending the draft saved on this device…"),
        "refused": _(
            "The server refused the draft saved on this device: correct the marked cells. It is kept on "
            "this device until it is sent."
        ),
        "notSent": _("The draft saved on this device could not be sent; it is kept and sent later."),
        "conflict": _(
            "This period changed on the server after you saved on this device. Nothing was overwritten: "
            "compare and choose."
        ),
        "submitOffline": _(
            "Submitting needs a connection: save the draft now and submit it when you are back online."
        ),
    }
