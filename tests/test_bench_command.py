"""`manage.py bench` (make bench) at a tiny size, so that the benchmark cannot silently rot: every line
it prints is a JSON object with the agreed keys, and the checks it makes along the way hold. No
timing is asserted here; the figures themselves live in docs/performance.md."""

import io
import json

import pytest
from django.core.management import call_command

KEYS = {
    "figure",
    "value",
    "unit",
    "n",
    "baseline",
    "baseline_value",
    "baseline_n",
    "ratio",
    "target",
    "met",
    "detail",
}
FIGURES = {
    "dataset",
    "full_rebuild",
    "incremental_update",
    "dashboard_data",
    "measure_page_data",
    "measure_page_data_by_organization",
    "dashboard_http",
    "measure_page_http",
    "queries_dashboard_data",
    "queries_measure_page_data",
    "queries_measure_page_data_by_organization",
    "queries_dashboard_http",
    "queries_measure_page_http",
    "queries_api_values_page",
    "api_values_first_pages",
    "api_values_deep_pages",
    "import",
    "import_commit",
    "import_writes_only",
    "import_preview",
    "bulk_submit",
    "bench_total",
}


@pytest.mark.postgres
@pytest.mark.django_db
def test_bench_prints_every_figure_as_json():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bench",
        orgs=3,
        measures=4,
        periods=3,
        small_orgs=2,
        import_rows=200,
        api_pages=2,
        api_limit=20,
        repeat=1,
        rebuild_runs=1,
        skip_backbone=True,
        verbosity=0,
        stdout=out,
        stderr=err,
    )
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert all(set(line) == KEYS for line in lines)
    figures = {line["figure"]: line for line in lines}
    assert set(figures) == FIGURES and len(lines) == len(FIGURES)

    # 3 organisations × 3 periods × (2 measures broken down into 6 cells + 2 without)
    assert figures["dataset"]["value"] == 3 * 3 * (2 * 6 + 2)
    # The SQL baseline computes exactly the numbers the rebuild stored.
    rebuild = figures["full_rebuild"]
    assert rebuild["detail"]["rows_differing"] == 0 and rebuild["detail"]["aggregate_rows"] > 0
    assert rebuild["value"] > 0 and rebuild["baseline_value"] > 0 and isinstance(rebuild["met"], bool)
    # Query counts do not grow with the data.
    for name, line in figures.items():
        if name.startswith("queries_"):
            assert line["value"] > 0 and line["met"] is True, line
    # The file was imported whole.
    imported = figures["import"]["detail"]
    assert imported["rows"] == imported["created"] == imported["stored"] == 200
    # Against both floors: COPY into the table as it is, and into a table with only the data's keys.
    commit = figures["import_commit"]
    assert commit["baseline_value"] > 0 and commit["detail"]["copy_into_the_table_rows_per_s"] > 0
    assert isinstance(commit["met"], bool) and isinstance(figures["import_preview"]["met"], bool)
    # The commit's ceiling: what it must write, COPYed with no check, against the same baseline.
    ceiling = figures["import_writes_only"]
    assert ceiling["value"] > 0 and ceiling["baseline_value"] == commit["baseline_value"]
    assert ceiling["met"] is None and ceiling["detail"]["rows"] == 200
    # The bulk API stored every value once: the retry with the same key answered from the first.
    bulk = figures["bulk_submit"]["detail"]
    assert bulk["values"] == bulk["stored"] == bulk["stored_after_retry"] == 200
    assert bulk["idempotent_retry_status"] == 200
    # Both ends of the API were read.
    for name in ("api_values_first_pages", "api_values_deep_pages"):
        assert figures[name]["detail"]["rows"] > 0
    for name in ("dashboard_data", "measure_page_data", "dashboard_http", "measure_page_http"):
        assert figures[name]["unit"] == "ms" and figures[name]["value"] > 0
