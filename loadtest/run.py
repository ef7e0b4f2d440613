"""`make loadtest`: the load test, end to end, on this machine only.

1. the large benchmark initiative in PostgreSQL (`manage.py bench --build-only --reuse`: 100
   organisations × 50 measures × 60 months, 1,050,000 values), in its own database (LOAD_DATABASE_URL,
   default postgres://postgres@127.0.0.1:5432/ci_load, created when missing, migrated);
2. its accounts, tokens and open month (loadtest/prepare.py);
3. a Redis server of its own (redis-server on --redis-port, no persistence; or LOAD_REDIS_URL),
   a Celery worker, and gunicorn (--gunicorn-workers) on 127.0.0.1 with production settings
   (DEBUG off) except plain-HTTP cookies;
4. locust, headless, bounded by --users, --spawn-rate and --run-time, against 127.0.0.1 only, with
   issue 22's month-end mix (of 100 users: 60 partners submitting the same month, 25 steering
   members, 5 backbone staff, 10 integrators; `mix` rounds it for other counts); with --steps
   25,50,75,100 one such run per user count, the servers kept, then the capacity model
   (capacity.md: requests/s per core, the largest user count that met every target);
   With --nodes N, N gunicorn processes on the ports after --port, behind a load balancer
   (HAProxy, Debian's `haproxy`) on --port; with --replica, a streaming replica of the server
   (loadtest/standby.py) on --replica-port, which the nodes read from (DATABASE_REPLICA_URL), with
   each server's transactions counted, each node's requests counted, and the data checked
   afterwards (loadtest/checks.py: nothing half-written, aggregates equal to a clean rebuild);
5. everything stopped, and the figures written to --out: locust's CSV files, every request in
   requests.jsonl, summary.json and summary.md: p50 / p95 / p99 per request, errors and requests
   per second once every user is running (the steady state, after the ramp-up of users / spawn
   rate seconds), against the targets (p95 under 500 ms for pages, under 300 ms for API reads, no
   errors), with the whole run's p95 and errors, ramp-up included, beside them; where the time
   goes: each request type's share of the time spent waiting for answers, and the CPU seconds of
   each server process (gunicorn, the worker, Redis, locust, the load database's PostgreSQL
   backends) during the run.

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
# Issue 22's month-end, per 100 users (the locustfile's classes).
MONTH_END = {"Partner": 60, "Steering": 25, "Backbone": 5, "Integrator": 10}


def mix(users: int) -> dict[str, int]:
    """The month-end mix for `users` (largest remainders; at least one backbone user to review):
    100 -> 60, 25, 5, 10; 25 -> 15, 6, 1, 3; 20 -> 12, 5, 1, 2."""
    if users < 2:
        raise SystemExit("the mix needs at least 2 users (a partner and a backbone reviewer)")
    exact = {name: users * share / 100 for name, share in MONTH_END.items()}
    counts = {name: math.floor(x) for name, x in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - counts[name], reverse=True)
    for name in by_remainder[: users - sum(counts.values())]:
        counts[name] += 1
    for needed in ("Backbone", "Partner"):
        if counts[needed] == 0:
            donor = max(
                ("Steering", "Integrator", "Partner"), key=lambda name: counts[name] - (name == needed)
            )
            counts[needed], counts[donor] = 1, counts[donor] - 1
    return counts


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
            "total_s": round(sum(ms) / 1000, 1),
        }
    every = sorted(r["ms"] for rs in by_name.values() for r in rs)
    waited = sum(every) or 1.0
    for s in stats.values():
        s["time_share"] = round(s["total_s"] * 1000 / waited, 3)
    stats["all requests"] = {
        "requests": len(every),
        "failures": sum(s["failures"] for s in stats.values()),
        "rps": round(len(every) / duration, 2),
        "p50_ms": _percentile(every, 0.50),
        "p95_ms": _percentile(every, 0.95),
        "p99_ms": _percentile(every, 0.99),
        "max_ms": every[-1],
        "total_s": round(waited / 1000, 1),
        "time_share": 1.0,
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
        "rps_per_core": round(total["rps"] / meta["cpus"], 2),
        "p95_pages_ms": _p95_of(steady, "page"),
        "p95_api_ms": _p95_of(steady, "api"),
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
        "| whole run: n | failures | p95 ms | alone ms | share of time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
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
            f"| {ms(r['alone_ms'])} | {_share(r.get('time_share'))} |"
        )
    lines += [
        "",
        f"Requests/s: {summary['rps']} in the steady state, {summary['rps_per_core']} per core"
        f" ({meta['cpus']} cores). Users: {json.dumps(meta['mix'])}, {meta.get('think_s', '1-3')} s between a"
        f" person's requests, {meta.get('api_think_s', '0.5-1.5')} s between an integrator's.",
        f"Worker: {meta['worker']}",
        "",
        "CPU seconds during the locust run (share of the machine's CPU time over the run):",
        "",
        "| process | CPU s | share |",
        "| --- | ---: | ---: |",
        *(f"| {name} | {sec:.1f} | {_share(share)} |" for name, (sec, share) in meta["cpu"].items()),
        "",
    ]
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


def _share(value) -> str:
    return "" if value is None else f"{100 * value:.0f} %"


def _p95_of(steady: dict, kind: str) -> float | None:
    """The largest p95 of the request types of a kind (the targets are per request type)."""
    p95 = [s["p95_ms"] for name, s in steady.items() if name.startswith(f"{kind}:") and "sign in" not in name]
    return max(p95) if p95 else None


# --- where the CPU goes: /proc, for the process groups this run started and the database's backends


def _cpu_of(pids) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15]) / tick  # utime stime cutime cstime
    return total


def _group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _machine_cpu() -> float:
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    busy = sum(int(x) for i, x in enumerate(fields) if i not in (3, 4))  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(procs: Processes, database_url: str) -> dict:
    import psycopg2

    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    conn.close()
    groups: dict[str, dict[int, float]] = {}
    for name, proc, _log in procs.started:
        kind = name.split("-")[0]
        for pid in _group(proc.pid):
            groups.setdefault(kind, {})[pid] = _cpu_of([pid])
    groups["postgresql (the load database)"] = {pid: _cpu_of([pid]) for pid in backends}
    children = os.times()
    groups["locust"] = {0: children.children_user + children.children_system}
    return {"machine": _machine_cpu(), "wall": time.monotonic(), "groups": groups}


def cpu_between(before: dict, after: dict) -> dict[str, tuple[float, float]]:
    """CPU seconds per process kind between two snapshots (a process seen only at the end counts
    whole) and the share of the machine's busy CPU time; the rest is other work on the machine."""
    machine = max(after["machine"] - before["machine"], 1e-9)
    capacity = (after["wall"] - before["wall"]) * (os.cpu_count() or 1)
    out: dict[str, tuple[float, float]] = {}
    for kind, pids in after["groups"].items():
        seconds = sum(max(0.0, t - before["groups"].get(kind, {}).get(pid, 0.0)) for pid, t in pids.items())
        out[kind] = (round(seconds, 1), seconds / capacity)
    ours = sum(sec for sec, _ in out.values())
    out["everything else on the machine (other PostgreSQL work, other users)"] = (
        round(max(0.0, machine - ours), 1),
        max(0.0, machine - ours) / capacity,
    )
    out["idle"] = (round(max(0.0, capacity - machine), 1), max(0.0, capacity - machine) / capacity)
    return out


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


