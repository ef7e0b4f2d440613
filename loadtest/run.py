"""`make loadtest`: the load test, end to end, on this machine only.

1. the large benchmark initiative in PostgreSQL (`manage.py bench --build-only --reuse`: 100
   organisations × 50 measures × 60 months, 1,050,000 values), in its own database (LOAD_DATABASE_URL,
   default postgres://postgres@127.0.0.1:5432/ci_load, created when missing, migrated);
2. its accounts, tokens and open month (loadtest/prepare.py);
3. a Redis server of its own (redis-server on --redis-port, no persistence; or LOAD_REDIS_URL),
   a Celery worker, and gunicorn (--gunicorn-workers) on 127.0.0.1 with production settings
   (DEBUG off) except plain-HTTP cookies;
4. locust, headless, bounded by --users, --spawn-rate and --run-time, against 127.0.0.1 only;
   With --nodes N, N gunicorn processes on the ports after --port, behind a load balancer
   (HAProxy, Debian's `haproxy`) on --port; with --replica, a streaming replica of the server
   (loadtest/standby.py) on --replica-port, which the nodes read from (DATABASE_REPLICA_URL), with
   each server's transactions counted, each node's requests counted, and the data checked
   afterwards (loadtest/checks.py: nothing half-written, aggregates equal to a clean rebuild);
5. everything stopped, and the figures written to --out: locust's CSV files, every request in
   requests.jsonl, summary.json and summary.md: p50 / p95 / p99 per request, errors and requests
   per second once every user is running (the steady state, after the ramp-up of users / spawn
   rate seconds), against the targets (p95 under 500 ms for pages, under 300 ms for API reads, no
   errors), with the whole run's p95 and errors, ramp-up included, beside them.

Exit status 0 when it ran, whether or not the targets were met (the summary says); 1 when it could not run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TARGETS_MS = {"page": 500, "api": 300}


def log(message: str) -> None:
    print(f"[loadtest {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port}")


class Processes:
    """What the run started, stopped in reverse order whatever happens."""

    def __init__(self, out: Path):
        self.out, self.started, self.cleanups = out, [], []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log_file = open(self.out / f"{name}.log", "w")  # noqa: SIM115 - closed in stop_all
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc, log_file))
        return proc

    def stop_all(self) -> None:
        for name, proc, log_file in reversed(self.started):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop; killing it")
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
            log_file.close()
        for cleanup in reversed(self.cleanups):
            cleanup()


def run(argv: list[str], env: dict) -> None:
    subprocess.run(argv, env=env, cwd=ROOT, check=True)


def alone(port: int, setup: dict, rounds: int = 5) -> dict[str, float]:
    """Each kind of request on its own, one after the other (median ms of `rounds`, after one warm-up):
    the cost of the request itself, against which the figures under load show the queueing."""
    import re
    import statistics

    import requests

    base, slug = f"http://127.0.0.1:{port}", setup["slug"]
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    timings: dict[str, float] = {}

    def signed_in(username: str) -> requests.Session:
        session = requests.Session()
        token = csrf.search(session.get(f"{base}/accounts/login/").text).group(1)
        started = time.perf_counter()
        session.post(
            f"{base}/accounts/login/",
            {"username": username, "password": setup["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        timings["page: sign in"] = (time.perf_counter() - started) * 1000
        return session

    steering, partner = signed_in(setup["steering"][-1]), signed_in(setup["partners"][-1]["username"])
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {setup['tokens'][-1]}"
    me, p, code = setup["partners"][-1], setup["period"], setup["measures"][0]
    cases = {
        "page: sign-in form": (requests.Session(), "/accounts/login/"),
        "page: dashboard": (steering, f"/initiatives/{slug}/measurement/dashboard/"),
        "page: measure dashboard": (steering, f"/initiatives/{slug}/measurement/dashboard/{code}/"),
        "page: grid": (
            partner,
            f"/initiatives/{slug}/measurement/entry/{me['organization']}/{p['frequency']}/{p['code']}/",
        ),
        "api: values page": (api, f"/api/v1/initiatives/{slug}/values/?page_size=500&ordering=id"),
        "api: values sync page": (
            api,
            f"/api/v1/initiatives/{slug}/values/?page_size=500&ordering=updated_at&updated_since=2026-01-01T00:00:00Z",
        ),
        "api: aggregates page": (api, f"/api/v1/initiatives/{slug}/aggregates/?measure={code}&page_size=500"),
        "api: measures": (api, f"/api/v1/initiatives/{slug}/measures/"),
    }
    for name, (session, path) in cases.items():
        times = []
        for _ in range(rounds + 1):
            started = time.perf_counter()
            response = session.get(base + path)
            times.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
        timings[name] = statistics.median(times[1:])
    return {name: round(ms, 1) for name, ms in timings.items()}


def _percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def steady_state(log_path: Path, ramp_up_s: float) -> tuple[dict[str, dict], float]:
    """Each request type's figures from the request log (every request, LOAD_REQUEST_LOG), counting
    only the requests started once every user is running: the first `ramp_up_s` seconds, while the
    users start and sign in (20 password hashes within 10 s), are the figures of fewer users."""
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    if not lines:
        return {}, 0.0
    first, last = min(r["t"] for r in lines), max(r["t"] for r in lines)
    since = first + ramp_up_s
    duration = max(last - since, 1e-9)
    by_name: dict[str, list[dict]] = {}
    for r in lines:
        if r["t"] >= since:
            by_name.setdefault(r["name"], []).append(r)
    stats = {}
    for name, rs in by_name.items():
        ms = sorted(r["ms"] for r in rs)
        stats[name] = {
            "requests": len(rs),
            "failures": sum(1 for r in rs if r["error"] or not r["status"] or r["status"] >= 500),
            "rps": round(len(rs) / duration, 2),
            "p50_ms": _percentile(ms, 0.50),
            "p95_ms": _percentile(ms, 0.95),
            "p99_ms": _percentile(ms, 0.99),
            "max_ms": ms[-1],
        }
    every = sorted(r["ms"] for rs in by_name.values() for r in rs)
    stats["all requests"] = {
        "requests": len(every),
        "failures": sum(s["failures"] for s in stats.values()),
        "rps": round(len(every) / duration, 2),
        "p50_ms": _percentile(every, 0.50),
        "p95_ms": _percentile(every, 0.95),
        "p99_ms": _percentile(every, 0.99),
        "max_ms": every[-1],
    }
    return stats, duration


def summarise(out: Path, meta: dict) -> dict:
    """The figures of the steady state (every user running), against the targets, with the whole
    run's p95 and failures (ramp-up included, locust's own statistics) beside them."""
    whole = {}
    for row in csv.DictReader(open(out / "stats_stats.csv")):  # noqa: SIM115
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        whole[name] = {"method": row["Type"], "requests": int(row["Request Count"]),
                       "failures": int(row["Failure Count"]), "p95_ms": float(row["95%"])}  # fmt: skip
    steady, duration = steady_state(out / "requests.jsonl", meta["ramp_up_s"])
    requests = []
    for name in sorted(set(whole) | set(steady), key=lambda n: (n == "all requests", n)):
        kind = "api" if name.startswith("api:") else "page" if name.startswith("page:") else "total"
        s = steady.get(name)
        entry = {
            "name": name,
            "method": whole.get(name, {}).get("method", ""),
            "kind": kind,
            **(s or {"requests": 0, "failures": 0, "rps": 0.0}),
            "whole_run_requests": whole.get(name, {}).get("requests", 0),
            "whole_run_failures": whole.get(name, {}).get("failures", 0),
            "whole_run_p95_ms": whole.get(name, {}).get("p95_ms"),
            "alone_ms": meta["alone_ms"].get(name),
        }
        target = TARGETS_MS.get(kind)
        # Signing in is once per user and is slow by design (the password hash): reported, not targeted.
        if target and "sign in" not in name and s:
            entry["target_p95_ms"] = target
            entry["met"] = s["p95_ms"] < target and s["failures"] == 0 and entry["whole_run_failures"] == 0
        requests.append(entry)
    total = next(r for r in requests if r["kind"] == "total")
    targeted = [r for r in requests if "met" in r]
    summary = {
        **meta,
        "steady_state_seconds": round(duration, 1),
        "requests": requests,
        "total_requests": total["whole_run_requests"],
        "total_failures": total["whole_run_failures"],
        "rps": total["rps"],
        "all_targets_met": all(r["met"] for r in targeted) and total["whole_run_failures"] == 0,
        "missed": [r["name"] for r in targeted if not r["met"]],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    lines = [
        f"Load test {meta['finished']} — {meta['users']} users, {meta['run_time']}, {meta['machine']}"
        f" (before the run: {', '.join(map(str, meta['load_average_before']))})",
        "",
        f"Steady state: the {duration:.0f} s after the ramp-up (the first {meta['ramp_up_s']:.0f} s, while the"
        f" users start at {meta['spawn_rate']:g} a second and sign in), every request from the request log"
        " (nearest-rank percentiles). Whole run: locust's figures, ramp-up included.",
        "",
        "| request | n | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | target p95 | met "
        "| whole run: n | failures | p95 ms | alone ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]

    def ms(value) -> str:
        return "" if value is None else f"{value:.0f}"

    for r in requests:
        met = {True: "yes", False: "**no**"}.get(r.get("met"), "")
        target = f"< {r['target_p95_ms']}" if "target_p95_ms" in r else ""
        lines.append(
            f"| {r['method']} {r['name']} | {r['requests']} | {r['failures']} | {r['rps']} | {ms(r.get('p50_ms'))} "
            f"| {ms(r.get('p95_ms'))} | {ms(r.get('p99_ms'))} | {ms(r.get('max_ms'))} | {target} | {met} "
            f"| {r['whole_run_requests']} | {r['whole_run_failures']} | {ms(r['whole_run_p95_ms'])} "
            f"| {ms(r['alone_ms'])} |"
        )
    lines += ["", f"Worker: {meta['worker']}", ""]
    if meta.get("nodes", 1) > 1 or meta.get("replica"):
        lines += [
            f"Nodes: {meta['nodes']} gunicorn processes behind HAProxy" if meta["nodes"] > 1 else "Nodes: 1",
            f"Requests per node (access logs): {meta['requests_per_node']}",
            "Database work during the run (pg_stat_database of the load database, each server): "
            + json.dumps(meta["database_counts_during_the_run"]),
            "Data checks after the run: "
            + json.dumps((meta.get("data_checks") or {}).get("checks", meta.get("data_checks"))),
            "",
        ]
    (out / "summary.md").write_text("\n".join(lines))
    return summary


HAPROXY_CFG = """global
    maxconn 4000
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    retries 2
    option redispatch
