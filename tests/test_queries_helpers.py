"""tests/queries.py: the query-count helpers pass within their bound and, beyond it, fail with
every statement in the message, so that a report says what grew."""

import pytest
from django.contrib.auth import get_user_model

from tests.queries import (
    SQL_WIDTH,
    assert_max_queries,
    assert_num_queries,
    assert_queries_constant,
    check_constant,
    count_queries,
    queries_before_and_after,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
TABLE = User._meta.db_table


def read_each(n):
    for pk in range(n):
        User.objects.filter(pk=pk).exists()


def test_max_queries_passes_within_the_bound_and_yields_the_capture():
    with assert_max_queries(2) as capture:
        read_each(2)
    assert len(capture) == 2 and TABLE in capture.captured_queries[0]["sql"]


def test_max_queries_fails_with_every_statement_numbered():
    expected = r"3 queries ran, at most 2 expected"
    with pytest.raises(AssertionError, match=expected) as failure, assert_max_queries(2):
        read_each(3)
    message = str(failure.value)
    assert all(f"   {n}. SELECT" in message for n in (1, 2, 3))
    assert message.count(f'FROM "{TABLE}"') == 3


def test_num_queries_fails_on_fewer_as_well():
    with assert_num_queries(1):
        read_each(1)
    with pytest.raises(AssertionError, match=r"0 queries ran, exactly 1 expected"), assert_num_queries(1):
        pass


def test_a_long_statement_is_cut():
    with pytest.raises(AssertionError) as failure, assert_max_queries(0):
        User.objects.filter(username__in=[f"user-{n}" for n in range(200)]).exists()
    line = str(failure.value).splitlines()[2]
    assert line.endswith("…") and len(line) <= SQL_WIDTH + len("   1. ")


def test_queries_constant_passes_when_rows_cost_nothing():
    before, after = assert_queries_constant(
        lambda: list(User.objects.all()), lambda: User.objects.create(username="more")
    )
    assert before == after == 1


def test_queries_constant_fails_with_both_listings():
    def one_query_per_row():
        for user in User.objects.all():
            User.objects.filter(pk=user.pk).exists()

    User.objects.create(username="first")
    with pytest.raises(AssertionError, match=r"2 queries before the rows were added, 4 after") as failure:
        assert_queries_constant(
            one_query_per_row,
            lambda: User.objects.bulk_create([User(username="second"), User(username="third")]),
        )
    message = str(failure.value)
    assert "Before (2 queries):" in message and "After (4 queries):" in message
    assert message.split("After")[1].count(f'FROM "{TABLE}"') == 4


def test_queries_constant_slack_and_exact():
    def grow():
        User.objects.create(username=f"u{User.objects.count()}")

    def costing(*counts):
        calls = iter(counts)
        return lambda: read_each(next(calls))

    assert assert_queries_constant(costing(1, 2), grow, slack=1) == (1, 2)
    with pytest.raises(AssertionError, match=r"1 queries before the rows were added, 3 after \(at most 2"):
        assert_queries_constant(costing(1, 3), grow, slack=1)
    assert assert_queries_constant(costing(2, 1), grow) == (2, 1)  # fewer is within a ceiling
    with pytest.raises(AssertionError, match=r"2 queries before the rows were added, 1 after \(the same"):
        assert_queries_constant(costing(2, 1), grow, exact=True)


def test_count_queries_returns_the_capture():
    assert len(count_queries(lambda: read_each(3))) == 3


def test_a_capture_outlives_the_next_request(client):
    capture = count_queries(lambda: list(User.objects.all()))
    client.get("/")  # request_started empties the connection's log that Django's capture reads
    assert len(capture) == 1 and TABLE in capture.captured_queries[0]["sql"]


def test_several_actions_over_one_growth_each_compared_on_its_own():
    def one_query_per_row():
        for user in User.objects.all():
            User.objects.filter(pk=user.pk).exists()

    grown = []
    User.objects.create(username="first")
    captures = queries_before_and_after(
        {"list": lambda: list(User.objects.all()), "per row": one_query_per_row},
        lambda: grown.append(User.objects.bulk_create([User(username="second"), User(username="third")])),
    )
    assert len(grown) == 1  # grown once for both
    assert check_constant(*captures["list"], exact=True) == (1, 1)
    with pytest.raises(AssertionError, match=r"2 queries before the rows were added, 4 after"):
        check_constant(*captures["per row"])
