"""Validation as pure functions: what a cell may hold, required measures on submit, validation rules
and the change threshold. The grid, the file import and the API all go through these."""

from decimal import Decimal

import pytest

from measurement.choices import Operator, ValueType
from measurement.entry.validation import (
    MeasureSpec,
    RuleSpec,
    check_value,
    escape_formula,
    parse_number,
    total,
    validate_entry,
)


class TestParseNumber:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("42", Decimal(42)),
            ("  42  ", Decimal(42)),
            ("-3.5", Decimal("-3.5")),
            ("+7", Decimal(7)),
            ("\u22123", Decimal(-3)),  # the typographic minus sign
            ("1,234.5", Decimal("1234.5")),  # thousands separators
            ("1,234,567", Decimal(1234567)),
            (".5", Decimal("0.5")),
            ("12.", Decimal(12)),
            ("0.000001", Decimal("0.000001")),
            ("99999999999999", Decimal("99999999999999")),  # 14 digits: the column's limit
            (17, Decimal(17)),
            (Decimal("2.25"), Decimal("2.25")),
            (2.5, Decimal("2.5")),
        ],
    )
    def test_accepts_numbers(self, raw, expected):
        assert parse_number(raw) == expected

    @pytest.mark.parametrize("raw", ["=SUM(A1:A3)", "=1+1", "@SUM(A1)", " =2"])
    def test_refuses_formulas(self, raw):
        with pytest.raises(ValueError, match="Formulas are not accepted"):
            parse_number(raw)

    @pytest.mark.parametrize(
        "raw",
        [
            "abc",
            "12abc",
            "1 2",
            "1e5",
            "0x1F",
            "+1+1",
            "--1",
            "",
            "   ",
            "12%",
            "NaN",
            "nan",
            "Infinity",
            "inf",
        ],
    )
    def test_refuses_text(self, raw):
        with pytest.raises(ValueError, match="is not a number"):
            parse_number(raw)

    @pytest.mark.parametrize("raw", ["1,5", "12,34", "1,2345", ",5", "1,,000"])
    def test_refuses_commas_that_are_not_thousands_separators(self, raw):
        # "1,5" may be a decimal comma: it must not be read as 15.
        with pytest.raises(ValueError, match="is not a number"):
            parse_number(raw)

    def test_the_message_quotes_what_was_typed_shortened(self):
        with pytest.raises(ValueError) as info:
            parse_number("x" * 100)
        assert "“" + "x" * 40 + "”" in str(info.value)
        assert "x" * 41 not in str(info.value)

    @pytest.mark.parametrize(
        "raw", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")]
    )
    def test_refuses_nan_and_infinities(self, raw):
        with pytest.raises(ValueError, match="finite"):
            parse_number(raw)

    def test_refuses_booleans(self):
        with pytest.raises(ValueError, match="is not a number"):
            parse_number(True)

    @pytest.mark.parametrize("raw", ["1.1234567", "0.0000001", Decimal("1E-7")])
    def test_refuses_more_than_six_decimals(self, raw):
        with pytest.raises(ValueError, match="at most 6 decimal places"):
            parse_number(raw)

    @pytest.mark.parametrize("raw", ["100000000000000", "-100000000000000", 10**20, "123456789012345.5"])
    def test_refuses_too_many_digits(self, raw):
        with pytest.raises(ValueError, match="too large"):
            parse_number(raw)


SPEC = MeasureSpec(id=1, code="m", value_type=ValueType.DECIMAL)


class TestCheckValue:
    def test_integer(self):
        spec = MeasureSpec(id=1, code="m", value_type=ValueType.INTEGER)
        assert check_value(spec, Decimal(12)) is None
        assert check_value(spec, Decimal("12.0")) is None
        assert check_value(spec, Decimal(-3)) is None
        assert check_value(spec, Decimal("12.5")) == "Enter a whole number."

    def test_percent_is_between_0_and_100(self):
        spec = MeasureSpec(id=1, code="m", value_type=ValueType.PERCENT)
        assert check_value(spec, Decimal(0)) is None
        assert check_value(spec, Decimal("99.9")) is None
        assert check_value(spec, Decimal(100)) is None
        assert check_value(spec, Decimal("100.01")) == "Enter a percentage between 0 and 100."
        assert check_value(spec, Decimal("-0.5")) == "Enter a percentage between 0 and 100."

    def test_decimal_takes_fractions(self):
        assert check_value(SPEC, Decimal("-1.234567")) is None

    def test_range(self):
        spec = MeasureSpec(
            id=1, code="m", value_type=ValueType.DECIMAL, min_value=Decimal("1.500000"), max_value=Decimal(10)
        )
        assert check_value(spec, Decimal("1.5")) is None
        assert check_value(spec, Decimal(10)) is None
        assert check_value(spec, Decimal("1.4")) == "The lowest valid value is 1.5."
        assert check_value(spec, Decimal("10.01")) == "The highest valid value is 10."


# Two measures: 1 broken down into cells (10, None) and (11, None); 2 without breakdown.
BROKEN = MeasureSpec(id=1, code="a", value_type=ValueType.INTEGER, cells=[(10, None), (11, None)])
PLAIN = MeasureSpec(id=2, code="b", value_type=ValueType.INTEGER)
SPECS = {1: BROKEN, 2: PLAIN}


def validate(raw, *, comments=None, previous=None, rules=(), submitting=False, specs=SPECS):
    return validate_entry(
        specs=specs,
        raw=raw,
        comments=comments or {},
        previous_totals=previous or {},
        rules=list(rules),
        submitting=submitting,
    )


