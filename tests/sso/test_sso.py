"""Single sign-on through the full redirect flow, in Chromium, against a real OpenID Connect provider
process (tests/sso/conftest.py): the account created or linked by verified email, an invitation
accepted through it, and every refusal (state, audience, expiry, unverified email, domain, password
sign-in turned off) shown as a clear message, never a 500."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from initiatives import services as initiative_services
from initiatives.choices import Role
from initiatives.models import Membership
from sso import conf
from sso import services as sso_services
from sso.backends import SsoBackend
from sso.models import SsoIdentity
from sso.services import SsoRefused

from ..conftest import PASSWORD
from .conftest import CLIENT_ID, PROVIDER_NAME, configure, start_provider, stop_provider

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

User = get_user_model()
SIGN_IN_BUTTON = f"Sign in with {PROVIDER_NAME}"


@pytest.fixture
def page(new_page):
    return new_page()


def authorize_at_provider(page, sub: str) -> None:
    """On the provider's consent page (the mock's form): sign in as `sub`."""
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.fill("#subject-input", sub)
    page.get_by_role("button", name="Authorize", exact=True).click()


def sso_sign_in(page, sub: str, start: str = "/accounts/login/") -> None:
    page.goto(start)
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    authorize_at_provider(page, sub)


def refusal(page):
    """The sign-in page with its error message."""
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    return page.locator(".alert-danger")


# --- Off unless configured -----------------------------------------------------------------------


@pytest.mark.django_db
def test_off_without_an_issuer(client, settings):
    settings.SSO_OIDC_ISSUER = ""
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with" not in page and 'name="password"' in page
    assert client.post("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404


@pytest.mark.django_db
def test_the_button_is_in_english_and_hebrew(client, settings):
    settings.SSO_OIDC_ISSUER = "http://127.0.0.1:9"
    settings.SSO_PROVIDER_NAME = "Contoso"
    english = client.get("/accounts/login/").content.decode()
    assert "Sign in with <bdi>Contoso</bdi>" in english
    hebrew = client.get("/accounts/login/", headers={"accept-language": "he"}).content.decode()
    assert "התחברות עם <bdi>Contoso</bdi>" in hebrew
    settings.SSO_PROVIDER_NAME = ""
    assert (
        "התחברות עם החשבון של הארגון שלך"
        in client.get("/accounts/login/", headers={"accept-language": "he"}).content.decode()
    )


@pytest.mark.django_db
def test_a_provider_out_of_reach_is_a_message(client, settings):
    settings.SSO_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    conf.forget_discovery()
    response = client.post("/accounts/sso/start/", follow=True)
    assert response.status_code == 200
    assert "The identity provider could not be reached" in response.content.decode()


# --- The full flow in the browser ----------------------------------------------------------------


@pytest.mark.browser
def test_first_sign_in_creates_the_account_and_the_next_finds_it(page, sso_on):
    sso_on.add_user(
        "u-dana", email="dana@partner.org", email_verified=True, given_name="Dana", family_name="Levi"
    )
    page.goto("/accounts/login/")
    session_before = page.context.cookies()
    sso_sign_in(page, "u-dana")
    expect(page).to_have_url(re.compile(r"/$"))
    dana = User.objects.get(email="dana@partner.org")
    assert (dana.first_name, dana.last_name, dana.has_usable_password()) == ("Dana", "Levi", False)
    assert SsoIdentity.objects.get(user=dana).subject == "u-dana"
    # No initiative comes with an account: membership is by invitation only.
    assert not Membership.objects.filter(user=dana).exists()
    # The session key changed at sign-in (no fixation).
    after = {c["name"]: c["value"] for c in page.context.cookies()}
    before = {c["name"]: c["value"] for c in session_before}
    assert after["sessionid"] and after["sessionid"] != before.get("sessionid")

    # Signed out, the same identity signs in to the same account, even with a new address at the provider.
    page.context.clear_cookies()
    sso_on.add_user("u-dana", email="dana.levi@partner.org", email_verified=True)
    sso_sign_in(page, "u-dana")
    expect(page).to_have_url(re.compile(r"/$"))
    assert User.objects.filter(email__endswith="@partner.org").count() == 1
    assert SsoIdentity.objects.get(user=dana).email == "dana.levi@partner.org"


@pytest.mark.browser
def test_an_existing_account_is_linked_by_verified_email(page, sso_on, make_user):
    partner = make_user("partner")  # partner@example.org, with a password
    sso_on.add_user("u-partner", email="Partner@Example.org", email_verified=True)
    sso_sign_in(page, "u-partner")
    expect(page).to_have_url(re.compile(r"/$"))
    assert SsoIdentity.objects.get(subject="u-partner").user == partner
    assert User.objects.count() == 1
    # The password still works beside it.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", "partner")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))


@pytest.mark.browser
def test_an_administrators_account_is_not_linked_by_email(page, sso_on, make_user):
    make_user("root", is_staff=True, is_superuser=True)
    sso_on.add_user("u-root", email="root@example.org", email_verified=True)
    sso_sign_in(page, "u-root")
    expect(refusal(page)).to_contain_text(
        "is an administrator's: it is linked to single sign-on by hand only"
    )
    assert not SsoIdentity.objects.exists()


@pytest.mark.browser
def test_an_invitation_is_accepted_through_single_sign_on(page, sso_on, world, eager_tasks):
    invitation, token = initiative_services.invitation_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        email="noa@partner.org",
        role=Role.PARTNER,
        organization=world.orgs["partner"],
    )
    sso_on.add_user("u-noa", email="noa@partner.org", email_verified=True)
    page.goto(f"/invitations/{token}/")
    page.get_by_role("button", name=f"{SIGN_IN_BUTTON} and join").click()
    authorize_at_provider(page, "u-noa")
    expect(page).to_have_url(re.compile(r"/initiatives/c2c/$"))
    expect(page.locator(".alert-success")).to_contain_text("Welcome to Cradle to Career")
    noa = User.objects.get(email="noa@partner.org")
    membership = Membership.objects.get(user=noa, initiative=world.initiative)
    assert (membership.role, membership.organization) == (Role.PARTNER, world.orgs["partner"])
    invitation.refresh_from_db()
    assert invitation.accepted_by == noa


@pytest.mark.browser
def test_an_invitation_to_another_address_is_not_accepted(page, sso_on, world, eager_tasks):
    invitation, token = initiative_services.invitation_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        email="noa@partner.org",
        role=Role.PARTNER,
        organization=world.orgs["partner"],
    )
    sso_on.add_user("u-eve", email="eve@partner.org", email_verified=True)
    page.goto(f"/invitations/{token}/")
    page.get_by_role("button", name=f"{SIGN_IN_BUTTON} and join").click()
    authorize_at_provider(page, "u-eve")
    expect(page.locator(".alert-warning").first).to_contain_text(
        "This invitation was sent to noa@partner.org, but you signed in as eve@partner.org"
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__email="eve@partner.org").exists()


# --- Refusals ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_a_bad_state_is_refused(page, sso_on):
    """The provider's redirect back with its state changed (or replayed into another browser) is
    refused; the same redirect untouched signs in, so it is the state that was refused."""
    sso_on.add_user("u-sam", email="sam@partner.org", email_verified=True)
    returned = []

    def hold(route):
        # The provider's answer to the consent form is a redirect back to the callback (Playwright
        # does not route a redirect's target): the redirect is taken and held here.
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        returned.append(answer.headers["location"])
        route.fulfill(status=200, body="held")

    authorize = re.compile(r"/oauth2/authorize")
    page.route(authorize, hold)
    sso_sign_in(page, "u-sam")
    expect(page.locator("body")).to_have_text("held")
    page.unroute(authorize)
    assert "/accounts/sso/callback/?" in returned[0]
    parts = urlsplit(returned[0])
    query = dict(parse_qsl(parts.query))
    forged = urlunsplit(parts._replace(query=urlencode({**query, "state": "forged-" + query["state"]})))

    page.goto(forged)
    expect(refusal(page)).to_contain_text("could not be matched to one started here")
    assert not User.objects.filter(email="sam@partner.org").exists()

    # Another browser (a login CSRF: the attacker's code in the victim's browser) is refused too.
    other = page.context.browser.new_context(base_url=page.url.split("/accounts")[0])
    try:
        other_page = other.new_page()
        other_page.goto(returned[0])
        expect(refusal(other_page)).to_contain_text("could not be matched to one started here")
    finally:
        other.close()
    assert not User.objects.filter(email="sam@partner.org").exists()

    page.goto(returned[0])
    expect(page).to_have_url(re.compile(r"/$"))
    assert User.objects.filter(email="sam@partner.org").exists()
    # Used once: the same answer again is refused.
    page.goto(returned[0])
    expect(refusal(page)).to_contain_text("could not be matched to one started here")


@pytest.mark.browser
def test_an_unverified_email_is_refused(page, sso_on, make_user):
    make_user("partner")
    sso_on.add_user("u-mallory", email="partner@example.org", email_verified=False)
    sso_sign_in(page, "u-mallory")
    expect(refusal(page)).to_contain_text("has not verified the email address partner@example.org")
    assert not SsoIdentity.objects.exists()
    page.goto("/")  # not signed in: the home page asks for sign-in
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


@pytest.mark.browser
def test_a_domain_not_allowed_is_refused(page, sso_on, settings):
    settings.SSO_ALLOWED_EMAIL_DOMAINS = ["partner.org"]
    sso_on.add_user("u-out", email="someone@elsewhere.com", email_verified=True)
    sso_on.add_user("u-in", email="someone@partner.org", email_verified=True)
    sso_sign_in(page, "u-out")
    expect(refusal(page)).to_contain_text("Accounts of elsewhere.com cannot sign in here")
    assert not User.objects.filter(email="someone@elsewhere.com").exists()
    sso_sign_in(page, "u-in")
    expect(page).to_have_url(re.compile(r"/$"))
    assert User.objects.filter(email="someone@partner.org").exists()


@pytest.mark.browser
def test_an_expired_id_token_is_refused(page, settings):
    """A provider whose ID tokens expired ten minutes before they were issued (clock skew, a replay)."""
    provider = start_provider("--token-max-age=-600")
    try:
        configure(settings, provider)
        provider.add_user("u-late", email="late@partner.org", email_verified=True)
        sso_sign_in(page, "u-late")
        expect(refusal(page)).to_contain_text("The identity provider's sign-in has expired")
        assert not User.objects.filter(email="late@partner.org").exists()
    finally:
        stop_provider(provider)
        conf.forget_discovery()


@pytest.mark.browser
def test_the_provider_refusing_is_a_message(page, sso_on):
    page.goto("/accounts/login/")
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.get_by_role("button", name="Deny access").click()
    expect(refusal(page)).to_contain_text("The identity provider did not sign you in (access_denied)")


@pytest.mark.django_db
def test_a_token_for_another_application_is_refused(sso_on):
    """The provider's own token, signed with its JWKS, but issued to another client: refused at the
    ID token's check (the library alone does not check the audience)."""
    sso_on.add_user("u-aud", email="aud@partner.org", email_verified=True)
    backend = SsoBackend(conf.provider())
    token = sso_on.id_token_for("u-aud", client_id="another-app", nonce="n-1")
    with pytest.raises(SsoRefused, match="meant for another application"):
        backend.verify_token(token, nonce="n-1")
    # The same provider's token for this client passes, and only with its nonce.
    ours = sso_on.id_token_for("u-aud", client_id=CLIENT_ID, nonce="n-2")
    assert backend.verify_token(ours, nonce="n-2")["sub"] == "u-aud"
    with pytest.raises(SsoRefused, match="could not be verified"):
        backend.verify_token(ours, nonce="another-nonce")
    # A token whose signature was tampered with is refused.
    head, body, signature = ours.split(".")
    with pytest.raises(SsoRefused, match="could not be verified"):
        backend.verify_token(f"{head}.{body}.{signature[:-4]}AAAA", nonce="n-2")


