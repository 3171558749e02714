"""Photo thumbnails: ``/events/<pk>/attachments/<attachment pk>/thumb/<size>/``.

A thumbnail is made from the stored photo on the first request, kept under
``MEDIA_ROOT/thumbs`` and served under exactly the file's own check: 404 to whoever may not
open the file (outside the event's scope, or an original to a reader who is only its
reporter), 404 for files that are not photos. It carries none of the original's metadata.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.events import attachments as attachment_files
from gridgov.events.choices import AttachmentKind

from .intake_support import jpeg_with_gps
from .workflow_support import new_event, people

pytestmark = pytest.mark.django_db

AMR = b"#!AMR\n" + bytes(range(200))


@pytest.fixture
def p(db):
    return people()


@pytest.fixture
def event(p):
    photo = SimpleUploadedFile("路面破损.jpg", jpeg_with_gps(size=(1200, 900)),
                               content_type="image/jpeg")
    voice = SimpleUploadedFile("录音.amr", AMR, content_type="audio/amr")
    return new_event(p, actor=p["worker2"], attachments=[photo, voice])


def _files(event):
    rows = {(a.kind, a.public): a for a in event.attachments.all()}
    return (rows[(AttachmentKind.PHOTO, False)], rows[(AttachmentKind.PHOTO, True)],
            rows[(AttachmentKind.AUDIO, False)])


def _thumb(event, attachment, size="m"):
    return f"/events/{event.pk}/attachments/{attachment.pk}/thumb/{size}/"


def _image(response) -> Image.Image:
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_staff_in_scope_get_a_small_clean_jpeg_kept_on_disk(client_as, p, event):
    original, public, _voice = _files(event)
    response = client_as(p["worker"]).get(_thumb(event, original))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = _image(response)
    assert image.format == "JPEG" and max(image.size) == 480
    # The original carries a GPS position; the thumbnail carries no EXIF at all.
    assert not image.getexif()
    path = attachment_files.thumbnail_path(original, "m")
    assert path.exists()
    small = client_as(p["worker"]).get(_thumb(event, original, "s"))
    assert max(_image(small).size) == 160


def test_out_of_scope_and_anonymous_get_no_thumbnail(client, client_as, p, event):
    original, public, _voice = _files(event)
    outsider = client_as(p["rural_worker"])  # a grid worker of another town
    assert outsider.get(_thumb(event, original)).status_code == 404
    assert outsider.get(_thumb(event, public)).status_code == 404
    response = client.get(_thumb(event, public))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_reporter_gets_the_public_copy_only(client_as, p, event):
    """worker2 reported in another grid: the public copy's thumbnail, not the original's."""
    original, public, _voice = _files(event)
    reporter = client_as(p["worker2"])
    assert reporter.get(_thumb(event, original)).status_code == 404
    assert reporter.get(_thumb(event, public)).status_code == 200


def test_not_a_photo_or_unknown_size_or_other_event_is_404(client_as, p, event):
    original, _public, voice = _files(event)
    staff = client_as(p["worker"])
    assert staff.get(_thumb(event, voice)).status_code == 404
    assert staff.get(_thumb(event, original, "xl")).status_code == 404
    other = new_event(p)
    assert staff.get(_thumb(other, original)).status_code == 404


def test_an_undecodable_photo_is_404_not_an_error(client_as, p, event):
    original, _public, _voice = _files(event)
    attachment_files.thumbnail_path(original, "m").unlink(missing_ok=True)
    with original.file.open("wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0" + b"not really a jpeg")
    assert client_as(p["worker"]).get(_thumb(event, original)).status_code == 404
