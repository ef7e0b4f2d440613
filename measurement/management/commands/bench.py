"""`manage.py bench` (`make bench`): the shared-measurement benchmark. Not a test: it prints figures.

It builds a large synthetic initiative in PostgreSQL (by default 100 partner organisations, 50 shared
measures, 60 monthly periods, half the measures broken down by a 6-member dimension: 1,050,000
approved data values), then prints one JSON object per line, each figure next to a baseline measured
in the same run on the same database:

* full aggregate rebuild vs one hand-written SQL GROUP BY computing the same numbers;
* incremental recompute after one organisation's period is approved;
* dashboard and measure page: server time (warm, median) vs the SQL reading the same aggregate
  rows, the full HTTP pages, and the number of queries at full and at a small size;
* file import of 100,000 values (preview + commit) vs PostgreSQL COPY of the same rows;
* API read throughput of /values/ (LimitOffsetPagination), first pages and deep pages.

With --scales (e.g. 0.1,1,10) it runs all of that once per size, the partner organisations
multiplied by each scale (an initiative of its own per size), then prints the scale curve: each
figure at each size, its growth from 1x to the largest size and a verdict against issue 22's rules.
With --workers (e.g. 1,2,4) it adds the full rebuild through that many real Celery worker processes.

The initiative, organisations, measures, dimension, periods, assignments and submissions are made
through the services and the ORM; the values, the only large table, with COPY. The previous
benchmark initiatives (same --slug) are deleted first; the new ones are kept for inspection.

Every line has the same keys: figure, value, unit, n, baseline, baseline_value, baseline_n, ratio,
target, met, detail. `ratio` is value / baseline_value; `met` is null when the figure has no target.
"""

from __future__ import annotations

import io
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from initiatives import services as initiative_services
from initiatives.choices import Role, Sector, Topic
from initiatives.models import Initiative, Membership, Organization, Participation
from measurement import selectors, services
from measurement.aggregation import runs
from measurement.choices import (
    Aggregation,
    AuditAction,
    Direction,
    Frequency,
    Level,
    SubmissionStatus,
    Unit,
    ValueType,
)
from measurement.dashboards import charts, readers
from measurement.dashboards.views import _labels
from measurement.entry import importer
from measurement.models import (
    Aggregate,
    AggregateRun,
    Assignment,
    AuditEntry,
    DataValue,
    ImportJob,
    ReportingPeriod,
    SharedMeasure,
    Submission,
)

FIRST_MONTH = date(2021, 1, 1)
KEYS = ("figure", "value", "unit", "n", "baseline", "baseline_value", "baseline_n", "ratio", "target", "met")
# One measure in four of each rule; see _measure_fields.
KINDS = (Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED_MEAN, Aggregation.NONE)
PLAIN_STATIC = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def _month(first: date, n: int) -> date:
    years, month = divmod(first.month - 1 + n, 12)
    return date(first.year + years, month + 1, 1)


def _median_time(fn, n: int, warm: int = 1) -> tuple[float, list[float]]:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def _paired(fn, baseline, n: int, warm: int = 1) -> tuple[float, float, list[float], list[float]]:
    """Time a figure and its baseline alternately (A B A B …), so that both see the same load of
    the machine; returns both medians and both lists of seconds."""
    for _ in range(warm):
        fn()
        baseline()
    times: list[float] = []
    base_times: list[float] = []
    for _ in range(n):
        for f, out in ((fn, times), (baseline, base_times)):
            start = time.perf_counter()
            f()
            out.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(base_times), times, base_times


def _pair_ratio(times: list[float], base_times: list[float]) -> float:
    """The median of the run-by-run ratios: steadier than a ratio of medians on a busy machine."""
    return statistics.median(t / b for t, b in zip(times, base_times, strict=True) if b)


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class People:
    backbone: User
    steering: User
    backbone_org: Organization
    funder_org: Organization


@dataclass
class Built:
    initiative: Initiative
    measures: list[SharedMeasure]
    periods: list[ReportingPeriod]
    organizations: list[Organization]
    values: int
    seconds: dict


# --- The SQL baselines ---------------------------------------------------------------------------

# The numbers of the aggregate tables, by one GROUP BY over the raw approved values: every cell and
# the total across partners per measure × period, with each measure's rule (sum; mean of the
# organisations' totals; mean weighted by the denominator measure's value in the same cell; one
# designated source). For the benchmark's measures (no percentage measure under a plain mean, one
# breakdown at most) these are exactly the numbers the platform stores; the run checks it.
GROUP_BY_SQL = """
SELECT dv.measure_id, dv.period_id, dv.member1_id, dv.member2_id,
       ROUND(CASE MAX(m.aggregation)
           WHEN 'sum' THEN SUM(dv.value)
           WHEN 'mean' THEN SUM(dv.value) / COUNT(DISTINCT dv.organization_id)
           WHEN 'weighted_mean' THEN SUM(dv.value * w.value) / NULLIF(SUM(w.value), 0)
           ELSE CASE WHEN COUNT(DISTINCT dv.organization_id) = 1 THEN SUM(dv.value) END
       END, 6) AS value,
       COUNT(DISTINCT dv.organization_id) AS organizations
FROM measurement_datavalue dv
JOIN measurement_submission s ON s.id = dv.submission_id AND s.status = 'approved'
JOIN measurement_sharedmeasure m ON m.id = dv.measure_id
LEFT JOIN measurement_datavalue w ON m.aggregation = 'weighted_mean' AND w.measure_id = m.denominator_id
     AND w.period_id = dv.period_id AND w.organization_id = dv.organization_id
     AND COALESCE(w.member1_id, 0) = COALESCE(dv.member1_id, 0)
     AND COALESCE(w.member2_id, 0) = COALESCE(dv.member2_id, 0)
WHERE m.initiative_id = %(initiative)s
  AND (%(measures)s::bigint[] IS NULL OR dv.measure_id = ANY(%(measures)s::bigint[]))
  AND (%(period)s::bigint IS NULL OR dv.period_id = %(period)s::bigint)
GROUP BY GROUPING SETS ((dv.measure_id, dv.period_id, dv.member1_id, dv.member2_id),
                        (dv.measure_id, dv.period_id))
HAVING GROUPING(dv.member1_id, dv.member2_id) = 3 OR dv.member1_id IS NOT NULL
"""


