"""The README's incremental sync (examples/sync.py) against a running server: a read token mirrors
the initiative's values, and a second run brings exactly what changed, cleared values included."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest

from measurement import services
from measurement.models import DataValue

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sync.py"


def load_example():
    spec = importlib.util.spec_from_file_location("ci_sync_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stored() -> dict[str, str]:
    out = {}
    for v in DataValue.objects.select_related("measure", "period", "member1", "member2"):
        key = "|".join(
            str(x)
            for x in (
                v.measure.code,
                v.period.code,
                v.organization_id,
                v.member1.code if v.member1 else None,
                v.member2.code if v.member2 else None,
            )
        )
        out[key] = f"{v.value:.6f}"
    return out


def mirrored(state) -> dict[str, str]:
    return {key: row["value"] for key, row in state["values"].items()}


@pytest.mark.django_db(transaction=True)
def test_incremental_sync_with_a_read_token(live_server, mworld, tokens):
    sync = load_example()
    state = sync.sync(live_server.url, "c2c", tokens["read"])
    assert mirrored(state) == stored() and len(state["values"]) == 9

    # Partner Org enters its year; then changes one value and clears another.
    submission = mworld.submission("year")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year())
    changed = mworld.valid_year({mworld.cell("enrolled", "area:hey"): "101"})
    del changed[mworld.cell("spend")]
    services.values_save(submission=submission, by=mworld.partner, raw=changed)

    state = sync.sync(live_server.url, "c2c", tokens["read"], state)
    assert mirrored(state) == stored()
    assert len(state["values"]) == 9 + 5
    ours = [
        r
        for r in state["values"].values()
        if r["organization_id"] == mworld.org.pk and r["period"] == submission.period.code
    ]
    assert Decimal(next(r["value"] for r in ours if r["breakdown_1"] == "hey")) == 101
    assert "spend" not in {r["measure"] for r in ours}

    # Nothing changed: nothing new (the overlap window reads the last few minutes again, harmlessly).
    again = sync.sync(live_server.url, "c2c", tokens["read"], dict(state, values=dict(state["values"])))
    assert mirrored(again) == stored()


def test_the_example_refuses_to_run_without_a_token(capsys, monkeypatch):
    monkeypatch.delenv("CI_API_TOKEN", raising=False)
    assert load_example().main(["sync.py", "http://127.0.0.1:1", "c2c"]) == 2
    assert "CI_API_TOKEN" in capsys.readouterr().err


def readme_python() -> str:
    """The Python example of the README's REST API section, as printed there."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## REST API", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.django_db(transaction=True)
def test_the_readme_example_as_printed(live_server, mworld, tokens):
    namespace: dict = {}
    exec(compile(readme_python(), "README.md", "exec"), namespace)  # noqa: S102 - our own README
    mirror: dict = {}
    since = namespace["sync"](live_server.url, "c2c", tokens["read"], mirror)
    assert set(mirror) == set(DataValue.objects.values_list("id", flat=True)) and since
    submission = mworld.submission("year")
    services.values_save(submission=submission, by=mworld.partner, raw=mworld.valid_year())
    since = namespace["sync"](live_server.url, "c2c", tokens["read"], mirror, since)
    assert set(mirror) == set(DataValue.objects.values_list("id", flat=True))
    assert len(mirror) == 9 + 6
