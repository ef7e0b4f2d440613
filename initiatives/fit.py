"""Which problems collective impact is for: the source's Table 1 (lines 116–131), as a pure function.

The table has two axes. Axis 1 (simple or complicated / complex) asks three questions: does a
solution exist, can it be copied, who can solve the problem. Axis 2 (technical / adaptive) asks
three more: what characterises the problem, does a solution exist, what characterises the
solution. Its last row, the kind of impact, is the verdict's consequence, not a question. Beside
the table the source asks whether the problem is *social* (lines 112–114): not every complex
adaptive problem is one collective impact is for.

Each axis is judged by its own rows, and a side of an axis is what all of its rows say together:
the source defines a complex problem by three things at once (line 96) and an adaptive one by the
whole column. There is no majority rule. A complex problem cannot be a technical one (line 98) and
simple or complicated problems are technical in essence (line 90), so the only verdicts are
simple, complicated, complex-and-adaptive, or "the answers disagree": never complex and technical.

Every reason names the source line it rests on; its English is a translation of the source and
its Hebrew the source's own words (locale/he).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise
from django.utils.translation import gettext_lazy as _

from .choices import Complexity, ProblemNature

# --- The answers: each row's two cells, in the source's words ---------------------------------------


class SolutionExists(models.TextChoices):
    """Axis 1, "Does a solution exist?" (line 120)."""

    KNOWN = "known", _("A known solution exists")
    UNKNOWN = "unknown", _("No known solution exists")


class HardToImplement(models.TextChoices):
    """The same row, when a solution is known: complicated if costly or hard to implement."""

    YES = "yes", _("It is costly and/or complicated to implement: a complicated problem")
    NO = "no", _("It is neither costly nor complicated to implement: a simple problem")


class Copyable(models.TextChoices):
    """Axis 1, "Can the solution be copied?" (line 121)."""

    YES = "yes", _("A solution can be found by copying the solution of a similar problem")
    NO = "no", _("The solution cannot be copied from another, similar problem")


class Solver(models.TextChoices):
    """Axis 1, "Who can solve the problem?" (line 122)."""

    AUTHORITY = "authority", _("It can be solved only by an authorised, experienced body with authority")
    NO_SINGLE_BODY = (
        "no_single_body",
        _(
            "No single body can solve it alone or is authorised to, not even those with formal knowledge "
            "or expertise"
        ),
    )


class ProblemTraits(models.TextChoices):
    """Axis 2, "What characterises the problem?" (line 124)."""

    WELL_DEFINED = "well_defined", _("It is well defined and usually concerns a small number of actors")
    CHANGING = (
        "changing",
        _(
            "It changes over time and depends on its context, and concerns a wide range of actors and "
            "stakeholders"
        ),
    )


class SolutionKnowable(models.TextChoices):
    """Axis 2, "Does a solution exist?" (line 125)."""

    CLEAR = "clear", _("It has a known, clear solution")
    UNKNOWABLE = "unknowable", _("What the solution is cannot be known, nor what it will include in advance")


class SolutionTraits(models.TextChoices):
    """Axis 2, "What characterises the solution?" (lines 126 and 130)."""

    EXPERTS = "experts", _("Experts' knowledge is enough to solve the problem")
    EVERYONE = (
        "everyone",
        _(
            "Everyone must be involved in finding it: it needs experimentation and new shared knowledge "
            "among all those involved, and a change in perception, behaviour and guiding values"
        ),
    )


class SocialProblem(models.TextChoices):
    """Beside the table (lines 112–114): is it a complex *social* problem?"""

    YES = (
        "yes",
        _(
            "Yes: many different actors from several arenas (civil, public, philanthropic, sometimes "
            "business) are involved, and a real solution needs their lasting cooperation across sectors"
        ),
    )
    NO = "no", _("No: it is not a social problem, or one sector or organisation can act on it alone")


class FitVerdict(models.TextChoices):
    SIMPLE = "simple", _("A simple problem (technical)")
    COMPLICATED = "complicated", _("A complicated problem (technical)")
    COMPLEX_ADAPTIVE = "complex_adaptive", _("A complex, adaptive problem")
    MIXED = "mixed", _("The answers disagree: no single type")


class Questionnaire(models.IntegerChoices):
    """Which questions an assessment answered; earlier ones are kept as history."""

    FIVE_QUESTIONS = 1, _("The earlier five questions")
    TABLE_1 = 2, _("The source's Table 1")


# --- The table, in order, for the form, the page and the API ---------------------------------------


@dataclass(frozen=True)
class Row:
    field: str
    axis: int
    question: _StrPromise  # gettext_lazy's
    line: int
    # The answer that points to a complex (axis 1) or adaptive (axis 2) problem.
    collective_side: str


AXIS_1 = _("Axis 1: simple or complicated, or complex")
AXIS_2 = _("Axis 2: technical or adaptive")
ROWS: tuple[Row, ...] = (
    Row("solution_exists", 1, _("Does a solution exist?"), 120, SolutionExists.UNKNOWN),
    Row("solution_copyable", 1, _("Can the solution be copied?"), 121, Copyable.NO),
    Row("solver", 1, _("Who can solve the problem?"), 122, Solver.NO_SINGLE_BODY),
    Row("problem_traits", 2, _("What characterises the problem?"), 124, ProblemTraits.CHANGING),
    Row("solution_knowable", 2, _("Does a solution exist?"), 125, SolutionKnowable.UNKNOWABLE),
    Row("solution_traits", 2, _("What characterises the solution?"), 126, SolutionTraits.EVERYONE),
)
ANSWER_FIELDS = (*(row.field for row in ROWS), "hard_to_implement", "social_problem")
# Each answer's two cells.
ANSWERS: dict[str, type[models.TextChoices]] = {
    "solution_exists": SolutionExists,
    "hard_to_implement": HardToImplement,
    "solution_copyable": Copyable,
    "solver": Solver,
    "problem_traits": ProblemTraits,
    "solution_knowable": SolutionKnowable,
    "solution_traits": SolutionTraits,
    "social_problem": SocialProblem,
}
# The form's order: the costliness follows the row it belongs to.
ANSWER_ORDER = (
    "solution_exists",
    "hard_to_implement",
    "solution_copyable",
    "solver",
    "problem_traits",
    "solution_knowable",
    "solution_traits",
    "social_problem",
)


# --- The verdict --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    text: Promise | str
    line: str  # the source's line(s), e.g. "98" or "112–114"


@dataclass(frozen=True)
class FitResult:
    verdict: str
    social: bool
    reasons: list[Reason] = field(default_factory=list)

    @property
    def complexity(self) -> str:
        """Axis 1's side, or "" when the answers disagree."""
        sides: dict[str, str] = {
            FitVerdict.SIMPLE: Complexity.SIMPLE,
            FitVerdict.COMPLICATED: Complexity.COMPLICATED,
            FitVerdict.COMPLEX_ADAPTIVE: Complexity.COMPLEX,
        }
        return sides.get(self.verdict, "")

    @property
    def nature(self) -> str:
        """Axis 2's side, or "" when the answers disagree. Never technical for a complex problem."""
        sides: dict[str, str] = {
            FitVerdict.SIMPLE: ProblemNature.TECHNICAL,
            FitVerdict.COMPLICATED: ProblemNature.TECHNICAL,
            FitVerdict.COMPLEX_ADAPTIVE: ProblemNature.ADAPTIVE,
        }
        return sides.get(self.verdict, "")

    @property
    def is_suited(self) -> bool:
        return self.verdict == FitVerdict.COMPLEX_ADAPTIVE and self.social


