"""The embeddable chart of a measure on the public report card, and its numbers as CSV and JSON.

Public by design once published (as the report card is); 404 otherwise. The chart page is the one
page of the platform that may be framed, and only by the origins the initiative lists
(`Initiative.embed_origins`, CSP frame-ancestors); every other page keeps `frame-ancestors 'none'`
and `X-Frame-Options: DENY` (ci_platform/settings.py). Answers are public and cacheable: the same
address is the same answer (the language is in it: `?lang=en|he`)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.throttling import AnonRateThrottle
from initiatives import permissions as initiative_permissions
from initiatives import services as initiative_services

from ..api.feeds import CSV_RESPONSE, RENDERERS, ErrorsAsJson, csv_response
from ..dashboards import charts
from ..dashboards.views import _labels
from ..models import ReportCard
from ..views import MeasurementMixin
from . import readers
from .forms import EmbedOriginsForm
from .serializers import EmbedSerializer

MAX_AGE = 300  # seconds a browser or a proxy may keep an answer: a new computation shows within five minutes

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=list(readers.LANGUAGES),
    description="Language of names and labels (default en).",
)


def _bad_language() -> HttpResponse:
    return HttpResponseBadRequest(
        _("Unknown language: use lang=en or lang=he."), content_type="text/plain; charset=utf-8"
    )


def _public[R: HttpResponseBase](response: R, lang: str) -> R:
    response["Content-Language"] = lang
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def frame_ancestors(response: HttpResponse, origins: list[str]) -> HttpResponse:
    """Let the listed origins, and only them, frame this answer: the platform's CSP with its
    frame-ancestors replaced, and no X-Frame-Options (which cannot name an origin). With no origin
    listed nothing may frame it, as every other page."""
    if origins:
        response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": list(origins)}  # type: ignore[attr-defined]
        response.xframe_options_exempt = True
    return response


class EmbedView(View):
    """A measure's turn-the-curve chart with the numbers behind it, to be framed on a partner's
    or funder's site. No sign-in, no navigation, nothing else of the initiative."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, slug: str, code: str):
        lang = readers.language_of(request.GET.get("lang"), settings.LANGUAGE_CODE)
        if lang is None:
            return _bad_language()
        with translation.override(lang):
            embed = readers.published_measure(slug, code)
            labels = _labels()
            figure = charts.turn_the_curve(
                embed.measure.curve, rtl=translation.get_language_bidi(), labels=labels
            )
            query = f"?lang={lang}"
            html = render_to_string(
                "measurement/embed.html",
                {
                    "embed": embed,
                    "card": embed.measure,
                    "initiative": embed.initiative,
                    "figure": figure,
                    "lang": lang,
                    "report_card_url": request.build_absolute_uri(reverse("report_card", args=[slug])),
                    "csv_url": reverse("embeds:csv", args=[slug, code]) + query,
                    "json_url": reverse("embeds:json", args=[slug, code]) + query,
                },
            )
        origins = list(embed.initiative.embed_origins or [])
        response = _public(HttpResponse(html), lang)
        # The ETag covers the body and who may frame it: a changed list of origins is a new answer.
        response["ETag"] = quote_etag(
            hashlib.blake2b((html + repr(origins)).encode(), digest_size=16).hexdigest()
        )
        # The 304 when the caller's copy is this one; else this answer (never None, given one).
        response = get_conditional_response(request, etag=response["ETag"], response=response) or response
        # On a 304 too: a cache updates the stored answer's headers from it.
        return frame_ancestors(response, origins)


class _EmbedData(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    renderer_classes = RENDERERS
    content_negotiation_class = ErrorsAsJson

    def language(self, request) -> str:
        lang = readers.language_of(request.query_params.get("lang"), settings.LANGUAGE_CODE)
        if lang is None:  # in the API's error shape
            raise ValidationError({"lang": [_("Unknown language: use lang=en or lang=he.")]})
        return lang


class EmbedJsonView(_EmbedData):
    """One measure of the public report card as JSON: the embedded chart's numbers (no sign-in,
    404 unless published)."""

    @extend_schema(
        operation_id="public_embed_json",
        parameters=[LANG_PARAMETER],
        responses={200: EmbedSerializer},
        auth=[],
    )
    def get(self, request, slug: str, code: str):
        lang = self.language(request)
        with translation.override(lang):
            data = EmbedSerializer(readers.published_measure(slug, code)).data
        return _public(Response(data), lang)


class EmbedCsvView(_EmbedData):
    """One measure of the public report card as CSV (as the BI feeds write it: docs/bi.md), one row
    per period with a value or a target."""

    @extend_schema(
        operation_id="public_embed_csv", parameters=[LANG_PARAMETER], responses=CSV_RESPONSE, auth=[]
    )
    def get(self, request, slug: str, code: str):
        lang = self.language(request)
        with translation.override(lang):
            embed = readers.published_measure(slug, code)
            name, unit = embed.measure.measure.name, embed.measure.curve.unit
            rows = [
                [code, name, unit, r["period"], r["start"], r["end"], r["value"], r["target"]]
                for r in embed.rows()
            ]
        header = [
            "measure",
            "measure_name",
            "unit",
            "period",
            "period_start",
            "period_end",
            "value",
            "target",
        ]
        return _public(csv_response(f"{slug}-{code}.csv", header, rows), lang)


class EmbedSettingsView(MeasurementMixin, FormView):
    """Backbone staff: an <iframe> snippet for each measure of the public report card, in the
    language they choose, and the sites allowed to frame them."""

    permission = initiative_permissions.MANAGE
    template_name = "measurement/embed_settings.html"
    form_class = EmbedOriginsForm

    def get_initial(self):
        return {"origins": "\n".join(self.initiative.embed_origins or [])}

    def get_context_data(self, **kwargs):
        lang = readers.language_of(self.request.GET.get("lang"), translation.get_language() or "en") or "en"
        card = ReportCard.objects.filter(initiative=self.initiative).first()
        snippets = []
        if card is not None:
            with translation.override(lang):
                for measure in card.measures.order_by("code"):
                    path = (
                        reverse("embeds:chart", args=[self.initiative.slug, measure.code]) + f"?lang={lang}"
                    )
                    src = self.request.build_absolute_uri(path)
                    snippets.append({"measure": measure, "name": measure.name, "path": path, "src": src})
        return super().get_context_data(
            card=card,
            snippets=snippets,
            lang=lang,
            embed_languages=[(code, name) for code, name in settings.LANGUAGES],
            **kwargs,
        )

    def form_valid(self, form):
        from django.contrib import messages

        initiative_services.initiative_embed_origins_set(
            initiative=self.initiative, by=self.request.user, origins=form.cleaned_data["origins"]
        )
        messages.success(self.request, _("Saved."))
        return redirect("measurement:embed_settings", slug=self.initiative.slug)
