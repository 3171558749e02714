import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.events.actions import intake
from gridgov.events.choices import State
from gridgov.events.models import Event, EventAttachment
from gridgov.moderation import actions as moderation
from gridgov.moderation.models import LexiconTerm

from .intake_support import OUTSIDE, category, jpeg_with_gps, offset, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def form(grid, **extra):
    lng, lat = point_in(grid)
    data = {"description": "小区门口垃圾堆了三天", "lng": str(lng), "lat": str(lat),
            "crs": "wgs84", "address": "鼓楼某小区", "nature": "request"}
    data.update(extra)
    return data


# --- public page ----------------------------------------------------------------------------


def test_public_page_needs_no_account_and_creates_an_event(gulou_grid):
    client = Client()
    page = client.get("/events/public/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "我要反映" in html and 'name="form_token"' in html
    response = client.post("/events/public/report/", form(gulou_grid, reporter_phone="13812345678",
                                                         form_token="tok-1"))
    assert response.status_code == 200
    event = Event.objects.get(idempotency_key="public:tok-1")
    assert event.source == "citizen" and event.reporter_phone == "13812345678"
    body = response.content.decode()
    assert event.number in body and "13812345678" not in body


def test_public_double_submit_creates_one_event(gulou_grid):
    client = Client()
    for _ in range(2):
        client.post("/events/public/report/", form(gulou_grid, form_token="tok-2"))
    assert Event.objects.filter(idempotency_key="public:tok-2").count() == 1


def test_public_outside_district_shows_the_reason(gulou_grid):
    response = Client().post("/events/public/report/",
                             form(gulou_grid, lng=str(OUTSIDE[0]), lat=str(OUTSIDE[1])))
    assert response.status_code == 400
    assert "该位置不在本辖区范围内" in response.content.decode()


def test_public_filter_hit_is_held_and_says_so(gulou_grid):
    LexiconTerm.objects.all().delete()
    moderation.create_term(term="狗官", category="abuse", actor=None)
    response = Client().post("/events/public/report/",
                             form(gulou_grid, description="这些狗官", form_token="tok-3"))
    assert "审核" in response.content.decode()
    assert Event.objects.get(idempotency_key="public:tok-3").state == State.HELD


def test_public_page_is_rate_limited_by_client_address(gulou_grid, settings):
    settings.GRIDGOV_PUBLIC_REPORT_LIMIT = 2
    a, b = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    codes = [a.post("/events/public/report/", form(gulou_grid, form_token=f"r{i}")).status_code
             for i in range(3)]
    assert codes == [200, 200, 429]
    assert b.post("/events/public/report/", form(gulou_grid, form_token="other")).status_code == 200
    assert Event.objects.filter(idempotency_key__startswith="public:r").count() == 2


def test_public_photo_upload_keeps_original_private(gulou_grid):
    data = form(gulou_grid, form_token="tok-4")
    data["attachments"] = SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg")
    Client().post("/events/public/report/", data)
    event = Event.objects.get(idempotency_key="public:tok-4")
    assert sorted(EventAttachment.objects.filter(event=event).values_list(
        "public", flat=True)) == [False, True]


def test_public_bad_file_names_the_field(gulou_grid):
    data = form(gulou_grid)
    data["attachments"] = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", "image/jpeg")
    response = Client().post("/events/public/report/", data)
    assert response.status_code == 400 and "x.jpg" in response.content.decode()


# --- grid worker page -----------------------------------------------------------------------


def test_grid_worker_form(client_as, grid_worker, gulou_grid):
    client = client_as(grid_worker)
    page = client.get("/events/report/")
    assert page.status_code == 200 and "0102" in page.content.decode()
    response = client.post("/events/report/", form(gulou_grid, category="0102",
                                                    form_token="g-1"))
    assert response.status_code == 200
    event = Event.objects.get(idempotency_key=f"u{grid_worker.pk}:g-1")
    assert event.category.code == "0102" and event.reporter_user == grid_worker
    assert event.number in response.content.decode()


def test_grid_worker_form_errors(client_as, grid_worker, gulou_grid):
    response = client_as(grid_worker).post("/events/report/", form(gulou_grid, description=""))
    assert response.status_code == 400 and "此项为必填项" in response.content.decode()


def test_grid_report_page_roles(client_as, intake_clerk):
    assert client_as(intake_clerk).get("/events/report/").status_code == 403
    assert Client().get("/events/report/").status_code == 302


# --- hotline upload -------------------------------------------------------------------------


def hotline_csv(grid) -> bytes:
    lng, lat = point_in(grid)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["工单编号", "热线", "诉求内容", "经度", "纬度"])
    writer.writerow(["V-1", "12345", "井盖缺失", lng, lat])
    writer.writerow(["V-2", "999", "", lng, lat])
    return out.getvalue().encode("utf-8")


