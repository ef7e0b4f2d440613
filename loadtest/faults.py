"""`make faults`: PostgreSQL restarted and Redis stopped under load, on servers of its own.

Starts a throwaway PostgreSQL cluster (initdb into a temporary folder, as the `postgres` user when
run as root, on --pg-port) and a Redis server without persistence (--redis-port); never the
machine's shared ones. On them: a small benchmark initiative (manage.py bench --build-only at a
small size), the load test's accounts (prepare.py), gunicorn, and a Celery worker with beat (the
aggregates catch-up every 10 seconds). Then the load test's users (loadtest/locustfile.py) for
--run-time, while the script

* stops PostgreSQL (fast shutdown: open sessions are cut), keeps it down for --pg-down seconds and
  starts it again;
* later stops Redis (SIGTERM; it keeps nothing, so queued messages are lost too) for
  --redis-down seconds and starts it again.

Every request's outcome goes to a log (LOAD_REQUEST_LOG). The checks, written to --out as
summary.json and summary.md:

1. no answer anywhere showed a traceback, and no answer was a 500;
2. failures only while PostgreSQL was down (and --grace seconds after), each a 503 or a refused
   connection; none while Redis was down;
3. the platform recovered by itself: every request after the grace period succeeded, with the
   same gunicorn and worker processes (no restart);
4. no half-written submission: each load partner's open month holds the whole grid or nothing;
5. nothing lost: once the catch-up has run, no recomputation is pending, and the aggregates equal
   a clean full rebuild of the same data.

Exit status 0 when every check passed, 1 otherwise. The tests in tests/faults/ run in CI; this
one needs minutes and its own servers.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from run import PY, ROOT, Processes, log, run, wait_port


class OwnPostgres:
    """A throwaway cluster. initdb refuses root, so as root it runs as the `postgres` user."""

    def __init__(self, port: int):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not bins:
            raise SystemExit("PostgreSQL server binaries are missing (apt-get install postgresql)")
        self.bin = Path(bins[-1]).parent
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="ci-faults-pg-"))
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, cwd=self.dir, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.dir / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def analyse(requests: list[dict], timeline: dict, grace: float) -> dict:
    pg_down, pg_up = timeline["pg_down"], timeline["pg_up"]
    redis_down, redis_up = timeline["redis_down"], timeline["redis_up"]

    def failed(r):
        return r["error"] != "" or not (200 <= r["status"] < 400)

    def overlaps(r, start, end):  # the request was in flight at some time between start and end
        return r["t"] <= end and r["t"] + r["ms"] / 1000 >= start

    def phase(r):
        if overlaps(r, pg_down, pg_up + grace):
            return "postgres down"
        if overlaps(r, redis_down, redis_up):
            return "redis down"
        if r["t"] > pg_up + grace:
            return "after"
        return "before"

    phases: dict[str, dict] = {}
    for r in requests:
        p = phases.setdefault(
            phase(r), {"requests": 0, "failures": 0, "statuses": {}, "errors": {}, "tracebacks": 0}
        )
        p["requests"] += 1
        p["tracebacks"] += r["traceback"]
        if failed(r):
            p["failures"] += 1
            key = str(r["status"]) if r["status"] else r["error"].split("(")[0]
            p["errors" if not r["status"] else "statuses"][key] = (
                p["errors" if not r["status"] else "statuses"].get(key, 0) + 1
            )
    first_ok_after = min((r["t"] for r in requests if r["t"] >= pg_up and not failed(r)), default=None)
    down = phases.get("postgres down", {"statuses": {}})
    checks = {
        "no traceback in any answer": sum(p["tracebacks"] for p in phases.values()) == 0,
        "no 500 answer": all("500" not in p["statuses"] for p in phases.values()),
        "failures while PostgreSQL was down are 503s or refused connections": set(down["statuses"])
        <= {"503"},
        "requests were served while PostgreSQL was down or restarting (the test hit the outage)": down.get(
            "requests", 0
        )
        > 0,
        "no failure before the outage": phases.get("before", {}).get("failures", 0) == 0,
        "no failure while Redis was down": phases.get("redis down", {}).get("failures", 1) == 0,
        "every request succeeded after recovery": phases.get("after", {}).get("failures", 1) == 0,
    }
    return {
        "phases": phases,
        "recovered_seconds_after_start": None if first_ok_after is None else round(first_ok_after - pg_up, 2),
        "checks": checks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-port", type=int, default=5440)
    parser.add_argument("--redis-port", type=int, default=6392)
    parser.add_argument("--port", type=int, default=8056)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--run-time", type=int, default=110, help="seconds of load")
    parser.add_argument("--pg-at", type=float, default=45, help="seconds into the load: PostgreSQL stops")
    parser.add_argument("--pg-down", type=float, default=8)
    # Redis comes back after the load has ended, so that only beat's catch-up can apply what the
    # approvals made while it was down left pending (no later approval of the same month does it).
    parser.add_argument("--redis-at", type=float, default=80)
    parser.add_argument("--redis-down", type=float, default=45)
    parser.add_argument("--grace", type=float, default=5, help="seconds after PostgreSQL is back")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "faults")
    args = parser.parse_args()
    locust = Path(PY).parent / "locust"
    if not locust.exists() or shutil.which("redis-server") is None:
        log("needs locust (pip install -e '.[load]', make faults does) and redis-server")
        return 1
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    request_log = out / "requests.jsonl"
    request_log.unlink(missing_ok=True)

    postgres = OwnPostgres(args.pg_port)
    procs = Processes(out)
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{args.pg_port}/ci_faults",
        "REDIS_URL": f"redis://127.0.0.1:{args.redis_port}/0",
        "REDIS_CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/1",
        "DEBUG": "false",
        "PLAIN_STATIC": "true",
        "SECURE_COOKIES": "false",
        "SECRET_KEY": os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "AGGREGATES_CATCH_UP_SECONDS": "10",
        "LOAD_REQUEST_LOG": str(request_log),
    }
    redis_argv = ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", ""]
    redis_argv += ["--appendonly", "no"]
    timeline: dict[str, float] = {}
    result: dict = {}
    try:
        log(f"own PostgreSQL on 127.0.0.1:{args.pg_port} ({postgres.dir}), own Redis on {args.redis_port}")
        postgres.init()
        postgres.start()
        redis = procs.start("redis", redis_argv, env)
        wait_port(args.redis_port)
        run([PY, "-m", "measurement.management.bench_db"], env)
        run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        run(
            [PY, "manage.py", "bench", "--build-only", "--orgs", "10", "--measures", "8", "--periods", "12"],
            env,
        )
        setup = out / "setup.json"
        run(
            [
                PY,
                "loadtest/prepare.py",
                str(setup),
                "--partners",
                "6",
                "--steering",
                "3",
                "--integrators",
                "2",
            ],
            env,
        )
        env["LOAD_SETUP"] = str(setup)
        worker = procs.start(
            "worker",
            [PY, "-m", "celery", "-A", "ci_platform", "worker", "-B", "--concurrency=1", "-l", "info"]
            + ["--without-gossip", "--without-mingle", "--schedule", str(out / "beat-schedule")],
            env,
        )
        gunicorn = procs.start(
            "gunicorn",
            [PY, "-m", "gunicorn", "ci_platform.wsgi:application", "--bind", f"127.0.0.1:{args.port}"]
            + ["--workers", "2", "--error-logfile", "-"],
            env,
        )
        wait_port(args.port)
        gunicorn_workers_before = _children(gunicorn.pid)

        load = subprocess.Popen(
            [str(locust), "-f", "loadtest/locustfile.py", "--headless", "--users", str(args.users)]
            + [
                "--spawn-rate",
                "2",
                "--run-time",
                f"{args.run_time}s",
                "--host",
                f"http://127.0.0.1:{args.port}",
            ]
            + [
                "--only-summary",
                "--stop-timeout",
                "10",
                "--exit-code-on-error",
                "0",
                "--loglevel",
                "WARNING",
            ],
            env=env,
            cwd=ROOT,
            stdout=open(out / "locust.log", "w"),  # noqa: SIM115 - the process owns it
            stderr=subprocess.STDOUT,
        )
        start = time.time()

        def at(seconds: float) -> None:
            time.sleep(max(0.0, start + seconds - time.time()))

        at(args.pg_at)
        log("PostgreSQL: fast shutdown")
        timeline["pg_down"] = time.time()
        postgres.stop()
        time.sleep(args.pg_down)
        postgres.start()
        timeline["pg_up"] = time.time()
        log(f"PostgreSQL: up again after {timeline['pg_up'] - timeline['pg_down']:.1f} s")

        at(args.redis_at)
        log("Redis: stopped")
        timeline["redis_down"] = time.time()
        redis.terminate()
        redis.wait(timeout=30)
        time.sleep(args.redis_down)
        procs.start("redis-again", redis_argv, env)
        wait_port(args.redis_port)
        timeline["redis_up"] = time.time()
        log(f"Redis: up again after {timeline['redis_up'] - timeline['redis_down']:.1f} s (empty)")
        load.wait(timeout=args.run_time + 120)
        requests = [json.loads(line) for line in request_log.read_text().splitlines()]
        result = analyse(requests, timeline, args.grace)
        result["checks"]["the same gunicorn and worker processes served throughout"] = (
            gunicorn.poll() is None
            and worker.poll() is None
            and _children(gunicorn.pid) == gunicorn_workers_before
        )
        log("waiting for the pending recomputations (beat's catch-up every 10 s)")
        check = subprocess.run(
            [PY, "loadtest/checks.py", str(setup)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        data = json.loads(check.stdout or "{}")
        if check.returncode != 0 or not data:
            log(check.stderr[-3000:])
        result["data"] = data
        caught_up = [
            int(n)
            for n in re.findall(
                r"aggregates_catch_up_task\[[^]]+\] succeeded in [^:]+: (\d+)",
                (out / "worker.log").read_text(),
            )
        ]
        result["catch_up"] = {"runs": len(caught_up), "groups_recomputed": sum(caught_up)}
        refused = (
            (out / "gunicorn.log")
            .read_text()
            .count("broker unavailable, measurement.tasks.aggregates_update")
        )
        result["updates_not_queued_while_redis_was_down"] = refused
        result["checks"]["approvals while Redis was down left work pending, and beat's catch-up did it"] = (
            refused > 0 and result["catch_up"]["groups_recomputed"] > 0
        )
        result["checks"].update(data.get("checks", {"data checks ran": False}))
    finally:
        procs.stop_all()
        postgres.remove()
    result["timeline"] = {
        k: datetime.fromtimestamp(v, UTC).isoformat(timespec="seconds") for k, v in timeline.items()
    }
    result["machine"] = f"{os.cpu_count()} CPUs, load average " + ", ".join(
        f"{x:.2f}" for x in os.getloadavg()
    )
    result["passed"] = all(result["checks"].values())
    (out / "summary.json").write_text(json.dumps(result, indent=1))
    lines = [
        f"Faults run {result['timeline'].get('pg_down', '')}: {'PASSED' if result['passed'] else 'FAILED'}",
        "",
    ]
    lines += [f"- [{'x' if ok else ' '}] {name}" for name, ok in result["checks"].items()]
    lines += [
        "",
        "| phase | requests | failures | statuses | connection errors |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for name, p in result.get("phases", {}).items():
        lines.append(f"| {name} | {p['requests']} | {p['failures']} | {p['statuses']} | {p['errors']} |")
    lines += [
        "",
        f"Recovered {result.get('recovered_seconds_after_start')} s after PostgreSQL was back. "
        f"Updates not queued while Redis was down: {result.get('updates_not_queued_while_redis_was_down')}; "
        f"beat's catch-up: {result.get('catch_up')}.",
        "",
    ]
    (out / "summary.md").write_text("\n".join(lines))
    print((out / "summary.md").read_text())
    return 0 if result["passed"] else 1


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return sorted(int(p) for p in path.read_text().split()) if path.exists() else []


if __name__ == "__main__":
    threading.excepthook = lambda args: log(f"thread failed: {args.exc_value!r}")
    sys.exit(main())
