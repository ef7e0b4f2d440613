"""Every page and endpoint of learning in the uniform permission matrix.

Who may do what: everyone in the initiative reads; backbone staff keep the risk register, the
learning log and the worksheets; backbone staff, steering committee members and partners tell
stories (for their own organisation); outsiders and the other initiative's members get 404."""

import pytest
from django.urls import reverse

from communication import services as communication
from communication.choices import Visibility

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)
from .conftest import build

# The learning world (tests/learning/conftest.py's `lw`), built once for the module.
lw_once, lw = module_world("lw", lambda: _build_lw(build_world()))


def _build_lw(w):
    """tests/learning/conftest.py's `lw` on a module's world."""
    w.mine = build(w.initiative, w.people["backbone"], w.orgs["partner"])
    w.theirs = build(w.other, w.people["other_member"], w.orgs["other"], prefix="Their ")
    w.private_document = communication.document_add(
        initiative=w.initiative,
        by=w.people["backbone"],
        title="PRIVATE-LEADERSHIP-DOC",
        url="https://example.org/private",
        visibility=Visibility.LEADERSHIP,
    )
    return w


TELLERS = frozenset({"backbone", "steering", "partner"})


def page(name, **kwargs):
    def url(w):
        resolved = {key: value(w) if callable(value) else value for key, value in kwargs.items()}
        return reverse(f"learning:{name}", kwargs={"slug": w.initiative.slug, **resolved})

    return url


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path(w) if callable(path) else path}"


def _risk(w):
    return w.mine.risk.pk


def _assumption(w):
    return w.mine.assumption.pk


def _code(w):
    return w.mine.measure.code


def _period(w):
    return w.mine.period.pk


def _worksheet_form(w):
    return {
        "revision": str(w.mine.worksheet.revision),
        "story": "The curve bends.",
        "what_works": "",
        "what_works_evidence": "",
        "partners-TOTAL_FORMS": "1",
        "partners-INITIAL_FORMS": "0",
        "partners-0-organization": str(w.orgs["partner"].pk),
        "partners-0-role": "Runs camps",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }


PAGES = [
    Endpoint("home", page("home"), EVERY_MEMBER),
    Endpoint("risks", page("risks"), EVERY_MEMBER),
    Endpoint("risk", page("risk", pk=_risk), EVERY_MEMBER),
    Endpoint("assumptions", page("assumptions"), EVERY_MEMBER),
    Endpoint("assumption", page("assumption", pk=_assumption), EVERY_MEMBER),
    Endpoint("curve", page("curve"), EVERY_MEMBER),
    Endpoint("curve-measure", page("curve_measure", code=_code), EVERY_MEMBER),
    Endpoint(
        "curve-measure-open",
        lambda w: page("curve_measure", code=_code)(w) + f"?period={w.mine.next_period.pk}",
        EVERY_MEMBER,
        ok=(302,),
    ),
    Endpoint("worksheet", page("worksheet", code=_code, period=_period), EVERY_MEMBER),
    # The register, the log and the worksheets: backbone staff.
    Endpoint("risk-create", page("risk_create"), BACKBONE_ONLY),
    Endpoint(
        "risk-create",
        page("risk_create"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"title": "Elections", "likelihood": "3", "impact": "4", "review_on": "2027-01-01"},
        ok=(302,),
    ),
    Endpoint("starting-list", page("starting_list"), BACKBONE_ONLY),
    Endpoint(
        "starting-list",
        page("starting_list"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"keys": ["wrong_results", "backbone_funding"]},
        ok=(302,),
    ),
    Endpoint("risk-edit", page("risk_edit", pk=_risk), BACKBONE_ONLY),
    Endpoint(
        "risk-edit",
        page("risk_edit", pk=_risk),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"likelihood": "2", "impact": "4", "review_on": "2027-01-01", "status": "open"},
        ok=(302,),
    ),
    Endpoint("risk-review", page("risk_review", pk=_risk), BACKBONE_ONLY),
    Endpoint(
        "risk-review",
        page("risk_review", pk=_risk),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "note": "Looked again.",
            "likelihood": "2",
            "impact": "3",
            "status": "open",
            "next_review_on": "2099-01-01",
        },
        ok=(302,),
    ),
    Endpoint("assumption-create", page("assumption_create"), BACKBONE_ONLY),
    Endpoint(
        "assumption-create",
        page("assumption_create"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"statement": "Libraries matter."},
        ok=(302,),
    ),
    Endpoint("assumption-edit", page("assumption_edit", pk=_assumption), BACKBONE_ONLY),
    Endpoint(
        "assumption-edit",
        page("assumption_edit", pk=_assumption),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"statement": "Camps lift reading in summer."},
        ok=(302,),
    ),
    Endpoint("learning-record", page("learning_record", pk=_assumption), BACKBONE_ONLY),
    Endpoint(
        "learning-record",
        page("learning_record", pk=_assumption),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"note": "Still true.", "status": "tested", "measure": str(w.mine.measure.pk)},
        ok=(302,),
    ),
    Endpoint("worksheet-edit", page("worksheet_edit", code=_code, period=_period), BACKBONE_ONLY),
    Endpoint(
        "worksheet-edit",
        page("worksheet_edit", code=_code, period=_period),
        BACKBONE_ONLY,
        method="post",
        data=_worksheet_form,
        ok=(302,),
    ),
    # Stories: whoever contributes.
    Endpoint("story-create", page("story_create", code=_code, period=_period), TELLERS),
    Endpoint(
        "story-create",
        page("story_create", code=_code, period=_period),
        TELLERS,
        method="post",
        data=lambda w: {"title": "A summer", "text": "Told here.", "organization": str(w.orgs["partner"].pk)},
        ok=(302,),
    ),
]