@pytest.mark.django_db
def test_a_token_from_another_issuer_is_refused(sso_on):
    """Signed with the right key but naming another issuer: the provider names as issuer the address
    it is reached at, so the same process reached as localhost issues it."""
    sso_on.add_user("u-iss", email="iss@partner.org", email_verified=True)
    backend = SsoBackend(conf.provider())  # the configured provider: its issuer and its JWKS
    elsewhere = sso_on.url.replace("127.0.0.1", "localhost")
    token = sso_on.id_token_for("u-iss", client_id=CLIENT_ID, nonce="n", url=elsewhere)
    with pytest.raises(SsoRefused, match="could not be verified"):
        backend.verify_token(token, nonce="n")
    assert backend.verify_token(sso_on.id_token_for("u-iss", client_id=CLIENT_ID, nonce="n"), nonce="n")
    # A provider of its own (another key): refused too.
    other = start_provider()
    try:
        other.add_user("u-iss", email="iss@partner.org", email_verified=True)
        with pytest.raises(SsoRefused, match="could not be verified"):
            backend.verify_token(other.id_token_for("u-iss", client_id=CLIENT_ID, nonce="n"), nonce="n")
    finally:
        stop_provider(other)


@pytest.mark.browser
def test_password_sign_in_turned_off(page, sso_on, settings, make_user, client):
    settings.SSO_PASSWORD_SIGN_IN = False
    make_user("partner")
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible()
    expect(page.locator("#id_password")).to_have_count(0)
    expect(page.get_by_text("Forgot your password?")).to_have_count(0)
    # A password POST is refused before any password is checked: django-axes counts nothing.
    for _ in range(6):
        response = client.post("/accounts/login/", {"username": "partner", "password": PASSWORD})
        assert response.status_code == 403
        assert "Password sign-in is turned off here" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()
    # Single sign-on still works, for the same person.
    sso_on.add_user("u-partner", email="partner@example.org", email_verified=True)
    sso_sign_in(page, "u-partner")
    expect(page).to_have_url(re.compile(r"/$"))
    # The admin keeps its own password form for staff (docs/sso.md).
    make_user("operator", is_staff=True, is_superuser=True)
    admin = client.post("/admin/login/?next=/admin/", {"username": "operator", "password": PASSWORD})
    assert admin.status_code == 302 and client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_password_off_refuses_a_new_password_account_through_an_invitation(
    client, settings, world, eager_tasks
):
    settings.SSO_OIDC_ISSUER = "http://127.0.0.1:9"
    settings.SSO_PASSWORD_SIGN_IN = False
    _invitation, token = initiative_services.invitation_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        email="pw@partner.org",
        role=Role.VIEWER,
        organization=world.orgs["partner"],
    )
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Create my account and join" not in page and "and join" in page
    response = client.post(
        f"/invitations/{token}/",
        {"username": "pw", "password1": PASSWORD, "password2": PASSWORD, "first_name": "", "last_name": ""},
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="pw").exists()