def _side(answers: dict[str, str], axis: int) -> str:
    """ "collective" when every row of the axis points to a complex / adaptive problem, "isolated"
    when none does, "mixed" otherwise."""
    votes = {answers[row.field] == row.collective_side for row in ROWS if row.axis == axis}
    if votes == {True}:
        return "collective"
    if votes == {False}:
        return "isolated"
    return "mixed"


def classify_problem(
    *,
    solution_exists: str,
    solution_copyable: str,
    solver: str,
    problem_traits: str,
    solution_knowable: str,
    solution_traits: str,
    social_problem: str,
    hard_to_implement: str = "",
) -> FitResult:
    answers = {
        "solution_exists": solution_exists,
        "solution_copyable": solution_copyable,
        "solver": solver,
        "problem_traits": problem_traits,
        "solution_knowable": solution_knowable,
        "solution_traits": solution_traits,
    }
    axis_1, axis_2 = _side(answers, 1), _side(answers, 2)
    reasons: list[Reason] = []

    if axis_1 == "collective":
        reasons.append(
            Reason(
                _(
                    "A complex problem is one whose solution is not known in advance, that no single body "
                    "has the means or the authority to solve alone, and whose solution cannot be copied "
                    "from another similar problem."
                ),
                "96",
            )
        )
    elif axis_1 == "isolated":
        reasons.append(
            Reason(
                _(
                    "Simple and complicated problems are problems for which, once the solution is found, "
                    "copying and adapting it to other problems is mainly a matter of budget and will."
                ),
                "90",
            )
        )
    else:
        reasons.append(
            Reason(
                _(
                    "The answers on the first axis disagree: a complex problem is all three at once, a "
                    "solution not known in advance, no single body able to solve it alone, and a solution "
                    "that cannot be copied."
                ),
                "96",
            )
        )

    if axis_2 == "collective":
        reasons.append(
            Reason(
                _(
                    "Solving an adaptive problem requires experimentation, new discoveries and adjustments "
                    "by everyone involved in the problem, whether they contribute to it or are only affected "
                    "by it."
                ),
                "98",
            )
        )
    elif axis_2 == "isolated":
        reasons.append(
            Reason(
                _(
                    "Technical problems are well-defined problems whose answer is clear, and which one "
                    "organisation (or a few) can answer."
                ),
                "90",
            )
        )
    else:
        reasons.append(
            Reason(
                _(
                    "The answers on the second axis disagree: an adaptive problem changes over time, "
                    "cannot be solved by experts alone, and its solution cannot be known in advance."
                ),
                "123–126",
            )
        )

    if axis_1 == "collective" and axis_2 == "collective":
        verdict = FitVerdict.COMPLEX_ADAPTIVE
    elif axis_1 == "isolated" and axis_2 == "isolated":
        verdict = (
            FitVerdict.SIMPLE
            if solution_exists == SolutionExists.KNOWN and hard_to_implement == HardToImplement.NO
            else FitVerdict.COMPLICATED
        )
        reasons.append(
            Reason(
                _(
                    "Technical problems can be simple or complicated: what decides is the time and the "
                    "budget the solution needs, and how hard it is to implement."
                ),
                "94",
            )
        )
    else:
        verdict = FitVerdict.MIXED
        if axis_1 == "collective" or axis_2 == "isolated":
            reasons.append(
                Reason(
                    _(
                        "It follows that a complex problem cannot be a technical problem: the answers "
                        "cannot both hold. Discuss the rows that disagree and answer again."
                    ),
                    "98",
                )
            )
        else:
            reasons.append(
                Reason(
                    _(
                        "Simple and complicated problems are technical in essence: the answers cannot "
                        "both hold. Discuss the rows that disagree and answer again."
                    ),
                    "90",
                )
            )

    social = social_problem == SocialProblem.YES
    if verdict == FitVerdict.COMPLEX_ADAPTIVE:
        reasons.append(
            Reason(
                _("Once the solution is found, it will create collective impact."),
                "131",
            )
        )
        if social:
            reasons.append(
                Reason(
                    _(
                        "Complex adaptive problems are the kind of problem collective impact was meant to "
                        "solve, and it was created on purpose to solve complex social problems."
                    ),
                    "112",
                )
            )
        else:
            reasons.append(
                Reason(
                    _(
                        "Not every complex adaptive problem is a suitable target: collective impact was "
                        "created on purpose to solve complex social problems, with the emphasis on social."
                    ),
                    "112",
                )
            )
    elif verdict != FitVerdict.MIXED:
        reasons.append(Reason(_("In most cases the solution will create isolated impact."), "131"))
    return FitResult(verdict=verdict, social=social, reasons=reasons)


def result_of(assessment) -> FitResult | None:
    """The result of a stored assessment of the source's table (None for the earlier questions)."""
    if assessment.questionnaire != Questionnaire.TABLE_1:
        return None
    return classify_problem(**{name: getattr(assessment, name) for name in ANSWER_FIELDS})
