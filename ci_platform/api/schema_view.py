"""`/api/schema/`: the OpenAPI document, generated once per process for each language.

Generating the schema walks every endpoint's serializers: about 0.7 s of CPU on the 2-core machine,
for a document that only a deployment changes, and `/api/schema/` is public: 0.7 s of server time
for anyone who asked. It is generated from no request, as `manage.py spectacular` does, so that it
cannot depend on who asks. Its rendering (YAML by default: another 0.2 s) is kept too, per format;
a format asked for with parameters of its own (`Accept: application/json; indent=2`) is rendered
for that request only. (Its own module: the schema class of ci_platform.api.schema is loaded while
drf-spectacular's views are.)"""

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.settings import api_settings

# One document per (language, version, ...): the keys are the site's languages and the API's
# versions only, whatever `?lang=` and `?version=` say, so that no address grows this without bound.
_SCHEMAS: dict[tuple, dict] = {}
# Its renderings: (the key above, the renderer's class) -> the bytes sent.
_RENDERED: dict[tuple, bytes] = {}


def _language() -> str:
    """The site's language the request is in (`?lang=` included); the default one for any other."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        if version and version != request.version and version not in (api_settings.ALLOWED_VERSIONS or ()):
            version = self.api_version  # a version the API does not list describes nothing
        language = _language()
        key = (language, version, self.serve_public, str(self.urlconf))
        if (schema := _SCHEMAS.get(key)) is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            with translation.override(language):
                schema = _SCHEMAS[key] = generator.get_schema(request=None, public=self.serve_public)
        headers = {"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'}
        renderer, media_type = request.accepted_renderer, request.accepted_media_type
        # Kept per format; a media type with parameters of the caller's (indent=…) is not kept.
        kept = (key, type(renderer)) if media_type == renderer.media_type else None
        if kept is None or (content := _RENDERED.get(kept)) is None:
            with translation.override(language):
                content = renderer.render(schema, media_type, self.get_renderer_context())
            if kept is not None:
                _RENDERED[kept] = content
        charset = f"; charset={renderer.charset}" if renderer.charset else ""
        return HttpResponse(content, content_type=renderer.media_type + charset, headers=headers)


@receiver(setting_changed)
def _forget_schemas(**kwargs):
    # A test that changes the settings (the URLconf, an app's switch) gets a schema of its own.
    _SCHEMAS.clear()
    _RENDERED.clear()
