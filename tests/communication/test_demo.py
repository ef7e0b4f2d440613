"""The demo's continuous communication (communication/demo.py) in each of the demo's two
initiatives, written in the initiative's language: Be'er Sheva's meetings, minutes, decisions,
action items, documents and updates in Hebrew, Riverside's in English (issue #19)."""

import pytest

from communication.demo import CONTENT
from communication.models import ActionItem, Comment, Decision, Document, Meeting, Post

from ..demo_words import HEBREW, assert_written_in

pytestmark = pytest.mark.django_db

# What communication/demo.py writes: (model, lookup to the initiative, fields).
WRITTEN = [
    (Meeting, "initiative", ["title", "location", "agenda_items", "minutes"]),
    (Decision, "initiative", ["title", "text"]),
    (ActionItem, "initiative", ["title"]),
    (Document, "initiative", ["title", "description", "tag", "group_name"]),
    (Post, "initiative", ["title", "body"]),
    (Comment, "post__initiative", ["body"]),
]


@pytest.fixture
def demo(demo_languages):
    return demo_languages


def test_each_initiative_communicates_in_its_language(demo):
    counts = {}
    for language, initiative in demo.items():
        assert_written_in(initiative, WRITTEN, language)
        groups = set(initiative.meetings.exclude(body_name="").values_list("body_name", flat=True))
        assert groups == set(CONTENT[language]["groups"].values())
        counts[language] = [
            model._default_manager.filter(**{lookup: initiative}).count() for model, lookup, _ in WRITTEN
        ]
    assert counts["he"] == counts["en"] and all(counts["he"])


def test_a_hebrew_documents_file_holds_its_hebrew(demo):
    """The Hebrew initiative's data extract is UTF-8 Hebrew, and its PDFs are real PDFs."""
    documents = demo["he"].documents.exclude(file="")
    extract = documents.get(original_name__endswith=".csv")
    with extract.file.open("rb") as f:
        assert HEBREW.search(f.read().decode())
    for document in documents.filter(original_name__endswith=".pdf"):
        with document.file.open("rb") as f:
            assert f.read(5) == b"%PDF-"
