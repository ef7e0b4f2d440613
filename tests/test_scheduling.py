"""The order the tests are handed to the xdist workers in (tests/conftest.py, scheduled_order)."""

from tests.conftest import scheduled_order, xdist_scope

NODEIDS = [
    *(f"tests/agenda/test_views.py::test_{i}" for i in range(40)),
    "tests/faults/test_worker_killed.py::test_a",
    "tests/faults/test_worker_killed.py::test_b",
    *(f"tests/api/test_reading.py::test_{i}" for i in range(40)),
    "tests/sso/test_sso.py::test_c",
    "tests/test_accessibility.py::test_page[a]",
    "tests/test_accessibility.py::test_page[b]",
    "tests/test_browser_hebrew.py::test_page[a]",
    "tests/test_browser_offline.py::test_d",
]


def test_every_test_once_groups_first_and_together_and_the_waiting_ones_apart():
    order = scheduled_order(NODEIDS)

    assert sorted(order) == sorted(NODEIDS)
    # The demo's browser modules are one group, handed out first and in one piece.
    assert [xdist_scope(n) for n in order[:3]] == ["committed-demo"] * 3
    waiting = [
        i
        for i, n in enumerate(order)
        if n.startswith(("tests/faults/", "tests/sso/", "tests/test_browser_o"))
    ]
    assert len(waiting) == 4
    assert all(b - a > 1 for a, b in zip(waiting, waiting[1:], strict=False))  # never two in a row
    assert waiting[0] < len(order) // 2  # not all left for the end
    # The others keep their collection order.
    others = [n for n in order if n.startswith(("tests/agenda/", "tests/api/"))]
    assert others == [n for n in NODEIDS if n.startswith(("tests/agenda/", "tests/api/"))]
