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
    "measure_page_by_organization_http",
    "queries_dashboard_data",
    "queries_measure_page_data",
    "queries_measure_page_data_by_organization",
    "queries_dashboard_http",
    "queries_measure_page_http",
    "queries_measure_page_by_organization_http",
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
        assert figures[name]["n"] == len(figures[name]["detail"]["passes_rows_per_s"]) == 3
    pages = ("dashboard_http", "measure_page_http", "measure_page_by_organization_http")
    for name in ("dashboard_data", "measure_page_data", "measure_page_data_by_organization", *pages):
        assert figures[name]["unit"] == "ms" and figures[name]["value"] > 0
    assert figures["measure_page_by_organization_http"]["detail"]["user"] == "backbone staff"


TINY = {
    "measures": 4,
    "periods": 3,
    "small_orgs": 2,
    "import_rows": 200,
    "api_pages": 2,
    "api_limit": 20,
    "repeat": 1,
    "rebuild_runs": 1,
    "skip_backbone": True,
    "verbosity": 0,
}


@pytest.mark.postgres
@pytest.mark.django_db
def test_bench_scale_curve_prints_every_figure_at_each_size(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    table = tmp_path / "curve.md"
    call_command("bench", orgs=2, scales="0.5,1", curve_out=str(table), stdout=out, stderr=err, **TINY)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert all(set(line) == KEYS for line in lines)
    sized = [line for line in lines if not line["figure"].startswith("scale:")]
    # Every figure once per size, tagged with its size; the sizes' datasets differ only by organisations.
    assert sorted(line["detail"]["scale"] for line in sized) == sorted([0.5, 1.0] * len(FIGURES))
    datasets = {line["detail"]["scale"]: line for line in sized if line["figure"] == "dataset"}
    assert datasets[0.5]["detail"]["organizations"] == 1 and datasets[1.0]["detail"]["organizations"] == 2
    curve = {
        line["figure"].removeprefix("scale:"): line for line in lines if line["figure"].startswith("scale:")
    }
    assert set(curve) == FIGURES
    assert curve["dataset"]["ratio"] == 2 and curve["dataset"]["detail"]["work_growth"] == 2
    for name, line in curve.items():
        assert set(line["detail"]["values"]) == {"0.5x", "1x"}, name
        if name.startswith("queries_"):
            assert line["target"] == "equal" and line["met"] is True, line
    assert curve["dashboard_data"]["target"].startswith("flat")
    assert curve["full_rebuild"]["target"].startswith("at most linear")
    assert isinstance(curve["full_rebuild"]["met"], bool)
    # The table: one row per figure, on stderr and in the file.
    assert "Scale curve" in err.getvalue() and "| full_rebuild | s |" in table.read_text()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_bench_rebuild_on_real_workers_spreads_the_measures(settings):
    out, err = io.StringIO(), io.StringIO()
    options = {**TINY, "rebuild_runs": 1}
    call_command(
        "bench",
        orgs=2,
        workers="1,2",
        workers_only=True,
        broker=settings.REDIS_URL,
        stdout=out,
        stderr=err,
        **options,
    )
    figures = {line["figure"]: line for line in map(json.loads, out.getvalue().splitlines())}
    assert set(figures) == {"dataset", "rebuild_workers_1", "rebuild_workers_2", "bench_total"}
    one, two = figures["rebuild_workers_1"], figures["rebuild_workers_2"]
    # Every run finished (its row done), with every measure's rows; both workers ran measure tasks.
    assert one["value"] > 0 and two["value"] > 0 and one["detail"]["aggregate_rows"] > 0
    assert two["detail"]["aggregate_rows"] == one["detail"]["aggregate_rows"]
    assert one["detail"]["measure_tasks_per_worker"] == [4]
    assert all(n > 0 for n in two["detail"]["measure_tasks_per_worker"])
    assert sum(two["detail"]["measure_tasks_per_worker"]) == 4
    assert two["baseline_value"] == one["value"] and isinstance(two["met"], bool)
