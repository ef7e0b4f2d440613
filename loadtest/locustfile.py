"""The load test's users (locust), against a server on this machine only. `make loadtest` runs it
through loadtest/run.py, which builds the data, starts gunicorn and a worker, and bounds the run.

* Partner contributors open their organisation's data-entry grid for the open month, save a draft
  (a real form post, CSRF token and all) and submit it for review.
* Backbone staff approve what was submitted, which queues the incremental recompute on the
  worker, and unlock it again for correction so that the partners can go on submitting; each
  reviews its share of the partners running.
* Steering committee members open the shared-measures dashboard and single-measure pages.
* Integrators page through the API with a read token: raw values and aggregates by cursor.

The mix is issue 22's month-end: of 100 users, 60 partners submitting the same month, 25 steering
members, 5 backbone staff and 10 integrators. loadtest/run.py gives the exact counts for its
number of users in LOAD_MIX (JSON, e.g. {"Partner": 15, "Steering": 6, "Backbone": 1,
"Integrator": 3} for 25); without it, one backbone user and the others shared 60 : 25 : 10.
Request names group the statistics: "page: …" are HTML pages and form posts, "api: …" API reads.
The set-up (accounts, token, open period) comes from the JSON file in LOAD_SETUP (prepare.py).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser

SETUP = json.load(open(os.environ["LOAD_SETUP"]))  # noqa: SIM115 - read once at import
SLUG = SETUP["slug"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CELL = re.compile(r'<input[^>]*\bname="(v\d+_\d+_\d+)"[^>]*>')
VALUE = re.compile(r'\bvalue="([^"]*)"')
_partners = itertools.count()
_steering = itertools.count()
_integrators = itertools.count()
_backbone = itertools.count()
MIX = json.loads(os.environ.get("LOAD_MIX") or "{}")
# Seconds between one user's requests, "low-high" (loadtest/run.py --think, --api-think): people
# read and type between pages; an integrator's script pages on at once. The defaults are the
# stress of the 20-user runs; a month-end of people at work is --think 5-15.
THINK = [float(x) for x in (os.environ.get("LOAD_THINK") or "1-3").split("-")]
API_THINK = [float(x) for x in (os.environ.get("LOAD_API_THINK") or "0.5-1.5").split("-")]


@events.init_command_line_parser.add_listener
def _loopback_only(parser):
    parser.set_defaults(host="http://127.0.0.1:8000")


@events.test_start.add_listener
def _check_host(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname or ""
    if not (host in ("localhost", "::1") or host.startswith("127.")):
        raise SystemExit(f"The load test runs against this machine only, not {host!r}")


# `make faults` reads every request's outcome from this file (LOAD_REQUEST_LOG), one JSON per line.
_request_log = open(os.environ["LOAD_REQUEST_LOG"], "a") if os.environ.get("LOAD_REQUEST_LOG") else None  # noqa: SIM115


@events.request.add_listener
def _log_request(request_type, name, response_time, response, exception, start_time=None, **kwargs):
    if _request_log is None:
        return
    body = getattr(response, "text", "") or ""
    line = {
        "t": start_time or time.time(),
        "name": name,
        "status": getattr(response, "status_code", 0) or 0,
        "ms": round(response_time or 0, 1),
        "error": repr(exception)[:200] if exception else "",
        "traceback": "Traceback (most recent call last)" in body or 'id="traceback"' in body,
    }
    _request_log.write(json.dumps(line) + "\n")
    _request_log.flush()


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def sign_in(self, username: str) -> None:
        page = self.client.get("/accounts/login/", name="page: sign-in form")
        self.client.post(
            "/accounts/login/",
            {"username": username, "password": SETUP["password"], "csrfmiddlewaretoken": _csrf(page)},
            headers={"Referer": self.host + "/accounts/login/"},
            name="page: sign in",
            allow_redirects=False,
        )
        if "sessionid" not in self.client.cookies:
            raise StopUser(f"{username} could not sign in")


def _csrf(response) -> str:
    match = CSRF.search(response.text or "")
    return match.group(1) if match else ""


class Partner(SignedIn):
    """Fills in the month's grid (175 cells: 25 measures, and 25 broken down by 6), saves, submits."""

    weight = 60
    fixed_count = MIX.get("Partner", 0)

    def on_start(self):
        self.me = SETUP["partners"][next(_partners) % len(SETUP["partners"])]
        self.sign_in(self.me["username"])
        p = SETUP["period"]
        self.grid = (
            f"/initiatives/{SLUG}/measurement/entry/{self.me['organization']}/{p['frequency']}/{p['code']}/"
        )

    @task
    def enter_and_submit(self):
        page = self.client.get(self.grid, name="page: grid")
        if 'name="submit"' not in page.text:
            return  # submitted or approved: locked until the backbone unlocks it
        cells = {}
        for match in CELL.finditer(page.text):
            typed = VALUE.search(match.group(0))
            number = int(float(typed.group(1))) if typed and typed.group(1) else random.randint(10, 90)
            cells[match.group(1)] = str(max(1, min(99, number + random.choice((-1, 0, 1)))))
        form = {"csrfmiddlewaretoken": _csrf(page), **cells}
        with self.client.post(
            self.grid, {**form, "save": ""}, name="page: grid save draft", catch_response=True
        ) as saved:
            # After the backbone unlocked approved data, the save is a correction (issue 16).
            if saved.status_code != 200 or not (
                "Draft saved" in saved.text or "Correction saved" in saved.text
            ):
                saved.failure(f"draft not saved ({saved.status_code})")
                return
        self.wait()
        with self.client.post(
            self.grid, {**form, "submit": ""}, name="page: grid submit", catch_response=True
        ) as submitted:
            if submitted.status_code != 200 or "Submitted for review" not in submitted.text:
                submitted.failure(f"not submitted ({submitted.status_code})")


