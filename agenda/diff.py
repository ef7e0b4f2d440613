"""Compare two agenda versions section by section: texts as a word diff, strategies, principles
and figures as items. Pure functions over plain data; no queries."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass
class ItemChange:
    status: str  # "added", "removed", "changed", "same"
    title: list[Segment] = field(default_factory=list)
    body: list[Segment] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.status != "same"


def word_diff(old: str, new: str) -> list[Segment]:
    # Browsers send CRLF line ends; a change of line ending alone is no change.
    old, new = (old or "").replace("\r\n", "\n"), (new or "").replace("\r\n", "\n")
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    segments: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("equal", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                segments.append(Segment("delete", "".join(a[i1:i2])))
            if j2 > j1:
                segments.append(Segment("insert", "".join(b[j1:j2])))
    return segments


def has_changes(segments: list[Segment]) -> bool:
    return any(s.op != "equal" for s in segments)


def compare_keyed(old: dict, new: dict) -> list[ItemChange]:
    """Items keyed by identity (strategies by their Strategy id): key -> (title, body)."""
    changes = []
    for key, (title, body) in new.items():
        if key not in old:
            changes.append(
                ItemChange("added", [Segment("insert", title)], [Segment("insert", body)] if body else [])
            )
        else:
            t, b = word_diff(old[key][0], title), word_diff(old[key][1], body)
            changes.append(ItemChange("changed" if has_changes(t) or has_changes(b) else "same", t, b))
    for key, (title, body) in old.items():
        if key not in new:
            changes.append(
                ItemChange("removed", [Segment("delete", title)], [Segment("delete", body)] if body else [])
            )
    return changes


def compare_lists(old: list[str], new: list[str]) -> list[ItemChange]:
    """Items without identity (principles, figures): matched by their text, in the new order."""
    changes = []
    old_set = set(old)
    new_set = set(new)
    for item in new:
        changes.append(
            ItemChange(
                "same" if item in old_set else "added",
                [Segment("equal" if item in old_set else "insert", item)],
            )
        )
    for item in old:
        if item not in new_set:
            changes.append(ItemChange("removed", [Segment("delete", item)]))
    return changes


@dataclass
class VersionSnapshot:
    """What a comparison needs of a version, read once by the selector."""

    texts: dict[str, str]
    strategies: dict[int, tuple[str, str]]
    principles: list[str]
    figures: list[str]


@dataclass
class AgendaComparison:
    texts: dict[str, list[Segment]]
    strategies: list[ItemChange]
    principles: list[ItemChange]
    figures: list[ItemChange]

    @property
    def changed_sections(self) -> int:
        return (
            sum(has_changes(s) for s in self.texts.values())
            + any(c.changed for c in self.strategies)
            + any(c.changed for c in self.principles)
            + any(c.changed for c in self.figures)
        )


def compare_versions(old: VersionSnapshot, new: VersionSnapshot) -> AgendaComparison:
    return AgendaComparison(
        texts={name: word_diff(old.texts.get(name, ""), new.texts.get(name, "")) for name in new.texts},
        strategies=compare_keyed(old.strategies, new.strategies),
        principles=compare_lists(old.principles, new.principles),
        figures=compare_lists(old.figures, new.figures),
    )
