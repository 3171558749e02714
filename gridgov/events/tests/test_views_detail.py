"""The event detail page: timeline, action forms by role and state, POST, 404 and 409."""

import pytest

from gridgov.events.choices import State
from gridgov.events.models import Event

from .workflow_support import event_in, new_event, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


def test_detail_shows_timeline_and_the_viewers_actions(client_as, p):
    event = event_in(State.FILED, p)
    response = client_as(p["dispatcher"]).get(f"/events/{event.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert event.number in html and "全程留痕" in html
    assert "立案" in html and "受理" in html  # the steps so far
    assert f"/events/{event.pk}/act/dispatch/" in html
    assert "/act/void/" not in html  # voiding is the shift leader's
    shift_html = client_as(p["shift"]).get(f"/events/{event.pk}/").content.decode()
    assert "/act/void/" in shift_html and "/act/dispatch/" not in shift_html


def test_out_of_scope_is_404_and_anonymous_redirects(client, client_as, p):
    event = new_event(p)
    assert client_as(p["worker2"]).get(f"/events/{event.pk}/").status_code == 404
    assert client_as(p["worker2"]).post(f"/events/{event.pk}/act/register/").status_code == 404
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_post_an_action(client_as, p):
    event = event_in(State.FILED, p)
    response = client_as(p["dispatcher"]).post(
        f"/events/{event.pk}/act/dispatch/",
        {"dispatch-version": event.version, "dispatch-remark": "请处置"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == State.DISPATCHED and event.department.code == "D034"


def test_post_with_a_stale_version_is_409(client_as, p):
    event = event_in(State.FILED, p)
    stale = event.version
    client_as(p["dispatcher"]).post(f"/events/{event.pk}/act/dispatch/",
                                    {"dispatch-version": stale})
    response = client_as(p["shift"]).post(
        f"/events/{event.pk}/act/void/", {"void-version": stale, "void-reason": "重复"})
    assert response.status_code == 409
    assert Event.objects.get(pk=event.pk).state == State.DISPATCHED
    assert "已派遣" in response.content.decode()


def test_invalid_input_rerenders_with_errors(client_as, p):
    event = event_in(State.DISPATCHED, p)
    response = client_as(p["handler"]).post(f"/events/{event.pk}/act/return/",
                                            {"return-reason": ""})
    assert response.status_code == 400
    assert "该字段是必填项" in response.content.decode()
    assert Event.objects.get(pk=event.pk).state == State.DISPATCHED


def test_forbidden_action_is_403(client_as, p):
    event = event_in(State.FILED, p)
    response = client_as(p["leader"]).post(f"/events/{event.pk}/act/dispatch/",
                                           {"dispatch-version": event.version})
    assert response.status_code == 403


def test_verify_with_photo(client_as, p, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .intake_support import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    event = event_in(State.COMPLETED, p)
    # The completion's photo (the evidence rule asks for one): original and public copy.
    before, before_public = event.attachments.count(), event.attachments.filter(public=True).count()
    response = client_as(p["worker"]).post(f"/events/{event.pk}/act/verify/", {
        "verify-version": event.version, "verify-passed": "1", "verify-remark": "已整改",
        "verify-attachments": [SimpleUploadedFile("ok.jpg", jpeg_with_gps(),
                                                  content_type="image/jpeg")]})
    assert response.status_code == 302
    event.refresh_from_db()
    # The original (evidence) and its public copy without metadata.
    assert event.state == State.CLOSED and event.attachments.count() == before + 2
    assert event.attachments.filter(public=True).count() == before_public + 1
    page = client_as(p["worker"]).get(f"/events/{event.pk}/").content.decode()
    assert "ok.jpg" in page


def test_the_clerk_is_led_to_likely_duplicates(client_as, p, intake_clerk, gulou_grid):
    """Two residents report the same heap: the clerk's page of either counts the other and
    links to the merge page; a grid worker's page says nothing about merging."""
    from gridgov.events.actions import intake

    from .intake_support import offset, point_in

    here = point_in(gulou_grid)
    first = intake.report_by_resident(description="东门垃圾堆积,臭味很大", lng=here[0],
                                      lat=here[1]).event
    there = offset(here, metres_east=20)
    intake.report_by_resident(description="东门垃圾堆积好几天,臭味大", lng=there[0],
                              lat=there[1])
    response = client_as(intake_clerk).get(f"/events/{first.pk}/")
    assert response.context["likely_duplicates"] >= 1
    html = response.content.decode()
    assert f"/events/{first.pk}/duplicates/" in html and "查看并合并" in html
    worker = client_as(p["worker"]).get(f"/events/{first.pk}/")
    assert worker.context["likely_duplicates"] is None
    assert "/duplicates/" not in worker.content.decode()
