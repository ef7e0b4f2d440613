"""The comparison of two versions: pure functions over hand-made inputs, no database."""

import pytest

from agenda.diff import (
    ItemChange,
    Segment,
    VersionSnapshot,
    compare_keyed,
    compare_lists,
    compare_versions,
    has_changes,
    word_diff,
)

EQ, INS, DEL = "equal", "insert", "delete"


def segs(*pairs) -> list[Segment]:
    return [Segment(op, text) for op, text in pairs]


def rebuild(segments: list[Segment]) -> tuple[str, str]:
    """The old text (equal + delete) and the new text (equal + insert) the segments describe."""
    old = "".join(s.text for s in segments if s.op in (EQ, DEL))
    new = "".join(s.text for s in segments if s.op in (EQ, INS))
    return old, new


class TestWordDiff:
    def test_a_changed_word(self):
        assert word_diff("the cat sat", "the dog sat") == segs(
            (EQ, "the "), (DEL, "cat"), (INS, "dog"), (EQ, " sat")
        )

    def test_an_added_word_at_the_end(self):
        assert word_diff("All children ready", "All children ready now") == segs(
            (EQ, "All children ready"), (INS, " now")
        )

    def test_a_removed_word_in_the_middle(self):
        assert word_diff("one two three", "one three") == segs((EQ, "one "), (DEL, "two "), (EQ, "three"))

    def test_whole_words_not_letters(self):
        # "reading" -> "readiness" is one word replaced, not a few letters inserted.
        assert word_diff("school reading", "school readiness") == segs(
            (EQ, "school "), (DEL, "reading"), (INS, "readiness")
        )

    def test_identical_texts_are_one_equal_segment(self):
        text = "Every child is ready for school."
        assert word_diff(text, text) == segs((EQ, text))
        assert not has_changes(word_diff(text, text))

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            ("", "", []),
            (None, None, []),
            ("", "A new goal", segs((INS, "A new goal"))),
            (None, "A new goal", segs((INS, "A new goal"))),
            ("An old goal", "", segs((DEL, "An old goal"))),
        ],
    )
    def test_empty_texts(self, old, new, expected):
        assert word_diff(old, new) == expected

    def test_hebrew_words_are_kept_whole_and_in_order(self):
        old = "כל הילדים מוכנים לבית הספר"
        new = "כל הילדים בבאר שבע מוכנים לבית הספר"
        assert word_diff(old, new) == segs((EQ, "כל הילדים"), (INS, " בבאר שבע"), (EQ, " מוכנים לבית הספר"))

    def test_hebrew_replacement(self):
        assert word_diff("מטרה ראשונה", "מטרה שנייה") == segs((EQ, "מטרה "), (DEL, "ראשונה"), (INS, "שנייה"))

    def test_line_breaks_are_kept(self):
        segments = word_diff("line one\nline two", "line one\nline 2")
        assert segments == segs((EQ, "line one\nline "), (DEL, "two"), (INS, "2"))

    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("a b c d e", "a x c e f"),
            ("By 2030 every child is ready.", "By 2028, every child in the south is ready for school."),
            ("ילדים בבאר שבע", "כל הילדים בנגב, English too"),
            ("  leading and trailing  ", "leading\n\ttrailing"),
            ("", "x"),
            ("x", ""),
        ],
    )
    def test_segments_rebuild_both_texts(self, old, new):
        assert rebuild(word_diff(old, new)) == (old, new)


class TestCompareKeyed:
    def test_added_removed_changed_and_same(self):
        old = {1: ("Early years", "Readiness at five"), 2: ("Reading", "By eight"), 3: ("Sports", "")}
        new = {
            1: ("Early years", "Readiness at five"),
            2: ("Reading and maths", "By eight"),
            4: ("Jobs", "Transition"),
        }
        changes = compare_keyed(old, new)
        assert [c.status for c in changes] == ["same", "changed", "added", "removed"]
        same, changed, added, removed = changes
        assert same.title == segs((EQ, "Early years")) and not same.changed
        assert changed.title == segs((EQ, "Reading"), (INS, " and maths"))
        assert changed.body == segs((EQ, "By eight"))
        assert added.title == segs((INS, "Jobs")) and added.body == segs((INS, "Transition"))
        assert removed.title == segs((DEL, "Sports")) and removed.body == []
        assert all(c.changed for c in (changed, added, removed))

    def test_a_changed_rationale_alone_marks_the_item_changed(self):
        (change,) = compare_keyed({7: ("Same title", "old reason")}, {7: ("Same title", "new reason")})
        assert change.status == "changed"
        assert change.body == segs((DEL, "old"), (INS, "new"), (EQ, " reason"))

    def test_identity_wins_over_wording(self):
        # Renaming a strategy keeps its identity: a change, not a removal and an addition.
        (change,) = compare_keyed({5: ("Old name", "")}, {5: ("Completely different", "")})
        assert change.status == "changed"

    def test_same_wording_under_another_identity_is_added_and_removed(self):
        changes = compare_keyed({1: ("Reading", "")}, {2: ("Reading", "")})
        assert [(c.status, c.title) for c in changes] == [
            ("added", segs((INS, "Reading"))),
            ("removed", segs((DEL, "Reading"))),
        ]

    def test_empty_sides(self):
        assert compare_keyed({}, {}) == []
        assert [c.status for c in compare_keyed({}, {1: ("A", "")})] == ["added"]
        assert [c.status for c in compare_keyed({1: ("A", "")}, {})] == ["removed"]

    def test_hebrew_items(self):
        changes = compare_keyed({1: ("גיל הרך", "מוכנות")}, {1: ("גיל הרך והורים", "מוכנות")})
        assert changes == [
            ItemChange("changed", segs((EQ, "גיל הרך"), (INS, " והורים")), segs((EQ, "מוכנות")))
        ]


