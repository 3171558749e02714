"""The reporter's phone is personal data (issue 9, item 6): encrypted at rest with its keyed
lookup hash and mask, found by the hash only, shown masked, and revealed in full only with a
reason and an audit record that is not part of the event's timeline."""

import pytest
from django.db import connection

from gridgov.audit.models import AuditRecord
from gridgov.core import personal_data
from gridgov.events import trace
from gridgov.events.actions import intake
from gridgov.events.filtersets import EventFilterSet
from gridgov.events.models import Event
from gridgov.notifications import recipients

from .intake_support import point_in

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def _report(grid, phone=PHONE, **extra):
    lng, lat = point_in(grid)
    return intake.report_by_resident(description="小区门口垃圾堆了三天没人清理", lng=lng,
                                     lat=lat, reporter_phone=phone, **extra).event


def _raw_row(event) -> str:
    """Every column of the event's row as the database holds it, read with plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM events_event WHERE id = %s", [event.pk])
        return " ".join(str(v) for v in cursor.fetchone())


def test_a_residents_phone_is_not_stored_in_plain(gulou_grid):
    event = _report(gulou_grid)
    raw = _raw_row(event)
    assert PHONE not in raw
    stored = Event.objects.values("reporter_phone_enc", "reporter_phone_hash",
                                  "reporter_phone_masked").get(pk=event.pk)
    assert stored["reporter_phone_enc"].startswith("v1$")
    assert personal_data.decrypt(stored["reporter_phone_enc"], "phone") == PHONE
    assert stored["reporter_phone_hash"] == personal_data.lookup_hash(PHONE)
    assert stored["reporter_phone_masked"] == "138****5678"
    # Read back through the model, the reporter's own answer still has the number.
    assert Event.objects.get(pk=event.pk).reporter_phone == PHONE
    # The token is bound to its purpose: it does not open as an ID number.
    with pytest.raises(personal_data.DecryptionError):
        personal_data.decrypt(stored["reporter_phone_enc"], "id_number")


def test_a_hotline_landline_is_encrypted_and_found_by_its_hash(gulou_grid, intake_clerk,
                                                                grid_worker):
    lng, lat = point_in(gulou_grid)
    event = intake.record_hotline(actor=intake_clerk, line="12345", external_id="H-PH-1",
                                  description="噪音扰民", lng=lng, lat=lat,
                                  reporter_phone="0574-87654321").event
    assert "87654321" not in _raw_row(event)

    def found(user, q):
        request = type("R", (), {"user": user})()
        qs = Event.objects.restrict(user)
        return set(EventFilterSet({"q": q}, queryset=qs, request=request).qs
                   .values_list("pk", flat=True))

    # The clerk (who calls back) finds it by the whole number, with or without the dash.
    assert event.pk in found(intake_clerk, "0574-87654321")
    assert event.pk in found(intake_clerk, "057487654321")
    # A partial number is no key: nothing is compared with the plain value.
    assert event.pk not in found(intake_clerk, "87654321")
    # A grid worker sees the event, but may not use a phone number as a key to it.
    assert Event.objects.restrict(grid_worker).filter(pk=event.pk).exists()
    assert event.pk not in found(grid_worker, "0574-87654321")


def test_the_callback_staff_reveal_with_a_reason_outside_the_timeline(gulou_grid, client_as,
                                                                      intake_clerk,
                                                                      grid_worker):
    event = _report(gulou_grid)
    page = client_as(intake_clerk).get(f"/events/{event.pk}/").content.decode()
    assert "138****5678" in page and PHONE not in page
    assert f"/events/{event.pk}/reveal-contact/" in page
    steps_before = len(trace.timeline(event))

    url = f"/events/{event.pk}/reveal-contact/"
    refused = client_as(intake_clerk).post(url, {"reason": ""})
    assert refused.status_code == 302 and PHONE not in refused.content.decode()
    shown = client_as(intake_clerk).post(url, {"reason": "回访上报人"})
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert shown["Cache-Control"] == "no-store"
    rec = AuditRecord.objects.get(action="events.event.reveal")
    assert rec.chain_key == f"events.event.reveal:{event.pk}"
    assert rec.remark == "回访上报人" and rec.changes == {"field": "reporter_phone"}
    assert PHONE not in str(rec.changes) + rec.remark
    # Who looked is for the audit administrator, not a step everyone reads on the event.
    assert len(trace.timeline(event)) == steps_before

    # A grid worker sees the event and the mask, but no reveal form, and the POST is refused.
    page = client_as(grid_worker).get(f"/events/{event.pk}/").content.decode()
    assert "138****5678" in page and "reveal-contact" not in page
    assert client_as(grid_worker).post(url, {"reason": "好奇"}).status_code == 403


def test_the_api_reveals_with_a_reason_and_masks_otherwise(gulou_grid, api_as, intake_clerk,
                                                          dispatcher):
    event = _report(gulou_grid)
    url = f"/api/events/{event.pk}/reveal-contact/"
    assert api_as(intake_clerk).get(f"/api/events/{event.pk}/").json()["reporter_phone"] == (
        "138****5678")
    missing = api_as(intake_clerk).post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "reason"
    answer = api_as(intake_clerk).post(url, {"reason": "回访上报人"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"field": "reporter_phone", "value": PHONE}
    assert answer["Cache-Control"] == "no-store"
    assert api_as(dispatcher).post(url, {"reason": "好奇"}, format="json").status_code == 403


def test_the_reporter_sees_their_own_number_and_is_texted_on_it(gulou_grid, grid_worker):
    event = _report(gulou_grid)
    users, phones = recipients.reporters(event)
    assert users == [] and phones == [PHONE]
    assert intake.contact_display(event, grid_worker) == "138****5678"
    Event.objects.filter(pk=event.pk).update(reporter_user=grid_worker)
    event.refresh_from_db()
    assert intake.contact_display(event, grid_worker) == PHONE


def test_an_empty_phone_stores_nothing(gulou_grid):
    event = _report(gulou_grid, phone="")
    stored = Event.objects.values("reporter_phone_enc", "reporter_phone_hash",
                                  "reporter_phone_masked").get(pk=event.pk)
    assert stored == {"reporter_phone_enc": "", "reporter_phone_hash": "",
                      "reporter_phone_masked": ""}
    assert event.reporter_phone == ""