frontend http
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
{servers}
"""


def database_stats(url: str) -> dict[str, int]:
    """The server's own counts for the load database (pg_stat_database): transactions and rows read."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched FROM pg_stat_database"
            " WHERE datname = current_database()"
        )
        transactions, rows = cursor.fetchone()
    conn.close()
    return {"transactions": int(transactions), "rows_read": int(rows)}


def with_port(url: str, port: int) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{port}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--run-time", default="5m")
    parser.add_argument("--port", type=int, default=8055)
    parser.add_argument("--redis-port", type=int, default=6391)
    # gunicorn.conf.py's default, 2 × cores + 1 (also docker-compose.yml's).
    # With several nodes, that many workers in all, shared between them.
    parser.add_argument("--gunicorn-workers", type=int, default=0, help="per node")
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="gunicorn processes, each on its own port, behind HAProxy on --port",
    )
    parser.add_argument(
        "--replica", action="store_true", help="a streaming replica on --replica-port, read by the nodes"
    )
    parser.add_argument("--replica-port", type=int, default=5499)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "loadtest")
    parser.add_argument("--skip-build", action="store_true", help="use the database as it is")
    args = parser.parse_args()
    if not args.gunicorn_workers:
        args.gunicorn_workers = max(1, math.ceil((2 * (os.cpu_count() or 1) + 1) / args.nodes))
    if args.nodes > 1 and shutil.which("haproxy") is None:
        log("--nodes needs HAProxy as the load balancer: apt-get install haproxy")
        return 1

    if shutil.which("locust", path=str(Path(PY).parent)) is None:
        log("locust is missing: pip install -e '.[load]' (make loadtest does)")
        return 1
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ci_load")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "PLAIN_STATIC": "true",
        "SECURE_COOKIES": "false",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }
    procs = Processes(out)
    try:
        if redis_url := os.environ.get("LOAD_REDIS_URL"):
            env["REDIS_URL"], env["REDIS_CACHE_URL"] = redis_url, redis_url.rsplit("/", 1)[0] + "/1"
        else:
            procs.start(
                "redis",
                ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no"],
                env,
            )
            wait_port(args.redis_port)
            env["REDIS_URL"] = f"redis://127.0.0.1:{args.redis_port}/0"
            env["REDIS_CACHE_URL"] = f"redis://127.0.0.1:{args.redis_port}/1"
        if not args.skip_build:
            log(f"database {database_url.rsplit('@', 1)[-1]}: create, migrate, build (or reuse) the data")
            run([PY, "-m", "measurement.management.bench_db"], env)
            run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
            run([PY, "manage.py", "bench", "--build-only", "--reuse", "--skip-backbone"], env)
        setup = out / "setup.json"
        run([PY, "loadtest/prepare.py", str(setup)], env)
        env["LOAD_SETUP"] = str(setup)
        request_log = out / "requests.jsonl"  # every request (locustfile.py): the steady-state figures
        request_log.unlink(missing_ok=True)
        env["LOAD_REQUEST_LOG"] = str(request_log)

        node_env = dict(env)
        standby_data = None
        if args.replica:
            import tempfile

            sys.path.insert(0, str(ROOT))
            from loadtest import standby

            if reason := standby.unavailable():
                log(f"--replica {reason}")
                return 1
            standby_data = Path(tempfile.mkdtemp(prefix="ci-load-replica-"))
            log(f"a streaming replica on 127.0.0.1:{args.replica_port} (pg_basebackup of the whole server)")
            from urllib.parse import urlsplit

            primary = urlsplit(database_url)
            started_copy = time.monotonic()
            standby.start(
                primary_host=primary.hostname or "127.0.0.1",
                primary_port=primary.port or 5432,
                port=args.replica_port,
                data=standby_data,
            )
            procs.cleanups.append(lambda: standby.stop(standby_data))
            log(f"replica ready in {time.monotonic() - started_copy:.0f} s")
            node_env["DATABASE_REPLICA_URL"] = with_port(database_url, args.replica_port)

        worker = procs.start(
            "worker",
            [PY, "-m", "celery", "-A", "ci_platform", "worker", "--concurrency=1", "-l", "info"]
            + ["--without-gossip", "--without-mingle"],
            env,
        )
        node_ports = [args.port] if args.nodes == 1 else [args.port + 1 + i for i in range(args.nodes)]
        for number, node_port in enumerate(node_ports, start=1):
            procs.start(
                "gunicorn" if args.nodes == 1 else f"gunicorn-{number}",
                [PY, "-m", "gunicorn", "-c", "gunicorn.conf.py", "ci_platform.wsgi:application"]
                + ["--bind", f"127.0.0.1:{node_port}"]
                + ["--workers", str(args.gunicorn_workers), "--access-logfile", "-", "--error-logfile", "-"]
                # Each request's own time in the server (ms) and the worker that served it.
                + ["--access-logformat", '%(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'],
                node_env,
            )
        for node_port in node_ports:
            wait_port(node_port)
        if args.nodes > 1:
            servers = "\n".join(
                f"    server node{i} 127.0.0.1:{p} check" for i, p in enumerate(node_ports, 1)
            )
            (out / "haproxy.cfg").write_text(HAPROXY_CFG.format(port=args.port, servers=servers))
            procs.start("haproxy", ["haproxy", "-db", "-f", str(out / "haproxy.cfg")], env)
            wait_port(args.port)
        replica_url = node_env.get("DATABASE_REPLICA_URL")
        counts_before = {"primary": database_stats(database_url)}
        if replica_url:
            counts_before["replica"] = database_stats(replica_url)
        log("each request alone first")
        alone_ms = alone(args.port, json.loads(setup.read_text()))
        log(f"locust: {args.users} users for {args.run_time} against 127.0.0.1:{args.port}")
        started = datetime.now(UTC)
        load_before = [round(x, 2) for x in os.getloadavg()]
        run(
            [str(Path(PY).parent / "locust"), "-f", "loadtest/locustfile.py", "--headless"]
            + ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time]
            + ["--host", f"http://127.0.0.1:{args.port}", "--csv", str(out / "stats"), "--only-summary"]
            + ["--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING"],
            env,
        )
        time.sleep(5)  # the worker finishes what the last approvals queued
        worker_log = (out / "worker.log").read_text()
        succeeded = worker_log.count("succeeded in")
        failed = worker_log.count("] raised ")
        if worker.poll() is not None:
            log("the worker died during the run")
        servers = {"primary": database_stats(database_url)}
        if replica_url:
            servers["replica"] = database_stats(replica_url)
        database_counts = {
            name: {key: value - counts_before[name][key] for key, value in now.items()}
            for name, now in servers.items()
        }
        per_node = {}
        if args.nodes > 1:
            for number in range(1, args.nodes + 1):
                text = (out / f"gunicorn-{number}.log").read_text()
                per_node[f"node {number}"] = sum(
                    1 for line in text.splitlines() if '" ' in line and "ms pid=" in line
                )
        data_checks = None
        if args.nodes > 1 or args.replica:
            log("data checks: nothing half-written, aggregates equal to a clean rebuild")
            checked = subprocess.run(
                [PY, "loadtest/checks.py", str(setup)], env=env, cwd=ROOT, capture_output=True, text=True
            )
            data_checks = (
                json.loads(checked.stdout) if checked.returncode == 0 else {"error": checked.stderr[-2000:]}
            )
        meta = {
            "nodes": args.nodes,
            "replica": bool(args.replica),
            "database_counts_during_the_run": database_counts,
            "requests_per_node": per_node,
            "data_checks": data_checks,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "run_time": args.run_time,
            "gunicorn_workers": args.gunicorn_workers,
            "load_average_before": load_before,
            "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, load average at the end "
            + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
            "worker": f"{succeeded} tasks succeeded, {failed} failed",
            "alone_ms": alone_ms,
            "ramp_up_s": args.users / args.spawn_rate,
        }
    finally:
        procs.stop_all()
    summary = summarise(out, meta)
    print((out / "summary.md").read_text())
    log(f"figures in {out}/summary.json and summary.md; targets met: {summary['all_targets_met']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
