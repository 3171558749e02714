"""Attachments open through the scoped view ``/events/<pk>/attachments/<attachment pk>/``.

``MEDIA_ROOT`` has no public route: the event page links every file to this view, which reads
the event through the reader's scope (404 outside it), gives private originals only to staff
holding the event by role, and streams the bytes with a type read from them, a safe name and
headers that keep the file out of shared caches and content sniffing.
"""

import re
from html import unescape
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.events.choices import AttachmentKind
from gridgov.events.models import EventAttachment
from gridgov.events.views.files import content_disposition, safe_filename

from .intake_support import jpeg_with_gps
from .workflow_support import new_event, people

pytestmark = pytest.mark.django_db

PHOTO_NAME = "井盖破损.jpg"
AMR = b"#!AMR\n" + bytes(range(200))
LINK = re.compile(r'href="(/events/\d+/attachments/\d+/)"')


@pytest.fixture
def p(db):
    return people()


def _report(p, **kwargs):
    photo = SimpleUploadedFile(PHOTO_NAME, jpeg_with_gps(), content_type="image/jpeg")
    voice = SimpleUploadedFile("录音.amr", AMR, content_type="audio/amr")
    return new_event(p, attachments=[photo, voice], **kwargs)


def _url(event, attachment):
    return f"/events/{event.pk}/attachments/{attachment.pk}/"


def _bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def _stored(attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def _files(event):
    rows = {(a.kind, a.public): a for a in event.attachments.all()}
    return (rows[(AttachmentKind.PHOTO, False)], rows[(AttachmentKind.PHOTO, True)],
            rows[(AttachmentKind.AUDIO, False)])


def test_staff_in_scope_get_the_original_photo_inline(client_as, p):
    event = _report(p)
    original, _public, _voice = _files(event)
    for who in ("worker", "dispatcher", "shift"):
        response = client_as(p[who]).get(_url(event, original))
        assert response.status_code == 200, who
        assert _bytes(response) == _stored(original) == jpeg_with_gps()
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"] == (
            f"inline; filename=\"attachment-{original.pk}.jpg\"; "
            f"filename*=UTF-8''{quote(PHOTO_NAME)}")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


def test_recordings_are_downloads_with_their_sniffed_type(client_as, p):
    event = _report(p)
    _original, _public, voice = _files(event)
    response = client_as(p["worker"]).get(_url(event, voice))
    assert response.status_code == 200
    assert _bytes(response) == AMR
    assert response["Content-Type"] == "audio/amr"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote('录音.amr')}" in disposition


def test_out_of_scope_is_404_like_missing(client_as, p):
    event = _report(p)
    original, public, voice = _files(event)
    for who in ("worker2", "rural_worker", "sys_admin"):
        client = client_as(p[who])
        for attachment in (original, public, voice):
            assert client.get(_url(event, attachment)).status_code == 404, who
    missing = client_as(p["worker"]).get(f"/events/{event.pk}/attachments/999999/")
    assert missing.status_code == 404
    assert client_as(p["worker"]).get(f"/events/999999/attachments/{original.pk}/"
                                      ).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, p):
    event = _report(p)
    original, public, _voice = _files(event)
    for attachment in (original, public):
        response = client.get(_url(event, attachment))
        assert response.status_code == 302
        assert "login" in response["Location"]
        assert b"".join(getattr(response, "streaming_content", [response.content])) \
            != jpeg_with_gps()


def test_an_attachment_of_another_event_is_404(client_as, p):
    first, second = _report(p), _report(p)
    original, _public, _voice = _files(first)
    client = client_as(p["worker"])
    assert client.get(_url(first, original)).status_code == 200
    assert client.get(_url(second, original)).status_code == 404


def test_a_reporter_without_the_role_gets_only_the_public_copy(client_as, p):
    """worker2 (another grid) reports in grid 1: the event is theirs to follow, but the
    originals (evidence, with location metadata) stay with the staff in scope."""
    event = _report(p, actor=p["worker2"])
    original, public, voice = _files(event)
    client = client_as(p["worker2"])
    assert client.get(f"/events/{event.pk}/").status_code == 200
    assert client.get(_url(event, original)).status_code == 404
    assert client.get(_url(event, voice)).status_code == 404
    response = client.get(_url(event, public))
    assert response.status_code == 200
    assert _bytes(response) == _stored(public) != jpeg_with_gps()
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert LINK.findall(page) == [_url(event, public)]
    # The worker of grid 1 holds the event by role: the originals open.
    assert client_as(p["worker"]).get(_url(event, original)).status_code == 200


def test_the_event_page_links_each_file_to_the_scoped_view(client_as, p):
    event = _report(p)
    original, public, voice = _files(event)
    client = client_as(p["worker"])
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert "/media/" not in page and original.file.name not in page
    links = [unescape(href) for href in LINK.findall(page)]
    assert sorted(links) == sorted(_url(event, a) for a in (original, public, voice))
    # The names as uploaded, not the stored ones.
    assert PHOTO_NAME in page and "录音.amr" in page
    assert "public-" not in page
    for href in links:
        response = client.get(href)
        assert response.status_code == 200, href
        served = _bytes(response)
        attachment = EventAttachment.objects.get(pk=int(href.rstrip("/").rsplit("/", 1)[1]))
        assert served == _stored(attachment)
        assert response["Cache-Control"] == "private, no-store"


def test_the_type_comes_from_the_bytes_not_the_record(client_as, p):
    """A row claiming text/html (or a name ending .html) is not served as a page."""
    event = _report(p)
    html = EventAttachment(event=event, kind=AttachmentKind.PHOTO, name="x.html",
                           sha256="0" * 64, content_type="text/html", size=30, step=1)
    html.file.save("x.html", ContentFile(b"<html><script>alert(1)</script>"), save=False)
    html.save()
    disguised = EventAttachment(event=event, kind=AttachmentKind.PHOTO, name="a.html",
                                sha256="1" * 64, content_type="text/html", size=10, step=1)
    disguised.file.save("a.html", ContentFile(jpeg_with_gps()), save=False)
    disguised.save()
    client = client_as(p["worker"])
    response = client.get(_url(event, html))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="x.bin"'
    response = client.get(_url(event, disguised))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="a.jpg"'


def test_a_lost_file_is_404(client_as, p):
    event = _report(p)
    original, _public, _voice = _files(event)
    original.file.storage.delete(original.file.name)
    assert client_as(p["worker"]).get(_url(event, original)).status_code == 404


def test_filenames_are_made_safe():
    assert safe_filename('../../etc/pa"ss\r\nwd.jpg', "image/jpeg", 7) == "pa_ss_wd.jpg"
    assert safe_filename("", "audio/amr", 7) == "attachment-7.amr"
    assert safe_filename("照片.png", "image/jpeg", 7) == "照片.jpg"
    header = content_disposition("inline", "照片.jpg", 7)
    assert header == "inline; filename=\"attachment-7.jpg\"; filename*=UTF-8''" + quote("照片.jpg")
    assert content_disposition("attachment", "a b.mp3", 1) == 'attachment; filename="a b.mp3"'
    mixed = content_disposition("inline", "井盖 IMG_1.jpg", 3)
    assert mixed.startswith('inline; filename="_ IMG_1.jpg"; filename*=UTF-8\'\'')
