"""Uploaded files are judged by content: size limit, allowed types, disguised files refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from communication.files import inspect_upload

from .helpers import docx_upload, pdf_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (pdf_upload(), "application/pdf"),
        (SimpleUploadedFile("figures.csv", b"a,b\n1,2\n"), "text/csv"),
        (SimpleUploadedFile("notes.txt", "שלום, hello".encode()), "text/plain"),
        (SimpleUploadedFile("readme.md", b"# Title\n\n*text*"), "text/markdown"),
        (SimpleUploadedFile("chart.png", PNG), "image/png"),
        (docx_upload(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types(upload, content_type):
    facts = inspect_upload(upload)
    assert facts["content_type"] == content_type
    assert facts["size"] == upload.size
    assert len(facts["sha256"]) == 64


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("minutes.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML or markup"),
        ("minutes.pdf", b"%PNG not really", "is something else"),
        ("photo.png", b"%PDF-1.4 fake", "application/pdf"),
        ("data.csv", b"<html><body onload=alert(1)>", "not plain text"),
        ("data.csv", PNG, "not plain text"),
        (
            "notes.txt",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "not plain text",
        ),
        ("notes.txt", b"\xff\xfe\x00binary", "not plain text"),
        ("page.html", b"<html></html>", "are not accepted"),
        ("logo.svg", b"<svg/>", "are not accepted"),
        ("tool.exe", b"MZ\x90\x00", "are not accepted"),
        ("noextension", b"hello", "are not accepted"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_refused_files_say_why(name, content, message):
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile(name, content))
    assert message in " ".join(exc.value.messages)


def test_size_limit_comes_from_the_setting(settings):
    settings.COMMUNICATION_MAX_UPLOAD_MB = 0.001  # about 1 KB
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("big.csv", b"a,b\n" * 1000))
    assert "the limit is" in exc.value.messages[0]
    assert inspect_upload(SimpleUploadedFile("small.csv", b"a,b\n"))["size"] == 4