def test_hotline_upload_and_error_report(client_as, intake_clerk, shift_leader, gulou_grid):
    client = client_as(intake_clerk)
    assert client.get("/events/hotline/upload/").status_code == 200
    upload = SimpleUploadedFile("h.csv", hotline_csv(gulou_grid), "text/csv")
    response = client.post("/events/hotline/upload/", {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "热线须为 81890 或 12345" in html
    assert Event.objects.filter(external_id="V-1").count() == 1
    assert not Event.objects.filter(external_id="V-2").exists()
    token = response.context["token"]
    # The rejected rows are kept encrypted in the cache (which may be a shared Redis).
    _owner, stored = cache.get(f"gridgov:hotline-errors:{token}")
    assert stored.startswith("v1$") and "999" not in stored
    report = client.get(f"/events/hotline/upload/{token}/errors.csv")
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert {(r[0], r[2]) for r in rows[1:]} == {("3", "line"), ("3", "description")}
    # Another clerk cannot fetch someone else's report.
    assert client_as(shift_leader).get(
        f"/events/hotline/upload/{token}/errors.csv").status_code == 404
    template = client.get("/events/hotline/template.csv")
    assert template.status_code == 200 and "工单编号" in template.content.decode("utf-8-sig")


def test_hotline_upload_bad_file(client_as, intake_clerk):
    client = client_as(intake_clerk)
    response = client.post("/events/hotline/upload/",
                           {"file": SimpleUploadedFile("h.csv", b"a,b\n1,2\n", "text/csv")})
    assert response.status_code == 400 and "表头缺少" in response.content.decode()
    assert client.post("/events/hotline/upload/", {}).status_code == 400


def test_hotline_upload_forbidden_to_grid_workers(client_as, grid_worker):
    assert client_as(grid_worker).get("/events/hotline/upload/").status_code == 403


# --- duplicates -----------------------------------------------------------------------------


def test_duplicates_page_and_one_click_merge(client_as, intake_clerk, grid_worker, gulou_grid):
    here = point_in(gulou_grid)
    cat = category("0102")
    a = intake.report_by_grid_worker(actor=grid_worker, description="垃圾堆积", lng=here[0],
                                     lat=here[1], category=cat).event
    near = offset(here, 3)
    b = intake.report_by_grid_worker(actor=grid_worker, description="垃圾堆积严重",
                                     lng=near[0], lat=near[1], category=cat).event
    client = client_as(intake_clerk)
    page = client.get(f"/events/{a.pk}/duplicates/")
    assert page.status_code == 200 and b.number in page.content.decode()
    response = client.post(f"/events/{a.pk}/duplicates/", {"duplicates": [str(b.pk)]})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.state == State.MERGED and b.merged_into_id == a.pk


def test_duplicates_page_scope_and_roles(client_as, intake_clerk, grid_worker, gulou_grid,
                                         other_street):
    here = point_in(gulou_grid)
    a = intake.report_by_grid_worker(actor=grid_worker, description="垃圾", lng=here[0],
                                     lat=here[1], category=category("0102")).event
    assert client_as(grid_worker).get(f"/events/{a.pk}/duplicates/").status_code == 403
    assert client_as(intake_clerk).get("/events/999999999/duplicates/").status_code == 404


def test_menu_entries_by_role(client_as, grid_worker, intake_clerk, sys_admin):
    assert 'href="/events/report/"' in client_as(grid_worker).get("/").content.decode()
    clerk = client_as(intake_clerk).get("/").content.decode()
    assert 'href="/events/hotline/upload/"' in clerk and 'href="/moderation/"' in clerk
    assert 'href="/events/report/"' not in clerk
    assert 'href="/moderation/lexicon/"' in client_as(sys_admin).get("/").content.decode()


def test_duplicates_page_query_count_is_constant(client_as, intake_clerk, grid_worker,
                                                 gulou_grid, django_assert_max_num_queries):
    here = point_in(gulou_grid)
    cat = category("0102")
    first = intake.report_by_grid_worker(actor=grid_worker, description="垃圾", lng=here[0],
                                         lat=here[1], category=cat).event
    mine = set()
    for i in range(6):
        p = offset(here, i)
        mine.add(intake.report_by_grid_worker(actor=grid_worker, description=f"垃圾{i}",
                                              lng=p[0], lat=p[1], category=cat).event.pk)
    client = client_as(intake_clerk)
    with django_assert_max_num_queries(12):
        page = client.get(f"/events/{first.pk}/duplicates/")
    assert page.status_code == 200
    assert {s.event.pk for s in page.context["suggestions"]} >= mine
