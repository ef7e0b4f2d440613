"""The backbone API: the catalogue, waves without answers, scores with their evidence, the ledger,
the policy log and community events; bad input refused with a clear message."""

import pytest

from backbone.models import FundingEntry, PolicyEntry, Response
from tests.backbone.conftest import build_bb_world
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
bb_world_once, bb_world = module_world("bb_world", lambda: build_bb_world(build_world()))


def api(world, path):
    return f"/api/v1/initiatives/{world.initiative.slug}/backbone/{path}"


def test_the_catalogue(client, bb_world):
    client.force_login(bb_world.people["viewer"])
    data = client.get(api(bb_world, "indicators/")).json()
    assert [i["number"] for i in data] == list(range(1, 28))
    eight = next(i for i in data if i["number"] == 8)
    assert eight["function"] == "B" and eight["standard"] is True
    assert eight["name_he"] == "השותפים מדווחים על אמון גובר ביניהם"
    assert {item["group"] for item in eight["items"]} == {"partner", "steering"}
    functions = client.get(api(bb_world, "functions/")).json()
    assert [f["code"] for f in functions] == list("ABCDEF")
    he = client.get(api(bb_world, "indicators/8/"), HTTP_ACCEPT_LANGUAGE="he").json()
    assert he["number"] == 8


def test_waves_carry_response_rates_never_answers(client, bb_world):
    client.force_login(bb_world.people["steering"])
    data = client.get(api(bb_world, "waves/")).json()["results"]
    wave = data[0]
    assert (wave["invited"], wave["responded"], wave["response_rate"], wave["items"]) == (7, 5, 71.4, 3)
    assert {g["group"]: (g["invited"], g["responded"]) for g in wave["groups"]} == {
        "partner": (6, 5),
        "community": (1, 0),
    }
    text = str(client.get(api(bb_world, f"waves/{wave['id']}/")).json())
    assert "answers" not in text and "email" not in text and "@example.org" not in text
    assert not any(str(pk) in text for pk in Response.objects.values_list("pk", flat=True))


def test_scores_come_with_their_evidence(client, bb_world):
    client.force_login(bb_world.people["steering"])
    rows = client.get(api(bb_world, "indicator-scores/?period=2025-H1")).json()["results"]
    assert len(rows) == 27
    ten = next(r for r in rows if r["indicator"] == 10)
    assert (ten["score"], ten["confidence"], ten["responses"], ten["invited"]) == ("65.0", "low", 5, 6)
    assert ten["evidence"]["survey"]["distribution"] == [0, 1, 1, 2, 1]
    assert ten["evidence"]["thresholds"] == {"min_responses": 5, "min_records": 3}
    twelve = next(r for r in rows if r["indicator"] == 12)  # not asked in any wave
    assert twelve["score"] is None and twelve["confidence"] == "none"
    functions = client.get(api(bb_world, "function-scores/?period=2025-H1")).json()
    assert [f["function"] for f in functions] == list("ABCDEF")
    assert client.get(api(bb_world, "function-scores/?period=1999-H1")).json() == []


