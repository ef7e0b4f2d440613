"""Shared fixtures: one initiative with a person in every role, an outsider, and a second
initiative whose member must see nothing of the first.

Tests that need a real server are marked (postgres, redis, browser). Without the server they
are skipped with the reason; under CI (CI=true) a missing server fails the run instead, so that
nothing is silently skipped where it matters.

Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`) each worker process gets its own
copy of everything two tests could share: pytest-django gives it its own database
(test_<name>_gw0, test_<name>_gw1, ...), `pytest_configure` below its own Redis database (the
broker of the Celery workers it starts) and its own MEDIA_ROOT, pytest-django's live server its own
free port, and the session fixtures below (Chromium) are built once per worker. Tests that must not
run beside each other, or that share a costly module-scoped fixture, are kept together on one worker
(`pytest_xdist_make_scheduler`).
"""

import functools
import importlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models.signals import post_migrate

from .demo_snapshot import SHARED_DIR
from .factories import PASSWORD, UserFactory
from .permission_matrix import build_orgs, build_world

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The browser tests' Chromium: Debian's headless shell of the same Chromium (package
# chromium-headless-shell), the build Playwright itself runs headless tests on. It is Blink and V8
# without the full browser's interface: the browser test modules, side by side on two workers, took
# 212 busy CPU-seconds against 326 with the full browser (6 December 2026). The full browser
# (CHROMIUM) is kept for what only it does: judging whether the app can be installed
# (tests/test_pwa_installable.py; the shell reports no error even for a manifest without icons).
HEADLESS_SHELL = os.environ.get("CHROMIUM_HEADLESS_SHELL", "/usr/bin/chromium-headless-shell")
# The flags of every Chromium the tests launch.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]


def _missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis and a Celery worker: set REDIS_URL=redis://…"
    if marker == "browser" and not (shutil.which(CHROMIUM) and shutil.which(HEADLESS_SHELL)):
        return (
            f"needs Chromium at {CHROMIUM} and {HEADLESS_SHELL}"
            " (apt-get install chromium chromium-headless-shell)"
        )
    return None


# --- One worker's share of what the tests have in common (pytest-xdist) ------------------------------

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or "" without xdist
REDIS_DATABASES = 16  # Redis' default `databases`


def worker_number() -> int:
    return int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0


def redis_url_for_worker(url: str, number: int) -> str:
    """REDIS_URL for xdist worker `number`: worker 0 keeps REDIS_URL's database, worker n takes the
    n-th one after it (wrapping round Redis' 16), so that each worker's broker, queue and
    unacknowledged-message records are its own: a task queued by one worker's test is never run by
    the Celery worker another one started, and a purge empties only its own queue."""
    if not url or number == 0:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + number) % REDIS_DATABASES}"))


def pytest_configure(config):
    # The manifest storage of production needs `collectstatic`; tests serve from the finders. Set
    # once for the process, not per test: the accessibility audits' live server lives for a module,
    # and its thread caches the storages while the test's thread changes and resets them between
    # two tests; once the manifest storage stayed in place for a whole test, whose three pages
    # answered 500 (`Missing staticfiles manifest entry`, 5 December 2026).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Fast hashing: tests create many users; production hashes with Argon2id
    # (tests/test_password_hashing.py). Set once for the process, not in each test: changed in each
    # test, it sent Django's `setting_changed` twice a test, and one of its receivers forgets the API's schema,
    # which the next test that read it generated again (0.7 s each).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not XDIST_WORKER:
        # A directory for what the run's workers share (the demo's snapshot, tests/demo_snapshot.py),
        # made before they start: they inherit the environment.
        shared = tempfile.mkdtemp(prefix="ci-tests-shared-")
        os.environ[SHARED_DIR] = shared
        config.add_cleanup(lambda: shutil.rmtree(shared, ignore_errors=True))
        return
    url = redis_url_for_worker(settings.REDIS_URL, worker_number())
    if url != settings.REDIS_URL:
        # The settings are loaded already (pytest-django): change what reads REDIS_URL, and the
        # environment that the worker processes started by the tests inherit.
        from ci_platform.celery import app

        settings.REDIS_URL = settings.CELERY_BROKER_URL = os.environ["REDIS_URL"] = url
        app.conf.broker_url = url
        app._pool = None  # made from the broker URL once, then kept
        app.amqp._producer_pool = None
    # Uploaded files: one directory per worker (tests that need their own still set tmp_path).
    media = tempfile.mkdtemp(prefix=f"ci-media-{XDIST_WORKER}-")
    settings.MEDIA_ROOT = os.environ["MEDIA_ROOT"] = media
    config.add_cleanup(lambda: shutil.rmtree(media, ignore_errors=True))


