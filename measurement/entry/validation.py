"""Validation of submitted values: pure functions over plain data, shared by the entry grid,
file import and the API, so that every path accepts and refuses exactly the same things."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..choices import Operator, Unit, ValueType

# A cell is (measure_id, member1_id or None, member2_id or None).
Cell = tuple[int, int | None, int | None]

# Measures of these units refuse negative values unless the measure sets its own minimum.
NON_NEGATIVE_UNITS = frozenset({Unit.COUNT, Unit.PERCENT, Unit.RATE})
MAX_DIGITS = 14  # digits before the decimal point (the column holds 20 with 6 decimals)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?((\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)")


@dataclass
class MeasureSpec:
    """What validation needs to know of a measure."""

    id: int
    code: str
    value_type: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_change_pct: int | None = None
    required: bool = True
    unit: str = ""
    # The cells a complete entry has: [(m1, m2)], [(None, None)] without breakdown.
    cells: list[tuple[int | None, int | None]] = field(default_factory=lambda: [(None, None)])


@dataclass
class RuleSpec:
    left: int
    operator: str
    right: int
    message: str


@dataclass
class Problems:
    cells: dict[Cell, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, cell: Cell | None, message: str) -> None:
        if cell is None:
            self.general.append(message)
        else:
            self.cells.setdefault(cell, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.cells or self.general)

    def messages(self) -> list[str]:
        return [*self.general, *(m for ms in self.cells.values() for m in ms)]


def parse_number(raw) -> Decimal:
    """A number as a person types it. Refuses formulas, text, NaN and infinities."""
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str) and raw.isdigit() and raw.isascii() and len(raw) <= MAX_DIGITS:
        return Decimal(raw)  # the common case, a plain whole number: nothing to refuse
    else:
        text = str(raw).strip().replace("\u2212", "-")
        if text.startswith("=") or text.startswith("@"):
            raise ValueError(_("Formulas are not accepted; enter the number itself."))
        # Commas only as thousands separators (1,234.5): "1,5" may mean 1.5 and must not become 15.
        if not NUMBER.fullmatch(text):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": str(raw)[:40]})
        text = text.replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above already refused it
            raise ValueError(_("“%(value)s” is not a number.") % {"value": str(raw)[:40]}) from exc
    if not value.is_finite():
        raise ValueError(_("Enter a finite number."))
    if value.adjusted() >= MAX_DIGITS:
        raise ValueError(_("The number is too large."))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise ValueError(_("Use at most 6 decimal places."))
    return value


def check_value(spec: MeasureSpec, value: Decimal) -> str | None:
    if spec.value_type == ValueType.INTEGER and value != value.to_integral_value():
        return _("Enter a whole number.")
    if spec.value_type == ValueType.PERCENT and not (0 <= value <= 100):
        return _("Enter a percentage between 0 and 100.")
    if spec.min_value is None and spec.unit in NON_NEGATIVE_UNITS and value < 0:
        return _("Enter zero or more: a count, a percentage or a rate cannot be negative.")
    if spec.min_value is not None and value < spec.min_value:
        return _("The lowest valid value is %(min)s.") % {"min": _plain(spec.min_value)}
    if spec.max_value is not None and value > spec.max_value:
        return _("The highest valid value is %(max)s.") % {"max": _plain(spec.max_value)}
    return None


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def total(values: dict[Cell, Decimal], measure_id: int) -> Decimal | None:
    cells = [v for (m, _a, _b), v in values.items() if m == measure_id]
    return sum(cells, Decimal(0)) if cells else None


_OPS = {
    Operator.LE: lambda a, b: a <= b,
    Operator.LT: lambda a, b: a < b,
    Operator.GE: lambda a, b: a >= b,
    Operator.GT: lambda a, b: a > b,
    Operator.EQ: lambda a, b: a == b,
}


def validate_entry(
    *,
    specs: dict[int, MeasureSpec],
    raw: dict[Cell, object],
    comments: dict[Cell, str],
    previous_totals: dict[int, Decimal],
    rules: list[RuleSpec],
    submitting: bool,
) -> tuple[dict[Cell, Decimal], Problems]:
    """Parse and check one organisation-period's values.

    `raw` maps each cell to what was typed (None or "" means empty). Returns the parsed values
    (empty cells left out) and the problems found. On submit, required measures must be complete;
    rules and the change threshold are checked whenever their inputs are present.
    """
    values: dict[Cell, Decimal] = {}
    problems = Problems()
    for cell, typed in raw.items():
        spec = specs.get(cell[0])
        if spec is None or (cell[1], cell[2]) not in spec.cells:
            problems.add(None, _("A value was given for a measure or breakdown this data set does not have."))
            continue
        if typed is None or (isinstance(typed, str) and not typed.strip()):
            continue
        try:
            number = parse_number(typed)
        except ValueError as exc:
            problems.add(cell, str(exc))
            continue
        if message := check_value(spec, number):
            problems.add(cell, message)
            continue
        values[cell] = number

    for spec in specs.values():
        present = [(spec.id, a, b) in values for a, b in spec.cells]
        if submitting and spec.required and not all(present):
            for (a, b), here in zip(spec.cells, present, strict=True):
                if not here and not problems.cells.get((spec.id, a, b)):
                    problems.add((spec.id, a, b), _("Required."))
        if spec.max_change_pct is not None and all(present):
            now, before = total(values, spec.id), previous_totals.get(spec.id)
            if before is not None and now is not None and before != 0:
                change = abs(now - before) / abs(before) * 100
                first_cell = (spec.id, *spec.cells[0])
                if change > spec.max_change_pct and not any(
                    (comments.get((spec.id, a, b)) or "").strip() for a, b in spec.cells
                ):
                    problems.add(
                        first_cell,
                        _("%(change)s%% change from the previous period (over %(limit)s%%): add a comment.")
                        % {"change": round(change), "limit": spec.max_change_pct},
                    )

    for rule in rules:
        left, right = total(values, rule.left), total(values, rule.right)
        if left is None or right is None or rule.left not in specs or rule.right not in specs:
            continue
        if not _OPS[Operator(rule.operator)](left, right):
            cell = (rule.left, *specs[rule.left].cells[0])
            problems.add(cell, rule.message or _("This value breaks a validation rule."))
    return values, problems


def escape_formula(text: str) -> str:
    """Cells that a spreadsheet would run as a formula are prefixed with an apostrophe."""
    return "'" + text if text and text.startswith(FORMULA_START) else text
