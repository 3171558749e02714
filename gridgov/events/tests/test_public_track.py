"""Residents' private tracking links: issued once by the public page, only the hash stored;
the progress page shows no staff names or internal remarks; evaluation through the link."""

import hashlib
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.audit.models import AuditRecord
from gridgov.audit.verify import verify_all
from gridgov.events import actions, public_links
from gridgov.events.choices import State
from gridgov.events.models import Event, EventAttachment
from gridgov.moderation import actions as moderation
from gridgov.moderation.models import LexiconTerm

from .intake_support import jpeg_with_gps, point_in
from .workflow_support import call, new_event, people

pytestmark = pytest.mark.django_db

TRACK_RE = re.compile(r"https?://[^\s\"<]+/events/public/track/([A-Za-z0-9_-]+)/")
INTERNAL = "内部备注勿外传"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def p(db):
    return people()


def report(grid, client=None, **extra):
    """Report through the public page; (response, event, token of the link shown)."""
    lng, lat = point_in(grid)
    data = {"description": "小区门口垃圾堆了三天", "lng": str(lng), "lat": str(lat),
            "crs": "wgs84", "address": "鼓楼某小区东门", "nature": "request",
            "reporter_name": "张阿姨", "reporter_phone": "13812345678",
            "form_token": "tok-track"}
    data.update(extra)
    response = (client or Client()).post("/events/public/report/", data)
    assert response.status_code == 200, response.content.decode()[:500]
    match = TRACK_RE.search(response.content.decode())
    event = Event.objects.get(idempotency_key=f"public:{data['form_token']}")
    return response, event, match.group(1) if match else None


def track(token) -> str:
    return f"/events/public/track/{token}/"


def drive(event, p, *steps):
    """Run the workflow ``steps`` as their usual actors, with internal remarks where allowed."""
    remarks = {"register": {"category": "0102", "remark": INTERNAL},
               "file": {"remark": INTERNAL}, "dispatch": {"remark": INTERNAL},
               "claim": {"remark": INTERNAL}, "complete": {"remark": "垃圾已清运完毕"},
               "verify": {"remark": INTERNAL}}
    for step in steps:
        event = call(step, event, p, **remarks.get(step, {}))
    return event


TO_CLOSED = ("register", "file", "dispatch", "claim", "complete", "verify")


# --- the link ---------------------------------------------------------------------------------


def test_public_report_shows_a_link_and_stores_only_its_hash(gulou_grid):
    response, event, token = report(gulou_grid)
    assert token and len(token) >= 32
    body = response.content.decode()
    assert "请妥善保存此链接" in body
    assert response["Cache-Control"] == "private, no-store"
    assert event.public_token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in Event.objects.filter(pk=event.pk).values().first().values()]
    assert not any(token in v for v in stored)
    for rec in AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}"):
        assert token not in f"{rec.changes} {rec.remark}"


def test_each_report_gets_its_own_link(gulou_grid):
    _, _, first = report(gulou_grid, form_token="tok-a")
    _, _, second = report(gulou_grid, form_token="tok-b")
    assert first and second and first != second


def test_retried_submission_shows_the_same_working_link(gulou_grid):
    _, event, first = report(gulou_grid, form_token="tok-retry")
    _, again, second = report(gulou_grid, Client(), form_token="tok-retry")
    assert again.pk == event.pk and first == second
    assert Client().get(track(second)).status_code == 200


def test_retry_of_an_event_without_a_link_shows_none(gulou_grid):
    _, event, _ = report(gulou_grid, form_token="tok-old")
    Event.objects.filter(pk=event.pk).update(public_token_hash="")  # as before this feature
    response, _, token = report(gulou_grid, form_token="tok-old")
    assert token is None and "请妥善保存此链接" not in response.content.decode()


def test_unknown_or_malformed_token_is_404(gulou_grid):
    report(gulou_grid)
    assert Client().get(track("A" * 32)).status_code == 404
    assert Client().get(track("short")).status_code == 404
    assert Client().post(track("A" * 32), {"score": "5"}).status_code == 404


def test_events_of_other_channels_have_no_link(p):
    event = new_event(p)
    assert event.public_token_hash == ""
    assert public_links.find("") is None


# --- the page ---------------------------------------------------------------------------------


