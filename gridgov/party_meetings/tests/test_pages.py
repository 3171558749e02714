"""The pages: list with filters, plan, detail (sheet and attendance rate), record with the
sign-in sheet, self sign-in, overdue list, the requirement editor; scope and refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.party_meetings import actions
from gridgov.party_meetings.models import Meeting, MeetingAttendance, MeetingRequirement

from .support import held

pytestmark = pytest.mark.django_db
BASE = "/party/meetings/"


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_secretary_plans_records_with_the_sheet_and_sees_the_rate(
        branch, members, party_gulou, client_as):
    client = client_as(party_gulou)
    form = client.get(f"{BASE}new/?organisation={branch.pk}").content.decode()
    assert "测试网格党支部" in form
    planned = timezone.now() - dt.timedelta(hours=2)
    bad = client.post(f"{BASE}new/", {"organisation": branch.pk, "kind": "group_meeting",
                                      "title": "x", "planned_at": _local(planned)})
    assert bad.status_code == 400 and "党小组会" in bad.content.decode()
    ok = client.post(f"{BASE}new/", {"organisation": branch.pk, "kind": "branch_assembly",
                                     "title": "季度党员大会", "planned_at": _local(planned),
                                     "notice": "请准时参加"})
    assert ok.status_code == 302
    meeting = Meeting.objects.get(title="季度党员大会")
    record = client.get(f"{BASE}{meeting.pk}/record/").content.decode()
    for m in members:
        assert f'name="present" value="{m.pk}"' in record
    missing = client.post(f"{BASE}{meeting.pk}/record/", {
        "held_at": _local(planned), "minutes": ""})
    assert missing.status_code == 400
    done = client.post(f"{BASE}{meeting.pk}/record/", {
        "held_at": _local(planned), "minutes": "学习并讨论。",
        "present": [members[0].pk, members[1].pk], f"leave_{members[2].pk}": "出差"})
    assert done.status_code == 302, done.content.decode()
    sheet = dict(MeetingAttendance.objects.filter(meeting=meeting)
                 .values_list("member_id", "status"))
    assert sheet == {members[0].pk: "present", members[1].pk: "present",
                     members[2].pk: "leave"}
    page = client.get(f"{BASE}{meeting.pk}/").content.decode()
    assert "学习并讨论。" in page and "到会 2 / 3 人,到会率 67%" in page and "出差" in page
    listed = client.get(BASE, {"kind": "branch_assembly", "q": "季度"}).content.decode()
    assert "季度党员大会" in listed and "2/3" in listed


def test_member_signs_in_on_the_page(branch, members, party_gulou, member_user, client_as):
    meeting = actions.plan_meeting(branch, kind="theme_day", title="志愿服务",
                                   planned_at=timezone.now(), actor=party_gulou)
    client = client_as(member_user)
    sign_in = f'action="{BASE}{meeting.pk}/sign-in/"'
    assert sign_in in client.get(f"{BASE}{meeting.pk}/").content.decode()
    assert client.post(f"{BASE}{meeting.pk}/sign-in/").status_code == 302
    row = MeetingAttendance.objects.get(meeting=meeting, member=members[0])
    assert row.way == "on_site"
    assert sign_in not in client.get(f"{BASE}{meeting.pk}/").content.decode()
    assert client.get(f"{BASE}{meeting.pk}/record/").status_code == 403


def test_scope_and_refusals(branch, other_branch, party_gulou, party_street, grid_worker,
                            client_as, client):
    outside = actions.plan_meeting(other_branch, kind="theme_day", title="邻社区主题党日",
                                   planned_at=timezone.now(), actor=party_street)
    secretary = client_as(party_gulou)
    assert secretary.get(f"{BASE}{outside.pk}/").status_code == 404
    assert secretary.get(f"{BASE}{outside.pk}/record/").status_code == 404
    assert "邻社区主题党日" not in secretary.get(BASE).content.decode()
    assert client_as(grid_worker).get(f"{BASE}new/").status_code == 403
    assert client.get(BASE)["Location"].startswith("/accounts/login")


def test_overdue_page(branch, other_branch, party_gulou, client_as):
    held(branch, "theme_day", timezone.localdate() - dt.timedelta(days=80))
    page = client_as(party_gulou).get(f"{BASE}overdue/", {"kind": "theme_day"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "测试网格党支部" in text and "邻社区网格党支部" not in text
    assert (timezone.localdate() - dt.timedelta(days=80)).isoformat() in text
    assert client_as(party_gulou).get(f"{BASE}overdue/", {"kind": "x"}).status_code == 400


def test_requirement_editor_is_the_administrators(party_gulou, sys_admin, client_as):
    row = MeetingRequirement.objects.get(kind="party_lecture", org_kind="branch",
                                         organisation=None)
    assert client_as(party_gulou).get(f"{BASE}requirements/{row.pk}/").status_code == 403
    assert "党课" in client_as(party_gulou).get(f"{BASE}requirements/").content.decode()
    admin = client_as(sys_admin)
    bad = admin.post(f"{BASE}requirements/{row.pk}/", {
        "kind": "party_lecture", "org_kind": "branch", "every_months": 0})
    assert bad.status_code == 400
    ok = admin.post(f"{BASE}requirements/{row.pk}/", {
        "kind": "party_lecture", "org_kind": "branch", "every_months": 6, "is_active": "on"})
    assert ok.status_code == 302
    row.refresh_from_db()
    assert row.every_months == 6 and row.version == 2


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_and_overdue_pages_do_not_grow_with_the_rows(branch, members, gulou_grid,
                                                          party_gulou, client_as):
    from .support import make_org

    client = client_as(party_gulou)
    held(branch, "theme_day", timezone.localdate() - dt.timedelta(days=40))
    client.get(BASE)
    before = {url: _queries(client, url) for url in (BASE, f"{BASE}overdue/")}
    for n in range(8):
        org = make_org(gulou_grid, f"加测党支部{n}")
        held(org, "theme_day", timezone.localdate() - dt.timedelta(days=50 + n))
        held(branch, "committee_meeting", timezone.localdate() - dt.timedelta(days=n + 1))
    after = {url: _queries(client, url) for url in (BASE, f"{BASE}overdue/")}
    assert after == before


def test_the_secretary_home_lists_the_overdue_organisations(branch, other_branch, party_gulou,
                                                            leader, client_as):
    # A branch that never met this year is overdue its monthly meetings since February.
    html = client_as(party_gulou).get("/").content.decode()
    assert "逾期未开会的党组织" in html and "测试网格党支部" in html
    assert f'href="{BASE}overdue/"' in html
    assert "邻社区网格党支部" not in html  # another community's
    # A leader follows the figures; the organisers see the waiting work.
    assert "逾期未开会的党组织" not in client_as(leader).get("/").content.decode()