def load_step(args, users, out, env, procs, worker, database_url, replica_url, setup, alone_ms, last) -> dict:
    """One locust run of `users` (the month-end mix) against the running servers; its summary."""
    counts = mix(users)
    step_env = {**env, "LOAD_MIX": json.dumps(counts), "LOAD_REQUEST_LOG": str(out / "requests.jsonl")}
    (out / "requests.jsonl").unlink(missing_ok=True)
    worker_log = procs.out / "worker.log"
    worker_before = worker_log.read_text()
    counts_before = {"primary": database_stats(database_url)}
    if replica_url:
        counts_before["replica"] = database_stats(replica_url)
    log(f"locust: {users} users {counts} for {args.run_time} against 127.0.0.1:{args.port}")
    started = datetime.now(UTC)
    load_before = [round(x, 2) for x in os.getloadavg()]
    cpu_before = cpu_snapshot(procs, database_url)
    run(
        [str(Path(PY).parent / "locust"), "-f", "loadtest/locustfile.py", "--headless"]
        + ["--users", str(users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time]
        + ["--host", f"http://127.0.0.1:{args.port}", "--csv", str(out / "stats"), "--only-summary"]
        + ["--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING"],
        step_env,
    )
    cpu = cpu_between(cpu_before, cpu_snapshot(procs, database_url))
    time.sleep(5)  # the worker finishes what the last approvals queued
    worker_text = worker_log.read_text()[len(worker_before) :]
    succeeded = worker_text.count("succeeded in")
    failed = worker_text.count("] raised ")
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
            text = (procs.out / f"gunicorn-{number}.log").read_text()
            per_node[f"node {number}"] = sum(
                1 for line in text.splitlines() if '" ' in line and "ms pid=" in line
            )
    data_checks = None
    if last and (args.nodes > 1 or args.replica):
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
        "users": users,
        "mix": counts,
        "spawn_rate": args.spawn_rate,
        "run_time": args.run_time,
        "think_s": args.think,
        "api_think_s": args.api_think,
        "gunicorn_workers": args.gunicorn_workers,
        "cpus": os.cpu_count() or 1,
        "cpu": cpu,
        "load_average_before": load_before,
        "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, load average at the end "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        "worker": f"{succeeded} tasks succeeded, {failed} failed",
        "alone_ms": alone_ms,
        "ramp_up_s": users / args.spawn_rate,
    }
    summary = summarise(out, meta)
    log(f"{users} users: {summary['rps']} requests/s, targets met: {summary['all_targets_met']}")
    return summary


