"""The problem-fit rule of DOMAIN.md section 2 (the review's Table 1), as a pure function.

Only a complex *and* adaptive problem yields collective impact; anything else gets isolated impact
and is better served by a single organisation or a programme.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import (
    Complexity,
    ProblemCharacter,
    ProblemNature,
    SolutionKnown,
    SolutionNeeds,
    WhoCanSolve,
    YesNo,
)


@dataclass(frozen=True)
class FitResult:
    complexity: str
    nature: str
    reasons: list[str] = field(default_factory=list)

    @property
    def is_suited(self) -> bool:
        return self.complexity == Complexity.COMPLEX and self.nature == ProblemNature.ADAPTIVE


def classify_problem(
    *,
    solution_known: str,
    can_be_copied: str,
    who_can_solve: str,
    problem_character: str,
    solution_needs: str,
) -> FitResult:
    reasons: list[str] = []

    # Axis 1: simple / complicated / complex. Complex means no known solution and none to copy.
    if solution_known == SolutionKnown.UNKNOWN and can_be_copied == YesNo.NO:
        complexity = Complexity.COMPLEX
        reasons.append(_("No known solution exists and none can be copied from a similar problem."))
    elif solution_known == SolutionKnown.KNOWN_EASY and can_be_copied == YesNo.YES:
        complexity = Complexity.SIMPLE
        reasons.append(_("A known solution exists and can be copied: the problem is simple."))
    else:
        complexity = Complexity.COMPLICATED
        if solution_known == SolutionKnown.UNKNOWN:
            reasons.append(
                _("A solution can be copied from elsewhere, so the problem is complicated, not complex.")
            )
        elif solution_known == SolutionKnown.KNOWN_EASY:
            reasons.append(
                _("A solution is known but cannot simply be copied here: the problem is complicated.")
            )
        else:
            reasons.append(
                _("A solution is known, even if costly or hard to implement: the problem is complicated.")
            )

    # Axis 2: technical / adaptive, by the majority of the three signs of an adaptive problem.
    adaptive_signs = [
        who_can_solve == WhoCanSolve.MANY_ACTORS,
        problem_character == ProblemCharacter.CHANGING,
        solution_needs == SolutionNeeds.LEARNING,
    ]
    if sum(adaptive_signs) >= 2:
        nature = ProblemNature.ADAPTIVE
        reasons.append(
            _("It is adaptive: it changes with its context, needs many actors and everyone's learning.")
            if all(adaptive_signs)
            else _("It is mostly adaptive (two of the three signs).")
        )
    else:
        nature = ProblemNature.TECHNICAL
        reasons.append(_("It is technical: well defined, with experts able to solve it."))

    result = FitResult(complexity=complexity, nature=nature, reasons=reasons)
    if result.is_suited:
        reasons.append(_("Complex and adaptive problems are the ones collective impact is for."))
    else:
        reasons.append(
            _(
                "Collective impact is for complex, adaptive problems; this one is likely to be better "
                "served by isolated impact (a single organisation or programme)."
            )
        )
    return result
