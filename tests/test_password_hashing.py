"""Passwords are stored with Argon2id; one stored with Django's former default (PBKDF2) still signs
in and is rehashed with Argon2id on the way. (The other tests hash with MD5, for speed.)"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ci_platform import settings as production

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id(production_hashers, make_user):
    user = make_user("newcomer")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_a_pbkdf2_password_signs_in_and_is_rehashed_with_argon2id(production_hashers, client, make_user):
    user = make_user("veteran")
    get_user_model().objects.filter(pk=user.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    response = client.post("/accounts/login/", {"username": "veteran", "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