def test_partners_get_the_aggregate_but_not_the_evidence(client, bb_world):
    client.force_login(bb_world.people["partner"])
    assert client.get(api(bb_world, "function-scores/")).status_code == 200
    assert client.get(api(bb_world, "indicator-scores/")).status_code == 403
    assert client.get(api(bb_world, "waves/")).status_code == 403
    assert client.get(api(bb_world, "funding-entries/")).status_code == 403
    summary = client.get(api(bb_world, "funding-summary/")).json()
    assert summary["years"] == [2025] and summary["backbone_share"] == 100.0


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-300, "more than zero"), ("-0.01", "more than zero"), ("abc", "as a number"), ("1.234", "two decimal")],
)
def test_bad_amounts_are_refused_by_the_api(client, bb_world, amount, message):
    client.force_login(bb_world.people["backbone"])
    payload = {
        "funder": "Negev Fund",
        "funder_type": "philanthropy",
        "recipient": "initiative",
        "kind": "new",
        "amount": amount,
        "year": 2025,
        "committed_on": "2025-05-01",
    }
    response = client.post(api(bb_world, "funding-entries/"), payload, content_type="application/json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert FundingEntry.objects.count() == 1


def test_funding_entries_are_created_corrected_and_not_duplicated(client, bb_world):
    client.force_login(bb_world.people["backbone"])
    payload = {
        "funder": "Negev Fund",
        "funder_type": "philanthropy",
        "recipient": "partner",
        "recipient_organization": bb_world.orgs["partner"].pk,
        "kind": "redirected",
        "amount": "2500.50",
        "year": 2025,
        "committed_on": "2025-05-01",
        "requires_alignment": True,
    }
    created = client.post(api(bb_world, "funding-entries/"), payload, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert (
        created.json()["amount"] == "2500.50"
        and created.json()["recipient_organization"] == bb_world.orgs["partner"].pk
    )
    again = client.post(api(bb_world, "funding-entries/"), payload, content_type="application/json")
    assert again.status_code == 400 and "already in the ledger" in str(again.json())
    pk = created.json()["id"]
    patched = client.patch(
        api(bb_world, f"funding-entries/{pk}/"), {"amount": 3000}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["amount"] == "3000.00"
    foreign = client.patch(
        api(bb_world, f"funding-entries/{pk}/"),
        {"recipient_organization": bb_world.orgs["other"].pk},
        content_type="application/json",
    )
    assert foreign.status_code == 400
    assert FundingEntry.objects.count() == 2


def test_a_policy_change_without_alignment_is_refused_by_the_api(client, bb_world):
    client.force_login(bb_world.people["backbone"])
    payload = {"occurred_on": "2025-05-01", "kind": "policy_change", "title": "Rule", "policymakers": 0}
    response = client.post(api(bb_world, "policy-entries/"), payload, content_type="application/json")
    body = response.json()
    # The field's error, in the API's error shape ({"errors": {...}}) or DRF's plain one.
    assert response.status_code == 400 and "alignment" in body.get("errors", body)
    payload["alignment"] = "aligned"
    assert (
        client.post(api(bb_world, "policy-entries/"), payload, content_type="application/json").status_code
        == 201
    )
    negative = {**payload, "policymakers": -2}
    assert (
        client.post(api(bb_world, "policy-entries/"), negative, content_type="application/json").status_code
        == 400
    )
    assert PolicyEntry.objects.count() == 2


def test_recompute_is_queued_and_run(client, bb_world, eager_tasks, django_capture_on_commit_callbacks):
    client.force_login(bb_world.people["backbone"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(api(bb_world, "recompute/"))
    assert response.status_code == 202 and response.json()["trigger"] == "manual"
    from backbone.models import ScoreRun

    assert ScoreRun.objects.get(pk=response.json()["id"]).status == "done"


@pytest.mark.parametrize(
    "path", ["indicator-scores/", "waves/", "indicators/", "function-scores/", "policy-entries/"]
)
def test_api_list_query_count_is_constant(client, bb_world, path):
    from .helpers import answer, invite, make_wave, open_wave, recompute

    client.force_login(bb_world.people["backbone"])

    def page():
        assert client.get(api(bb_world, path)).status_code == 200

    def grow():
        wave = make_wave(bb_world, "partner-10", period="2024-H2")
        people = invite(bb_world, wave, "partner", 5)
        open_wave(bb_world, wave)
        for person in people:
            answer(person, 2)
        recompute(bb_world)

    assert_queries_constant(page, grow, exact=True)


def test_the_schema_lists_the_backbone_endpoints(client, bb_world):
    client.force_login(bb_world.people["backbone"])
    schema = client.get("/api/schema/?format=json").json()
    paths = [p for p in schema["paths"] if "/backbone/" in p]
    for expected in (
        "indicators",
        "waves",
        "indicator-scores",
        "function-scores",
        "funding-entries",
        "policy-entries",
    ):
        assert any(expected in p for p in paths), expected
