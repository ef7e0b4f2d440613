"""Headers and markup that every page keeps: a CSP without inline scripts, clickjacking protection."""

import re

import pytest
from django.urls import reverse

PAGES = [
    "/",
    "/initiatives/c2c/",
    "/initiatives/c2c/agenda/",
    "/initiatives/c2c/measurement/",
    "/initiatives/c2c/measurement/dashboard/",
    "/initiatives/c2c/members/",
    "/accounts/login/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_pages_have_csp_and_no_inline_script(client, world, path):
    client.force_login(world.people["backbone"])
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    for tag in re.findall(r"<script\b[^>]*>", response.content.decode()):
        assert "src=" in tag or 'type="application/json"' in tag, f"inline script on {path}: {tag}"


@pytest.mark.django_db
def test_api_docs_have_no_inline_script(client, world):
    client.force_login(world.people["backbone"])
    body = client.get(reverse("api-docs")).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in tag, tag