# --- The rows of the data migrations, put back after a flush ---------------------------------------
#
# A test with a real transaction (a live server, a Celery worker) ends with a flush that empties every
# table, the rows that data migrations made included: the backbone catalogue (functions, indicators,
# the standard survey items). In one process pytest-django runs those tests last; under xdist a worker
# goes on to other tests after one. The flush ends, as `migrate` does, with post_migrate: the catalogue
# is put back there, as the migrations leave it (0002's rows in 0004's wording).


# On PostgreSQL the rows are written by the migrations' own code the first time a process needs them
# in empty tables, and kept as `COPY` gives them: after that a flush copies them back (5 ms instead of
# 0.2 s, after every test with a real transaction), with the same ids.
_MIGRATED_ROWS: dict[str, bytes] = {}


def restore_migrated_rows() -> None:
    from django.apps import apps

    from backbone.migrations._catalogue_v1 import load
    from backbone.models import BackboneFunction, Indicator, SurveyItem

    models = (BackboneFunction, Indicator, SurveyItem)  # referenced ones first
    empty = connection.vendor == "postgresql" and not any(m.objects.exists() for m in models)
    if empty and _MIGRATED_ROWS:
        _copy_back(_MIGRATED_ROWS)
        return
    load(BackboneFunction, Indicator, SurveyItem)  # idempotent: fills in whatever is missing
    importlib.import_module("backbone.migrations.0004_source_hebrew_wording").forwards(apps, None)
    if empty:
        with connection.cursor() as cursor:
            for table in (m._meta.db_table for m in models):
                buffer = io.BytesIO()
                cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT", buffer)
                _MIGRATED_ROWS[table] = buffer.getvalue()


def _copy_back(rows: dict[str, bytes]) -> None:
    from django.db import transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table, content in rows.items():
            cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", io.BytesIO(content))
            # The next row made by the tests takes the next id, as after `load`.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {quote(table)}))",  # noqa: S608 - a model's table, quoted
                [table],
            )


def _after_flush(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    if sender.label != "backbone" or using != DEFAULT_DB_ALIAS:
        return
    from backbone.models import BackboneFunction

    if not BackboneFunction.objects.using(using).exists():  # not migrate's own signal: a flush's
        restore_migrated_rows()


post_migrate.connect(_after_flush, dispatch_uid="tests.conftest.restore_migrated_rows")


# --- The flush itself, on PostgreSQL: the rows deleted, not every table truncated -----------------
#
# Django's flush is one TRUNCATE of all 113 tables. PostgreSQL gives each truncated table, its
# indexes and its TOAST table new files, however few rows the test wrote: 0.3-0.45 s a flush in a
# browser test, 0.37-0.56 s after the whole demo (87 tables with rows). Deleting the rows of the
# tables that have any leaves the same empty tables: 0.09 s after the demo, less after a test's few
# rows (measured on 5 December 2026). Every foreign key is DEFERRABLE INITIALLY DEFERRED (Django's
# own; tests/test_flush.py holds it so), so one transaction deletes them in any order. The
# sequences are left as TRUNCATE without RESTART IDENTITY leaves them; a flush asked to reset them
# is Django's own.
def _flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if reset_sequences or not tables:
        return _truncate_flush(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    quote = self.quote_name
    with self.connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT FROM {quote(t)})" for t in tables),  # noqa: S608 - the models' tables, quoted
            list(tables),
        )
        with_rows = [row[0] for row in cursor.fetchall()]
    return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(quote(t))};" for t in with_rows]


