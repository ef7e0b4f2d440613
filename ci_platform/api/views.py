"""What every component's API shares: scoping below /initiatives/{slug}/ (InitiativeScopedMixin),
decided once: a caller outside the initiative gets 404, a member whose role lacks the action gets
403, and an API token is confined to its own initiative and to the writes its scope allows; views
that the schema generator can build without a request (SchemaSafeMixin); and the API's 404 for any
other address below /api/."""

import functools

from django.db.models import Model
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import PermissionDenied

from ci_platform.bases import ApiView
from initiatives import permissions
from initiatives.choices import TokenScope
from initiatives.models import Initiative

from .authentication import api_token_of

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def schema_model_of(view):
    """The model a view's list holds, as the schema generator sees it: `schema_model` if the view
    names one, else the model of its `queryset`, else its serializer's `Meta.model`; None if none
    of them says."""
    model = getattr(view, "schema_model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    if model is None:
        try:
            serializer_class = view.get_serializer_class()
        except (AttributeError, AssertionError):  # no serializer: the view writes its answers itself
            serializer_class = None
        model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    return model


def _schema_safe(get_queryset):
    @functools.wraps(get_queryset)
    def wrapper(self):
        if self.for_schema:
            model = schema_model_of(self)
            if model is not None:
                return model.objects.none()
        return get_queryset(self)  # no model to say: the view's own code answers (or the schema warns)

    wrapper.schema_safe = True  # type: ignore[attr-defined]  # the mark __init_subclass__ reads
    return wrapper


class SchemaSafeMixin(ApiView):
    """A view the OpenAPI generator can build without a request.

    drf-spectacular calls `get_queryset()` on a view it made itself (`swagger_fake_view`): no
    request user, no `initiative`, `initial()` never ran. Every `get_queryset` written in a subclass
    is wrapped once, here, to answer an empty queryset of `schema_model_of(view)` in that case, so a
    view writes its queryset for real requests only; a view whose serializer is not a
    ModelSerializer names its `schema_model`. Elsewhere (context, extra fields) a view asks
    `self.for_schema`."""

    schema_model: type[Model] | None = None  # needed only when the serializer is not a ModelSerializer

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_queryset")
        if own is not None and not getattr(own, "schema_safe", False):
            cls.get_queryset = _schema_safe(own)  # type: ignore[method-assign]  # wrapped once, here

    @property
    def for_schema(self) -> bool:
        """True on the view drf-spectacular builds to read the schema (no request behind it)."""
        return getattr(self, "swagger_fake_view", False)


class InitiativeScopedMixin(SchemaSafeMixin):
    """Every endpoint below /initiatives/{slug}/ goes through here.

    * The initiative comes from the URL; a caller who may not view it gets 404 (it does not exist
      for them), and so does an API token of another initiative.
    * A write (any method but GET, HEAD, OPTIONS) needs `write_permission` in the initiative (403).
    * An API token writes only where `write_permission` is what its scope allows: a read token
      never, a submit token where data is submitted (`permissions.TOKEN_WRITE_ACTION`). What it may
      read is what the membership it stands for may read (see `permissions.token_membership`).
    """

    write_permission = permissions.MANAGE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        token = api_token_of(request)
        if token is None:
            self.initiative = get_object_or_404(Initiative, slug=kwargs["initiative_slug"])
        elif token.initiative.slug == kwargs["initiative_slug"]:
            self.initiative = token.initiative  # loaded with the token: no second query
        else:
            raise Http404  # another initiative's address, or none: not there for this token
        if not permissions.can_view(request.user, self.initiative):
            raise Http404
        method = request.method.lower()
        if method not in self.http_method_names or getattr(self, method, None) is None:
            return  # not an operation of this endpoint: DRF answers 405 Method Not Allowed
        if request.method in SAFE_METHODS:
            return
        if token is not None and not permissions.token_may_write(token, self.write_permission):
            raise PermissionDenied(
                _("This API token may not change this.")
                if token.scope == TokenScope.SUBMIT
                else _("This API token is read only.")
            )
        if not permissions.can(request.user, self.write_permission, self.initiative):
            raise PermissionDenied


@csrf_exempt  # answers every method alike; it changes nothing
def api_not_found(request, *args, **kwargs):
    """Any other address below /api/: 404 in the API's error shape, not the site's HTML page."""
    return JsonResponse({"code": "not_found", "message": _("Not found."), "errors": {}}, status=404)
