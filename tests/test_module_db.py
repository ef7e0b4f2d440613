"""`module_db` (tests/conftest.py): a module-scoped world is seen by every test of the module, what a
test writes is gone after it, and nothing is committed."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(module_db, django_db_blocker):
    with django_db_blocker.unblock():
        return get_user_model().objects.create_user("built-once").pk


def test_the_world_is_there_and_a_test_writes_in_a_savepoint(built):
    assert connection.in_atomic_block
    assert get_user_model().objects.filter(pk=built).exists()
    get_user_model().objects.create_user("written-by-a-test")


def test_what_a_test_wrote_is_rolled_back_and_the_world_stays(built):
    assert get_user_model().objects.filter(pk=built).exists()
    assert not get_user_model().objects.filter(username="written-by-a-test").exists()


@pytest.mark.postgres
def test_nothing_is_committed(built):
    # Another connection (another process, another worker) does not see the module's world.
    from django.db import connections
    from django.db.utils import ConnectionHandler

    other = ConnectionHandler({"default": {**connections["default"].settings_dict}})["default"]
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM auth_user WHERE username = 'built-once'")
            assert cursor.fetchone() == (0,)
    finally:
        other.close()
