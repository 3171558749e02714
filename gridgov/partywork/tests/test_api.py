"""The partywork API: lists scoped and guarded by query counts, writes through the actions
(400 with the field, 403 for others, 404 outside scope), sign-up and hours."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from gridgov.demo.users import GULOU_GRID, GULOU_GRID2
from gridgov.partywork import actions
from gridgov.partywork.models import VolunteerActivity

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/party/contact-links/"
LOGS = "/api/v1/party/contact-logs/"
ACTIVITIES = "/api/v1/party/activities/"


def _fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_secretary_links_and_unlinks(api_as, party, party_gulou, free_heads):
    api = api_as(party_gulou)
    head = free_heads(GULOU_GRID)[0]
    created = api.post(LINKS, {"member": party.member.pk, "household_head": head.pk},
                       format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["household_name"] == head.name and body["is_active"] is True
    again = api.post(LINKS, {"member": party.member_b.pk, "household_head": head.pk},
                     format="json")
    assert again.status_code == 400 and _fields(again) == {"household_head"}
    ended = api.post(f"{LINKS}{body['id']}/unlink/", {"note": "搬离"}, format="json")
    assert ended.status_code == 200 and ended.json()["is_active"] is False


def test_writes_by_others(api_as, party, grid_worker, member_gulou, free_heads):
    head = free_heads(GULOU_GRID)[0]
    payload = {"member": party.member.pk, "household_head": head.pk}
    assert api_as(grid_worker).post(LINKS, payload, format="json").status_code == 403
    assert api_as(member_gulou).post(LINKS, payload, format="json").status_code == 403


def test_out_of_scope_is_404_like_missing(api_as, party, party_gulou, grid_worker,
                                          free_heads):
    link = actions.link_household(party.member2, free_heads(GULOU_GRID2)[0],
                                  actor=party_gulou)
    api = api_as(grid_worker)   # grid 1 only
    hidden = api.get(f"{LINKS}{link.pk}/")
    missing = api.get(f"{LINKS}999999999/")
    assert hidden.status_code == missing.status_code == 404
    assert link.pk not in {r["id"] for r in api.get(LINKS).json()["results"]}


def test_member_logs_a_contact_and_a_retry_is_the_same(api_as, party, party_gulou,
                                                       member_gulou, free_heads):
    link = actions.link_household(party.member, free_heads(GULOU_GRID)[0], actor=party_gulou)
    other = actions.link_household(party.member_b, free_heads(GULOU_GRID)[0],
                                   actor=party_gulou)
    api = api_as(member_gulou)
    key = str(uuid.uuid4())
    payload = {"link": link.pk, "way": "wechat", "notes": "微信问候", "needs": ["medical"]}
    first = api.post(LOGS, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    assert first.json()["need_labels"] == ["就医"]
    # The same outbox id after the idempotency record is gone: still one contact.
    second = api.post(LOGS, {**payload, "client_id": key}, format="json")
    assert second.json()["id"] == first.json()["id"]
    future = api.post(LOGS, {**payload, "contacted_at": (
        timezone.now() + dt.timedelta(hours=2)).isoformat()}, format="json")
    assert future.status_code == 400 and _fields(future) == {"contacted_at"}
    assert api.post(LOGS, {**payload, "link": other.pk}, format="json").status_code == 404
    mine = api.get(LINKS).json()["results"]
    assert link.pk in {r["id"] for r in mine} and other.pk not in {r["id"] for r in mine}
    assert {r["member"] for r in mine} == {party.member.pk}


def test_activity_sign_up_and_hours(api_as, party, party_gulou, member_gulou):
    secretary, member = api_as(party_gulou), api_as(member_gulou)
    starts = timezone.now() + dt.timedelta(days=2)
    created = secretary.post(ACTIVITIES, {
        "organisation": party.committee.pk, "title": "义务理发", "place": "活动室",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=3))
        .isoformat(), "capacity": 1}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    signed = member.post(f"{ACTIVITIES}{pk}/sign-up/", {}, format="json")
    assert signed.status_code == 201, signed.content
    assert signed.json()["member"] == party.member.pk
    full = secretary.post(f"{ACTIVITIES}{pk}/sign-up/", {"member": party.member_b.pk},
                          format="json")
    assert full.status_code == 400 and _fields(full) == {"activity"}
    detail = member.get(f"{ACTIVITIES}{pk}/").json()
    assert detail["taken"] == 1 and [s["member"] for s in detail["signups"]] == [
        party.member.pk]
    early = secretary.post(f"{ACTIVITIES}{pk}/credit-hours/",
                           {"member": party.member.pk, "hours": "2"}, format="json")
    assert early.status_code == 400 and _fields(early) == {"hours"}
    past = timezone.now() - dt.timedelta(days=1)
    VolunteerActivity.objects.filter(pk=pk).update(starts_at=past,
                                                   ends_at=past + dt.timedelta(hours=3))
    credited = secretary.post(f"{ACTIVITIES}{pk}/credit-hours/",
                              {"member": party.member.pk, "hours": "2.5"}, format="json")
    assert credited.status_code == 200 and credited.json()["hours"] == 2.5
    assert member.post(f"{ACTIVITIES}{pk}/credit-hours/",
                       {"member": party.member.pk, "hours": "3"},
                       format="json").status_code == 403


def test_member_cannot_publish(api_as, party, member_gulou):
    starts = timezone.now() + dt.timedelta(days=2)
    response = api_as(member_gulou).post(ACTIVITIES, {
        "organisation": party.committee.pk, "title": "x", "place": "y",
        "starts_at": starts.isoformat(), "ends_at": starts.isoformat()}, format="json")
    assert response.status_code == 403


def test_lists_keep_a_constant_number_of_queries(api_as, party, party_gulou, free_heads,
                                                 django_assert_max_num_queries):
    heads = free_heads(GULOU_GRID, 3) + free_heads(GULOU_GRID2, 3)
    for n, head in enumerate(heads):
        member = party.member2 if head.area_code == GULOU_GRID2 else (
            party.member if n % 2 else party.member_b)
        link = actions.link_household(member, head, actor=party_gulou)
        actions.log_contact(link, notes="问候", actor=None)
    starts = timezone.now() + dt.timedelta(days=2)
    for n in range(3):
        activity = actions.save_activity(None, organisation=party.committee, title=f"活动{n}",
                                         place="广场", starts_at=starts,
                                         ends_at=starts + dt.timedelta(hours=2), actor=None)
        actions.sign_up(activity, party.member, actor=None)
    api = api_as(party_gulou)
    for url in (LINKS, LOGS, ACTIVITIES, f"{LINKS}?due=true", f"{ACTIVITIES}{activity.pk}/"):
        api.get(url)
        with django_assert_max_num_queries(12):
            response = api.get(url)
        assert response.status_code == 200
    assert len(api.get(LINKS).json()["results"]) >= 6
    assert len(api.get(LOGS).json()["results"]) >= 6