class TestValidateEntry:
    def test_parses_every_cell_and_leaves_empty_ones_out(self):
        values, problems = validate({(1, 10, None): "3", (1, 11, None): " ", (2, None, None): None})
        assert not problems
        assert values == {(1, 10, None): Decimal(3)}

    def test_each_bad_cell_gets_its_own_message(self):
        values, problems = validate({(1, 10, None): "x", (1, 11, None): "1.5", (2, None, None): "=A1"})
        assert values == {}
        assert problems.cells == {
            (1, 10, None): ["“x” is not a number."],
            (1, 11, None): ["Enter a whole number."],
            (2, None, None): ["Formulas are not accepted; enter the number itself."],
        }
        assert not problems.general
        assert len(problems.messages()) == 3

    def test_a_cell_outside_the_data_set_is_a_general_problem(self):
        values, problems = validate({(1, 99, None): "3", (7, None, None): "1"})
        assert values == {}
        assert len(problems.general) == 2
        assert "does not have" in problems.general[0]

    def test_drafts_may_be_incomplete(self):
        _values, problems = validate({(1, 10, None): "3"})
        assert not problems

    def test_submitting_requires_every_cell_of_required_measures(self):
        _values, problems = validate({(1, 10, None): "3"}, submitting=True)
        assert problems.cells == {(1, 11, None): ["Required."], (2, None, None): ["Required."]}

    def test_an_invalid_cell_is_not_also_marked_required(self):
        _values, problems = validate(
            {(1, 10, None): "3", (1, 11, None): "x", (2, None, None): "1"}, submitting=True
        )
        assert problems.cells == {(1, 11, None): ["“x” is not a number."]}

    def test_optional_measures_may_stay_empty_on_submit(self):
        optional = MeasureSpec(id=2, code="b", value_type=ValueType.INTEGER, required=False)
        _values, problems = validate(
            {(1, 10, None): "3", (1, 11, None): "4"}, submitting=True, specs={1: BROKEN, 2: optional}
        )
        assert not problems

    @pytest.mark.parametrize(
        ("operator", "left", "right", "ok"),
        [
            (Operator.LE, "5", "5", True),
            (Operator.LE, "6", "5", False),
            (Operator.LT, "5", "5", False),
            (Operator.GE, "4", "5", False),
            (Operator.GT, "6", "5", True),
            (Operator.EQ, "5", "5", True),
            (Operator.EQ, "4", "5", False),
        ],
    )
    def test_rules_compare_totals(self, operator, left, right, ok):
        # Measure 1's total is 2 + left - 2 = left; measure 2 holds right.
        raw = {(1, 10, None): "2", (1, 11, None): str(int(left) - 2), (2, None, None): right}
        rule = RuleSpec(left=1, operator=operator, right=2, message="A must fit B.")
        _values, problems = validate(raw, rules=[rule])
        if ok:
            assert not problems
        else:
            # The message sits on the left measure's first cell.
            assert problems.cells == {(1, 10, None): ["A must fit B."]}

    def test_a_rule_without_a_message_says_so_generically(self):
        rule = RuleSpec(left=2, operator=Operator.LT, right=1, message="")
        _values, problems = validate({(1, 10, None): "1", (2, None, None): "9"}, rules=[rule])
        assert problems.cells == {(2, None, None): ["This value breaks a validation rule."]}

    def test_a_rule_waits_for_both_of_its_measures(self):
        rule = RuleSpec(left=1, operator=Operator.LE, right=2, message="no")
        _values, problems = validate({(1, 10, None): "100"}, rules=[rule])
        assert not problems

    def test_a_rule_about_a_measure_outside_the_data_set_is_ignored(self):
        rule = RuleSpec(left=2, operator=Operator.GT, right=3, message="no")
        _values, problems = validate({(2, None, None): "1"}, rules=[rule])
        assert not problems


THRESHOLD = MeasureSpec(
    id=1, code="a", value_type=ValueType.INTEGER, max_change_pct=50, cells=[(10, None), (11, None)]
)


class TestChangeThreshold:
    def check(self, first, second, *, comments=None, previous=100):
        return validate(
            {(1, 10, None): first, (1, 11, None): second},
            comments=comments,
            previous={1: Decimal(previous)} if previous is not None else {},
            specs={1: THRESHOLD},
        )[1]

    def test_within_the_threshold_needs_no_comment(self):
        assert not self.check("75", "75")  # +50 %: not over
        assert not self.check("25", "25")  # -50 %

    def test_a_larger_change_asks_for_a_comment_on_the_first_cell(self):
        problems = self.check("80", "80")  # +60 %
        assert problems.cells == {
            (1, 10, None): ["60% change from the previous period (over 50%): add a comment."]
        }
        assert self.check("10", "10").cells[(1, 10, None)][0].startswith("80% change")

    @pytest.mark.parametrize("cell", [(1, 10, None), (1, 11, None)])
    def test_a_comment_on_any_cell_of_the_measure_explains_it(self, cell):
        assert not self.check("80", "80", comments={cell: "A new school joined."})

    def test_a_blank_comment_does_not_count(self):
        assert self.check("80", "80", comments={(1, 10, None): "   "})

    def test_only_a_complete_measure_is_compared(self):
        assert not self.check("500", "")

    def test_without_a_previous_value_or_from_zero_nothing_is_compared(self):
        assert not self.check("500", "500", previous=None)
        assert not self.check("500", "500", previous=0)


def test_total_sums_the_cells_of_one_measure():
    values = {(1, 10, None): Decimal(2), (1, 11, None): Decimal("3.5"), (2, None, None): Decimal(100)}
    assert total(values, 1) == Decimal("5.5")
    assert total(values, 3) is None


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_escape_formula(text, escaped):
    assert escape_formula(text) == escaped
