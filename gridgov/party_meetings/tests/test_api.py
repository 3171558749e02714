"""The API: plan, record (multipart with photos), sign-in, cancel, overdue; scope, 400 with
the field, 403 and 404, retries by Idempotency-Key, and a query-count guard on the list."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from gridgov.party_meetings.models import Meeting

from .support import held, photo

pytestmark = pytest.mark.django_db
URL = "/api/v1/party/meetings/"


def _create(api, org, **kwargs):
    body = {"organisation": org.pk, "kind": "theme_day", "title": "垃圾分类宣传",
            "planned_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "place": "广场", **kwargs}
    return api.post(URL, body, format="json")


def test_plan_record_and_read(branch, members, party_gulou, api_as):
    api = api_as(party_gulou)
    key = str(uuid.uuid4())
    planned_at = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    body = {"organisation": branch.pk, "kind": "theme_day", "title": "垃圾分类宣传",
            "planned_at": planned_at}
    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Meeting.objects.filter(organisation=branch).count() == 1
    pk = first.json()["id"]
    form = {"held_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "minutes": "宣传垃圾分类,发放资料 200 份。",
            "present": [members[0].pk, members[1].pk], "photos": [photo()]}
    done = api.post(f"{URL}{pk}/record/", form, format="multipart")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["state"] == "held" and len(body["photos"]) == 1
    statuses = {a["member"]: a["status"] for a in body["attendance"]}
    assert statuses == {members[0].pk: "present", members[1].pk: "present",
                        members[2].pk: "absent"}
    assert api.get(body["photos"][0]["url"]).status_code == 200
    detail = api.get(f"{URL}{pk}/").json()
    assert detail["minutes"].startswith("宣传垃圾分类")
    leave = api.post(f"{URL}{pk}/record/", {
        "held_at": form["held_at"], "minutes": "x", "present": [members[0].pk],
        "leave": [{"member": members[1].pk, "reason": "值班"}]}, format="json")
    assert leave.status_code == 200
    assert {a["member"]: a["status"] for a in leave.json()["attendance"]}[members[1].pk] \
        == "leave"


def test_bad_input_answers_400_with_the_field(branch, party_gulou, api_as):
    api = api_as(party_gulou)
    for body, field in [({"kind": "nope"}, "kind"), ({"title": ""}, "title"),
                        ({"kind": "group_meeting"}, "kind")]:
        answer = _create(api, branch, **body)
        assert answer.status_code == 400, body
        assert field in [e["field"] for e in answer.json()["errors"]], answer.json()
    meeting = _create(api, branch).json()
    bad = api.post(f"{URL}{meeting['id']}/record/", {
        "held_at": (timezone.now() + dt.timedelta(days=1)).isoformat(), "minutes": "x"},
        format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "held_at"


def test_scope_403_and_404(branch, other_branch, party_gulou, party_street, grid_worker,
                           grid_chief, api_as):
    outside = _create(api_as(party_street), other_branch).json()
    inside = _create(api_as(party_street), branch).json()
    api = api_as(party_gulou)
    ids = [m["id"] for m in api.get(URL, {"limit": 500}).json()["results"]]
    assert inside["id"] in ids and outside["id"] not in ids
    assert api.get(f"{URL}{outside['id']}/").status_code == 404
    assert api.post(f"{URL}{outside['id']}/cancel/", {}, format="json").status_code == 404
    assert _create(api, other_branch).status_code == 404
    # A grid chief reads the community's meetings; a grid worker does not read the party's
    # records at all (reads narrowed to nothing: 404) and may not write (403).
    assert api_as(grid_chief).get(f"{URL}{inside['id']}/").status_code == 200
    worker = api_as(grid_worker)
    assert worker.get(f"{URL}{inside['id']}/").status_code == 404
    assert _create(worker, branch).status_code == 403
    assert worker.post(f"{URL}{inside['id']}/cancel/", {}, format="json").status_code == 403


def test_member_signs_in_and_reads_only_their_organisation(branch, members, other_branch,
                                                           party_gulou, party_street,
                                                           member_user, api_as):
    mine = _create(api_as(party_gulou), branch).json()
    theirs = _create(api_as(party_street), other_branch).json()
    api = api_as(member_user)
    ids = [m["id"] for m in api.get(URL).json()["results"]]
    assert mine["id"] in ids and theirs["id"] not in ids
    signed = api.post(f"{URL}{mine['id']}/sign-in/", {}, format="json")
    assert signed.status_code == 200, signed.content
    assert signed.json()["member"] == members[0].pk and signed.json()["way"] == "on_site"
    assert api.post(f"{URL}{theirs['id']}/sign-in/", {}, format="json").status_code == 404
    assert api.post(f"{URL}{mine['id']}/record/", {"held_at": timezone.now().isoformat(),
                                                   "minutes": "x"},
                    format="json").status_code == 403
    ticked = api_as(party_gulou).post(f"{URL}{mine['id']}/sign-in/",
                                      {"member": members[1].pk}, format="json")
    assert ticked.status_code == 200 and ticked.json()["way"] == "by_secretary"


def test_overdue_endpoint(branch, party_gulou, api_as):
    held(branch, "theme_day", timezone.localdate() - dt.timedelta(days=70))
    api = api_as(party_gulou)
    rows = api.get(f"{URL}overdue/", {"area": branch.area_code, "kind": "theme_day"}).json()
    mine = [r for r in rows if r["organisation"] == branch.pk]
    assert len(mine) == 1 and mine[0]["days_overdue"] > 0
    assert mine[0]["last_held"] == (timezone.localdate() - dt.timedelta(days=70)).isoformat()
    bad = api.get(f"{URL}overdue/", {"kind": "nope"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "kind"


def test_list_query_count_is_constant(branch, members, party_gulou, api_as,
                                      django_assert_max_num_queries):
    for n in range(6):
        held(branch, "theme_day", timezone.localdate() - dt.timedelta(days=30 * n + 1),
             title=f"主题党日{n}")
    api = api_as(party_gulou)
    api.get(URL)
    with django_assert_max_num_queries(12):
        answer = api.get(URL, {"organisation": branch.pk})
    assert answer.status_code == 200 and answer.json()["count"] == 6
    since = api.get(URL, {"updated_since": (timezone.now() + dt.timedelta(minutes=1))
                          .isoformat()})
    assert since.status_code == 200 and since.json()["results"] == []