@pytest.mark.django_db
def test_a_missing_email_verified_claim_is_refused_unless_the_operator_vouches(settings):
    settings.SSO_ASSUME_EMAIL_VERIFIED = False
    claims = {"sub": "entra-1", "email": "ruth@contoso.org"}
    with pytest.raises(SsoRefused, match="has not verified the email address ruth@contoso.org"):
        sso_services.sso_sign_in(issuer="https://login.example/t/v2.0", claims=claims)
    settings.SSO_ASSUME_EMAIL_VERIFIED = True
    user = sso_services.sso_sign_in(issuer="https://login.example/t/v2.0", claims=claims)
    assert user.email == "ruth@contoso.org"
    # An explicit "not verified" is refused all the same.
    with pytest.raises(SsoRefused, match="has not verified"):
        sso_services.sso_sign_in(
            issuer="https://login.example/t/v2.0",
            claims={**claims, "sub": "entra-2", "email_verified": False},
        )


@pytest.mark.browser
def test_signing_in_over_another_persons_session_keeps_where_to_go(page, sso_on, make_user):
    """Someone else signed in on this browser: the session is emptied for the new person, and the
    address asked for is still where they land."""
    make_user("partner")
    page.goto("/accounts/login/")
    page.fill("#id_username", "partner")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    sso_on.add_user("u-tal", email="tal@partner.org", email_verified=True)
    sso_sign_in(page, "u-tal", start="/accounts/login/?next=/initiatives/new/")
    expect(page).to_have_url(re.compile(r"/initiatives/new/$"))
    expect(page.locator("nav")).to_contain_text("tal")
    expect(page.locator("nav")).not_to_contain_text("partner")


@pytest.mark.browser
def test_in_hebrew_the_button_and_a_refusal_are_in_hebrew(page, sso_on):
    sso_on.add_user("u-dov", email="dov@partner.org", email_verified=False)
    page.goto("/accounts/login/")
    page.get_by_role("button", name="עברית").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name=f"התחברות עם {PROVIDER_NAME}").click()
    authorize_at_provider(page, "u-dov")
    expect(refusal(page)).to_contain_text("ספק הזהויות שלך לא אימת את כתובת הדוא״ל dov@partner.org")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
