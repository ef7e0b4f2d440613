"""A PostgreSQL hot standby of this machine's server, on a port of its own: the read replica of the
two-node load run (loadtest/run.py --replica) and of tests/test_replica.py.

PostgreSQL's own streaming replication: `pg_basebackup -R` copies the primary (every database of
its cluster) into a fresh data directory and writes the standby's connection to it; `pg_ctl` starts
it as the `postgres` user (the server refuses to run as root). The primary must accept replication
connections from 127.0.0.1 (.ci/run adds the pg_hba.conf line).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql")


def unavailable() -> str | None:
    """Why a standby cannot be started here, or None."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return "needs root (runuser) to run a PostgreSQL cluster as the postgres user"
    if not any(PG_BIN.glob("*/bin/pg_ctl")) or shutil.which("pg_basebackup") is None:
        return "needs PostgreSQL's server binaries (pg_ctl, pg_basebackup)"
    return None


def _pg_ctl() -> str:
    return str(sorted(PG_BIN.glob("*/bin/pg_ctl"))[-1])


def _as_postgres(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class StandbyError(RuntimeError):
    pass


def start(*, primary_host: str, primary_port: int | str, port: int, data: Path) -> None:
    """Copy the primary into `data` (which must not exist or be empty) and start it on `port`."""
    data.mkdir(parents=True, exist_ok=True)
    shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    try:
        # -c fast: an immediate checkpoint instead of waiting for the spread one (minutes).
        _as_postgres(
            "pg_basebackup", "-h", str(primary_host), "-p", str(primary_port), "-U", "postgres",
            "-D", str(data), "-X", "stream", "-R", "-c", "fast",
        )  # fmt: skip
    except subprocess.CalledProcessError as error:
        raise StandbyError(
            "pg_basebackup was refused; the primary must allow replication connections from "
            f"127.0.0.1 (host replication all 127.0.0.1/32 in pg_hba.conf): {error.stderr.strip()}"
        ) from error
    # Debian keeps the configuration outside the data directory: the standby gets its own.
    (data / "postgresql.conf").write_text("hot_standby = on\n")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.chown(data / name, "postgres", "postgres")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data}"
    try:
        # -t: a standby replays the WAL written during the copy before it accepts connections.
        _as_postgres(
            _pg_ctl(), "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "-t", "600", "start",
            timeout=660,
        )  # fmt: skip
    except subprocess.CalledProcessError as error:
        log = (data / "log").read_text(errors="replace")[-2000:] if (data / "log").exists() else ""
        stop(data)  # a server that went on starting after pg_ctl gave up must not keep the port
        raise StandbyError(f"the standby did not start: {error.stderr.strip()}\n{log}") from error


def stop(data: Path) -> None:
    """Stop the standby in `data` (if it runs) and remove its files."""
    subprocess.run(["runuser", "-u", "postgres", "--", _pg_ctl(), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True)  # fmt: skip
    shutil.rmtree(data, ignore_errors=True)


def lsn(cursor, sql: str) -> int:
    """A WAL position (as `SELECT pg_current_wal_lsn()::text` gives it) as a number."""
    cursor.execute(sql)
    high, low = cursor.fetchone()[0].split("/")
    return (int(high, 16) << 32) + int(low, 16)


def wait_caught_up(primary_cursor, standby_cursor, timeout: float = 60) -> float:
    """Wait until the standby has replayed everything the primary wrote so far; seconds waited."""
    target = lsn(primary_cursor, "SELECT pg_current_wal_lsn()::text")
    started = time.monotonic()
    while lsn(standby_cursor, "SELECT pg_last_wal_replay_lsn()::text") < target:
        if time.monotonic() - started > timeout:
            raise StandbyError("the standby did not catch up")
        time.sleep(0.05)
    return time.monotonic() - started