if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from django.db.backends.postgresql.operations import DatabaseOperations as _PostgresOperations

    _truncate_flush = _PostgresOperations.sql_flush
    _PostgresOperations.sql_flush = _flush_by_delete


# --- Which tests xdist keeps together on one worker (`--dist loadgroup`) ------------------------------
#
# xdist 3.8's own loadgroup reads `xdist_group` markers by renaming the tests, which pytest 9.2 no
# longer allows (the markers are silently ignored), so `--dist loadgroup` is served by the scheduler
# below: it keeps together, in order, on one worker,
# * modules that must not run at the same time as each other: the catalogue check runs makemessages
#   over locale/he/LC_MESSAGES/django.po (and puts it back), which the terms tests read;
# * each module that defines a fixture of module, class or package scope (the accessibility tests'
#   demo initiative and its server, say), so that it is built once, not once per worker or again
#   each time the worker comes back to the module;
# and spreads every other test one by one, the biggest groups first.
LANE = "waits-on-time"
TOGETHER = {
    "tests/test_i18n.py": "django-po",
    "tests/i18n_terms/": "django-po",
    # Its last test reads what the fuzzing before it recorded (pytest keeps a file's order).
    "tests/api/test_schemathesis_writes.py": "schemathesis-writes",
    # The modules of the committed demo and its live server (tests/test_accessibility.py's `demo`):
    # one worker seeds it once (20 s) and copies it back for the next module (tests/demo_snapshot.py).
    # Spread over two workers, each worker seeded it.
    "tests/test_accessibility.py": "committed-demo",
    "tests/test_browser_hebrew.py": "committed-demo",
    "tests/test_browser_calculated.py": "committed-demo",
    "tests/test_browser_embeds.py": "committed-demo",
    "tests/learning/test_browser.py": "committed-demo",
    # A hot standby accepts no connection while the primary has a transaction open with more
    # subtransactions than it can list (the crawl's module: its world and every test in savepoints,
    # for two minutes): the replica test, beside it on the other worker, waited 80 s for it to end.
    # After the crawl on the same worker, it finds it ended.
    "tests/test_crawl.py": "crawl-then-replica",
    "tests/test_replica.py": "crawl-then-replica",
    # The tests that wait on time, not on Chromium: a real Celery worker to start and drain, a
    # visibility timeout to pass, a server to be killed (about 100 s of wall time in all, mostly
    # waiting). One after another on one worker (LANE, spread among the others below): run apart,
    # both workers now and then waited on them at once (a 30-second window at 45-99 % idle CPU
    # mid-run, and the last half minute, measured on 5 December 2026).
    "tests/faults/": LANE,
    "tests/test_worker.py": LANE,
    "tests/backbone/test_worker.py": LANE,
    "tests/communication/test_worker.py": LANE,
    "tests/communication/test_report_pdf_worker.py": LANE,
    "tests/measurement/test_correction_worker.py": LANE,
    "tests/webhooks/test_worker.py": LANE,
    "tests/workgroups/test_tasks.py": LANE,
}
WIDE_FIXTURE = re.compile(r"@pytest\.fixture\([^)]*scope=[\"'](?:module|class|package)[\"']")
FIXTURE = re.compile(r"@pytest\.fixture(?:\(([^)]*)\))?\s*def (\w+)\(([^)]*)\)")
# tests/permission_matrix.py's factory of module-scoped fixtures.
WIDE_FACTORY = "module_world"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


