"""When a period's figures are complete enough to be read as a result.

A period's aggregate rests on the organisations approved so far. Until enough of the expected
ones are approved it is *provisional*: shown as such, and left out of every headline, change,
verdict and forecast, and off the public report card. Every reader asks `is_complete`; none
writes the rule again (a second copy is how two pages came to disagree about the same number).
"""

from __future__ import annotations

# MeasurementSettings.complete_pct's default: every expected organisation approved.
DEFAULT_COMPLETE_PCT = 100


def is_complete(approved: int | None, expected: int | None, complete_pct: int | None) -> bool:
    """Complete when approved / expected reaches the initiative's threshold (a percentage).

    A period that expects no organisation (or whose counts were never computed) stands on its
    own aggregate: there is nothing it could still be waiting for. Integer arithmetic: 2 of 3 at
    a threshold of 67 % is provisional, whatever a float would round to."""
    if not expected:
        return True
    pct = DEFAULT_COMPLETE_PCT if complete_pct is None else complete_pct
    return (approved or 0) * 100 >= pct * expected
