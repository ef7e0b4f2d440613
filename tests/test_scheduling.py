"""The order the tests are handed to the xdist workers in (tests/conftest.py, scheduled_order)."""

from tests.conftest import scheduled_order, xdist_scope

# tests/plain/ does not exist: its tests are spread one by one, as those of a module without a
# module-scoped fixture are (one with such a fixture, read from its file, is kept together).
NODEIDS = [
    *(f"tests/plain/test_one.py::test_{i}" for i in range(40)),
    "tests/faults/test_worker_killed.py::test_a",
    "tests/faults/test_worker_killed.py::test_b",
    "tests/test_worker.py::test_e",
    *(f"tests/plain/test_two.py::test_{i}" for i in range(40)),
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
    # The tests that wait on time (faults, real workers) are one piece, in collection order.
    lane = [i for i, n in enumerate(order) if xdist_scope(n) == "waits-on-time"]
    assert [order[i] for i in lane] == [
        n for n in NODEIDS if n.startswith(("tests/faults/", "tests/test_worker"))
    ]
    assert lane == list(range(lane[0], lane[0] + 3))
    # It and the other waiting tests are spread: never two waiting pieces in a row.
    waiting = [
        lane[0],
        *(i for i, n in enumerate(order) if n.startswith(("tests/sso/", "tests/test_browser_o"))),
    ]
    waiting.sort()
    assert len(waiting) == 3
    assert all(b - (3 if a == lane[0] else 1) - a > 0 for a, b in zip(waiting, waiting[1:], strict=False))
    assert waiting[0] < len(order) // 2  # not all left for the end
    # The others keep their collection order.
    others = [n for n in order if n.startswith("tests/plain/")]
    assert others == [n for n in NODEIDS if n.startswith("tests/plain/")]


def test_the_longest_pieces_are_handed_out_first():
    nodeids = [
        *NODEIDS,
        "tests/api/test_schemathesis.py::test_api_backbone",
        "tests/api/test_schemathesis.py::test_api_the_rest",
        "tests/test_crawl.py::test_every_page_as_everyone",
        "tests/test_crawl.py::test_every_api_read_as_everyone",
    ]
    order = scheduled_order(nodeids)

    assert sorted(order) == sorted(nodeids)
    assert [xdist_scope(n) for n in order[:3]] == ["committed-demo"] * 3
    assert order[3:5] == [
        "tests/api/test_schemathesis.py::test_api_backbone",
        "tests/api/test_schemathesis.py::test_api_the_rest",
    ]
    # The crawl after them: by then the browser modules' worker has seeded the demo it copies back.
    assert [xdist_scope(n) for n in order[5:7]] == ["crawl-then-replica"] * 2


def test_a_module_using_a_wide_fixture_of_its_conftest_is_one_piece():
    # tests/sso/test_sso.py asks for `sso_on`, which tests/sso/conftest.py builds on its
    # module-scoped identity provider: one provider a run, not one each time a worker comes back.
    assert xdist_scope("tests/sso/test_sso.py::test_c") == "tests/sso/test_sso.py"
    # A module that uses none stays spread test by test.
    assert xdist_scope("tests/test_csrf.py::test_x") == "tests/test_csrf.py::test_x"