def test_page_shows_progress_without_staff_names_or_internal_remarks(gulou_grid, p):
    _, event, token = report(gulou_grid)
    drive(event, p, *TO_CLOSED)
    response = Client().get(track(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert event.number in html and "鼓楼某小区东门" in html
    assert "暴露垃圾" in html  # the category set when registered
    assert str(public_links.PUBLIC_STATES[State.CLOSED]) in html
    for label in ("反映已提交", "已受理", "已交责任单位办理", "处置完毕", "现场核查通过,已办结"):
        assert label in html
    assert "垃圾已清运完毕" in html  # the completion remark is the one remark shown
    assert INTERNAL not in html
    for person in p.values():
        assert person.real_name not in html and person.username not in html
    assert "区综合行政执法局" not in html
    assert "13812345678" not in html and "张阿姨" not in html
    assert response["Referrer-Policy"] == "same-origin"
    assert 'href="/events/public/report/"' in html


def test_page_shows_expected_completion_while_handled(gulou_grid, p):
    _, event, token = report(gulou_grid)
    event = drive(event, p, "register", "file", "dispatch")
    html = Client().get(track(token)).content.decode()
    assert "处理中" in html and "预计办结" in html
    local = event.handle_deadline.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert local.strftime("%Y-%m-%d") in html


def test_suspended_case_shows_no_stale_expected_date(gulou_grid, p):
    _, event, token = report(gulou_grid)
    event = drive(event, p, "register", "file", "dispatch", "claim")
    event = call("request_suspension", event, p)
    call("decide_suspension", event, p)
    html = Client().get(track(token)).content.decode()
    assert "暂缓办理" in html and "预计办结" not in html


def test_failed_verification_shows_the_result(gulou_grid, p):
    _, event, token = report(gulou_grid)
    event = drive(event, p, "register", "file", "dispatch", "claim", "complete")
    call("verify", event, p, passed=False, remark=INTERNAL)
    html = Client().get(track(token)).content.decode()
    assert "现场核查未通过,重新处置" in html and INTERNAL not in html


def test_held_report_says_under_review(gulou_grid):
    LexiconTerm.objects.all().delete()
    moderation.create_term(term="狗官", category="abuse", actor=None)
    _, event, token = report(gulou_grid, description="这些狗官不管事")
    assert event.state == State.HELD and token
    html = Client().get(track(token)).content.decode()
    assert "正在审核" in html and "预计办结" not in html


def test_page_shows_only_public_copies_of_photos(gulou_grid):
    photo = SimpleUploadedFile("scene.jpg", jpeg_with_gps(), content_type="image/jpeg")
    lng, lat = point_in(gulou_grid)
    response = Client().post("/events/public/report/", {
        "description": "井盖缺失", "lng": str(lng), "lat": str(lat), "nature": "request",
        "form_token": "tok-photo", "attachments": photo})
    token = TRACK_RE.search(response.content.decode()).group(1)
    event = Event.objects.get(idempotency_key="public:tok-photo")
    public = EventAttachment.objects.get(event=event, public=True)
    original = EventAttachment.objects.get(event=event, public=False)
    html = Client().get(track(token)).content.decode()
    assert f"{track(token)}photo/{public.pk}/" in html
    assert f"photo/{original.pk}/" not in html
    served = Client().get(f"{track(token)}photo/{public.pk}/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == public.file.open("rb").read()
    assert Client().get(f"{track(token)}photo/{original.pk}/").status_code == 404


def test_page_shows_the_departments_completion_photo(gulou_grid, p):
    """The handler's photo of the fixed street reaches the resident, as its public copy."""
    _response, event, token = report(gulou_grid, form_token="tok-done-photo")
    event = drive(event, p, "register", "file", "dispatch", "claim")
    photo = SimpleUploadedFile("after.jpg", jpeg_with_gps(), content_type="image/jpeg")
    event = call("complete", event, p, remark="垃圾已清运完毕", attachments=[photo])
    public = EventAttachment.objects.get(event=event, public=True, step__gt=1)
    original = EventAttachment.objects.get(event=event, public=False, step=public.step)
    html = Client().get(track(token)).content.decode()
    assert f"{track(token)}photo/{public.pk}/" in html
    assert f"photo/{original.pk}/" not in html


def test_merged_report_follows_its_primary(gulou_grid, p):
    _, event, token = report(gulou_grid)
    primary = new_event(p)
    actions.merge_events(primary, [event], actor=p["clerk"])
    primary = drive(primary, p, *TO_CLOSED)
    response = Client().get(track(token))
    html = response.content.decode()
    assert primary.number in html and "合并" in html
    assert str(public_links.PUBLIC_STATES[State.CLOSED]) in html
    assert "现场核查通过,已办结" in html and "垃圾已清运完毕" in html
    assert 'name="score"' not in html  # the primary's reporter rates it, not each duplicate
    refused = Client().post(track(token), {"score": "5"})
    assert refused.status_code == 400 and "合并办理" in refused.content.decode()


# --- evaluation -------------------------------------------------------------------------------


def test_no_evaluation_before_the_case_is_closed(gulou_grid, p):
    _, event, token = report(gulou_grid)
    drive(event, p, "register", "file", "dispatch")
    assert 'name="score"' not in Client().get(track(token)).content.decode()
    response = Client().post(track(token), {"score": "5"})
    assert response.status_code == 400
    assert "尚未办结" in response.content.decode()
    event.refresh_from_db()
    assert event.evaluation_score is None


def test_evaluation_through_the_link_once(gulou_grid, p):
    _, event, token = report(gulou_grid)
    drive(event, p, *TO_CLOSED)
    client = Client()
    assert 'name="score"' in client.get(track(token)).content.decode()
    response = client.post(track(token), {"score": "5", "comment": "处理及时,谢谢"})
    assert response.status_code == 302 and response["Location"] == track(token)
    event.refresh_from_db()
    assert (event.evaluation_score, event.evaluation_comment) == (5, "处理及时,谢谢")
    page = client.get(track(token)).content.decode()
    assert 'name="score"' not in page and "感谢您的评价" in page and "已评价" in page
    again = client.post(track(token), {"score": "1"})
    assert again.status_code == 400 and "已评价过" in again.content.decode()
    event.refresh_from_db()
    assert event.evaluation_score == 5


def test_evaluation_is_recorded_on_the_events_audit_chain(gulou_grid, p):
    _, event, token = report(gulou_grid)
    drive(event, p, *TO_CLOSED)
    Client().post(track(token), {"score": "4", "comment": "还可以"})
    rec = AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}").order_by("seq").last()
    assert rec.action == "events.evaluate"
    assert rec.actor_id is None and rec.role == actions.REPORTER_LINK_ROLE
    assert "跟踪链接" in rec.remark and "还可以" in rec.remark
    assert rec.changes["evaluation_score"] == [None, 4]
    assert rec.changes["via"] == [None, "reporter_link"]
    step = event.steps.get(seq=rec.seq)
    assert step.action == "evaluate" and step.actor_id is None
    assert verify_all().ok


def test_invalid_score_and_long_comment_are_refused(gulou_grid, p):
    _, event, token = report(gulou_grid)
    drive(event, p, *TO_CLOSED)
    bad = Client().post(track(token), {"score": "9"})
    assert bad.status_code == 400 and "评分应为 1–5" in bad.content.decode()
    long = Client().post(track(token), {"score": "3", "comment": "好" * 501})
    assert long.status_code == 400 and "500" in long.content.decode()
    event.refresh_from_db()
    assert event.evaluation_score is None


def test_harmful_comment_is_refused_with_the_reason_and_nothing_saved(gulou_grid, p):
    _, event, token = report(gulou_grid)
    event = drive(event, p, *TO_CLOSED)
    LexiconTerm.objects.all().delete()
    moderation.create_term(term="狗官", category="abuse", actor=None)
    records = AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}").count()
    response = Client().post(track(token), {"score": "1", "comment": "一群狗官"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "不当用语" in html and "狗官" in html
    assert 'name="score"' in html and "一群狗官" in html  # the form again, as typed
    event.refresh_from_db()
    assert event.evaluation_score is None and event.evaluation_comment == ""
    assert AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}").count() == records


def test_evaluations_are_rate_limited(gulou_grid, p, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 2
    _, event, token = report(gulou_grid)
    drive(event, p, *TO_CLOSED)
    client = Client(REMOTE_ADDR="10.9.9.9")
    codes = [client.post(track(token), {"score": "x"}).status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_the_action_needs_the_links_secret(gulou_grid, p):
    _, event, token = report(gulou_grid)
    event = drive(event, p, *TO_CLOSED)
    with pytest.raises(PermissionDenied):
        actions.evaluate_by_reporter_link(event, token="B" * 32, score=5)
    with pytest.raises(PermissionDenied):
        actions.evaluate_by_reporter_link(event, token="", score=5)
    # A signed-in member of staff still needs the role path; the link adds nothing for them.
    with pytest.raises(PermissionDenied):
        actions.evaluate_event(event, score=5, actor=p["handler"])
    event = actions.evaluate_by_reporter_link(event, token=token, score=3)
    assert event.evaluation_score == 3
