"""The words a component's demo wrote (issue #19): the Be'er Sheva initiative's in Hebrew, the
Riverside initiative's in English. Each component's demo test names the fields its `demo.seed`
writes; these helpers read them and say which are in the wrong language."""

from __future__ import annotations

import re

from initiatives.management.commands.seed_demo import CONTENT

HEBREW = re.compile(r"[\u0590-\u05FF]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Codes a Hebrew text may hold: names of formats and interfaces.
CODES = {"PDF", "CSV", "API"}
SLUGS = {language: words["initiative"]["slug"] for language, words in CONTENT.items()}


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def written(initiative, fields) -> dict[str, list[str]]:
    """The non-empty texts of `fields`, (model, lookup to the initiative, field names) each, by
    "Model.field"."""
    found: dict[str, list[str]] = {}
    for model, lookup, names in fields:
        rows = model._default_manager.filter(**{lookup: initiative})
        for name in names:
            found[f"{model.__name__}.{name}"] = [
                text for value in rows.values_list(name, flat=True) for text in _strings(value) if text
            ]
    return found


def wrong_language(found: dict[str, list[str]], language: str) -> list[str]:
    """The texts not in `language`: for Hebrew, a Latin word other than a code, or no Hebrew letter
    at all; for English, any Hebrew letter."""
    wrong = []
    for key, texts in found.items():
        for text in texts:
            if language == "he":
                bad = bool(set(LATIN_WORD.findall(text)) - CODES) or not HEBREW.search(text)
            else:
                bad = bool(HEBREW.search(text))
            if bad:
                wrong.append(f"{key}: {text!r}")
    return wrong


def assert_written_in(initiative, fields, language: str) -> None:
    found = written(initiative, fields)
    empty = [key for key, texts in found.items() if not texts]
    assert not empty, f"fields the demo leaves empty: {empty}"
    wrong = wrong_language(found, language)
    assert not wrong, f"{len(wrong)} texts not in {language}:\n" + "\n".join(wrong[:40])
