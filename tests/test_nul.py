"""A NUL in the address is refused with 400 before any view reads it (ci_platform/nul.py). Each of
these answered 500 (PostgreSQL refuses a NUL in a query): the query parameters were found by
sending bad values to every parameter of the pages and of the API's lists, the entry grid's path
by reading the change again for every `<str:>` route."""

import pytest

pytestmark = [pytest.mark.django_db]

HOME = "/initiatives/c2c/"
API = "/api/v1/initiatives/c2c/"


@pytest.mark.parametrize(
    "address",
    [
        f"{HOME}communication/updates/?tag=liter%00acy",
        f"{HOME}communication/documents/?tag=%00",
        f"{HOME}communication/updates/new/?tag=%00",
    ],
)
def test_a_page_asked_with_a_nul_is_a_bad_request(client, world, address):
    client.force_login(world.people["backbone"])
    response = client.get(address)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        f"{API}updates/?tag=%00",
        f"{API}documents/?tag=%00",
        f"{API}backbone/function-scores/?period=%00",
        f"{API}backbone/indicator-scores/?period=2026-Q1%00",
    ],
)
def test_an_api_call_with_a_nul_is_invalid_in_the_error_shape(client, world, address):
    client.force_login(world.people["backbone"])
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="he")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["errors"] == {}
    assert body["message"] == "הכתובת מכילה את התו NUL, שאף פרמטר אינו מקבל."


@pytest.mark.parametrize("tail", ["quarterly/2026-Q1%00/", "quarter%00ly/2026-Q1/template.xlsx"])
def test_an_entry_grid_address_with_a_nul_is_a_bad_request(client, world, tail):
    client.force_login(world.people["backbone"])
    response = client.get(f"{HOME}measurement/entry/{world.orgs['partner'].pk}/{tail}")
    assert response.status_code == 400


def test_a_query_without_a_nul_is_untouched(client, world):
    client.force_login(world.people["backbone"])
    assert client.get(f"{HOME}communication/updates/?tag=literacy%2500").status_code == 200
