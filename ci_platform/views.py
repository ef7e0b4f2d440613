"""Platform-wide endpoints that belong to no component."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; say which
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _broker_state() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: tasks run in-process, there is no broker to be down.
        return {"ok": True, "mode": "eager"}
    from ci_platform.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "mode": "broker", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "broker"}


@never_cache
@require_GET
def healthz(request):
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(part["ok"] for part in state.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **state}, status=200 if healthy else 503
    )


def server_error(request):
    """handler500: the database out of reach (restarting, failing over) is a 503 that says to retry,
    in the API's error shape under /api/; any other error is the static 500 page. Neither shows a
    traceback, and neither touches the database."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse
    from django.template import loader
    from django.utils.translation import gettext as _

    from .api.errors import is_api, plain_error_response

    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if is_api(request):
        message = (
            _("The service is temporarily unavailable; try again in a minute.")
            if unavailable
            else _("Something went wrong on the server; the error was logged.")
        )
        response: HttpResponse = plain_error_response(
            status, "unavailable" if unavailable else "server_error", message
        )
    else:
        response = HttpResponse(loader.get_template(f"{status}.html").render(), status=status)
    if unavailable:
        response["Retry-After"] = "30"
    return response
