"""The source's Table 1 (lines 116–131) as initiatives.fit reads it."""

import itertools

import pytest

from initiatives.choices import Complexity, ProblemNature
from initiatives.fit import ANSWER_FIELDS, ROWS, FitVerdict, classify_problem

COMPLEX_ADAPTIVE = {
    "solution_exists": "unknown",
    "solution_copyable": "no",
    "solver": "no_single_body",
    "problem_traits": "changing",
    "solution_knowable": "unknowable",
    "solution_traits": "everyone",
    "social_problem": "yes",
}
SIMPLE = {
    "solution_exists": "known",
    "hard_to_implement": "no",
    "solution_copyable": "yes",
    "solver": "authority",
    "problem_traits": "well_defined",
    "solution_knowable": "clear",
    "solution_traits": "experts",
    "social_problem": "no",
}


def test_the_table_has_six_questions_three_per_axis_in_the_sources_order():
    assert [(row.axis, row.line) for row in ROWS] == [
        (1, 120),
        (1, 121),
        (1, 122),
        (2, 124),
        (2, 125),
        (2, 126),
    ]
    # "Who can solve it?" is on the first axis in the source (line 122), not the second.
    assert next(row for row in ROWS if row.field == "solver").axis == 1
    assert set(ANSWER_FIELDS) == {*COMPLEX_ADAPTIVE, "hard_to_implement"}


def test_complex_adaptive_social_problem_is_suited():
    result = classify_problem(**COMPLEX_ADAPTIVE)
    assert (result.verdict, result.complexity, result.nature, result.is_suited) == (
        FitVerdict.COMPLEX_ADAPTIVE,
        Complexity.COMPLEX,
        ProblemNature.ADAPTIVE,
        True,
    )
    assert [r.line for r in result.reasons] == ["96", "98", "131", "112"]


def test_complex_adaptive_but_not_social_is_not_suited():
    """Lines 112–114: not every complex adaptive problem; collective impact is for social ones."""
    result = classify_problem(**{**COMPLEX_ADAPTIVE, "social_problem": "no"})
    assert result.verdict == FitVerdict.COMPLEX_ADAPTIVE and not result.is_suited
    assert "emphasis on social" in str(result.reasons[-1].text)


@pytest.mark.parametrize(("costly", "verdict"), [("no", FitVerdict.SIMPLE), ("yes", FitVerdict.COMPLICATED)])
def test_simple_or_complicated_by_the_cost_of_the_known_solution(costly, verdict):
    result = classify_problem(**{**SIMPLE, "hard_to_implement": costly})
    assert (result.verdict, result.nature, result.is_suited) == (verdict, ProblemNature.TECHNICAL, False)
    assert str(result.reasons[-1].text) == "In most cases the solution will create isolated impact."


def test_complex_answers_with_technical_ones_are_never_complex_and_technical():
    """Line 98: a complex problem cannot be a technical problem. The old code said it could."""
    technical = {"problem_traits": "well_defined", "solution_knowable": "clear", "solution_traits": "experts"}
    result = classify_problem(**{**COMPLEX_ADAPTIVE, **technical})
    assert result.verdict == FitVerdict.MIXED
    assert (result.complexity, result.nature, result.is_suited) == ("", "", False)
    assert any(r.line == "98" and "cannot be a technical problem" in str(r.text) for r in result.reasons)


def test_no_majority_rule_one_row_against_the_others_is_not_settled():
    """The source has no "two of three": the old code called this one adaptive."""
    result = classify_problem(**{**COMPLEX_ADAPTIVE, "solution_traits": "experts"})
    assert result.verdict == FitVerdict.MIXED and not result.is_suited


def test_simple_answers_with_adaptive_ones_are_not_settled():
    """Line 90: simple and complicated problems are technical in essence."""
    adaptive = {
        "problem_traits": "changing",
        "solution_knowable": "unknowable",
        "solution_traits": "everyone",
    }
    result = classify_problem(**{**SIMPLE, **adaptive})
    assert result.verdict == FitVerdict.MIXED
    assert any(r.line == "90" and "technical in essence" in str(r.text) for r in result.reasons)


def test_every_combination_of_answers_is_never_complex_and_technical():
    choices = {
        "solution_exists": ["known", "unknown"],
        "hard_to_implement": ["yes", "no"],
        "solution_copyable": ["yes", "no"],
        "solver": ["authority", "no_single_body"],
        "problem_traits": ["well_defined", "changing"],
        "solution_knowable": ["clear", "unknowable"],
        "solution_traits": ["experts", "everyone"],
        "social_problem": ["yes", "no"],
    }
    for values in itertools.product(*choices.values()):
        result = classify_problem(**dict(zip(choices, values, strict=True)))
        assert not (result.complexity == Complexity.COMPLEX and result.nature == ProblemNature.TECHNICAL)
        assert result.is_suited == (result.verdict == FitVerdict.COMPLEX_ADAPTIVE and values[-1] == "yes")
        assert result.reasons and all(r.line for r in result.reasons)


def test_reasons_are_in_the_sources_hebrew(settings):
    from django.utils import translation

    with translation.override("he"):
        texts = [str(r.text) for r in classify_problem(**COMPLEX_ADAPTIVE).reasons]
    assert "לכשיימצא הפתרון, ייצור השפעה רחבה" in texts[2]