@functools.cache
def _wide_fixtures_seen_from(folder: Path) -> frozenset[str]:
    """The fixtures that the conftest.py files of `folder` and of the folders above it define with
    module, class or package scope (tests/conftest.py's module_db, tests/sso/'s identity provider),
    and those of theirs that ask for one (tests/sso/'s `sso_on`)."""
    wide = {WIDE_FACTORY}
    if folder.name != "tests" and folder.parent != folder:
        wide |= _wide_fixtures_seen_from(folder.parent)
    fixtures = FIXTURE.findall(_read(folder / "conftest.py"))
    wide |= {name for options, name, _ in fixtures if WIDE_FIXTURE.search(f"@pytest.fixture({options})")}
    grew = True
    while grew:
        asks = {name for _, name, params in fixtures if wide & set(re.findall(r"\w+", params))}
        grew = not asks <= wide
        wide |= asks
    return frozenset(wide)


@functools.cache
def _has_wide_fixture(path: str) -> bool:
    """Whether the module defines a fixture of module, class or package scope, or uses one of its
    conftest.py files'. Spread test by test, such a fixture was built again each time a worker came
    back to the module: the single sign-on tests started their identity provider 17 times a run."""
    file = Path(settings.BASE_DIR) / path
    text = _read(file)
    if WIDE_FIXTURE.search(text):
        return True
    return any(re.search(rf"\b{name}\b", text) for name in _wide_fixtures_seen_from(file.parent))


def xdist_scope(nodeid: str) -> str:
    """The unit of work a test belongs to: its group, its module, or itself."""
    path = nodeid.split("::", 1)[0]
    for prefix, group in TOGETHER.items():
        if path.startswith(prefix):
            return group
    return path if _has_wide_fixture(path) else nodeid


# Tests that mostly wait: for Chromium (its timers, its service worker, the network), an identity
# provider, a webhook receiver, locks (those waiting on time are the LANE, above). Measured
# per module (wall time against the CPU of the test's process and its children): they use a fifth of
# a core or less. Run last, as their few tests per module placed them, both workers waited at once:
# the CPU was 30–80 % idle for the last minute. They are spread among the other tests instead. By
# their share of the tests, not of the time: they still meet on both workers now and then, and no
# gain in wall time beyond the spread between runs was measured (5 December 2026).
WAITING = (
    "tests/test_browser",
    "tests/measurement/test_browser",
    "tests/test_pwa_installable.py",
    "tests/sso/",
    "tests/webhooks/test_delivery.py",
    "tests/test_bench_command.py",
    "tests/measurement/test_row_locks.py",
)


# The longest pieces of work, handed out first, so that the short ones even out the workers' ends.
# A worker takes its next piece as soon as two tests are left of its own, so a piece of one long
# test collects the next pieces behind it: the three schemathesis tests (46 s each), handed out
# among the last, ran one after another on one worker while the other had finished 20 s earlier
# (measured on 6 December 2026). Seconds of one worker, measured then: the committed demo's
# browser modules 170, the crawl 125, each schemathesis test 46. The crawl comes after the
# schemathesis tests: started beside the browser modules, it would wait for their seed of the demo
# (tests/demo_snapshot.py), about 20 s of a core idle, instead of copying it back once it is made.
LONG = ("tests/test_accessibility.py", "tests/api/test_schemathesis.py", "tests/test_crawl.py")


def scheduled_order(nodeids: list[str]) -> list[str]:
    """The order xdist hands out the tests in (one scope at a time, see xdist_scope): the LONG ones
    first, in their order, then the groups of several tests, biggest first, as xdist's own order
    does, then every other scope in collection order; the waiting ones (WAITING, and the LANE as one
    piece) spread among them all by their share of the tests."""
    scopes: dict[str, list[str]] = {}
    for nodeid in nodeids:
        scopes.setdefault(xdist_scope(nodeid), []).append(nodeid)
    named = set(TOGETHER.values())
    waiting = {
        scope
        for scope, ids in scopes.items()
        if scope == LANE or (scope not in named and ids[0].startswith(WAITING))
    }
    group_of = {path: xdist_scope(f"{path}::") for path in LONG}
    long = [s for path in LONG for s in scopes if s == group_of[path] or s.startswith(f"{path}::")]
    groups = long + sorted(
        (s for s in scopes if len(scopes[s]) > 1 and s not in waiting and s not in long),
        key=lambda s: -len(scopes[s]),
    )
    rest = [s for s in scopes if s not in groups and s not in waiting]
    spread = [s for s in scopes if s in waiting]
    # After each other scope, a waiting one whenever its share of the tests is due (one at a time: two
    # in a row would let both workers wait together).
    per_test = len(spread) / max(1, sum(len(scopes[s]) for s in groups + rest))
    order, due = [], 0.0
    for scope in groups + rest:
        order.append(scope)
        due += len(scopes[scope]) * per_test
        if spread and due >= 1:
            order.append(spread.pop(0))
            due -= 1
    order += spread
    return [nodeid for scope in order for nodeid in scopes[scope]]


