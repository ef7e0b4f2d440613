"""The data checks after `make faults` (loadtest/faults.py runs this with the faults' DATABASE_URL):
no half-written submission, no pending recomputation once the catch-up has run, and aggregates
equal to a clean full rebuild. Prints one JSON object."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter


def main(setup_path: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")
    import django

    django.setup()
    from initiatives.models import Initiative
    from measurement.aggregation import runs
    from measurement.models import Aggregate, DataValue, DirtyAggregate, Submission

    setup = json.load(open(setup_path))  # noqa: SIM115
    initiative = Initiative.objects.get(slug=setup["slug"])

    started = time.monotonic()
    while DirtyAggregate.objects.filter(initiative=initiative, applied_at=None).exists():
        if time.monotonic() - started > 120:
            break
        time.sleep(1)
    pending = DirtyAggregate.objects.filter(initiative=initiative, applied_at=None).count()
    pending_wait = round(time.monotonic() - started, 1)

    ids = [p["submission"] for p in setup["partners"]]
    submissions = list(Submission.objects.filter(pk__in=ids))
    period_id = submissions[0].period_id
    untouched = (
        Submission.objects.filter(period_id=period_id, initiative=initiative).exclude(pk__in=ids).first()
    )
    whole = DataValue.objects.filter(submission=untouched).count()
    counts = {s.pk: DataValue.objects.filter(submission=s).count() for s in submissions}
    statuses = Counter(s.status for s in submissions)
    inconsistent = [
        s.pk for s in submissions if s.status in ("submitted", "approved") and s.submitted_at is None
    ]

    def table(run_id):
        return Counter(
            Aggregate.objects.filter(run_id=run_id).values_list(
                "measure_id", "period_id", "member1_id", "member2_id", "value", "organizations"
            )
        )

    after_faults = table(runs.active_run(initiative).pk)
    clean = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(clean.pk, measure_id)
    rebuilt = table(clean.pk)
    differing = sum(((after_faults - rebuilt) + (rebuilt - after_faults)).values())

    print(
        json.dumps(
            {
                "pending_recomputations": pending,
                "waited_for_catch_up_s": pending_wait,
                "grid_values": {"whole": whole, "per_submission": sorted(set(counts.values()))},
                "statuses": dict(statuses),
                "aggregate_rows": sum(after_faults.values()),
                "aggregate_rows_differing_from_clean_rebuild": differing,
                "checks": {
                    "no half-written submission (each grid whole)": set(counts.values()) <= {whole, 0},
                    "submitted or approved submissions have their submission time": not inconsistent,
                    "no recomputation pending after the catch-up": pending == 0,
                    "aggregates equal a clean full rebuild": differing == 0 and sum(rebuilt.values()) > 0,
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
