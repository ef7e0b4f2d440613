"""`/api/schema/`: the OpenAPI document, generated once per process for each language.

Generating the schema walks every endpoint's serializers: about 0.7 s of CPU on the 2-core machine,
for a document that only a deployment changes, and `/api/schema/` is public: 0.7 s of server time
for anyone who asked. It is generated from no request, as `manage.py spectacular` does, so that it
cannot depend on who asks, and rendered per request in the format asked for. (Its own module: the
schema class of ci_platform.api.schema is loaded while drf-spectacular's views are.)"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_SCHEMAS: dict[tuple, dict] = {}


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, self.serve_public, str(self.urlconf))
        if (schema := _SCHEMAS.get(key)) is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = _SCHEMAS[key] = generator.get_schema(request=None, public=self.serve_public)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


@receiver(setting_changed)
def _forget_schemas(**kwargs):
    # A test that changes the settings (the URLconf, an app's switch) gets a schema of its own.
    _SCHEMAS.clear()