@pytest.hookimpl(optionalhook=True)  # xdist's hook: unknown when xdist is not installed
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    # The scopes are handed out in the workers' collection order, which scheduled_order made.
    config.option.loadscopereorder = False
    return Scheduling(config, log)


def pytest_collection_modifyitems(config, items):
    # On an xdist worker (its own `dist` option is "no"): the controller reads this order.
    if XDIST_WORKER:
        position = {nodeid: i for i, nodeid in enumerate(scheduled_order([item.nodeid for item in items]))}
        items.sort(key=lambda item: position[item.nodeid])


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) and (reason := _missing(marker)):
            if IN_CI:
                pytest.fail(f"CI must not skip this test: {reason}", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and before it is dropped, nothing of the run left connected to
    it: a session still open made the drop fail ("is being accessed by other users") and left the
    database behind. One was seen still open after every thread but the main one had ended and
    `connections.close_all()` had run (6 December 2026); its last statement was the flush that ends
    the committed demo's modules (tests/test_accessibility.py). Where it is held was not found; it
    is closed here, on PostgreSQL. Only where pytest-django made a test database: a run whose tests
    ask for none (tests/test_accessibility.py alone makes and drops its own) is left on the
    configured database, which may not exist."""
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX

    yield
    with django_db_blocker.unblock():
        from django.db import connections

        connections.close_all()
        made = str(connection.settings_dict["NAME"]).startswith(TEST_DATABASE_PREFIX)
        if connection.vendor == "postgresql" and made:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture
def make_user(db):
    def make(username: str, **extra):
        return UserFactory(username=username, **extra)

    return make


@pytest.fixture
def orgs(db):
    return build_orgs()


@pytest.fixture
def world(db, orgs):
    """An initiative with one person per role, an outsider, and another initiative's member
    (tests/permission_matrix.py's `build_world`, which the module-scoped worlds use too)."""
    return build_world(orgs)


@pytest.fixture(autouse=True)
def _in_english():
    # Each test starts in English: a Hebrew request must not leak its language into the next test.
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction around a whole test module (no live server in it), for module-scoped worlds
    that are costly to build: what a module fixture makes after this one, inside
    `django_db_blocker.unblock()`, is seen by every test of the module, each test running in a
    savepoint of it that is rolled back after the test (Django's TestCase nests its atomic blocks
    so), and everything is rolled back after the module. Nothing is committed: another module, or
    another xdist worker, never sees it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def module_eager_tasks():
    """`eager_tasks` for a module-scoped world."""
    from ci_platform.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process for this test (the worker tests use a real worker instead)."""
    from ci_platform.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="module")
def demo_languages(module_db, module_eager_tasks, django_db_blocker):
    """The demo (`manage.py seed_demo`, copied back after a worker's first seed: tests/demo_snapshot.py)
    loaded once for the module (`module_db`): its two
    initiatives by language ("he": Be'er Sheva, "en": Riverside), for the components' demo tests."""
    from initiatives.models import Initiative

    from .demo_snapshot import load_demo
    from .demo_words import SLUGS

    with django_db_blocker.unblock():
        load_demo()
        return {language: Initiative.objects.get(slug=slug) for language, slug in SLUGS.items()}


# --- A real Celery worker (tests marked postgres + redis, with transactional_db) ---------------


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker(tmp_path, settings):
    """Start `celery worker` as its own process, on the test database, writing mail to files."""
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery = [sys.executable, "-m", "celery", "-A", "ci_platform"]
    # Messages left by earlier tests (tasks queued with no worker running) must not run here.
    purge_tasks(settings.REDIS_URL)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            *celery,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield mail_dir, tmp_path / "worker.log"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def purge_tasks(url: str) -> int:
    """Empty the task queue at `url`, as `celery purge -f` does (the queues the app declares), without
    starting a process for it. Returns how many messages were dropped."""
    from ci_platform.celery import app

    with app.connection_for_write(url) as connection:
        return app.control.purge(connection=connection)


def wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.25)
    return None


def sent_emails(mail_dir: Path) -> list[str]:
    """What a worker's file-based email backend has written whole, a file's text each (in the order
    of their names). The backend creates the file before it writes to it and ends every message with
    a line of 79 dashes: a file read in between is empty or cut (seen once, 6 December 2026)."""
    if not mail_dir.exists():
        return []
    texts = (path.read_text() for path in sorted(mail_dir.glob("*.log")))
    return [text for text in texts if text.endswith("-" * 79 + "\n")]


# --- Headless Chromium for the browser tests (Debian's package; never `playwright install`) ------


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Debian's Chromium, its headless shell (HEADLESS_SHELL), one per worker. Made after the test
    database (`django_db_setup`), so that it is closed before the database is dropped: each
    connection it keeps open to a live server keeps a server thread, and with it a database session
    (CONN_MAX_AGE), which made the drop fail at the end of the run ("is being accessed by other
    users")."""
    # Playwright's event loop trips Django's async-safety check on the tests' synchronous ORM calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=HEADLESS_SHELL, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()
        wait_for_server_threads()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def _idle_pages():
    """Pages kept between tests, signed out and emptied, by (server, viewport): a new context and
    its first page cost Chromium about 1 CPU-second, a page navigated again about 0.1. Closed at
    the end, before the live server: an open page keeps a connection, and with it a server thread
    and its database session, which would keep the test database from being dropped."""
    idle: dict = {}
    yield idle
    for pages in idle.values():
        for page in pages:
            page.context.close()


# The events a test may listen to on a page: a page a test listened to is closed, not kept.
PAGE_EVENTS = ("console", "pageerror", "dialog", "request", "response", "requestfailed", "popup", "download")


def _listeners(page) -> dict:
    events = getattr(getattr(page, "_impl_obj", None), "_events", None)
    if events is None:
        return {}
    return {e: len(v) if isinstance(v, list) else 1 for e, v in events.items() if e in PAGE_EVENTS}


def _empty(page, origin: str) -> bool:
    """Bring a page back to a new context's state: its other pages closed, routes, offline mode and
    permissions undone, no cookies and nothing stored for the site (local storage, IndexedDB,
    caches, service workers). False if it cannot be, if a test listened to it or resized it, or if
    it went to another site: its open connections there (a single-threaded identity provider, say)
    would stay open, and the site's next client could wait behind them."""
    context = page.context
    try:
        if page.is_closed() or page.left_site or (_listeners(page), page.viewport_size) != page.fresh:
            return False
        for other in context.pages:
            if other is not page:
                other.close()
        page.unroute_all(behavior="ignoreErrors")
        context.unroute_all(behavior="ignoreErrors")
        context.set_offline(False)
        context.clear_permissions()
        page.goto("about:blank")
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"})
        cdp.detach()
        context.clear_cookies()
        return True
    except Exception:  # noqa: BLE001 - a page that cannot be emptied is closed instead
        return False


@pytest.fixture
def new_page(request, browser, live_server, _idle_pages):
    """Open a page on the live server as in a fresh context (own cookies: signed out, English).
    A test module may set BROWSER_TIMEOUT_MS (default 10 s) and BROWSER_VIEWPORT (default 1280 ×
    900). The page keeps what its console reports as errors in `page.console_errors` (a form
    refused with 400 on purpose excepted), for the tests that hold it empty. Pages come back
    emptied between tests (`_empty`): what a test does with its page must not reach the next."""
    count_requests(live_server)
    timeout = getattr(request.module, "BROWSER_TIMEOUT_MS", 10_000)
    width, height = getattr(request.module, "BROWSER_VIEWPORT", (1280, 900))
    idle = _idle_pages.setdefault((live_server.url, width, height), [])
    site = live_server.url + "/"
    pages = []

    def make():
        if idle:
            page = idle.pop()
        else:
            context = browser.new_context(
                base_url=live_server.url, locale="en-US", viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    m.type == "error" and "status of 400" not in m.text and page.console_errors.append(m.text)
                ),
            )
            page.on("pageerror", lambda e: page.console_errors.append(str(e)))
            page.on(
                "request",
                lambda r: r.url.startswith((site, "data:", "blob:")) or page.left_site.append(r.url),
            )
            page.fresh = (_listeners(page), page.viewport_size)
        page.context.set_default_timeout(timeout)
        page.console_errors, page.left_site = [], []
        pages.append(page)
        return page

    yield make
    for page in pages:
        if _empty(page, live_server.url):
            idle.append(page)
        else:
            page.context.close()
    wait_for_requests(live_server)


class RequestsInFlight:
    """A live server's WSGI application, knowing which of the server's threads are answering a
    request, for `wait_for_requests`. A thread is marked when a request reaches the application and
    unmarked when the server closes the answer or the application raises, in a `finally`: nothing
    another receiver or middleware does can leave it marked (Django's request signals could: a
    count made with them was tried and reverted on 6 December 2026). An answer the server never
    closed stops counting once its thread has ended or begun another request."""

    def __init__(self, app):
        self.app = app
        self.busy: set[threading.Thread] = set()
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        thread = threading.current_thread()
        with self.changed:
            self.busy.add(thread)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._finished(thread)
            raise
        return _Answer(result, lambda: self._finished(thread))

    def _finished(self, thread: threading.Thread) -> None:
        with self.changed:
            self.busy.discard(thread)
            self.changed.notify_all()

    def wait(self, timeout: float) -> set[threading.Thread]:
        """Wait until no request is being answered, for `timeout` seconds at most; the threads
        still answering one."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while (left := {t for t in self.busy if t.is_alive()}) and (
                rest := deadline - time.monotonic()
            ) > 0:
                self.changed.wait(min(rest, 0.5))  # a thread that ended sends no notice: look again
            return left


class _Answer:
    """The application's answer, iterated as it is, telling when the server closes it."""

    def __init__(self, result, on_close):
        self.result, self.on_close = result, on_close

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()  # Django's: request_finished, the connections closed
        finally:
            self.on_close()


def count_requests(server) -> None:
    """Make a started live server's application a `RequestsInFlight` (once)."""
    httpd = server.thread.httpd
    if not isinstance(httpd.get_app(), RequestsInFlight):
        httpd.set_app(RequestsInFlight(httpd.get_app()))


def wait_for_requests(server, timeout: float = 30.0) -> None:
    """Wait for the requests a live server is still answering (`count_requests`). A page closed
    mid-request (a save, a poll) leaves its request running in the server's thread, on a connection
    of its own: the flush that ends the test must not start beside it (their locks deadlocked once,
    5 December 2026). Until 6 December 2026 this joined socketserver's `_threads`, which it keeps
    only for non-daemon threads; Django's are daemons, so it waited for nothing. Past the timeout,
    a warning names the requests still answered, and the test goes on."""
    app = server.thread.httpd.get_app()
    if isinstance(app, RequestsInFlight) and (left := app.wait(timeout)):
        warnings.warn(f"the live server still answers {len(left)} request(s) after {timeout} s", stacklevel=2)


def wait_for_server_threads(timeout: float = 10.0) -> None:
    """Wait for the live servers' connection threads to end, once the browser is closed: each holds
    a database connection of its own (CONN_MAX_AGE) until its connection ends."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, deadline - time.monotonic()))


def sign_in(page, username: str) -> None:
    """Sign in through the form, as a person would, and wait for the home page."""
    import re

    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/$"))
