"""The pages and the API of webhooks: the secret shown once, a refused address said on the form in
English and Hebrew, the delivery log with each attempt, redelivery and rotation, the menu link for
backbone staff only, and lists at a constant number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant
from webhooks import services
from webhooks.models import Attempt, Delivery, Event, Subscription

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)

URL = "http://127.0.0.1:9/hook"
FORM = {"url": URL, "events": ["submission.approved", "decision.recorded"], "description": "Funder portal"}


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def url(world, name, **kwargs):
    return reverse(f"webhooks:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def api(world, path):
    return f"/api/v1/initiatives/{world.initiative.slug}/{path}"


def subscription_of(world):
    subscription, _secret = services.subscription_create(
        initiative=world.initiative, by=world.people["backbone"], url=URL, events=["decision.recorded"]
    )
    return subscription


def logged(subscription, n: int, start: int = 0):
    """n deliveries with two attempts each (a 500, then a 200)."""
    for i in range(start, start + n):
        event = Event.objects.create(
            initiative=subscription.initiative,
            msg_id=f"msg_{subscription.pk}_{i}",
            type="decision.recorded",
            data={"decision": {"id": i}},
            created_at=timezone.now(),
        )
        delivery = Delivery.objects.create(
            subscription=subscription, event=event, status="succeeded", attempts=2
        )
        Attempt.objects.create(
            delivery=delivery,
            number=1,
            at=timezone.now(),
            status_code=500,
            response_ms=12,
            reason={"text": "The receiver answered %(status)s.", "params": {"status": "500"}},
        )
        Attempt.objects.create(
            delivery=delivery, number=2, at=timezone.now(), status_code=200, response_ms=9, succeeded=True
        )


def test_the_secret_is_shown_once_on_creation(client, world):
    client.force_login(world.people["backbone"])
    response = client.post(url(world, "create"), FORM)
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    body = response.content.decode()
    assert "data-secret" in body and subscription.secret in body
    assert response["Cache-Control"] == "no-store"
    assert subscription.events == FORM["events"] and subscription.created_by == world.people["backbone"]
    for page in (
        url(world, "list"),
        url(world, "detail", pk=subscription.pk),
        url(world, "edit", pk=subscription.pk),
    ):
        shown = client.get(page).content.decode()
        assert subscription.secret not in shown and subscription.secret[6:20] not in shown
    assert subscription.secret_hint in client.get(url(world, "detail", pk=subscription.pk)).content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "public addresses only"), ("he", "הפלטפורמה שולחת וובהוקים לכתובות ציבוריות בלבד")],
)
def test_a_refused_address_is_said_on_the_form(client, world, settings, language, said):
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    client.force_login(world.people["backbone"])
    client.cookies["django_language"] = language
    response = client.post(url(world, "create"), {**FORM, "url": "http://169.254.169.254/latest/meta-data/"})
    assert response.status_code == 400
    body = response.content.decode()
    assert said in body and "169.254.169.254" in body
    assert 'value="http://169.254.169.254/latest/meta-data/"' in body  # what was typed is kept
    assert not Subscription.objects.exists()


def test_the_pages_in_hebrew(client, world):
    subscription = subscription_of(world)
    logged(subscription, 1)
    client.force_login(world.people["backbone"])
    client.cookies["django_language"] = "he"
    listing = client.get(url(world, "list")).content.decode()
    assert 'dir="rtl"' in listing and "וובהוקים" in listing and "החלטה נרשמה" in listing
    detail = client.get(url(world, "detail", pk=subscription.pk)).content.decode()
    assert "יומן משלוחים" in detail and "Delivery log" not in detail
    assert "HTTP 500" in detail and "HTTP 200" in detail and "12 ms" in detail
    assert "המקבל ענה 500." in detail and "The receiver answered" not in detail  # the log in her language


def test_the_menu_links_webhooks_for_backbone_staff_only(client, world):
    overview = reverse("initiatives:overview", kwargs={"slug": world.initiative.slug})
    client.force_login(world.people["backbone"])
    assert url(world, "list") in client.get(overview).content.decode()
    client.force_login(world.people["partner"])
    assert url(world, "list") not in client.get(overview).content.decode()


def test_edit_rotate_redeliver_and_delete(client, world, django_capture_on_commit_callbacks):
    subscription = subscription_of(world)
    logged(subscription, 1)
    old = subscription.secret
    client.force_login(world.people["backbone"])

    response = client.post(url(world, "edit", pk=subscription.pk), {**FORM, "description": "Board portal"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.description == "Board portal"  # unchecked: disabled

    response = client.post(url(world, "rotate", pk=subscription.pk))
    subscription.refresh_from_db()
    assert response.status_code == 200 and subscription.secret in response.content.decode()
    assert subscription.previous_secret == old and subscription.previous_secret_expires_at > timezone.now()

    delivery = Delivery.objects.get()
    response = client.post(url(world, "redeliver", pk=delivery.pk), follow=True)
    assert "enable it first" in response.content.decode()  # disabled: nothing is sent
    client.post(url(world, "edit", pk=subscription.pk), {**FORM, "is_active": "on"})
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(url(world, "redeliver", pk=delivery.pk))
    assert response.status_code == 302 and len(queued) == 1

    assert client.post(url(world, "delete", pk=subscription.pk)).status_code == 302
    assert not Subscription.objects.exists()


def test_the_api_returns_the_secret_only_when_it_is_made(client, world, settings):
    client.force_login(world.people["backbone"])
    created = client.post(api(world, "webhook-subscriptions/"), FORM, content_type="application/json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    assert secret.startswith("whsec_") and Subscription.objects.get().secret == secret
    pk = created.json()["id"]
    read = client.get(api(world, f"webhook-subscriptions/{pk}/")).json()
    assert "secret" not in read and secret not in str(read)
    rotated = client.post(api(world, f"webhook-subscriptions/{pk}/rotate-secret/")).json()
    assert rotated["secret"] != secret and rotated["previous_secret_expires_at"]

    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    refused = client.patch(
        api(world, f"webhook-subscriptions/{pk}/"),
        {"url": "http://10.0.0.5/x"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "public addresses only" in refused.content.decode()
    unknown = client.post(
        api(world, "webhook-subscriptions/"),
        {**FORM, "events": ["values.leaked"]},
        content_type="application/json",
    )
    assert unknown.status_code == 400


def test_the_delivery_log_in_the_api(client, world):
    subscription = subscription_of(world)
    logged(subscription, 2)
    client.force_login(world.people["backbone"])
    page = client.get(api(world, f"webhook-deliveries/?subscription={subscription.pk}")).json()
    assert len(page["results"]) == 2
    first = page["results"][0]
    assert [a["status_code"] for a in first["attempt_log"]] == [500, 200]
    assert first["payload"]["type"] == "decision.recorded" and first["msg_id"].startswith("msg_")
    for odd in ("abc", "99999999999999999999999", "-1"):
        assert client.get(api(world, f"webhook-deliveries/?subscription={odd}")).json()["results"] == []


@pytest.mark.parametrize("address", ["list", "detail", "api-subscriptions", "api-deliveries"])
def test_lists_cost_a_constant_number_of_queries(client, world, address):
    subscription = subscription_of(world)
    logged(subscription, 2)
    client.force_login(world.people["backbone"])
    page = {
        "list": url(world, "list"),
        "detail": url(world, "detail", pk=subscription.pk),
        "api-subscriptions": api(world, "webhook-subscriptions/"),
        "api-deliveries": api(world, "webhook-deliveries/"),
    }[address]

    def get():
        assert client.get(page).status_code == 200

    def grow():
        logged(subscription, 5, start=10)
        subscription_of(world)

    get()
    assert_queries_constant(get, grow)
