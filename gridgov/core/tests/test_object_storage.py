"""Uploaded files on S3-compatible object storage (``GRIDGOV_S3_BUCKET``): an event's photo
goes into a private bucket, comes back byte for byte through the scoped view (with its safety
headers), makes a thumbnail, and stays out of reach of readers outside scope.

Runs against the local S3-compatible server ``.ci/run`` starts (``GRIDGOV_TEST_S3_ENDPOINT``,
a moto server); skipped where none is running.
"""

import os
import uuid
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.events.choices import AttachmentKind
from gridgov.events.tests.intake_support import jpeg_with_gps
from gridgov.events.tests.workflow_support import new_event, people

ENDPOINT = os.environ.get("GRIDGOV_TEST_S3_ENDPOINT", "")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not ENDPOINT, reason="no S3-compatible server (GRIDGOV_TEST_S3_ENDPOINT)"),
]


@pytest.fixture
def bucket(settings):
    """A fresh private bucket, and the platform's files stored in it."""
    import boto3

    name = f"gridgov-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")
    client.create_bucket(Bucket=name)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": name, "endpoint_url": ENDPOINT, "region_name": "us-east-1",
            "access_key": "test", "secret_key": "test", "default_acl": None,
            "querystring_auth": True, "querystring_expire": 60, "file_overwrite": False,
            "addressing_style": "path"}}}
    yield client, name


def _report(p):
    photo = SimpleUploadedFile("井盖破损.jpg", jpeg_with_gps(), content_type="image/jpeg")
    event = new_event(p, attachments=[photo])
    rows = {(a.kind, a.public): a for a in event.attachments.all()}
    return event, rows[(AttachmentKind.PHOTO, False)], rows[(AttachmentKind.PHOTO, True)]


def test_a_photo_round_trips_through_the_bucket_and_the_scoped_view(bucket, client_as):
    client, name = bucket
    p = people()
    event, original, public = _report(p)
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])}
    assert original.file.name in keys and public.file.name in keys
    stored = client.get_object(Bucket=name, Key=original.file.name)["Body"].read()
    assert stored == jpeg_with_gps()

    response = client_as(p["dispatcher"]).get(
        f"/events/{event.pk}/attachments/{original.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == jpeg_with_gps()
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    thumb = client_as(p["dispatcher"]).get(
        f"/events/{event.pk}/attachments/{public.pk}/thumb/m/")
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"


def test_the_bucket_is_private_and_scope_still_decides(bucket, client_as):
    import urllib.error
    import urllib.request

    client, name = bucket
    p = people()
    event, original, _public = _report(p)
    # No public object URL: an unsigned GET of the object is refused by the store.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{ENDPOINT}/{name}/{quote(original.file.name)}", timeout=10)
    assert refused.value.code == 403
    assert client_as(p["worker2"]).get(
        f"/events/{event.pk}/attachments/{original.pk}/").status_code == 404
