"""Query-count checks, one way for every test (Zulip's habit).

A count alone says that a page grew, not what grew. These helpers capture the statements and, on
failure, print every one of them, numbered, so that the N+1 query is visible in the test report
instead of being hunted down afterwards.

    with assert_max_queries(6):              # a fixed ceiling
        client.get(url)

    assert_queries_constant(lambda: client.get(url), grow=lambda: add_rows(10))

    # several pages over one growth (the costly part), each page its own test
    captures = queries_before_and_after({url: lambda url=url: client.get(url) for url in urls}, grow)
    check_constant(*captures[url], exact=True)
"""

from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager

from django.db import connections
from django.test.utils import CaptureQueriesContext

SQL_WIDTH = 300


class Capture(CaptureQueriesContext):
    """CaptureQueriesContext whose statements are copied on exit: Django's reads the connection's
    log lazily, and the next request through the test client empties that log."""

    def __exit__(self, *exc_info):
        super().__exit__(*exc_info)
        self.kept = super().captured_queries

    @property
    def captured_queries(self) -> list[dict[str, str]]:
        return self.kept if hasattr(self, "kept") else super().captured_queries


def format_queries(capture: CaptureQueriesContext, title: str = "") -> str:
    """The captured statements, numbered, each cut to SQL_WIDTH characters."""
    lines = [f"{title} ({len(capture)} queries):" if title else f"{len(capture)} queries:"]
    for number, query in enumerate(capture.captured_queries, 1):
        sql = " ".join(query["sql"].split())
        if len(sql) > SQL_WIDTH:
            sql = sql[: SQL_WIDTH - 1] + "…"
        lines.append(f"{number:>4}. {sql}")
    return "\n".join(lines)


def count_queries(action: Callable[[], object], *, using: str = "default") -> Capture:
    """Run action and return the capture of its statements (len() is the count)."""
    with Capture(connections[using]) as capture:
        action()
    return capture


@contextmanager
def _assert_queries(n: int, *, exact: bool, using: str) -> Iterator[Capture]:
    with Capture(connections[using]) as capture:
        yield capture
    ran = len(capture)
    if ran > n or (exact and ran != n):
        bound = f"exactly {n}" if exact else f"at most {n}"
        raise AssertionError(f"{ran} queries ran, {bound} expected.\n" + format_queries(capture))


def assert_max_queries(n: int, *, using: str = "default") -> AbstractContextManager[Capture]:
    """Fail, listing the SQL, when the block runs more than n queries; yields the capture."""
    return _assert_queries(n, exact=False, using=using)


def assert_num_queries(n: int, *, using: str = "default") -> AbstractContextManager[Capture]:
    """Fail, listing the SQL, unless the block runs exactly n queries; yields the capture."""
    return _assert_queries(n, exact=True, using=using)


def queries_before_and_after[K: Hashable](
    actions: Mapping[K, Callable[[], object]], grow: Callable[[], object], *, using: str = "default"
) -> dict[K, tuple[Capture, Capture]]:
    """Run every action, then grow (add rows) once, then every action again: each action's capture
    before and after. Several pages measured over one growth, when the growth is the costly part."""
    before = {key: count_queries(action, using=using) for key, action in actions.items()}
    grow()
    return {key: (before[key], count_queries(action, using=using)) for key, action in actions.items()}


def check_constant(
    before: Capture, after: Capture, *, slack: int = 0, exact: bool = False
) -> tuple[int, int]:
    """The second capture may hold at most slack more queries than the first (with exact, neither
    more nor fewer). On failure both listings are printed, labelled, so that the statement repeated
    per row stands out. Returns (before, after)."""
    few, many = len(before), len(after)
    if many > few + slack or (exact and many != few):
        bound = "the same" if exact else f"at most {few + slack}"
        raise AssertionError(
            f"{few} queries before the rows were added, {many} after ({bound} expected).\n"
            + format_queries(before, "Before")
            + "\n"
            + format_queries(after, "After")
        )
    return few, many


def assert_queries_constant(
    action: Callable[[], object],
    grow: Callable[[], object],
    *,
    slack: int = 0,
    exact: bool = False,
    using: str = "default",
) -> tuple[int, int]:
    """Run action, then grow (add rows), then action again: check_constant of the two runs.
    Returns (before, after)."""
    before, after = queries_before_and_after({"action": action}, grow, using=using)["action"]
    return check_constant(before, after, slack=slack, exact=exact)
