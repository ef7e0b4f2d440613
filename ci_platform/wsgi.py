import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")


def _require_a_secret_key() -> None:
    """A served site (gunicorn, or runserver with DEBUG off) refuses to start on the embedded
    mode's published key: sessions, password-reset links and survey links would be forgeable."""
    from django.conf import settings

    if not settings.DEBUG and (not settings.SECRET_KEY or settings.SECRET_KEY.startswith("django-insecure-")):
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random value) in the environment: with DEBUG off the site does "
            "not start on the embedded mode's key. See docs/deployment.md."
        )


_require_a_secret_key()
application = get_wsgi_application()
