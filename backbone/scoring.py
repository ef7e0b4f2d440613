"""The scoring method, as pure functions: evidence in, scores out. No queries here.

Documented for users on the scorecard page and in docs/backbone.md; the constants below are the
method's parameters, so the page and the code cannot drift apart.

1. Survey evidence of an indicator in a period: every 1–5 rating of its items in the period's
   waves, each mapped to 0–100 as (rating − 1) × 25, averaged. "Don't know" is not a rating.
   It counts only when at least MIN_RESPONSES respondents rated at least one of its items.
2. Record evidence: each signal the platform's records give (see records.py) is already 0–100;
   a signal counts only when it rests on at least MIN_RECORDS records. The record score is the
   mean of the signals that count.
3. The indicator's score is SURVEY_WEIGHT × survey + (1 − SURVEY_WEIGHT) × records when both
   count, or the one that counts. With neither: insufficient evidence, no number.
4. Confidence: high when a solid survey (≥ SOLID_RESPONSES responses and a response rate of at
   least SOLID_RATE %) is backed by records; medium for a solid survey alone, a smaller survey
   backed by records, or two record signals or more; low otherwise.
5. A function's score is the mean of its scored indicators, when at least half of them are
   scored; its confidence is the (lower) median of its indicators' confidence levels, where an
   unscored indicator counts as "insufficient".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .choices import CONFIDENCE_RANK, Confidence

MIN_RESPONSES = getattr(settings, "BACKBONE_MIN_RESPONSES", 5)
SOLID_RESPONSES = 10
SOLID_RATE = 50.0
MIN_RECORDS = 3
SURVEY_WEIGHT = 0.5
# What counts as a change worth showing between two periods (points on the 0–100 scale).
NOTABLE_CHANGE = 5.0


def rating_to_score(rating: int) -> float:
    return (rating - 1) * 25.0


def likert_score(distribution: list[int]) -> float | None:
    """Mean of (rating − 1) × 25 over the ratings; `distribution[i]` counts rating i + 1."""
    total = sum(distribution)
    if not total:
        return None
    return sum(count * rating_to_score(i + 1) for i, count in enumerate(distribution)) / total


def share(numerator: float, denominator: float) -> float | None:
    """A proportion on the 0–100 scale (capped at 100), or None without a denominator."""
    if not denominator:
        return None
    return min(100.0, 100.0 * float(numerator) / float(denominator))


def growth(current: float, previous: float) -> float | None:
    """For indicators worded "increasingly": 50 means as much as in the previous period, 100 twice
    as much or more, 0 nothing. None when neither period had any."""
    if not previous:
        return 100.0 if current else None
    return min(100.0, 50.0 * float(current) / float(previous))


@dataclass
class SurveyEvidence:
    distribution: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])
    dont_know: int = 0
    responses: int = 0  # respondents who rated at least one of the indicator's items
    invited: int = 0  # respondents who were asked at least one of its items
    responded: int = 0  # of those, how many sent the form
    items: list[str] = field(default_factory=list)
    by_group: dict[str, dict] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        return likert_score(self.distribution)

    @property
    def response_rate(self) -> float | None:
        return 100.0 * self.responded / self.invited if self.invited else None

    @property
    def usable(self) -> bool:
        return self.responses >= MIN_RESPONSES and self.score is not None

    @property
    def solid(self) -> bool:
        rate = self.response_rate
        return self.usable and self.responses >= SOLID_RESPONSES and rate is not None and rate >= SOLID_RATE

    def as_json(self) -> dict:
        """What is stored and shown. Below MIN_RESPONSES the distribution and mean are withheld, and
        the groups' own figures are shown only when every group that answered reaches it: a small
        group's answers could otherwise be read off, directly or by subtraction from the total."""
        shown = self.responses >= MIN_RESPONSES
        groups_shown = shown and all(g["responses"] >= MIN_RESPONSES for g in self.by_group.values())
        by_group = {
            group: {
                "responses": data["responses"],
                "distribution": data["distribution"] if groups_shown else None,
                "dont_know": data["dont_know"] if groups_shown else None,
                "score": _round(likert_score(data["distribution"])) if groups_shown else None,
            }
            for group, data in self.by_group.items()
        }
        return {
            "distribution": self.distribution if shown else None,
            "dont_know": self.dont_know if shown else None,
            "responses": self.responses,
            "invited": self.invited,
            "responded": self.responded,
            "response_rate": _round(self.response_rate),
            "score": _round(self.score) if shown else None,
            "used": self.usable,
            "items": self.items,
            "by_group": by_group,
        }


@dataclass
class Signal:
    """One record-based signal: a value on the 0–100 scale and what it rests on."""

    key: str
    value: float | None
    n: int
    detail: dict = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.value is not None and self.n >= MIN_RECORDS

    def as_json(self) -> dict:
        return {"key": self.key, "value": _round(self.value), "n": self.n, "used": self.usable, **self.detail}


@dataclass
class IndicatorResult:
    score: float | None
    survey_score: float | None
    record_score: float | None
    confidence: str
    survey: SurveyEvidence
    signals: list[Signal]

    def evidence(self) -> dict:
        return {
            "survey": self.survey.as_json(),
            "records": [s.as_json() for s in self.signals],
            "weights": {"survey": SURVEY_WEIGHT, "records": round(1 - SURVEY_WEIGHT, 2)},
            "thresholds": {"min_responses": MIN_RESPONSES, "min_records": MIN_RECORDS},
        }


def score_indicator(survey: SurveyEvidence, signals: list[Signal]) -> IndicatorResult:
    usable = [s for s in signals if s.usable]
    values = [s.value for s in usable if s.value is not None]  # all of them: usable means valued
    record_score = sum(values) / len(values) if values else None
    survey_score = survey.score if survey.usable else None
    score: float | None
    if survey_score is not None and record_score is not None:
        score = SURVEY_WEIGHT * survey_score + (1 - SURVEY_WEIGHT) * record_score
    else:
        score = survey_score if survey_score is not None else record_score
    if score is None:
        confidence = Confidence.NONE
    elif survey.solid and usable:
        confidence = Confidence.HIGH
    elif survey.solid or (survey_score is not None and usable) or len(usable) >= 2:
        confidence = Confidence.MEDIUM
    else:
        confidence = Confidence.LOW
    return IndicatorResult(
        score=_round(score),
        survey_score=_round(survey_score),
        record_score=_round(record_score),
        confidence=confidence,
        survey=survey,
        signals=signals,
    )


@dataclass
class FunctionResult:
    score: float | None
    confidence: str
    scored: int
    total: int


def roll_up(results: list[IndicatorResult]) -> FunctionResult:
    total = len(results)
    scores = [r.score for r in results if r.score is not None]
    if not total or len(scores) * 2 < total:
        return FunctionResult(None, Confidence.NONE, len(scores), total)
    score = sum(scores) / len(scores)
    ranks = sorted(CONFIDENCE_RANK[r.confidence] for r in results)
    median = max(ranks[(len(ranks) - 1) // 2], CONFIDENCE_RANK[Confidence.LOW])
    confidence = next(c for c, rank in CONFIDENCE_RANK.items() if rank == median)
    return FunctionResult(_round(score), confidence, len(scores), total)


def _round(value: float | None) -> float | None:
    """One decimal, halves rounded up (62.25 -> 62.3), as people round by hand."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
