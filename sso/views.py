"""Sign-in pages: the platform's sign-in form (password sign-in may be turned off), and the two ends
of the OpenID Connect code flow (docs/sso.md)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from initiatives import services as initiative_services

from . import conf, services
from .backends import SsoBackend
from .services import SsoRefused

logger = logging.getLogger(__name__)

# The session keys of a flow under way (mozilla-django-oidc keeps state, nonce and PKCE verifier in
# "oidc_states"; the safe next address in "oidc_login_next").
INVITATION_KEY = "sso_invitation"


class SignInView(LoginView):
    """Django's sign-in form, with the provider's button; the form is neither shown nor accepted
    when password sign-in is turned off (the admin keeps its own form: docs/sso.md)."""

    def post(self, request, *args, **kwargs):
        if not conf.password_sign_in_allowed():
            # Refused before any password is checked: django-axes counts nothing.
            messages.error(request, _("Password sign-in is turned off here: sign in with single sign-on."))
            response = self.get(request, *args, **kwargs)
            response.status_code = 403
            return response
        return super().post(request, *args, **kwargs)


class SsoStartView(OIDCAuthenticationRequestView):
    """Starts the code flow: a POST from the sign-in button (a GET writes nothing), answered by a
    redirect to the provider with state, nonce and a PKCE challenge kept in the session."""

    http_method_names = ["post"]

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the endpoints come from discovery, not from settings

    def dispatch(self, request, *args, **kwargs):
        if not conf.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        try:
            provider = conf.provider()
        except conf.SsoUnavailable:
            logger.exception("single sign-on: the provider's discovery document could not be read")
            messages.error(request, _("The identity provider could not be reached. Please try again later."))
            return HttpResponseRedirect(reverse("login"))
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        token = request.POST.get("invitation", "")
        if token and initiative_services.invitation_by_token(token) is not None:
            request.session[INVITATION_KEY] = token
        else:
            request.session.pop(INVITATION_KEY, None)
        return super().get(request)

    def get_extra_params(self, request):
        # The provider's pages in the reader's language, where it has it.
        return {**super().get_extra_params(request), "ui_locales": translation.get_language() or "en"}


class SsoCallbackView(View):
    """Where the provider sends the person back (a GET, as the code flow's redirect is). Every
    refusal returns to the sign-in page with its reason."""

    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        if not conf.enabled():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        try:
            user = self._authenticate(request)
        except SsoRefused as exc:
            logger.warning("single sign-on refused: %s", exc.message)
            request.session.pop(INVITATION_KEY, None)
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("login"))
        # Read before login(), which empties the session of someone else who was signed in here.
        next_url = request.session.pop("oidc_login_next", None) or resolve_url("home")
        token = request.session.pop(INVITATION_KEY, None)
        # login() gives the session a new key (no session fixation).
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if token:
            membership, problem = services.sso_invitation_accept(token=token, user=user)
            if membership is not None:
                messages.success(request, _("Welcome to %(name)s.") % {"name": membership.initiative.name})
                return HttpResponseRedirect(membership.initiative.get_absolute_url())
            if problem:
                messages.warning(request, problem)
        return HttpResponseRedirect(next_url)

    def _authenticate(self, request):
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            if state in states:  # used once, refused or not
                del states[state]
                request.session["oidc_states"] = states
            raise SsoRefused(
                _("The identity provider did not sign you in (%(error)s).") % {"error": request.GET["error"]}
            )
        if not request.GET.get("code") or state not in states:
            raise SsoRefused(
                _(
                    "This sign-in could not be matched to one started here (it may have been started in another browser or already used). Please start again."
                )
            )
        entry = states.pop(state)
        request.session["oidc_states"] = states
        request.session.save()
        try:
            provider = conf.provider()
        except conf.SsoUnavailable as exc:
            raise SsoRefused(
                _("The identity provider could not be reached. Please try again later.")
            ) from exc
        user = SsoBackend(provider).authenticate(
            request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
        if user is None:
            raise SsoRefused(
                _("The identity provider's answer could not be verified, so you were not signed in.")
            )
        return user