def capacity(out: Path, summaries: list[dict]) -> dict:
    """The step run's capacity model: per user count, requests/s, the slowest p95 of the pages and
    of the API reads, errors, whether every target was met; then requests/s per core and the
    largest user count that met every target."""
    cpus = os.cpu_count() or 1
    # The capacity is the largest count at which that step and every smaller one met the targets: a
    # smaller step that missed means the margin is not there, whatever a larger step did after it.
    ordered = sorted(summaries, key=lambda s: s["users"])
    best = None
    for s in ordered:
        if not s["all_targets_met"]:
            break
        best = s
    missed_below = [s["users"] for s in ordered if not s["all_targets_met"]]
    model = {
        "cpus": cpus,
        "steps": [
            {
                key: s[key]
                for key in (
                    "users",
                    "mix",
                    "rps",
                    "rps_per_core",
                    "p95_pages_ms",
                    "p95_api_ms",
                    "total_requests",
                    "total_failures",
                    "all_targets_met",
                    "missed",
                )  # fmt: skip
            }
            for s in summaries
        ],
        "largest_user_count_meeting_targets": best["users"] if best else None,
        "rps_at_that_count": best["rps"] if best else None,
        "rps_per_core_at_that_count": best["rps_per_core"] if best else None,
        "requests_per_user_per_s": round(best["rps"] / best["users"], 3) if best else None,
    }
    (out / "capacity.json").write_text(json.dumps(model, indent=1))

    def ms(value) -> str:
        return "" if value is None else f"{value:.0f}"

    lines = [
        f"Capacity model ({cpus} cores; each step its own locust run of {summaries[0]['run_time']},"
        " steady state only; the per-request tables are in users-N/summary.md)",
        "",
        "| users | partners / steering / backbone / integrators | requests/s | per core | slowest p95,"
        " pages ms | slowest p95, API ms | errors (whole run) | every target met | missed |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for s in model["steps"]:
        m = s["mix"]
        lines.append(
            f"| {s['users']} | {m['Partner']} / {m['Steering']} / {m['Backbone']} / {m['Integrator']} | {s['rps']}"
            f" | {s['rps_per_core']} | {ms(s['p95_pages_ms'])} | {ms(s['p95_api_ms'])} | {s['total_failures']}"
            f" | {'yes' if s['all_targets_met'] else '**no**'} | {', '.join(s['missed'])} |"
        )
    lines += [""]
    if best and best is ordered[-1]:
        lines.append(
            f"Every step met the targets, up to **{best['users']}** users ({best['rps']} requests/s,"
            f" {best['rps_per_core']} per core): the capacity is above the largest step."
        )
    elif best:
        lines.append(
            f"Largest user count meeting every target, with every smaller step: **{best['users']}**"
            f" ({best['rps']} requests/s, {best['rps_per_core']} per core;"
            f" {model['requests_per_user_per_s']} requests/s per user of this mix); the step of"
            f" {missed_below[0]} users missed a target."
        )
    else:
        lines.append(
            f"The smallest step ({ordered[0]['users']} users) missed a target: no capacity is shown."
        )
    if missed_below and any(s["all_targets_met"] for s in ordered if s["users"] > missed_below[0]):
        lines.append(
            "A larger step met every target after a smaller one missed: the p95 of a request that few"
            " users make rests on a handful of its slowest answers, so one run does not place the"
            " limit; repeat the steps."
        )
    (out / "capacity.md").write_text("\n".join(lines) + "\n")
    return model


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=2)
    parser.add_argument("--run-time", default="5m")
    parser.add_argument("--think", default="1-3", help="seconds between a person's requests, low-high (1-3)")
    parser.add_argument(
        "--api-think", default="0.5-1.5", help="seconds between an integrator's requests, low-high (0.5-1.5)"
    )
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
    parser.add_argument(
        "--steps",
        help="user counts, e.g. 25,50,75,100: one run of --run-time each, the servers kept, then the"
        " capacity model (capacity.md); instead of --users",
    )
    args = parser.parse_args()
    steps = sorted({int(x) for x in args.steps.split(",")}) if args.steps else [args.users]
    accounts = mix(max(steps))
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
        # Accounts for the largest mix (each partner of its own organisation).
        run(
            [PY, "loadtest/prepare.py", str(setup)]
            + ["--partners", str(accounts["Partner"]), "--steering", str(accounts["Steering"])]
            + ["--backbone", str(accounts["Backbone"]), "--integrators", str(accounts["Integrator"])],
            env,
        )
        env["LOAD_SETUP"] = str(setup)
        env["LOAD_THINK"], env["LOAD_API_THINK"] = args.think, args.api_think

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
        log("each request alone first")
        alone_ms = alone(args.port, json.loads(setup.read_text()))
        summaries = []
        for number, users in enumerate(steps, start=1):
            step_out = out if len(steps) == 1 else out / f"users-{users}"
            step_out.mkdir(parents=True, exist_ok=True)
            last = number == len(steps)
            summaries.append(
                load_step(
                    args,
                    users,
                    step_out,
                    env,
                    procs,
                    worker,
                    database_url,
                    replica_url,
                    setup,
                    alone_ms,
                    last,
                )
            )
    finally:
        procs.stop_all()
    if len(steps) > 1:
        capacity(out, summaries)
        print((out / "capacity.md").read_text())
    else:
        print((out / "summary.md").read_text())
    log(f"figures in {out}; targets met: {[s['all_targets_met'] for s in summaries]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
