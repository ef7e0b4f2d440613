"""What `make run` prints: an expected 403 or 404 is one line, not a traceback; a 500 keeps its
traceback."""

import logging

from ci_platform.logging import ClientErrorsInOneLine


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("denied")
    except PermissionError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden", (), sys.exc_info()
        )
    record.status_code = status
    return record


def test_a_client_error_is_one_line():
    record = _record(403)
    assert ClientErrorsInOneLine().filter(record)
    assert record.exc_info is None
    assert "Traceback" not in logging.Formatter().format(record)


def test_a_server_error_keeps_its_traceback():
    record = _record(500)
    assert ClientErrorsInOneLine().filter(record)
    assert "Traceback" in logging.Formatter().format(record)


def test_the_filter_is_on_the_request_log(client, world, caplog):
    """A partner opening a backbone-only page: Django's request log says so in one line."""
    client.force_login(world.people["partner"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        # Through the configured handler chain: the logger's own filter runs before caplog sees it.
        response = client.get(f"/initiatives/{world.initiative.slug}/measurement/settings/")
    assert response.status_code == 403
    forbidden = [r for r in caplog.records if r.name == "django.request"]
    assert forbidden and all(r.exc_info is None for r in forbidden)


def test_weasyprint_prints_a_pdf_without_narrating_it():
    import logging

    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint").isEnabledFor(logging.WARNING)
