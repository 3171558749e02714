"""POST requests as GeoReport v2 has it (https://wiki.open311.org/GeoReport_v2): a
description of up to 4,000 characters and optional, the answer's id or token (never both),
and media sent with the request (multipart ``media``), in JSON and XML over plain HTTP."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.events import actions as ev
from gridgov.events.choices import Source, State
from gridgov.events.models import Event, EventAttachment
from gridgov.events.tests.intake_support import jpeg_with_gps

from .test_open311 import (
    BASE,
    api_key,
    as_json,
    as_xml,
    error_list,
    http,
    post_data,
    service,
    xml_errors,
)

pytestmark = pytest.mark.django_db
__all__ = ["api_key", "http", "post_data", "service"]  # fixtures used by name


def test_a_4000_character_description_is_taken_in_json_and_xml(http, post_data):
    text = "路" * 4000
    row = as_json(http.post(BASE + "requests.json", dict(post_data, description=text)))[0]
    assert Event.objects.get(number=row["service_request_id"]).description == text
    root = as_xml(http.post(BASE + "requests.xml",
                            dict(post_data, description="灯" * 4000, token="x-4000")))
    assert root.findtext("request/service_request_id")


def test_4001_characters_is_400_naming_the_field(http, post_data):
    data = dict(post_data, description="路" * 4001)
    assert any("description" in m and "4000" in m
               for m in error_list(http.post(BASE + "requests.json", data), 400))
    assert xml_errors(http.post(BASE + "requests.xml", data), 400)
    assert not Event.objects.filter(source=Source.OPEN311).exists()


def test_description_is_optional_and_then_the_service_name(http, post_data, service):
    data = {k: v for k, v in post_data.items() if k != "description"}
    row = as_json(http.post(BASE + "requests.json", data))[0]
    assert Event.objects.get(number=row["service_request_id"]).description == service.name
    empty = as_json(http.post(BASE + "requests.json",
                              dict(data, description="  ", token="blank-1")))[0]
    assert empty["service_request_id"] != row["service_request_id"]


def test_the_answer_has_the_id_or_the_token_never_both(http, post_data):
    row = as_json(http.post(BASE + "requests.json", dict(post_data, token="t-both")))[0]
    assert set(row) == {"service_request_id", "service_notice", "account_id",
                        "location_source", "location_label"}
    request = as_xml(http.post(BASE + "requests.xml",
                               dict(post_data, token="t-both"))).find("request")
    assert request.find("token") is None
    assert request.findtext("service_request_id") == row["service_request_id"]
    # The token still finds the request (a client that kept it).
    assert as_json(http.get(BASE + "tokens/t-both.json"))[0]["service_request_id"] == (
        row["service_request_id"])


@pytest.fixture
def held_term(django_capture_on_commit_callbacks):
    from gridgov.moderation import matcher
    from gridgov.moderation.actions import create_term
    from gridgov.moderation.models import LexiconTerm

    term = "代开发票"
    if not LexiconTerm.objects.filter(term=term, is_active=True).exists():
        with django_capture_on_commit_callbacks(execute=True):
            create_term(term=term, actor=None)
    matcher.invalidate()
    return term


def test_a_held_request_gets_a_token_and_its_id_once_released(http, post_data, held_term):
    data = dict(post_data, description=f"有人兜售{held_term}", token="held-2")
    request = as_xml(http.post(BASE + "requests.xml", data)).find("request")
    assert request.findtext("token") == "held-2"
    assert request.find("service_request_id") is None
    token_root = as_xml(http.get(BASE + "tokens/held-2.xml"))
    assert token_root.findtext("request/service_request_id") in (None, "")
    event = Event.objects.get(external_id="held-2")
    ev.release_held(event, approve=True, actor=None)
    assert as_json(http.get(BASE + "tokens/held-2.json")) == [
        {"service_request_id": event.number, "token": "held-2"}]
    assert as_json(http.get(f"{BASE}requests/{event.number}.json"))[0]["status"] == "open"


def test_a_held_request_turned_down_is_never_published(http, post_data, held_term):
    data = dict(post_data, description=f"有人兜售{held_term}", token="held-3")
    as_json(http.post(BASE + "requests.json", data))
    event = Event.objects.get(external_id="held-3")
    ev.release_held(event, approve=False, actor=None, remark="违规内容")
    assert Event.objects.get(pk=event.pk).state == State.VOID
    error_list(http.get(f"{BASE}requests/{event.number}.json"), 404)
    assert as_json(http.get(BASE + "tokens/held-3.json"))[0]["service_request_id"] is None
    listed = as_json(http.get(BASE + "requests.json", {"service_request_id": event.number}))
    assert listed == []


# --- media ----------------------------------------------------------------------------------


def photo(name="street.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def test_a_photo_sent_with_the_request_is_kept_and_linked_without_metadata(http, post_data):
    from PIL import Image

    row = as_json(http.post(BASE + "requests.json", dict(post_data, media=photo())))[0]
    event = Event.objects.get(number=row["service_request_id"])
    kept = EventAttachment.objects.filter(event=event)
    assert {(a.public, a.step) for a in kept} == {(False, 1), (True, 1)}
    detail = as_json(http.get(f"{BASE}requests/{event.number}.json"))[0]
    public = kept.get(public=True)
    assert detail["media_url"] == f"http://testserver{BASE}media/{public.pk}"
    served = http.get(detail["media_url"])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(body)).getexif() == {}  # no GPS, no camera
    root = as_xml(http.get(f"{BASE}requests/{event.number}.xml"))
    assert root.findtext("request/media_url") == detail["media_url"]


def test_originals_and_staff_channel_media_are_not_served(http, post_data, gulou_grid):
    row = as_json(http.post(BASE + "requests.json", dict(post_data, media=photo())))[0]
    original = EventAttachment.objects.get(event__number=row["service_request_id"],
                                           public=False)
    error_list(http.get(f"{BASE}media/{original.pk}"), 404)
    from gridgov.events.tests.helpers_command import point_in

    lng, lat = point_in(gulou_grid)
    staff = ev.report_event(source="grid_patrol", description="巡查发现", lng=lng, lat=lat,
                            attachments=[{"file": photo(), "kind": "photo", "public": True}])
    copy = EventAttachment.objects.get(event=staff)
    error_list(http.get(f"{BASE}media/{copy.pk}"), 404)
    error_list(http.get(f"{BASE}media/99999999"), 404)


def test_a_file_that_is_not_media_is_400_on_media(http, post_data):
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    messages = error_list(http.post(BASE + "requests.json", dict(post_data, media=fake)), 400)
    assert any(m.startswith("media:") for m in messages), messages
    fake.seek(0)
    assert any(m.startswith("media:") for m in xml_errors(
        http.post(BASE + "requests.xml", dict(post_data, media=fake)), 400))
    assert not Event.objects.filter(source=Source.OPEN311).exists()


def test_a_request_without_media_has_an_empty_media_url(http, post_data):
    row = as_json(http.post(BASE + "requests.json", post_data))[0]
    detail = as_json(http.get(f"{BASE}requests/{row['service_request_id']}.json"))[0]
    assert detail["media_url"] == ""