def _group_by(initiative_id: int, measure_ids=None, period_id=None, serial: bool = False) -> list[tuple]:
    params = {"initiative": initiative_id, "measures": measure_ids, "period": period_id}
    if not serial:
        return _rows(GROUP_BY_SQL, params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(GROUP_BY_SQL, params)
        return cursor.fetchall()


ACTIVE_RUN = "(SELECT id FROM measurement_aggregaterun WHERE initiative_id = %(initiative)s AND active)"
DASHBOARD_SQL = (
    """
SELECT a.measure_id, p.code, a.value FROM measurement_aggregate a
JOIN measurement_reportingperiod p ON p.id = a.period_id
WHERE a.run_id = """
    + ACTIVE_RUN
    + """ AND a.measure_id = ANY(%(measures)s) AND a.member1_id IS NULL AND a.member2_id IS NULL
"""
)
DASHBOARD_COMPLETENESS_SQL = (
    """
SELECT c.measure_id, p.code, c.approved, c.expected FROM measurement_completeness c
JOIN measurement_reportingperiod p ON p.id = c.period_id
WHERE c.run_id = """
    + ACTIVE_RUN
    + " AND c.measure_id = ANY(%(measures)s)"
)
MEASURE_PAGE_SQL = (
    """
SELECT p.code, m1.name_en, m1.name_he, m2.name_en, m2.name_he, a.value
FROM measurement_aggregate a JOIN measurement_reportingperiod p ON p.id = a.period_id
LEFT JOIN measurement_dimensionmember m1 ON m1.id = a.member1_id
LEFT JOIN measurement_dimensionmember m2 ON m2.id = a.member2_id
WHERE a.run_id = """
    + ACTIVE_RUN
    + " AND a.measure_id = %(measure)s"
)
MEASURE_PAGE_COMPLETENESS_SQL = (
    """
SELECT p.code, c.expected, c.submitted, c.approved, c.on_time
FROM measurement_completeness c JOIN measurement_reportingperiod p ON p.id = c.period_id
WHERE c.run_id = """
    + ACTIVE_RUN
    + " AND c.measure_id = %(measure)s ORDER BY p.start"
)
BY_ORGANIZATION_SQL = """
SELECT o.name, p.code, SUM(dv.value) FROM measurement_datavalue dv
JOIN measurement_submission s ON s.id = dv.submission_id AND s.status = 'approved'
JOIN initiatives_organization o ON o.id = dv.organization_id
JOIN measurement_reportingperiod p ON p.id = dv.period_id
WHERE dv.measure_id = %(measure)s AND dv.organization_id = ANY(%(organizations)s) GROUP BY o.name, p.code
"""
# A percentage's organisation total is the mean of its cells weighted by the denominator's cells
# (the rule the page applies; summing percentages would be a cheaper, wrong number).
BY_ORGANIZATION_WEIGHTED_SQL = """
SELECT o.name, p.code, SUM(v.value * w.value) / NULLIF(SUM(w.value), 0)
FROM measurement_datavalue v
JOIN measurement_submission s ON s.id = v.submission_id AND s.status = 'approved'
LEFT JOIN (measurement_datavalue w
    JOIN measurement_submission sw ON sw.id = w.submission_id AND sw.status = 'approved')
  ON w.measure_id = %(denominator)s AND w.organization_id = v.organization_id AND w.period_id = v.period_id
  AND w.member1_id IS NOT DISTINCT FROM v.member1_id AND w.member2_id IS NOT DISTINCT FROM v.member2_id
JOIN initiatives_organization o ON o.id = v.organization_id
JOIN measurement_reportingperiod p ON p.id = v.period_id
WHERE v.measure_id = %(measure)s AND v.member1_id IS NOT NULL AND v.organization_id = ANY(%(organizations)s)
GROUP BY o.name, p.code
"""
# The page's organisations: the first page by name of those whose data set holds the measure, and
# how many there are.
REPORTING_ORGANIZATIONS_SQL = """
SELECT o.id FROM initiatives_organization o WHERE EXISTS (SELECT 1 FROM measurement_assignment a
  WHERE a.organization_id = o.id AND a.measure_id = %(measure)s) ORDER BY o.name, o.id LIMIT %(limit)s
"""
REPORTING_ORGANIZATIONS_COUNT_SQL = """
SELECT count(DISTINCT organization_id) FROM measurement_assignment WHERE measure_id = %(measure)s
"""
VALUES_PAGE_SQL = """
SELECT dv.id, m.code, p.code, dv.organization_id, m1.code, m2.code, dv.value, dv.comment, dv.updated_at
FROM measurement_datavalue dv JOIN measurement_sharedmeasure m ON m.id = dv.measure_id
JOIN measurement_reportingperiod p ON p.id = dv.period_id
LEFT JOIN measurement_dimensionmember m1 ON m1.id = dv.member1_id
LEFT JOIN measurement_dimensionmember m2 ON m2.id = dv.member2_id
WHERE m.initiative_id = %(initiative)s AND dv.id >= %(first)s ORDER BY dv.id LIMIT %(limit)s
"""


def _dashboard_sql(initiative_id: int, measure_ids: list[int]) -> int:
    """What the dashboard reads: every measure's totals per period and its completeness."""
    params = {"initiative": initiative_id, "measures": measure_ids}
    return len(_rows(DASHBOARD_SQL, params)) + len(_rows(DASHBOARD_COMPLETENESS_SQL, params))


def _measure_page_sql(initiative_id: int, measure_id: int) -> int:
    """What the measure page reads: the measure's aggregate rows with their members, and completeness."""
    params = {"initiative": initiative_id, "measure": measure_id}
    return len(_rows(MEASURE_PAGE_SQL, params)) + len(_rows(MEASURE_PAGE_COMPLETENESS_SQL, params))


def _by_organization_sql(measure: SharedMeasure) -> int:
    """What the backbone's measure page adds: its first page of organisations (and their number),
    then each one's total per period, by the measure's rule: a weighted mean of the cells for a
    broken-down percentage with a denominator, else the sum of the values."""
    from measurement.dashboards.readers import ORGANIZATIONS_PER_PAGE

    limit = {"measure": measure.pk, "limit": ORGANIZATIONS_PER_PAGE}
    organizations = [row[0] for row in _rows(REPORTING_ORGANIZATIONS_SQL, limit)]
    _rows(REPORTING_ORGANIZATIONS_COUNT_SQL, limit)
    weighted = (
        measure.value_type == ValueType.PERCENT
        and measure.denominator_id
        and measure.measure_dimensions.exists()
    )
    params = {"measure": measure.pk, "denominator": measure.denominator_id, "organizations": organizations}
    return len(_rows(BY_ORGANIZATION_WEIGHTED_SQL if weighted else BY_ORGANIZATION_SQL, params))


def _measure_tasks(logs: list[Path], state: str) -> list[int]:
    """Per worker log, the measure tasks in `state`: each task's lines "Task … received" and
    "Task … succeeded"."""
    return [
        sum(1 for line in log.read_text().splitlines() if "aggregate_measure_task[" in line and state in line)
        for log in logs
    ]


class Command(BaseCommand):
    help = "Build a large synthetic initiative in PostgreSQL and print benchmark figures as JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100, help="partner organisations (100)")
        parser.add_argument(
            "--skip-backbone", action="store_true", help="leave out the backbone score figure"
        )
        parser.add_argument("--measures", type=int, default=50, help="shared measures (50)")
        parser.add_argument("--periods", type=int, default=60, help="monthly periods (60)")
        parser.add_argument("--members", type=int, default=6, help="members of the breakdown (6)")
        parser.add_argument(
            "--small-orgs", type=int, default=5, help="organisations of the small initiative (5)"
        )
        parser.add_argument(
            "--import-rows", type=int, default=100_000, help="values in the imported file (100,000)"
        )
        parser.add_argument(
            "--bulk-values", type=int, default=50_000, help="values sent to the bulk API (50,000)"
        )
        parser.add_argument("--api-pages", type=int, default=10, help="API pages read at each end (10)")
        parser.add_argument("--api-limit", type=int, default=1000, help="API page size (1000)")
        parser.add_argument("--repeat", type=int, default=9, help="runs of each short timing (9)")
        parser.add_argument(
            "--rebuild-runs", type=int, default=3, help="runs of the full rebuild and of its SQL baseline (3)"
        )
        parser.add_argument("--slug", default="bench", help="slug of the benchmark initiative (bench)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="keep the existing benchmark initiatives when their sizes match (skips the build)",
        )
        parser.add_argument(
            "--build-only", action="store_true", help="build (or reuse) the large initiative, measure nothing"
        )
        parser.add_argument(
            "--scales",
            help="multiples of --orgs, e.g. 0.1,1,10: the benchmark at each size, then the scale curve"
            " (each size its own initiative: --slug at 1x, --slug-x10 at 10x, …)",
        )
        parser.add_argument(
            "--curve-out",
            default=str(Path(settings.BASE_DIR) / "var" / "bench" / "scale-curve.md"),
            help="with --scales: where the table goes too (var/bench/scale-curve.md)",
        )
        parser.add_argument(
            "--workers",
            help="worker process counts, e.g. 1,2,4: the full rebuild through that many real Celery"
            " workers (concurrency 1 each), wall time and speed-up against 1",
        )
        parser.add_argument(
            "--workers-only",
            action="store_true",
            help="with --workers: only the dataset and the worker figures",
        )
        parser.add_argument(
            "--broker",
            default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15"),
            help="the workers' Redis (its queue is purged first; default BENCH_BROKER_URL or"
            " redis://127.0.0.1:6379/15)",
        )

    # --- output ----------------------------------------------------------------------------------

    def emit(self, figure: str, value, unit: str, *, n: int = 1, baseline: str | None = None,
             baseline_value=None, baseline_n: int | None = None, target: str | None = None,
             met: bool | None = None, ratio: float | None = None, **detail) -> dict:  # fmt: skip
        if ratio is None and baseline_value not in (None, 0) and value is not None:
            ratio = value / baseline_value
        line = {
            "figure": figure,
            "value": _round(value),
            "unit": unit,
            "n": n,
            "baseline": baseline,
            "baseline_value": _round(baseline_value),
            "baseline_n": baseline_n,
            "ratio": _round(ratio),
            "target": target,
            "met": met,
            "detail": {k: _round(v) for k, v in detail.items()},
        }
        if self.scale is not None:
            line["detail"]["scale"] = self.scale
            self.curve.setdefault(self.scale, {})[figure] = line
        self.stdout.write(json.dumps(line, default=str))
        return line

    def log(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"[bench {time.perf_counter() - self.started:7.1f}s] {message}")

    # --- main ------------------------------------------------------------------------------------

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (it uses COPY): set DATABASE_URL=postgres://…")
        self.verbosity = options["verbosity"]
        self.started = time.perf_counter()
        self.repeat = max(1, options["repeat"])
        slug = options["slug"]
        self.rng = random.Random(options["seed"])  # noqa: S311 - synthetic data
        self.scale, self.curve = None, {}
        people = self._people()
        if not options["scales"]:
            self.bench_size(slug, options["orgs"], people, options, self.started)
            return
        scales = _numbers(options["scales"], float)
        for scale in scales:
            self.scale = scale
            orgs = max(1, round(options["orgs"] * scale))
            self.log(f"scale {scale:g}x: {orgs} organisations")
            # The backbone figure does not depend on the size of the shared-measure data.
            self.bench_size(
                slug if scale == 1 else f"{slug}-x{scale:g}".replace(".", "-"),
                orgs,
                people,
                {**options, "skip_backbone": True},
                time.perf_counter(),
            )
        self.scale = None
        self.curve_out = options["curve_out"]
        self.scale_curve(scales)

    def bench_size(self, slug: str, n_orgs: int, people: People, options, started: float) -> None:
        """Every figure at one size: the large initiative of n_orgs organisations (slug), the small
        one and the import's."""
        sizes = (options["measures"], options["periods"], options["members"])
        full = self._prepare(slug, n_orgs, *sizes, people, options["reuse"])
        self.emit(
            "dataset",
            full.values,
            "values",
            organizations=len(full.organizations),
            measures=len(full.measures),
            broken_down=sum(1 for m in full.measures if m.measure_dimensions.exists()),
            periods=len(full.periods),
            members=options["members"],
            build_seconds=full.seconds,
            machine=_machine(),
        )
        if options["build_only"]:
            return
        if options["workers"] and options["workers_only"]:
            self.bench_workers(full, options)
            self.emit("bench_total", time.perf_counter() - started, "s", load_average=_load())
            return

        self.bench_rebuild(full, options)
        if options["workers"]:
            self.bench_workers(full, options)
        self.bench_incremental(full)
        counts_full = self.bench_pages(full, people)

        small = self._prepare(f"{slug}-small", options["small_orgs"], *sizes, people, options["reuse"])
        self._rebuild(small)
        counts_small = self._query_counts(small, people)
        for name, full_count in counts_full.items():
            self.emit(
                f"queries_{name}",
                full_count,
                "queries",
                baseline=f"same page at {len(small.organizations)} organisations ({small.values:,} values)",
                baseline_value=counts_small[name],
                target="equal",
                met=full_count == counts_small[name],
                values=full.values,
            )

        self.bench_api(full, people, options["api_pages"], options["api_limit"])
        self._drop_logged(f"{slug}-import")
        self.bench_import(f"{slug}-import", people, options)
        if not options["skip_backbone"]:
            # The backbone scorecard (issue 8): 100 partners, 8 survey waves of 300 responses.
            from backbone.bench import bench_recompute

            self.log("backbone: full score recompute")
            self.stdout.write(json.dumps(bench_recompute(), default=str))
        self.emit("bench_total", time.perf_counter() - started, "s", load_average=_load())

    # --- set-up ----------------------------------------------------------------------------------

    def _people(self) -> People:
        user_model = get_user_model()
        backbone_org, _ = Organization.objects.get_or_create(
            name="Bench backbone", defaults={"sector": Sector.NONPROFIT}
        )
        funder_org, _ = Organization.objects.get_or_create(
            name="Bench funder", defaults={"sector": Sector.PHILANTHROPY}
        )
        backbone, _ = user_model.objects.get_or_create(
            username="bench-backbone", defaults={"email": "bench-backbone@example.org"}
        )
        steering, _ = user_model.objects.get_or_create(
            username="bench-steering", defaults={"email": "bench-steering@example.org"}
        )
        return People(backbone, steering, backbone_org, funder_org)

    def _prepare(self, slug, n_orgs, n_measures, n_periods, n_members, people, reuse: bool) -> Built:
        """A fresh benchmark initiative (the previous one deleted), or with --reuse the existing
        one when it has the requested sizes."""
        if reuse and (built := self._existing(slug, n_orgs, n_measures, n_periods, n_members)):
            self.log(f"{slug}: reusing {built.values:,} values")
            return built
        self._drop_logged(slug)
        self.log(f"{slug}: building")
        return self._build(slug, n_orgs, n_measures, n_periods, n_members, people)

    def _existing(self, slug, n_orgs, n_measures, n_periods, n_members) -> Built | None:
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            return None
        measures = list(initiative.measures.order_by("code"))
        periods = list(initiative.periods.order_by("start"))
        organizations = list(
            Organization.objects.filter(
                participations__initiative=initiative, name__startswith=f"Bench {slug} partner"
            ).order_by("name")
        )
        broken = sum(1 for m in measures if m.measure_dimensions.exists())
        values = DataValue.objects.filter(measure__initiative=initiative).count()
        expected = n_orgs * n_periods * (broken * n_members + len(measures) - broken)
        if (len(organizations), len(measures), len(periods), values) != (
            n_orgs,
            n_measures,
            n_periods,
            expected,
        ):
            return None
        return Built(initiative, measures, periods, organizations, values, {"reused": True})

    def _drop_logged(self, slug: str) -> None:
        start = time.perf_counter()
        dropped = self._drop(slug)
        if dropped is not None:
            self.log(
                f"deleted the previous initiative {slug} ({dropped:,} values, {time.perf_counter() - start:.1f} s)"
            )

    def _drop(self, slug: str) -> int | None:
        """Delete a benchmark initiative; the large tables with plain SQL, the rest through the ORM."""
        initiative = Initiative.objects.filter(slug=slug).first()
        if initiative is None:
            return None
        pk = initiative.pk
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM measurement_datavalue WHERE measure_id IN "
                "(SELECT id FROM measurement_sharedmeasure WHERE initiative_id = %s)",
                [pk],
            )
            values = cursor.rowcount
            # The values are gone; without this, each deleted submission's deferred foreign-key check
            # scans the whole data-value table (it has no index on submission_id): quadratic, hours
            # at 10x. Triggers off as in the build (needs a superuser; otherwise they run).
            replica = _replica(cursor, True)
            cursor.execute("DELETE FROM measurement_auditentry WHERE initiative_id = %s", [pk])
            cursor.execute(
                "DELETE FROM measurement_aggregate WHERE run_id IN "
                "(SELECT id FROM measurement_aggregaterun WHERE initiative_id = %s)",
                [pk],
            )
            cursor.execute(
                "DELETE FROM measurement_completeness WHERE run_id IN "
                "(SELECT id FROM measurement_aggregaterun WHERE initiative_id = %s)",
                [pk],
            )
            ImportJob.objects.filter(initiative=initiative).delete()
            Submission.objects.filter(initiative=initiative).delete()
            measures = SharedMeasure.objects.filter(initiative=initiative)
            # Denominators are protected; a weighted mean must keep one (check constraint): both go.
            measures.update(aggregation=Aggregation.MEAN, denominator=None)
            measures.delete()
            initiative.delete()
            if replica:
                _replica(cursor, False)
        return values

    def _organizations(self, prefix: str, n: int) -> list[Organization]:
        width = max(3, len(str(n)))  # 001 … 100 as before; 0001 … 1000 at ten times the data
        names = [f"{prefix} {i + 1:0{width}d}" for i in range(n)]
        existing = {o.name: o for o in Organization.objects.filter(name__in=names)}
        Organization.objects.bulk_create(
            Organization(name=name, sector=Sector.NONPROFIT) for name in names if name not in existing
        )
        found = {o.name: o for o in Organization.objects.filter(name__in=names)}
        return [found[name] for name in names]

    def _initiative(self, slug: str, people: People) -> Initiative:
        with override_settings(ALLOW_USERS_TO_CREATE_INITIATIVES=True):
            initiative = initiative_services.initiative_create(
                by=people.backbone,
                organization=people.backbone_org,
                name=f"Benchmark {slug}",
                slug=slug,
                issue="Benchmark data (synthetic)",
                place="Nowhere",
                topic=Topic.EDUCATION,
            )
        Participation.objects.get_or_create(initiative=initiative, organization=people.funder_org)
        Membership.objects.create(
            user=people.steering, initiative=initiative, organization=people.funder_org, role=Role.STEERING
        )
        return initiative

    def _periods(self, initiative: Initiative, by, n: int) -> list[ReportingPeriod]:
        services.periods_ensure(
            initiative=initiative,
            by=by,
            frequency=Frequency.MONTHLY,
            first=FIRST_MONTH,
            last=_month(FIRST_MONTH, n) - timedelta(days=1),
        )
        return list(initiative.periods.order_by("start"))

    def _measure_fields(self, i: int, n_orgs: int, cells: int, periods, measures) -> dict:
        """Measure i: its rule is KINDS[i % 4]. In even groups of four, the sum and weighted-mean
        measures are broken down; in odd groups, the mean and not-aggregable ones; so exactly half
        the measures are broken down, and a weighted mean's denominator (the sum measure of its
        group) always has its breakdown."""
        kind = KINDS[i % 4]
        last, later = periods[-1].code, _month(periods[-1].start, 12).strftime("%Y-%m")
        fields = {
            "code": f"m{i + 1:02d}",
            "name_en": f"Benchmark measure {i + 1}",
            "name_he": f"מדד {i + 1}",
            "definition": "Synthetic benchmark measure.",
            "level": [Level.POPULATION, Level.PROCESS, Level.INTERACTION][i % 3],
            "direction": Direction.HIGHER_IS_BETTER,
            "frequency": Frequency.MONTHLY,
            "aggregation": kind,
            "baseline_period": periods[0].code,
        }
        if kind == Aggregation.SUM:
            level = Decimal(n_orgs * cells * 120)
            fields.update(unit=Unit.COUNT, value_type=ValueType.INTEGER)
            fields.update(
                baseline_value=level, targets={last: level * Decimal("1.3"), later: level * Decimal("1.5")}
            )
        elif kind == Aggregation.MEAN:
            fields.update(unit=Unit.SCORE, value_type=ValueType.DECIMAL, baseline_value=Decimal(cells * 3))
            fields.update(targets={last: Decimal(cells * 4), later: Decimal(cells * 5)})
        elif kind == Aggregation.WEIGHTED_MEAN:
            fields.update(unit=Unit.PERCENT, value_type=ValueType.PERCENT, denominator=measures[i - 2])
            fields.update(baseline_value=Decimal(60), targets={last: Decimal(75), later: Decimal(80)})
        else:
            fields.update(unit=Unit.RATE, value_type=ValueType.DECIMAL)
        return fields

    def _build(
        self, slug: str, n_orgs: int, n_measures: int, n_periods: int, n_members: int, people
    ) -> Built:
        seconds = {}
        start = time.perf_counter()
        by = people.backbone
        initiative = self._initiative(slug, people)
        # Each initiative its own partners (an organisation in two initiatives is another case).
        organizations = self._organizations(f"Bench {slug} partner", n_orgs)
        Participation.objects.bulk_create(
            Participation(initiative=initiative, organization=o) for o in organizations
        )
        dimension = services.dimension_create(
            initiative=initiative,
            by=by,
            code="band",
            name_en="Age band",
            name_he="שכבת גיל",
            members=[(f"b{k + 1}", f"Band {k + 1}", f"שכבה {k + 1}") for k in range(n_members)],
        )
        members = list(dimension.members.order_by("order"))
        periods = self._periods(initiative, by, n_periods)
        measures: list[SharedMeasure] = []
        for i in range(n_measures):
            group, position = divmod(i, 4)
            broken = position in ((0, 2) if group % 2 == 0 else (1, 3))
            fields = self._measure_fields(i, n_orgs, n_members if broken else 1, periods, measures)
            measures.append(
                services.measure_save(
                    initiative=initiative, by=by, dimensions=[dimension] if broken else [], **fields
                )
            )
        services.assignments_set(
            initiative=initiative, by=by, pairs={(o.pk, m.pk) for o in organizations for m in measures}
        )
        submitted = {p.pk: timezone.make_aware(datetime.combine(p.end + timedelta(days=5), datetime.min.time())) for p in periods}  # fmt: skip
        submissions = Submission.objects.bulk_create(
            (
                Submission(
                    initiative=initiative,
                    organization=o,
                    period=p,
                    status=SubmissionStatus.APPROVED,
                    submitted_at=submitted[p.pk],
                    submitted_by=by,
                    reviewed_at=submitted[p.pk] + timedelta(days=2),
                    reviewed_by=by,
                )
                for o in organizations
                for p in periods
            ),
            batch_size=5000,
        )
        seconds["orm"] = time.perf_counter() - start
        start = time.perf_counter()
        values = self._copy_values(measures, periods, organizations, members, submissions)
        seconds["copy_values"] = time.perf_counter() - start
        start = time.perf_counter()
        self._analyze()
        seconds["analyze"] = time.perf_counter() - start
        self.log(f"{slug}: {values:,} values ({seconds['copy_values']:.1f} s of COPY)")
        return Built(initiative, measures, periods, organizations, values, seconds)

    def _copy_values(self, measures, periods, organizations, members, submissions) -> int:
        """Approved values for every organisation × measure × period × cell, with COPY."""
        submission_of = {(s.organization_id, s.period_id): s.pk for s in submissions}
        rng = self.rng
        now = timezone.now().isoformat()
        org_level = [rng.uniform(0.4, 2.5) for _ in organizations]
        org_quality = [rng.random() for _ in organizations]
        cell_factor = [rng.uniform(0.5, 1.5) for _ in members]
        columns = "submission_id, measure_id, period_id, organization_id, member1_id, member2_id, value, comment, updated_at"  # fmt: skip
        total = 0
        with transaction.atomic(), connection.cursor() as cursor:
            # The rows are made from the ids just created: skip the per-row foreign-key triggers, as
            # pg_restore --disable-triggers does (needs a superuser; otherwise they run).
            replica = _replica(cursor, True)
            for measure in measures:
                broken = measure.measure_dimensions.exists()
                cells = [(m.pk, k) for k, m in enumerate(members)] if broken else [(None, None)]
                kind = measure.aggregation
                lines = []
                for t, period in enumerate(periods):
                    for o, organization in enumerate(organizations):
                        prefix = f"{submission_of[(organization.pk, period.pk)]}\t{measure.pk}\t{period.pk}\t{organization.pk}\t"  # fmt: skip
                        for member_id, k in cells:
                            factor = cell_factor[k] if k is not None else 1.0
                            if kind == Aggregation.SUM:
                                value = str(max(0, int(120 * org_level[o] * factor * (1 + 0.004 * t) + rng.randint(-9, 9))))  # fmt: skip
                            elif kind == Aggregation.MEAN:
                                value = f"{1 + 3 * org_quality[o] * factor + 0.01 * t + rng.uniform(-0.3, 0.3):.2f}"
                            elif kind == Aggregation.WEIGHTED_MEAN:
                                value = f"{min(100.0, max(0.0, 35 + 45 * org_quality[o] + 0.25 * t + rng.uniform(-5, 5))):.2f}"  # fmt: skip
                            else:
                                value = f"{10 + 5 * org_quality[o] + rng.uniform(-1, 1):.3f}"
                            member = "\\N" if member_id is None else str(member_id)
                            lines.append(f"{prefix}{member}\t\\N\t{value}\t\t{now}\n")
                cursor.copy_expert(
                    f"COPY {DataValue._meta.db_table} ({columns}) FROM STDIN", io.StringIO("".join(lines))
                )
                total += len(lines)
            if replica:
                _replica(cursor, False)
        return total

    def _analyze(self) -> None:
        """Fresh planner statistics for every table (autovacuum would get there, later), and the
        large table vacuumed so that index-only scans work. VACUUM cannot run inside a transaction
        (the test of this command runs in one): then ANALYZE only."""
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:
                cursor.execute("VACUUM measurement_datavalue")
            cursor.execute("ANALYZE")

    def _rebuild(self, built: Built) -> AggregateRun:
        run = runs.rebuild_start(built.initiative)
        for measure in built.measures:
            runs.rebuild_measure(run.pk, measure.pk)
        run.refresh_from_db()
        return run

    # --- figures ---------------------------------------------------------------------------------

    def bench_rebuild(self, full: Built, options) -> None:
        rebuild_runs = max(1, options["rebuild_runs"])
        self.log("full rebuild, alternating with the SQL GROUP BY baseline")
        _group_by(full.initiative.pk)  # warm: the values in the cache for both
        rebuild, baseline, rebuild_times, sql_times = _paired(
            lambda: self._rebuild(full), lambda: _group_by(full.initiative.pk), rebuild_runs, warm=0
        )
        serial, _times = _median_time(
            lambda: _group_by(full.initiative.pk, serial=True), rebuild_runs, warm=0
        )
        self._analyze()
        # The same numbers? Compare the SQL's rows with the active run's aggregates.
        run = runs.active_run(full.initiative)
        stored = {
            (m, p, a, b): (v, n)
            for m, p, a, b, v, n in Aggregate.objects.filter(run=run).values_list(
                "measure_id", "period_id", "member1_id", "member2_id", "value", "organizations"
            )
        }
        computed = {(m, p, a, b): (v, n) for m, p, a, b, v, n in _group_by(full.initiative.pk)}
        differ = sum(
            1
            for key in stored.keys() | computed.keys()
            if key not in stored
            or key not in computed
            or stored[key][1] != computed[key][1]
            or (stored[key][0] is None) != (computed[key][0] is None)
            or (stored[key][0] is not None and abs(stored[key][0] - computed[key][0]) > Decimal("0.000001"))
        )
        self.emit(
            "full_rebuild",
            rebuild,
            "s",
            n=rebuild_runs,
            baseline="one SQL GROUP BY (GROUPING SETS) over the raw approved values",
            baseline_value=baseline,
            baseline_n=rebuild_runs,
            target="<= 3x baseline",
            met=rebuild <= 3 * baseline,
            ratio_of_pairs_median=_pair_ratio(rebuild_times, sql_times),
            aggregate_rows=len(stored),
            sql_rows=len(computed),
            rows_differing=differ,
            runs_s=rebuild_times,
            sql_runs_s=sql_times,
            sql_without_parallel_workers_s=serial,
            ratio_to_sql_without_parallel_workers=rebuild / serial,
        )

    def bench_incremental(self, full: Built) -> None:
        """One organisation's period is approved: the receiver's work (measures of the submission,
        mark dirty, recompute those measures for that period), in-process."""
        self.log("incremental update")
        submission = (
            Submission.objects.filter(initiative=full.initiative, period=full.periods[-1])
            .select_related("period", "organization")
            .order_by("organization__name")
            .first()
        )
        if submission is None:
            raise CommandError("the benchmark initiative has no submission in its last period")
        Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.SUBMITTED)
        Submission.objects.filter(pk=submission.pk).update(
            status=SubmissionStatus.APPROVED, reviewed_at=timezone.now()
        )

        def update():
            measure_ids = runs.measures_of_submission(submission)
            runs.mark_dirty(submission.initiative_id, measure_ids, submission.period_id)
            runs.update(submission.initiative_id, measure_ids, submission.period_id)
            return measure_ids

        measure_ids = update()
        median, baseline, times, base_times = _paired(
            update, lambda: _group_by(full.initiative.pk, measure_ids, submission.period_id), self.repeat
        )
        self.emit(
            "incremental_update",
            median,
            "s",
            n=self.repeat,
            baseline="the same SQL GROUP BY restricted to those measures and that period",
            baseline_value=baseline,
            baseline_n=self.repeat,
            ratio_of_pairs_median=_pair_ratio(times, base_times),
            measures=len(measure_ids),
            period=submission.period.code,
        )

    def _dashboard_data(self, initiative: Initiative):
        """What DashboardView builds: the cards and a turn-the-curve figure per card."""
        groups, _run = readers.measure_cards(initiative)
        labels = _labels()
        return {
            f"fig-{card.measure.code}": charts.turn_the_curve(card.curve, rtl=False, labels=labels)
            for g in groups
            for card in g.cards
        }

    def _measure_page_data(self, initiative: Initiative, measure: SharedMeasure, show_organizations: bool):
        """What MeasureDashboardView builds: the detail and its bar charts."""
        detail = readers.measure_detail(initiative, measure, show_organizations=show_organizations)
        unit = measure.get_unit_display()
        figures = [
            charts.bars_by_member(
                detail.periods,
                {label: [vals.get(p) for p in detail.periods] for label, vals in detail.members},
                rtl=False,
                unit=unit,
                provisional=detail.provisional,
            )
        ]
        if detail.by_organization:
            figures.append(
                charts.bars_by_member(
                    detail.periods,
                    {label: [vals.get(p) for p in detail.periods] for label, vals in detail.by_organization},
                    rtl=False,
                    unit=unit,
                    provisional=detail.provisional,
                )
            )
        return figures

    def _page_measure(self, built: Built) -> SharedMeasure:
        """The measure page of the heaviest kind: a broken-down weighted mean."""
        broken = [m for m in built.measures if m.measure_dimensions.exists()]
        weighted = [m for m in broken if m.aggregation == Aggregation.WEIGHTED_MEAN]
        code = (weighted or broken or built.measures)[0].code
        measure = selectors.measure_by_code(built.initiative, code)
        if measure is None:
            raise CommandError(f"the benchmark initiative has no measure {code}")
        return measure

    def _clients(self, people: People) -> tuple[Client, Client]:
        steering, backbone = Client(), Client()
        steering.force_login(people.steering)
        backbone.force_login(people.backbone)
        return steering, backbone

    def bench_pages(self, full: Built, people: People) -> dict[str, int]:
        self.log("dashboard and measure page")
        initiative, measure = full.initiative, self._page_measure(full)
        measure_ids = [m.pk for m in full.measures]
        repeat = max(5, self.repeat)
        target = "< 300 ms and <= 2x baseline"

        value, base, times, base_times = _paired(
            lambda: self._dashboard_data(initiative),
            lambda: _dashboard_sql(initiative.pk, measure_ids),
            repeat,
        )
        self.emit(
            "dashboard_data",
            value * 1000,
            "ms",
            n=repeat,
            baseline="SQL reading the same aggregate and completeness rows",
            baseline_value=base * 1000,
            baseline_n=repeat,
            target=target,
            met=value < 0.3 and value <= 2 * base,
            ratio_of_pairs_median=_pair_ratio(times, base_times),
            measures=len(measure_ids),
            rows_read=_dashboard_sql(initiative.pk, measure_ids),
        )
        value, base, times, base_times = _paired(
            lambda: self._measure_page_data(initiative, measure, False),
            lambda: _measure_page_sql(initiative.pk, measure.pk),
            repeat,
        )
        self.emit(
            "measure_page_data",
            value * 1000,
            "ms",
            n=repeat,
            baseline="SQL reading the same aggregate and completeness rows",
            baseline_value=base * 1000,
            baseline_n=repeat,
            target=target,
            met=value < 0.3 and value <= 2 * base,
            ratio_of_pairs_median=_pair_ratio(times, base_times),
            measure=measure.code,
            view="steering committee (aggregates only)",
            rows_read=_measure_page_sql(initiative.pk, measure.pk),
        )
        value, base, times, base_times = _paired(
            lambda: self._measure_page_data(initiative, measure, True),
            lambda: (_measure_page_sql(initiative.pk, measure.pk), _by_organization_sql(measure)),
            repeat,
        )
        self.emit(
            "measure_page_data_by_organization",
            value * 1000,
            "ms",
            n=repeat,
            baseline=(
                "SQL reading the same aggregate rows, the first page of the organisations reporting the"
                " measure and their number, then one GROUP BY organisation over their raw values by the"
                " measure's rule (weighted mean of the cells by the denominator's)"
            ),
            baseline_value=base * 1000,
            baseline_n=repeat,
            target=target,
            met=value < 0.3 and value <= 2 * base,
            ratio_of_pairs_median=_pair_ratio(times, base_times),
            measure=measure.code,
            view="backbone staff (named organisations)",
        )

        steering, backbone = self._clients(people)
        pages = {
            "dashboard_http": (steering, reverse("measurement:dashboard", kwargs={"slug": initiative.slug})),
            "measure_page_http": (
                steering,
                reverse(
                    "measurement:measure_dashboard", kwargs={"slug": initiative.slug, "code": measure.code}
                ),
            ),
            "measure_page_by_organization_http": (
                backbone,
                reverse(
                    "measurement:measure_dashboard", kwargs={"slug": initiative.slug, "code": measure.code}
                ),
            ),
        }
        with override_settings(STORAGES={**settings.STORAGES, **PLAIN_STATIC}):
            for name, (client, url) in pages.items():

                def get(client=client, url=url):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code}")
                    return response

                value, times = _median_time(get, repeat)
                self.emit(
                    name,
                    value * 1000,
                    "ms",
                    n=repeat,
                    target="< 300 ms",
                    met=value < 0.3,
                    url=url,
                    user="backbone staff" if client is backbone else "steering committee member",
                    bytes=len(get().content),
                )
        return self._query_counts(full, people)

    def _query_counts(self, built: Built, people: People) -> dict[str, int]:
        initiative, measure = built.initiative, self._page_measure(built)
        steering, backbone = self._clients(people)
        api = reverse("measurement-api:value-list", kwargs={"initiative_slug": initiative.slug})
        calls = {
            "dashboard_data": lambda: self._dashboard_data(initiative),
            "measure_page_data": lambda: self._measure_page_data(initiative, measure, False),
            "measure_page_data_by_organization": lambda: self._measure_page_data(initiative, measure, True),
            "dashboard_http": lambda: steering.get(
                reverse("measurement:dashboard", kwargs={"slug": initiative.slug})
            ),
            "measure_page_http": lambda: steering.get(
                reverse(
                    "measurement:measure_dashboard", kwargs={"slug": initiative.slug, "code": measure.code}
                )
            ),
            "measure_page_by_organization_http": lambda: backbone.get(
                reverse(
                    "measurement:measure_dashboard", kwargs={"slug": initiative.slug, "code": measure.code}
                )
            ),
            "api_values_page": lambda: backbone.get(api, {"limit": 100, "offset": 0, "page_size": 100}),
        }
        counts = {}
        with override_settings(STORAGES={**settings.STORAGES, **PLAIN_STATIC}):
            for name, call in calls.items():
                call()  # warm: sessions, content types, translations
                with CaptureQueriesContext(connection) as queries:
                    call()
                counts[name] = len(queries)
        return counts

    def bench_api(self, full: Built, people: People, pages: int, limit: int) -> None:
        """Pages of /values/ as backbone staff, following the `next` links: from the start, and
        from near the end. Works with limit/offset pages and with cursor (keyset) pages."""
        self.log("API pages")
        _steering, backbone = self._clients(people)
        url = reverse("measurement-api:value-list", kwargs={"initiative_slug": full.initiative.slug})
        total = DataValue.objects.filter(measure__initiative=full.initiative).count()
        warm = backbone.get(url, {"limit": limit, "offset": 0, "page_size": limit})
        if warm.status_code != 200:
            raise CommandError(f"{url} answered {warm.status_code}")
        offsets = "count" in warm.json()  # LimitOffsetPagination counts; cursor pages do not
        style = "limit/offset (LimitOffsetPagination)" if offsets else "cursor (keyset)"
        deep_start = max(0, total - pages * limit)
        for name, first in (("api_values_first_pages", 0), ("api_values_deep_pages", deep_start)):
            params = self._first_page(full, offsets, first, limit)
            if params is None:
                self.emit(name, None, "rows/s", n=0, pagination=style, note="no way to start deep")
                continue
            # Three passes over the same pages (the first warms them), each timed alternately with
            # its SQL baseline; the figure is the median pass: one slow page of a single pass (a cold
            # buffer, a collection) moved the first pages' rate by 1.7x between two sizes.
            passes: list[tuple[float, float | None]] = []  # (rows/s, its SQL baseline's)
            first_ids: list[int] = []
            page_ms: list[float] = []
            for _pass in range(3):
                rows, seconds, ids = 0, 0.0, []
                query: dict | None
                next_url, query = url, params
                for _page in range(pages):
                    start = time.perf_counter()
                    response = backbone.get(next_url, query)
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200:
                        raise CommandError(f"{next_url} answered {response.status_code}")
                    body = response.json()
                    rows += len(body["results"])
                    seconds += elapsed
                    page_ms.append(elapsed * 1000)
                    if body["results"]:
                        ids.append(body["results"][0]["id"])
                    next_url, query = body.get("next"), None
                    if not next_url:
                        break
                sql_rows, sql_seconds = 0, 0.0
                for first_id in ids:
                    start = time.perf_counter()
                    sql_rows += len(
                        _rows(
                            VALUES_PAGE_SQL,
                            {"initiative": full.initiative.pk, "first": first_id, "limit": limit},
                        )
                    )
                    sql_seconds += time.perf_counter() - start
                first_ids = first_ids or ids
                passes.append(
                    (rows / seconds if seconds else 0.0, sql_rows / sql_seconds if sql_seconds else None)
                )
            rates = [rate for rate, _sql in passes]
            sql_rates = [sql for _rate, sql in passes if sql is not None]
            self.emit(
                name,
                statistics.median(rates),
                "rows/s",
                n=len(passes),
                baseline="SQL keyset read of the same rows (id >= first id of the page, LIMIT)",
                baseline_value=statistics.median(sql_rates) if sql_rates else None,
                baseline_n=len(sql_rates),
                rows=rows,
                pages=len(first_ids),
                passes_rows_per_s=[round(rate) for rate in rates],
                from_row=first,
                limit=limit,
                total_values=total,
                page_ms_median=statistics.median(page_ms) if page_ms else None,
                pagination=style,
            )

    def _first_page(self, full: Built, offsets: bool, first: int, limit: int) -> dict | None:
        """The query of the first page read, `first` rows into the id order."""
        if offsets:
            return {"limit": limit, "offset": first}
        if first == 0:
            return {"page_size": limit}
        from measurement.api.views import DataValueViewSet

        encode = getattr(DataValueViewSet.pagination_class, "_encode", None)
        if encode is None:
            return None
        after = (
            DataValue.objects.filter(measure__initiative=full.initiative)
            .order_by("id")
            .values_list("id", flat=True)[first - 1]
        )
        return {"page_size": limit, "cursor": encode("id", [after], False)}

    # --- import ----------------------------------------------------------------------------------

    def bench_import(self, slug: str, people: People, options) -> None:
        """A file of N values for one organisation over several periods, in its own initiative:
        measures broken down by two dimensions (members² cells each), as many as the rows need."""
        self.log("import: building its initiative")
        n_rows, n_periods, n_members = options["import_rows"], options["periods"], options["members"]
        by = people.backbone
        initiative = self._initiative(slug, people)
        organization = self._organizations(f"Bench {slug} partner", 1)[0]
        Participation.objects.create(initiative=initiative, organization=organization)
        dims = [
            services.dimension_create(
                initiative=initiative,
                by=by,
                code=code,
                name_en=code.title(),
                name_he="",
                members=[(f"{code[0]}{k + 1}", f"{code.title()} {k + 1}", "") for k in range(n_members)],
            )
            for code in ("band", "area")
        ]
        periods = self._periods(initiative, by, n_periods)
        cells_per_measure = n_members * n_members
        n_measures = max(1, math.ceil(n_rows / (cells_per_measure * len(periods))))
        types = [ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT]
        measures = [
            services.measure_save(
                initiative=initiative,
                by=by,
                dimensions=dims,
                code=f"i{i + 1:02d}",
                name_en=f"Imported measure {i + 1}",
                definition="Synthetic benchmark measure.",
                level=Level.PROCESS,
                unit=Unit.PERCENT if types[i % 3] == ValueType.PERCENT else Unit.COUNT,
                value_type=types[i % 3],
                direction=Direction.HIGHER_IS_BETTER,
                frequency=Frequency.MONTHLY,
                aggregation=Aggregation.MEAN if types[i % 3] == ValueType.PERCENT else Aggregation.SUM,
            )
            for i in range(n_measures)
        ]
        services.assignments_set(
            initiative=initiative, by=by, pairs={(organization.pk, m.pk) for m in measures}
        )
        members = [list(d.members.order_by("order")) for d in dims]
        rows = [(m, p, a, b) for p in periods for m in measures for a in members[0] for b in members[1]][
            :n_rows
        ]
        rng = self.rng
        numbers = [str(rng.randint(0, 100)) for _ in rows]
        text = "".join(
            f"{m.code},{p.code},{a.code},{b.code},{v},\n"
            for (m, p, a, b), v in zip(rows, numbers, strict=True)
        )
        data = (",".join(importer.COLUMNS) + "\n" + text).encode()
        if len(rows) > importer.MAX_ROWS or len(data) > importer.MAX_BYTES:
            raise CommandError("The import file is over the importer's limits; lower --import-rows.")

        self.log(f"import: COPY baselines ({len(rows):,} rows, {len(data) / 1e6:.1f} MB)")
        copy_time, _times = _median_time(lambda: self._copy_temp(data), max(3, min(self.repeat, 5)))
        ids = {(p.pk, m.pk, a.pk, b.pk): v for (m, p, a, b), v in zip(rows, numbers, strict=True)}
        copy_real = self._copy_real(initiative, organization, by, periods, ids)
        copy_minimal = self._copy_real(initiative, organization, by, periods, ids, minimal=True)
        copy_with_audit = self._copy_real(initiative, organization, by, periods, ids, audit=True)

        self.log("import: preview")
        start = time.perf_counter()
        job = importer.preview(
            initiative=initiative, organization=organization, by=by, name="bench.csv", data=data
        )
        preview_s = time.perf_counter() - start
        if job.summary.get("reject"):
            raise CommandError(f"The benchmark file was refused: {job.summary}")
        self.log("import: commit")
        start = time.perf_counter()
        totals = importer.commit(job=job, by=by)
        commit_s = time.perf_counter() - start
        stored = DataValue.objects.filter(organization=organization, measure__initiative=initiative).count()
        rate = len(rows) / (preview_s + commit_s)
        copy_rate = len(rows) / copy_time
        # The baseline is COPY of the same rows into the data-value table, with its indexes and
        # foreign-key checks (the floor of any import that stores them); COPY into a bare temporary
        # table (parsing only) is reported beside it.
        self.emit(
            "import",
            rate,
            "rows/s",
            baseline="COPY of the same rows into the data-value table (indexes and foreign keys checked)",
            baseline_value=copy_real,
            target=">= 1/3 of the baseline's rate",
            met=rate >= copy_real / 3,
            rows=len(rows),
            periods=len({p for _m, p, _a, _b in rows}),
            measures=n_measures,
            csv_bytes=len(data),
            preview_s=preview_s,
            commit_s=commit_s,
            total_s=preview_s + commit_s,
            created=totals["created"],
            stored=stored,
            audit_rows=AuditEntry.objects.filter(organization=organization).count(),
            copy_into_temp_table_rows_per_s=copy_rate,
            copy_into_temp_table_s=copy_time,
        )
        # The floor of the data itself: COPY into a table with only the keys the data needs (the
        # primary key, the cell's unique key, one (organisation, period) index). The commit of a
        # previewed file re-runs every check and writes the values and their audit rows.
        commit_rate = len(rows) / commit_s
        self.emit(
            "import_commit",
            commit_rate,
            "rows/s",
            baseline=MINIMAL_BASELINE,
            baseline_value=copy_minimal,
            target=">= 1/4 of the baseline's rate",
            met=commit_rate >= copy_minimal / 4,
            rows=len(rows),
            commit_s=commit_s,
            ratio_to_copy_into_the_table=commit_rate / copy_real,
            copy_into_the_table_rows_per_s=copy_real,
        )
        # What the commit must write, and nothing else: the values and one audit row each, COPYed
        # into the two tables as they are (no check, no parsing). Against the same minimal-table
        # baseline: if this is under the target, the target cannot be met by any check-running
        # commit that keeps the audit trail (the note of issue 17 says why it is reported, not
        # moved).
        self.emit(
            "import_writes_only",
            copy_with_audit,
            "rows/s",
            baseline=MINIMAL_BASELINE,
            baseline_value=copy_minimal,
            target="reference: the commit's ceiling (values and audit rows, no checks)",
            met=None,
            rows=len(rows),
            commit_share_of_ceiling=commit_rate / copy_with_audit,
        )
        self.emit(
            "import_preview",
            preview_s,
            "s",
            baseline="the commit of the same file",
            baseline_value=commit_s,
            target="<= the baseline",
            met=preview_s <= commit_s,
            rows=len(rows),
        )
        self.bench_bulk(initiative, measures, periods, members, people, copy_minimal, copy_real, options)

    def bench_bulk(
        self, initiative, measures, periods, members, people, copy_minimal: float, copy_real: float, options
    ) -> None:
        """The REST API's bulk submission: requests of API_BULK_MAX_VALUES values for another
        organisation of the import's initiative (validated and written as a file is), then one
        retry with the same Idempotency-Key, which must answer from the first result."""
        n_values = min(options["import_rows"], options["bulk_values"])
        per_request = settings.API_BULK_MAX_VALUES
        self.log(f"bulk API: {n_values:,} values in requests of {per_request:,}")
        organization = self._organizations(f"Bench {initiative.slug} bulk partner", 1)[0]
        Participation.objects.create(initiative=initiative, organization=organization)
        services.assignments_set(
            initiative=initiative,
            by=people.backbone,
            pairs={(organization.pk, m.pk) for m in measures}
            | set(
                Assignment.objects.filter(initiative=initiative).values_list("organization_id", "measure_id")
            ),
        )
        cells = [(m, p, a, b) for p in periods for m in measures for a in members[0] for b in members[1]]
        values = [
            {"measure": m.code, "period": p.code, "breakdown_1": a.code, "breakdown_2": b.code, "value": v}
            for (m, p, a, b), v in zip(
                cells[:n_values], (self.rng.randint(0, 100) for _ in cells), strict=False
            )
        ]
        _steering, backbone = self._clients(people)
        url = reverse("measurement-api:submission-bulk", kwargs={"initiative_slug": initiative.slug})
        seconds, request_ms, first_body, first_key = 0.0, [], None, None
        run = uuid.uuid4().hex[:12]
        for i in range(0, len(values), per_request):
            body = json.dumps({"organization": organization.pk, "values": values[i : i + per_request]})
            # Unique per run: keys are kept for a day, and another run's body under the same key
            # is (rightly) a 409.
            key = f"bench-{initiative.slug}-{run}-{i}"
            start = time.perf_counter()
            response = backbone.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                raise CommandError(
                    f"bulk submission answered {response.status_code}: {response.content[:500]!r}"
                )
            seconds += elapsed
            request_ms.append(elapsed * 1000)
            if first_body is None:
                first_body, first_key = body, key
        stored = DataValue.objects.filter(organization=organization).count()
        start = time.perf_counter()
        retry = backbone.post(
            url, first_body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=first_key
        )
        retry_ms = (time.perf_counter() - start) * 1000
        rate = len(values) / seconds
        self.emit(
            "bulk_submit",
            rate,
            "values/s",
            n=len(request_ms),
            baseline=MINIMAL_BASELINE,
            baseline_value=copy_minimal,
            target=">= 1/4 of the baseline's rate",
            met=rate >= copy_minimal / 4,
            ratio_to_copy_into_the_table=rate / copy_real,
            copy_into_the_table_rows_per_s=copy_real,
            values=len(values),
            values_per_request=per_request,
            request_ms_median=statistics.median(request_ms),
            stored=stored,
            idempotent_retry_ms=retry_ms,
            idempotent_retry_status=retry.status_code,
            stored_after_retry=DataValue.objects.filter(organization=organization).count(),
        )

    def _copy_temp(self, data: bytes) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_import (measure text, period text, breakdown_1 text,"
                " breakdown_2 text, value numeric(20, 6), comment text) ON COMMIT DROP"
            )
            cursor.copy_expert(
                "COPY bench_import FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data)
            )
            cursor.execute("DROP TABLE bench_import")

    def _copy_real(
        self, initiative, organization, by, periods, ids: dict, minimal: bool = False, audit: bool = False
    ) -> float:
        """A floor for any import: the resolved rows COPYed into the data-value table, its foreign
        keys checked as at commit, then rolled back. Rows per second. With `minimal`, into a table
        of the same columns holding only the primary key, the cell's unique key and one
        (organisation, period) index, created in the same transaction: the floor of the data. With
        `audit`, one audit row per value is COPYed into the audit table too (what a commit writes)."""

        class Rollback(Exception):
            pass

        now = timezone.now().isoformat()
        rate = 0.0
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                start = time.perf_counter()
                submissions = {
                    s.period_id: s.pk
                    for s in Submission.objects.bulk_create(
                        Submission(initiative=initiative, organization=organization, period=p)
                        for p in periods
                    )
                }
                text = "".join(
                    f"{submissions[p]}\t{m}\t{p}\t{organization.pk}\t{a}\t{b}\t{v}\t\t{now}\n"
                    for (p, m, a, b), v in ids.items()
                )
                table = DataValue._meta.db_table
                if minimal:
                    table = "bench_minimal_datavalue"
                    cursor.execute(MINIMAL_TABLE)
                    start = time.perf_counter()  # the table's creation is not the data's cost
                cursor.copy_expert(
                    f"COPY {table} (submission_id, measure_id, period_id, organization_id,"  # noqa: S608
                    " member1_id, member2_id, value, comment, updated_at) FROM STDIN",
                    io.StringIO(text),
                )
                if audit:
                    trail = "".join(
                        f"{initiative.pk}\t{organization.pk}\t{submissions[p]}\t{m}\t{a}\t{b}"
                        f"\t{AuditAction.IMPORT.value}\t\\N\t{v}\t\t{by.pk}\t{now}\n"
                        for (p, m, a, b), v in ids.items()
                    )
                    cursor.copy_expert(
                        f"COPY {AuditEntry._meta.db_table} (initiative_id, organization_id,"  # noqa: S608
                        " submission_id, measure_id, member1_id, member2_id, action, old_value,"
                        " new_value, reason, by_id, at) FROM STDIN",
                        io.StringIO(trail),
                    )
                # The foreign keys are checked at commit (deferred); this runs those checks now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                rate = len(ids) / (time.perf_counter() - start)
                raise Rollback
        except Rollback:
            pass
        return rate

    # --- real workers ----------------------------------------------------------------------------

    def bench_workers(self, full: Built, options) -> None:
        """The full rebuild as production runs it: queued to Redis, one task per measure, on N real
        `celery worker` processes (concurrency 1 each, as `docker compose up --scale worker=N`),
        against this database. The time runs from the run row's creation to its finished_at, which
        rebuild_finish sets once the last measure task is done. Each N: the workers started, the
        rebuild run --rebuild-runs times (median), the workers stopped."""
        counts = _numbers(options["workers"], int)
        rebuild_runs = max(1, options["rebuild_runs"])
        broker = options["broker"]
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        env = {
            **os.environ,
            # The database this command uses (under pytest, the test database, not DATABASE_URL's).
            "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "false",
        }
        env.pop("REDIS_CACHE_URL", None)
        celery = [sys.executable, "-m", "celery", "-A", "ci_platform"]
        from ci_platform.celery import app

        medians: dict[int, float] = {}
        for n in counts:
            self.log(f"full rebuild on {n} worker process(es), {rebuild_runs} run(s), broker {broker}")
            # Messages an interrupted run left must not run here.
            subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
                [*celery, "purge", "-f"], env=env, check=True, capture_output=True, timeout=60
            )
            folder = Path(tempfile.mkdtemp(prefix="bench-workers-"))
            logs = [folder / f"worker-{i}.log" for i in range(n)]
            files = [log.open("w") for log in logs]
            procs = [
                subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                    [*celery, "worker", "--concurrency=1", "--pool=prefork", "-n", f"bench{i}@%h"]
                    + ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"],
                    env=env,
                    stdout=file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                for i, file in enumerate(files)
            ]
            try:
                self._wait_ready(procs, logs)
                times, rows = [], 0
                for _ in range(rebuild_runs):
                    seconds, rows = self._rebuild_on_workers(full, app, broker, procs, logs)
                    times.append(seconds)
                # The run is done when its last measure task commits; its worker writes "succeeded"
                # just after. Stopping the workers first would lose that line from the count below.
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and sum(_measure_tasks(logs, "succeeded")) < sum(
                    _measure_tasks(logs, "received")
                ):
                    time.sleep(0.05)
            finally:
                for proc in procs:
                    if proc.poll() is None:
                        os.killpg(proc.pid, 15)
                for proc in procs:
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, 9)
                        proc.wait(timeout=10)
                for file in files:
                    file.close()
            tasks = _measure_tasks(logs, "succeeded")
            for log in logs:
                log.unlink(missing_ok=True)
            folder.rmdir()
            medians[n] = statistics.median(times)
            one = medians.get(1)
            spread = n == 1 or sum(1 for t in tasks if t) == min(n, len(full.measures))
            speedup = one / medians[n] if one else None
            self.emit(
                f"rebuild_workers_{n}",
                medians[n],
                "s",
                n=rebuild_runs,
                baseline="the same rebuild on 1 worker process" if one else None,
                baseline_value=one,
                baseline_n=rebuild_runs if one else None,
                target=None
                if n == 1
                else f"faster than 1 worker (at most {min(n, os.cpu_count() or 1)}x here)",
                met=None if n == 1 or speedup is None else speedup > 1 and spread,
                workers=n,
                speedup=speedup,
                runs_s=times,
                measure_tasks_per_worker=[round(t / rebuild_runs, 1) for t in tasks],
                every_worker_ran_tasks=spread,
                aggregate_rows=rows,
                cpus=os.cpu_count(),
                broker=broker,
            )

    def _wait_ready(self, procs, logs, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in procs):
                break
            if all(" ready." in log.read_text() for log in logs):
                return
            time.sleep(0.2)
        raise CommandError("a worker did not start:\n" + "\n".join(log.read_text()[-2000:] for log in logs))

    def _rebuild_on_workers(self, full: Built, app, broker: str, procs, logs, timeout: float = 3600):
        """One full rebuild through the broker; (seconds from the run's creation to its finish,
        aggregate rows)."""
        started = timezone.now()
        run = runs.rebuild_start(full.initiative)
        # send_task publishes even though this process runs its own tasks eagerly (no REDIS_URL).
        with app.connection_for_write(broker) as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # AlwaysEagerIgnored: publishing is the point
            app.send_task(
                "measurement.tasks.aggregates_rebuild_task",
                args=(full.initiative.pk, run.pk),
                connection=conn,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, finished = (
                AggregateRun.objects.filter(pk=run.pk).values_list("status", "finished_at").get()
            )
            if status == AggregateRun.Status.DONE and finished:
                return (finished - started).total_seconds(), Aggregate.objects.filter(run_id=run.pk).count()
            if status == AggregateRun.Status.FAILED or any(proc.poll() is not None for proc in procs):
                break
            time.sleep(0.05)
        raise CommandError(
            f"the rebuild on workers did not finish (run {run.pk}: {status}):\n"
            + "\n".join(log.read_text()[-2000:] for log in logs)
        )

    # --- the scale curve -------------------------------------------------------------------------

    def scale_curve(self, scales: list[float]) -> None:
        """Each figure at each size; its growth from the reference size (1x, or the smallest when 1x
        is the largest) to the largest, against issue 22's rules: pages that read precomputed
        aggregates (and every figure
        whose work does not grow, such as the same import file) flat within 1.5x; work that grows
        with the data (the full rebuild, the incremental update over every organisation, the page
        that names every organisation) at most linear, that is no faster than the values; query
        counts equal. Prints the JSON lines `scale:<figure>` and a table (stderr and --curve-out)."""
        top = max(scales)
        ref = 1.0 if 1.0 in scales and top > 1 else min(scales)
        at = {s: self.curve.get(s, {}) for s in scales}
        work = at[top]["dataset"]["value"] / at[ref]["dataset"]["value"]
        names = [name for name in at[top] if name in at[ref]]
        header = " | ".join(f"{s:g}x" for s in scales)
        rows = [
            f"Scale curve: {at[top]['dataset']['detail']['organizations']} organisations at {top:g}x"
            f" ({at[top]['dataset']['value']:,} values) against {at[ref]['dataset']['detail']['organizations']}"
            f" at {ref:g}x; growth = {top:g}x / {ref:g}x of the figure's cost (time, or 1 / rate).",
            "",
            f"| figure | unit | {header} | {top:g}x / {ref:g}x | cost growth | baseline growth"
            " | ratio to baseline at each size | rule | met |",
            "| --- | --- | "
            + " | ".join("---:" for _ in scales)
            + " | ---: | ---: | ---: | --- | --- | --- |",
        ]
        for name in names:
            hi, lo = at[top][name], at[ref][name]
            rule, limit = _scale_rule(name, work)
            value_ratio = hi["value"] / lo["value"] if hi["value"] and lo["value"] else None
            rate = hi["unit"].endswith("/s")
            cost = (1 / value_ratio if rate else value_ratio) if value_ratio else None
            base = (
                hi["baseline_value"] / lo["baseline_value"]
                if hi["baseline_value"] and lo["baseline_value"] and hi["unit"] != "queries"
                else None
            )
            if base and rate:
                base = 1 / base
            if rule == "equal":
                met = hi["value"] == lo["value"]
            elif limit is None or cost is None:
                met = None
            else:
                met = cost <= limit
            own = [at[s].get(name, {}).get("ratio") for s in scales]
            line = self.emit(
                f"scale:{name}",
                hi["value"],
                hi["unit"],
                baseline=f"the same figure at {ref:g}x ({lo['detail'].get('organizations', '')})".replace(
                    " ()", ""
                ),
                baseline_value=lo["value"],
                ratio=value_ratio,
                target=rule,
                met=met,
                values={f"{s:g}x": at[s].get(name, {}).get("value") for s in scales},
                cost_growth=cost,
                baseline_growth=base,
                work_growth=work,
                ratio_to_baseline={f"{s:g}x": r for s, r in zip(scales, own, strict=True)},
            )
            cells = " | ".join(_cell(at[s].get(name, {}).get("value")) for s in scales)
            rows.append(
                f"| {name} | {hi['unit']} | {cells} | {_cell(value_ratio)} | {_cell(cost)} | {_cell(base)} | "
                + " / ".join(_cell(r) for r in own)
                + f" | {rule} | {_met(line['met'])} |"
            )
        rebuild = at[top].get("full_rebuild")
        if rebuild:
            rows += [
                "",
                f"Full rebuild at {top:g}x against its SQL baseline: {_cell(rebuild['ratio'])}x"
                f" (target <= 3x): {_met(rebuild['met'])}.",
            ]
        if at[top].get("rebuild_workers_1"):
            speedups = ", ".join(
                f"{line['detail']['workers']}: {_cell(line['detail']['speedup'])}x"
                for key, line in at[top].items()
                if key.startswith("rebuild_workers_")
            )
            rows.append(
                f"Worker speed-up at {top:g}x (workers: speed-up against 1): {speedups}; {os.cpu_count()} CPUs."
            )
        text = "\n".join(rows) + "\n"
        self.stderr.write(text)
        out = Path(self.curve_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        self.log(f"the scale curve is in {out}")


MINIMAL_BASELINE = (
    "COPY of the same rows into a table with only the data's keys (primary key, the cell's unique key,"
    " one (organisation, period) index)"
)
# The same columns as measurement_datavalue, and only the keys the data needs.
MINIMAL_TABLE = """
CREATE TABLE bench_minimal_datavalue (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    submission_id bigint NOT NULL, measure_id bigint NOT NULL, period_id bigint NOT NULL,
    organization_id bigint NOT NULL, member1_id bigint, member2_id bigint,
    value numeric(20, 6) NOT NULL, comment text NOT NULL, entered_by_id integer,
    updated_at timestamp with time zone NOT NULL
);
CREATE UNIQUE INDEX bench_minimal_cell ON bench_minimal_datavalue
    (measure_id, period_id, organization_id, COALESCE(member1_id, 0), COALESCE(member2_id, 0));
CREATE INDEX bench_minimal_org_period ON bench_minimal_datavalue (organization_id, period_id);
"""


# Issue 22's rules by figure: what each one's cost may do when the organisations grow.
FLAT = 1.5
LINEAR = {"full_rebuild", "incremental_update"}
INFO = {"dataset", "bench_total"}


def _scale_rule(name: str, work: float) -> tuple[str, float | None]:
    """(the rule's words, the largest cost growth it allows)."""
    if name in INFO:
        return "-", None
    if name.startswith("queries_"):
        return "equal", None
    if name in LINEAR or name.startswith("rebuild_workers_"):
        return f"at most linear (<= {work:g}x, the values' growth)", work
    return f"flat (<= {FLAT:g}x)", FLAT


def _numbers(text: str, kind) -> list:
    try:
        numbers = sorted({kind(x) for x in text.split(",") if x.strip()})
    except ValueError as exc:
        raise CommandError(f"not a list of numbers: {text!r}") from exc
    if not numbers or min(numbers) <= 0:
        raise CommandError(f"not a list of positive numbers: {text!r}")
    return numbers


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int) or (isinstance(value, float) and value >= 100):
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _met(met) -> str:
    return {True: "yes", False: "**no**"}.get(met, "")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _replica(cursor, on: bool) -> bool:
    """Turn the foreign-key triggers off (on=True) or back on; False when not allowed."""
    try:
        with transaction.atomic():
            cursor.execute(f"SET session_replication_role = {'replica' if on else 'origin'}")
    except DatabaseError:
        return False
    return True


def _round(value):
    if isinstance(value, float):
        return round(value, 6 if abs(value) < 1 else 3)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def _machine() -> dict:
    memory = None
    try:
        with open("/proc/meminfo") as f:
            memory = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    import django

    db = connection.settings_dict
    return {
        "cpus": os.cpu_count(),
        # Other work on the machine skews every figure: the load when the run started.
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory_gb": memory,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "postgresql": server,
        "shared_buffers": buffers,
        "work_mem": work_mem,
        "database": f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
        "debug": settings.DEBUG,
    }
