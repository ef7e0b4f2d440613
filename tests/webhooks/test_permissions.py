"""Every page and endpoint of webhooks in the uniform permission matrix.

Backbone staff only, reading included (a receiver's address, its log and its secret are the
backbone's integration settings, as API tokens are); other members 403; outsiders and the other
initiative's members 404; another initiative's subscriptions and deliveries 404, never their data."""

import pytest
from django.urls import reverse
from django.utils import timezone

from webhooks.models import Delivery, Event, Subscription

from ..permission_matrix import (
    BACKBONE_ONLY,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)

URL = "http://127.0.0.1:9/hook"


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _objects(initiative, url):
    subscription = Subscription.objects.create(
        initiative=initiative, url=url, events=["decision.recorded"], secret="whsec_" + "A" * 44
    )
    event = Event.objects.create(
        initiative=initiative,
        msg_id=f"msg_{initiative.slug}",
        type="decision.recorded",
        data={"decision": {"id": 1}},
        created_at=timezone.now(),
    )
    delivery = Delivery.objects.create(subscription=subscription, event=event, status="failed", attempts=1)
    return subscription, delivery


def _build_ww():
    """The world with a subscription and a delivery in each initiative."""
    world = build_world()
    world.subscription, world.delivery = _objects(world.initiative, URL)
    world.their_subscription, world.their_delivery = _objects(world.other, "http://127.0.0.1:9/Their")
    return world


ww_once, ww = module_world("ww", _build_ww)


def page(name, **kwargs):
    def url(w):
        resolved = {key: value(w) if callable(value) else value for key, value in kwargs.items()}
        return reverse(f"webhooks:{name}", kwargs={"slug": w.initiative.slug, **resolved})

    return url


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path(w) if callable(path) else path}"


def _sub(w):
    return w.subscription.pk


def _delivery(w):
    return w.delivery.pk


FORM = {"url": URL, "events": ["decision.recorded", "submission.approved"], "description": "Portal"}

PAGES = [
    Endpoint("list", page("list"), BACKBONE_ONLY),
    Endpoint("create", page("create"), BACKBONE_ONLY),
    Endpoint("create", page("create"), BACKBONE_ONLY, method="post", data=lambda w: FORM, ok=(200,)),
    Endpoint("detail", page("detail", pk=_sub), BACKBONE_ONLY),
    Endpoint("edit", page("edit", pk=_sub), BACKBONE_ONLY),
    Endpoint(
        "edit",
        page("edit", pk=_sub),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {**FORM, "is_active": "on"},
        ok=(302,),
    ),
    Endpoint("rotate", page("rotate", pk=_sub), BACKBONE_ONLY),
    Endpoint("rotate", page("rotate", pk=_sub), BACKBONE_ONLY, method="post", ok=(200,)),
    Endpoint("delete", page("delete", pk=_sub), BACKBONE_ONLY, method="post", ok=(302,)),
    Endpoint("redeliver", page("redeliver", pk=_delivery), BACKBONE_ONLY, method="post", ok=(302,)),
]

API = [
    Endpoint("api-subscriptions", api("webhook-subscriptions/"), BACKBONE_ONLY, api=True),
    Endpoint(
        "api-subscription-create",
        api("webhook-subscriptions/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: FORM,
        ok=(201,),
    ),
    Endpoint("api-subscription", api(lambda w: f"webhook-subscriptions/{_sub(w)}/"), BACKBONE_ONLY, api=True),
    Endpoint(
        "api-subscription-patch",
        api(lambda w: f"webhook-subscriptions/{_sub(w)}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"description": "Funder portal"},
    ),
    Endpoint(
        "api-subscription-delete",
        api(lambda w: f"webhook-subscriptions/{_sub(w)}/"),
        BACKBONE_ONLY,
        method="delete",
        api=True,
        ok=(204,),
    ),
    Endpoint(
        "api-subscription-rotate",
        api(lambda w: f"webhook-subscriptions/{_sub(w)}/rotate-secret/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
    ),
    Endpoint("api-deliveries", api("webhook-deliveries/"), BACKBONE_ONLY, api=True),
    Endpoint("api-delivery", api(lambda w: f"webhook-deliveries/{_delivery(w)}/"), BACKBONE_ONLY, api=True),
    Endpoint(
        "api-delivery-redeliver",
        api(lambda w: f"webhook-deliveries/{_delivery(w)}/redeliver/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        ok=(202,),
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_webhooks_page_permissions(client, ww, endpoint, persona):
    check_permission(client, ww, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_webhooks_api_permissions(client, ww, endpoint, persona):
    check_permission(client, ww, endpoint, persona)


FOREIGN = [
    page("detail", pk=lambda w: w.their_subscription.pk),
    page("edit", pk=lambda w: w.their_subscription.pk),
    page("rotate", pk=lambda w: w.their_subscription.pk),
    page("delete", pk=lambda w: w.their_subscription.pk),
    page("redeliver", pk=lambda w: w.their_delivery.pk),
    api(lambda w: f"webhook-subscriptions/{w.their_subscription.pk}/"),
    api(lambda w: f"webhook-subscriptions/{w.their_subscription.pk}/rotate-secret/"),
    api(lambda w: f"webhook-deliveries/{w.their_delivery.pk}/"),
    api(lambda w: f"webhook-deliveries/{w.their_delivery.pk}/redeliver/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", FOREIGN)
def test_another_initiatives_objects_are_404(client, ww, url):
    client.force_login(ww.people["backbone"])
    responses = [client.get(url(ww)), client.post(url(ww))]
    statuses = [r.status_code for r in responses]
    assert 404 in statuses and set(statuses) <= {404, 405}, statuses
    for response in responses:
        assert b"Their" not in response.content
    their = Subscription.objects.get(pk=ww.their_subscription.pk)
    assert their.secret == "whsec_" + "A" * 44  # not rotated


@pytest.mark.django_db
def test_lists_show_only_this_initiatives_rows_and_never_a_secret(client, ww):
    client.force_login(ww.people["backbone"])
    subs = client.get(api("webhook-subscriptions/")(ww)).json()
    assert [s["id"] for s in subs["results"]] == [ww.subscription.pk]
    assert "secret" not in subs["results"][0] and subs["results"][0]["secret_hint"].startswith("whsec_…")
    deliveries = client.get(api("webhook-deliveries/")(ww)).json()
    assert [d["id"] for d in deliveries["results"]] == [ww.delivery.pk]
    page_html = client.get(page("list")(ww)).content.decode()
    assert "Their" not in page_html and "A" * 44 not in page_html
    assert "A" * 44 not in client.get(page("detail", pk=_sub)(ww)).content.decode()
