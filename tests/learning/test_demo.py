"""The demo (manage.py seed_demo) has every part of learning in each of its two initiatives, written
in the initiative's language (Be'er Sheva in Hebrew, Riverside in English), and every page of it
answers in both interface languages."""

import re

import pytest
from django.urls import reverse

from initiatives.models import Initiative
from learning import selectors
from learning.choices import AssumptionStatus
from learning.models import (
    Assumption,
    CurveStory,
    CurveWorksheet,
    LearningEntry,
    Risk,
    RiskReview,
    WorksheetAction,
    WorksheetPartner,
)

from ..demo_words import assert_written_in, wrong_language

pytestmark = pytest.mark.django_db


PERIOD_CODE = re.compile(r"\b\d{4}-(?:Q[1-4]|0[1-9]|1[0-2])\b(?!-)")


@pytest.fixture
def demo(demo_languages):
    return demo_languages


# What learning/demo.py writes: (model, lookup to the initiative, fields). The starting list's
# risks keep the list's wording (shown in each reader's language): only the register's own have
# a title and a description.
WRITTEN = [
    (Risk, "initiative", ["mitigation"]),
    (RiskReview, "risk__initiative", ["note"]),
    (Assumption, "initiative", ["statement"]),
    (LearningEntry, "assumption__initiative", ["note"]),
    (CurveWorksheet, "initiative", ["story", "what_works", "what_works_evidence"]),
    (WorksheetPartner, "worksheet__initiative", ["role"]),
    (WorksheetAction, "worksheet__initiative", ["description"]),
    (CurveStory, "initiative", ["title", "text"]),
]


def test_the_demo_has_all_of_learning_in_both_initiatives(demo):
    for language, initiative in demo.items():
        assert_written_in(initiative, WRITTEN, language)
        own = list(initiative.risks.filter(catalogue_key="").values_list("title", "description"))
        assert len(own) == 2 and all(title and description for title, description in own)
        assert not wrong_language({"Risk.title, description": [t for row in own for t in row]}, language)
        _has_all_of_learning(initiative)
    # The second initiative has no measures: the three levels are missing, with the source's reasons.
    assert len(selectors.coverage(Initiative.objects.get(slug="healthy-negev")).missing) == 3


def _has_all_of_learning(demo):
    risks = list(selectors.risks_of(demo))
    assert len(risks) >= 8 and any(r.catalogue_key for r in risks) and any(not r.catalogue_key for r in risks)
    assert selectors.risks_due(demo).exists()
    assert any(r.reviews.exists() for r in risks)
    statuses = {a.status for a in selectors.assumptions_of(demo)}
    assert statuses == set(AssumptionStatus.values)
    assert selectors.coverage(demo).complete
    history = selectors.worksheet_history(next(m for m in selectors.measures(demo) if m.code == "k-ready"))
    assert len(history) == 2 and history[0].carried_from == history[1]
    assert selectors.report_card_worksheets(demo)
    assert len(list(selectors.stories_of(demo))) >= 3


def test_every_learning_page_of_the_demo_answers_in_both_languages(demo, client, django_user_model):
    demo = demo["he"]
    client.force_login(django_user_model.objects.get(username="backbone"))
    for language in ("en", "he"):
        client.cookies["django_language"] = language
        start = reverse("learning:home", kwargs={"slug": demo.slug})
        queue, seen = [start], set()
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            assert response.status_code in (200, 302), url
            if response.status_code == 200:
                body = response.content.decode()
                queue += re.findall(r'href="(/initiatives/cradle-to-career/learning/[^"#?]*)"', body)
                # A period reads as the reader's language says it ("Q3 2026", "רבעון 3, 2026"), never
                # as its code: what a reader sees, not the attributes and scripts a page carries.
                text = re.sub(r"<[^>]*>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S))
                assert not PERIOD_CODE.findall(text), (url, language, PERIOD_CODE.findall(text))
        assert len(seen) > 40