class TestCompareLists:
    def test_items_are_matched_by_text_in_the_new_order(self):
        changes = compare_lists(["Shared data", "Trust"], ["Trust", "Listen to residents"])
        assert [(c.status, c.title) for c in changes] == [
            ("same", segs((EQ, "Trust"))),
            ("added", segs((INS, "Listen to residents"))),
            ("removed", segs((DEL, "Shared data"))),
        ]

    def test_a_reworded_item_is_a_removal_and_an_addition(self):
        changes = compare_lists(["Decisions use data"], ["Decisions use shared data"])
        assert [c.status for c in changes] == ["added", "removed"]

    def test_empty_lists(self):
        assert compare_lists([], []) == []
        assert [c.status for c in compare_lists([], ["a", "b"])] == ["added", "added"]
        assert [c.status for c in compare_lists(["a"], [])] == ["removed"]

    def test_hebrew(self):
        changes = compare_lists(["שקיפות"], ["שקיפות", "אמון"])
        assert [(c.status, c.title[0].text) for c in changes] == [("same", "שקיפות"), ("added", "אמון")]


def snapshot(**overrides) -> VersionSnapshot:
    base = {
        "texts": {
            "problem_statement": "Few children are ready.",
            "goal": "All children ready.",
            "boundary_process": "",
        },
        "strategies": {1: ("Early years", "Readiness at five")},
        "principles": ["Shared data"],
        "figures": ["46% ready (Survey, 2024)"],
    }
    return VersionSnapshot(**{**base, **overrides})


class TestCompareVersions:
    def test_identical_versions_have_no_changed_section(self):
        comparison = compare_versions(snapshot(), snapshot())
        assert comparison.changed_sections == 0
        assert list(comparison.texts) == ["problem_statement", "goal", "boundary_process"]
        assert comparison.texts["boundary_process"] == []
        assert [c.status for c in comparison.strategies] == ["same"]

    def test_each_changed_section_counts_once(self):
        new = snapshot(
            texts={
                "problem_statement": "Few children are ready.",
                "goal": "All children in the south ready.",
                "boundary_process": "Quarterly reviews",
            },
            strategies={1: ("Early years", "Readiness at five"), 2: ("Reading", ""), 3: ("Jobs", "")},
        )
        comparison = compare_versions(snapshot(), new)
        # goal, boundary_process, strategies (two added count as one section)
        assert comparison.changed_sections == 3
        assert comparison.texts["goal"] == segs((EQ, "All children "), (INS, "in the south "), (EQ, "ready."))
        assert comparison.texts["boundary_process"] == segs((INS, "Quarterly reviews"))
        assert not has_changes(comparison.texts["problem_statement"])
        assert [c.status for c in comparison.strategies] == ["same", "added", "added"]
        assert [c.status for c in comparison.principles] == ["same"]
        assert [c.status for c in comparison.figures] == ["same"]

    def test_principles_and_figures(self):
        new = snapshot(principles=[], figures=["46% ready (Survey, 2024)", "61% matriculate (Ministry)"])
        comparison = compare_versions(snapshot(), new)
        assert comparison.changed_sections == 2
        assert [c.status for c in comparison.principles] == ["removed"]
        assert [c.status for c in comparison.figures] == ["same", "added"]

    def test_a_section_missing_on_the_old_side_counts_as_added(self):
        comparison = compare_versions(snapshot(texts={}), snapshot())
        assert comparison.texts["goal"] == segs((INS, "All children ready."))
        assert comparison.changed_sections == 2  # problem_statement and goal; boundary_process is empty