class Backbone(SignedIn):
    """Approves the submitted grids (an incremental recompute each) and unlocks approved ones: the
    k-th of B backbone users reviews the partners k, k + B, k + 2B, … of those running."""

    fixed_count = MIX.get("Backbone", 1)

    def on_start(self):
        k = next(_backbone)
        accounts = SETUP["backbone"] if isinstance(SETUP["backbone"], list) else [SETUP["backbone"]]
        self.sign_in(accounts[k % len(accounts)])
        running = SETUP["partners"][: MIX.get("Partner") or len(SETUP["partners"])]
        share = running[k % max(1, self.fixed_count) :: max(1, self.fixed_count)] or running
        self.queue = itertools.cycle([p["submission"] for p in share])

    @task
    def review(self):
        self.client.get(f"/initiatives/{SLUG}/measurement/review/", name="page: review queue")
        url = f"/initiatives/{SLUG}/measurement/submissions/{next(self.queue)}/"
        page = self.client.get(url, name="page: submission")
        if 'value="approve"' in page.text:
            self.client.post(
                url, {"csrfmiddlewaretoken": _csrf(page), "action": "approve"}, name="page: approve"
            )
        elif 'value="unlock"' in page.text:
            self.client.post(
                url,
                {"csrfmiddlewaretoken": _csrf(page), "action": "unlock", "reason": "Load test: correction"},
                name="page: unlock",
            )


class Steering(SignedIn):
    """Opens the dashboard, and a measure's page now and then."""

    weight = 25
    fixed_count = MIX.get("Steering", 0)

    def on_start(self):
        self.sign_in(SETUP["steering"][next(_steering) % len(SETUP["steering"])])

    @task(2)
    def dashboard(self):
        self.client.get(f"/initiatives/{SLUG}/measurement/dashboard/", name="page: dashboard")

    @task(3)
    def measure(self):
        code = random.choice(SETUP["measures"])
        self.client.get(f"/initiatives/{SLUG}/measurement/dashboard/{code}/", name="page: measure dashboard")

    @task(1)
    def dashboard_filtered(self):
        self.client.get(
            f"/initiatives/{SLUG}/measurement/dashboard/?from=2024-01-01&to=2025-12-31",
            name="page: dashboard (filtered)",
        )


class Integrator(HttpUser):
    """Mirrors the initiative's numbers: pages of raw values and of aggregates, by cursor."""

    weight = 10
    fixed_count = MIX.get("Integrator", 0)
    wait_time = between(*API_THINK)
    pages = 5

    def on_start(self):
        token = SETUP["tokens"][next(_integrators) % len(SETUP["tokens"])]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def follow(self, url: str, name: str) -> None:
        for _ in range(self.pages):
            with self.client.get(url, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    return
                url = response.json().get("next")
            if not url:
                return
            self.wait()

    @task(2)
    def values_mirror(self):
        """A full mirror: every raw value, 500 a page, in id order (first pages of it)."""
        measure = random.choice(("", "&measure=" + random.choice(SETUP["measures"])))
        self.follow(
            f"/api/v1/initiatives/{SLUG}/values/?page_size=500&ordering=id{measure}", "api: values page"
        )

    @task(1)
    def values_sync(self):
        """The incremental sync of docs/api.md: what changed in the last hour, by updated_at."""
        since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.follow(
            f"/api/v1/initiatives/{SLUG}/values/?page_size=500&ordering=updated_at&updated_since={since}",
            "api: values sync page",
        )

    @task(1)
    def aggregates(self):
        code = random.choice(SETUP["measures"])
        self.follow(
            f"/api/v1/initiatives/{SLUG}/aggregates/?measure={code}&page_size=500", "api: aggregates page"
        )

    @task(1)
    def measures(self):
        self.client.get(f"/api/v1/initiatives/{SLUG}/measures/", name="api: measures")
