"""Uploaded files in S3-compatible storage (MEDIA_S3_BUCKET, django-storages), so that several web
containers keep no local state: a document goes to the bucket, comes back whole through the
permission-checked download, and leaves the bucket when deleted. Against a real S3 endpoint over
HTTP (moto's server, on a port of its own), with the settings the environment variables give."""

from __future__ import annotations

import socket

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from communication import services

from .communication.helpers import pdf_upload

BUCKET = "ci-media"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    import boto3

    credentials = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials)
    client.create_bucket(Bucket=BUCKET)
    # What ci_platform/settings.py builds from MEDIA_S3_BUCKET and its companions.
    monkeypatch.setenv("MEDIA_S3_BUCKET", BUCKET)
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "test-key",
        "secret_key": "test-secret",
        "location": "",
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    # Django's test signals reset the storages (and default_storage) when STORAGES changes.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    assert default_storage.bucket_name == BUCKET
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_the_settings_build_the_s3_storage_from_the_environment(monkeypatch):
    import importlib

    import ci_platform.settings as project_settings

    for name, value in {
        "MEDIA_S3_BUCKET": "files",
        "MEDIA_S3_ENDPOINT_URL": "https://s3.example.org",
        "MEDIA_S3_REGION": "eu-west-1",
        "MEDIA_S3_ACCESS_KEY_ID": "key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "secret",
    }.items():
        monkeypatch.setenv(name, value)
    try:
        fresh = importlib.reload(project_settings)
        default = fresh.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "files"
        assert default["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
        assert default["OPTIONS"]["default_acl"] == "private"
    finally:
        monkeypatch.delenv("MEDIA_S3_BUCKET")
        importlib.reload(project_settings)
    assert project_settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.django_db
def test_a_document_lives_in_the_bucket_and_comes_back_whole(
    bucket, world, client, django_capture_on_commit_callbacks
):
    upload = pdf_upload("minutes.pdf")
    content = upload.read()
    upload.seek(0)
    document = services.document_add(
        initiative=world.initiative, by=world.people["backbone"], title="Minutes", upload=upload
    )
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [document.file.name]
    assert bucket.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read() == content

    client.force_login(world.people["steering"])
    url = reverse(
        "communication:document_download", kwargs={"slug": world.initiative.slug, "pk": document.pk}
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    client.force_login(world.people["outsider"])
    assert client.get(url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(document=document, by=world.people["backbone"])
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
