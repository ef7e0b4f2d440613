import pytest

from initiatives.choices import Complexity, ProblemNature
from initiatives.fit import classify_problem

COMPLEX_ADAPTIVE = {
    "solution_known": "unknown",
    "can_be_copied": "no",
    "who_can_solve": "many_actors",
    "problem_character": "changing",
    "solution_needs": "learning",
}


def test_complex_adaptive_problem_is_suited():
    result = classify_problem(**COMPLEX_ADAPTIVE)
    assert (result.complexity, result.nature, result.is_suited) == (
        Complexity.COMPLEX,
        ProblemNature.ADAPTIVE,
        True,
    )
    assert result.reasons


@pytest.mark.parametrize(
    ("changes", "complexity", "nature"),
    [
        ({"solution_known": "known_easy", "can_be_copied": "yes"}, Complexity.SIMPLE, ProblemNature.ADAPTIVE),
        ({"solution_known": "known_hard"}, Complexity.COMPLICATED, ProblemNature.ADAPTIVE),
        ({"can_be_copied": "yes"}, Complexity.COMPLICATED, ProblemNature.ADAPTIVE),
        (
            {"who_can_solve": "experts", "problem_character": "well_defined"},
            Complexity.COMPLEX,
            ProblemNature.TECHNICAL,
        ),
        ({"who_can_solve": "experts"}, Complexity.COMPLEX, ProblemNature.ADAPTIVE),  # two of three signs
        (
            {
                "solution_known": "known_easy",
                "can_be_copied": "yes",
                "who_can_solve": "experts",
                "problem_character": "well_defined",
                "solution_needs": "expertise",
            },
            Complexity.SIMPLE,
            ProblemNature.TECHNICAL,
        ),
    ],
)
def test_classification(changes, complexity, nature):
    result = classify_problem(**{**COMPLEX_ADAPTIVE, **changes})
    assert (result.complexity, result.nature) == (complexity, nature)
    assert result.is_suited == (complexity == Complexity.COMPLEX and nature == ProblemNature.ADAPTIVE)
    # The last reason states the verdict, so a reader always sees why.
    assert ("collective impact is for" in result.reasons[-1].lower()) or (
        "are the ones" in result.reasons[-1]
    )
