"""Settings and deployment, against OWASP ASVS 5.0 level 2: secrets only from the environment, no
demo accounts outside `make run`, secure cookies, sessions that expire and end on sign-out, and
the password rules wherever a password is set. (Headers: tests/test_security_headers.py; sign-in
throttling: tests/initiatives/test_views.py; `check --deploy`: `make checks`.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from initiatives.models import Initiative

from .conftest import PASSWORD

ROOT = Path(settings.BASE_DIR)
STRONG_KEY = "k" * 20 + "-a-long-random-test-key-" + "9" * 20


# --- Secrets only from the environment ----------------------------------------------------------


def start_site(**env) -> subprocess.CompletedProcess:
    """Load the WSGI application (what gunicorn does first) in a fresh process."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import ci_platform.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [{"DEBUG": "false"}, {"DEBUG": "false", "SECRET_KEY": "django-insecure-CHANGE-ME-this-placeholder"}],
    ids=["no key", "the placeholder"],
)
def test_the_site_refuses_to_start_without_a_secret_key(env):
    result = start_site(**env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "env", [{"DEBUG": "false", "SECRET_KEY": STRONG_KEY}, {"DEBUG": "true"}], ids=["a key", "make run"]
)
def test_the_site_starts_with_a_key_or_in_the_embedded_mode(env):
    result = start_site(**env)
    assert result.returncode == 0, result.stderr


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_services() -> dict:
    return {name: s for name, s in compose()["services"].items() if s.get("image") == "ci-platform:latest"}


def test_every_process_of_the_image_checks_the_key_first():
    services = app_services()
    assert set(services) == {"migrate", "web", "worker", "beat"}
    for name, service in services.items():
        entrypoint = service["entrypoint"]
        # Compose turns $$ into $; the shell then runs the check, then the service's command.
        script = entrypoint[2].replace("$$", "$")
        command = [*entrypoint[:2], script, *entrypoint[3:], "echo", "started"]
        clean = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        for key, starts in (
            (None, False),
            ("", False),
            ("django-insecure-CHANGE-ME-this-placeholder-must-be-replaced", False),
            (STRONG_KEY, True),
        ):
            env = clean if key is None else {**clean, "SECRET_KEY": key}
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            assert (result.returncode == 0 and result.stdout.strip() == "started") is starts, (name, key)
            if not starts:
                assert "Set SECRET_KEY" in result.stderr


def test_no_secret_is_written_into_the_deployment_files():
    env_example = (ROOT / ".env.example").read_text()
    assert re.search(r"^SECRET_KEY=django-insecure-", env_example, re.M)  # a placeholder refused above
    for name in ("docker-compose.yml", "Dockerfile"):
        text = (ROOT / name).read_text()
        assert not re.search(r"SECRET_KEY\s*[:=]\s*(?!build-only)[\w-]{16,}", text), name
    # The image's build key exists only in the two build commands, never in its environment.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert not re.search(r"^ENV[^\n]*SECRET_KEY", dockerfile, re.M)


# --- Demo accounts only with `make run` ---------------------------------------------------------


def test_compose_and_the_image_never_load_the_demo():
    for name in ("docker-compose.yml", "Dockerfile", ".env.example"):
        assert "seed_demo" not in (ROOT / name).read_text(), name
    for service in compose()["services"].values():
        assert "seed_demo" not in str(service.get("command", "")) + str(service.get("entrypoint", ""))


def test_make_run_loads_the_demo_with_debug_on():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") :].split("\n\n")[0]
    assert "run: export DEBUG ?= true" in run and "seed_demo --if-empty" in run


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off(settings, django_user_model):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", "--if-empty", verbosity=0)
    assert not django_user_model.objects.exists() and not Initiative.objects.exists()


@pytest.mark.django_db
def test_seed_demo_with_debug_on_keeps_a_filled_database(settings, world, capsys):
    """`make run` again: DEBUG on, the database already has data: nothing is added."""
    settings.DEBUG = True
    users = set(world.people["backbone"].__class__.objects.values_list("username", flat=True))
    call_command("seed_demo", "--if-empty")
    assert "not loaded" in capsys.readouterr().out
    assert set(world.people["backbone"].__class__.objects.values_list("username", flat=True)) == users


# --- Cookies and sessions -----------------------------------------------------------------------


def test_cookies_are_secure_outside_debug():
    # The test settings are the production defaults (DEBUG off, nothing overridden).
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.LANGUAGE_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.SECURE_HSTS_SECONDS >= 31536000 and settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.X_FRAME_OPTIONS == "DENY" and settings.SECURE_CONTENT_TYPE_NOSNIFF
    assert 0 < settings.SESSION_COOKIE_AGE <= 14 * 24 * 3600


def sign_in(client: Client, username: str = "viewer") -> str:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.django_db
def test_a_session_older_than_its_age_is_refused(client, world):
    key = sign_in(client)
    home = "/initiatives/c2c/"
    assert client.get(home).status_code == 200
    # As if SESSION_COOKIE_AGE had passed since signing in.
    session = Session.objects.get(session_key=key)
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(home)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_signing_out_ends_the_session_on_the_server(world):
    client = Client()
    key = sign_in(client)
    assert client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie, replayed (e.g. copied before signing out), opens nothing.
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = key
    response = thief.get("/initiatives/c2c/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_signing_out_takes_a_post(client, world):
    sign_in(client)
    assert client.get(reverse("logout")).status_code == 405  # a link or image cannot sign anyone out


# --- Passwords: the rules wherever one is set ---------------------------------------------------

# Too short, too common, all digits, too like the username ({username} is filled in).
WEAK = ["short7", "password123", "12345678901", "{username}2026"]


@pytest.mark.django_db
@pytest.mark.parametrize("weak", WEAK)
def test_password_change_refuses_a_weak_password(client, world, weak):
    viewer = world.people["viewer"]
    weak = weak.format(username="viewer")
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("weak", WEAK)
def test_password_reset_refuses_a_weak_password(client, world, weak):
    viewer = world.people["viewer"]
    weak = weak.format(username="viewer")
    url = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(viewer.pk)),
            "token": default_token_generator.make_token(viewer),
        },
    )
    form_url = client.get(url)["Location"]  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    viewer.refresh_from_db()
    assert viewer.check_password(PASSWORD)
    # The same link takes a strong one: the refusal was the password's, not the link's.
    response = client.post(
        form_url, {"new_password1": "Plenty-long-9921", "new_password2": "Plenty-long-9921"}
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("Plenty-long-9921")


@pytest.mark.django_db
@pytest.mark.parametrize("weak", WEAK)
def test_joining_through_an_invitation_refuses_a_weak_password(
    client, world, weak, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(world.people["backbone"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("initiatives:invite", kwargs={"slug": "c2c"}),
            {"email": "newcomer@example.org", "role": "partner", "organization": world.orgs["partner"].pk},
        )
    client.logout()
    token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    url = reverse("invitation_accept", kwargs={"token": token})
    username = "newcomer"
    weak = weak.format(username=username)
    response = client.post(url, {"username": username, "password1": weak, "password2": weak})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not world.initiative.memberships.filter(user__username=username).exists()


def test_every_password_rule_is_on():
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
