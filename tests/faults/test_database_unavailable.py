"""A request that finds the database out of reach (restarting, failing over) gets a clean 503 that
says to try again: a static page, or the API's error shape; never a traceback. `make faults`
restarts a real PostgreSQL under load; these pin the answer itself."""

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def _unreachable(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def steering(client, world):
    client.force_login(world.people["steering"])
    client.raise_request_exception = False  # answer as the server does
    return client


def test_a_page_is_a_503_that_says_to_retry(steering, monkeypatch):
    from measurement.dashboards import readers

    monkeypatch.setattr(readers, "measure_cards", _unreachable)
    response = steering.get("/initiatives/c2c/measurement/dashboard/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    text = response.content.decode()
    assert "Temporarily unavailable" in text and "נסו שוב" in text
    assert "Traceback" not in text and "OperationalError" not in text and "server closed" not in text


def test_an_api_read_is_a_503_in_the_error_shape(steering, monkeypatch):
    from measurement.aggregation import runs

    monkeypatch.setattr(runs, "active_run", _unreachable)
    response = steering.get("/api/v1/initiatives/c2c/aggregates/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json() == {
        "code": "unavailable",
        "message": "The service is temporarily unavailable; try again in a minute.",
        "errors": {},
    }


def test_any_other_error_is_the_static_500_page(steering, monkeypatch):
    from measurement.dashboards import readers

    monkeypatch.setattr(readers, "measure_cards", lambda *a, **k: 1 / 0)
    response = steering.get("/initiatives/c2c/measurement/dashboard/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert (
        "Something went wrong" in response.content.decode()
        and "ZeroDivisionError" not in response.content.decode()
    )