API = [
    Endpoint("api-risks", api("risks/"), EVERY_MEMBER, api=True),
    Endpoint("api-risks-due", api("risks/?due=true"), EVERY_MEMBER, api=True),
    Endpoint("api-risk", api(lambda w: f"risks/{w.mine.risk.pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-risk-reviews", api(lambda w: f"risks/{w.mine.risk.pk}/reviews/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-risk-create",
        api("risks/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"title": "Elections", "likelihood": 3, "impact": 4, "review_on": "2027-01-01"},
        ok=(201,),
    ),
    Endpoint(
        "api-risk-patch",
        api(lambda w: f"risks/{w.mine.risk.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"mitigation": "Talk to every faction."},
    ),
    Endpoint(
        "api-risk-review",
        api(lambda w: f"risks/{w.mine.risk.pk}/reviews/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"note": "Again.", "next_review_on": "2099-01-01"},
        ok=(201,),
    ),
    Endpoint("api-starting-list", api("risk-starting-list/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-starting-list-adopt",
        api("risk-starting-list/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"keys": ["measurement_cost"]},
        ok=(201,),
    ),
    Endpoint("api-assumptions", api("assumptions/"), EVERY_MEMBER, api=True),
    Endpoint("api-assumption", api(lambda w: f"assumptions/{w.mine.assumption.pk}/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-assumption-create",
        api("assumptions/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"statement": "Libraries matter."},
        ok=(201,),
    ),
    Endpoint(
        "api-assumption-patch",
        api(lambda w: f"assumptions/{w.mine.assumption.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"statement": "Camps lift reading in summer."},
    ),
    Endpoint(
        "api-assumption-learned",
        api(lambda w: f"assumptions/{w.mine.assumption.pk}/learned/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"note": "Revised.", "status": "revised"},
        ok=(201,),
    ),
    Endpoint("api-worksheets", api("curve-worksheets/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-worksheet", api(lambda w: f"curve-worksheets/{w.mine.worksheet.pk}/"), EVERY_MEMBER, api=True
    ),
    Endpoint(
        "api-worksheet-save",
        api("curve-worksheets/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"measure": w.mine.measure.pk, "period": w.mine.next_period.pk, "story": "Rising."},
        ok=(201,),
    ),
    Endpoint("api-stories", api("curve-stories/"), EVERY_MEMBER, api=True),
    Endpoint("api-story", api(lambda w: f"curve-stories/{w.mine.story.pk}/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-story-tell",
        api("curve-stories/"),
        TELLERS,
        method="post",
        api=True,
        data=lambda w: {
            "measure": w.mine.measure.pk,
            "period": w.mine.period.pk,
            "title": "T",
            "text": "Told.",
        },
        ok=(201,),
    ),
    Endpoint("api-coverage", api("measure-coverage/"), EVERY_MEMBER, api=True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_learning_page_permissions(client, lw, endpoint, persona):
    check_permission(client, lw, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_learning_api_permissions(client, lw, endpoint, persona):
    check_permission(client, lw, endpoint, persona)


# Another initiative's objects, asked for below this initiative's address: 404, never their data.
FOREIGN = [
    page("risk", pk=lambda w: w.theirs.risk.pk),
    page("risk_edit", pk=lambda w: w.theirs.risk.pk),
    page("risk_review", pk=lambda w: w.theirs.risk.pk),
    page("assumption", pk=lambda w: w.theirs.assumption.pk),
    page("assumption_edit", pk=lambda w: w.theirs.assumption.pk),
    page("learning_record", pk=lambda w: w.theirs.assumption.pk),
    page("curve_measure", code=lambda w: w.theirs.measure.code),
    page("worksheet", code=lambda w: w.theirs.measure.code, period=lambda w: w.theirs.period.pk),
    page("worksheet", code=_code, period=lambda w: w.theirs.period.pk),
    page("worksheet_edit", code=_code, period=lambda w: w.theirs.period.pk),
    page("story_create", code=_code, period=lambda w: w.theirs.period.pk),
    lambda w: page("curve_measure", code=_code)(w) + f"?period={w.theirs.period.pk}",
    api(lambda w: f"risks/{w.theirs.risk.pk}/"),
    api(lambda w: f"risks/{w.theirs.risk.pk}/reviews/"),
    api(lambda w: f"assumptions/{w.theirs.assumption.pk}/"),
    api(lambda w: f"assumptions/{w.theirs.assumption.pk}/learned/"),
    api(lambda w: f"curve-worksheets/{w.theirs.worksheet.pk}/"),
    api(lambda w: f"curve-stories/{w.theirs.story.pk}/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", FOREIGN)
def test_another_initiatives_objects_are_404(client, lw, url):
    client.force_login(lw.people["backbone"])
    responses = [client.get(url(lw)), client.post(url(lw))]
    statuses = [r.status_code for r in responses]
    # 404 for the method the address serves (405 only for a method it never serves).
    assert 404 in statuses and set(statuses) <= {404, 405}, statuses
    for response in responses:
        assert b"Their" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("curve-worksheets/", lambda w: {"measure": w.theirs.measure.pk, "period": w.mine.period.pk}),
        ("curve-worksheets/", lambda w: {"measure": w.mine.measure.pk, "period": w.theirs.period.pk}),
        (
            "curve-stories/",
            lambda w: {
                "measure": w.theirs.measure.pk,
                "period": w.theirs.period.pk,
                "title": "x",
                "text": "y",
            },
        ),
        (
            "risks/",
            lambda w: {"title": "x", "review_on": "2027-01-01", "owner": w.other.memberships.first().pk},
        ),
    ],
)
def test_another_initiatives_ids_are_refused_in_writes(client, lw, path, data):
    client.force_login(lw.people["backbone"])
    response = client.post(api(path)(lw), data=data(lw), content_type="application/json")
    assert response.status_code == 400, response.content
    assert b"Their" not in response.content


@pytest.mark.django_db
def test_another_initiatives_evidence_is_refused_in_the_log(client, lw):
    client.force_login(lw.people["backbone"])
    url = api(lambda w: f"assumptions/{w.mine.assumption.pk}/learned/")(lw)
    for field, obj in (
        ("decision", lw.theirs.decision),
        ("document", lw.theirs.document),
        ("measure", lw.theirs.measure),
    ):
        response = client.post(
            url, data={"note": "n", "status": "tested", field: obj.pk}, content_type="application/json"
        )
        assert response.status_code == 400, (field, response.content)
