"""The pages: the 党员联系户 list (coverage, uncovered, due), a member's own households,
linking, logging a contact, unlinking, activities with sign-up and hours, the member page
(tasks assigned through the tasks app, events reported counted); 404 out of scope, login
for anonymous, constant queries on the lists."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.demo.users import GULOU_GRID, GULOU_GRID2
from gridgov.partywork import actions
from gridgov.partywork.models import ContactLink, VolunteerActivity

pytestmark = pytest.mark.django_db

WORK = "/party/work/"


def test_anonymous_goes_to_sign_in(client):
    response = client.get(WORK)
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_work_page_tabs(client_as, party, party_gulou, free_heads,
                        django_assert_max_num_queries):
    heads = free_heads(GULOU_GRID, 3)
    for head in heads:
        actions.link_household(party.member, head, actor=party_gulou,
                               since=timezone.localdate() - dt.timedelta(days=120))
    client = client_as(party_gulou)
    client.get(WORK)
    with django_assert_max_num_queries(25):
        page = client.get(WORK)
    assert page.status_code == 200
    text = page.content.decode()
    assert "覆盖率" in text and heads[0].name in text
    due = client.get(WORK + "?tab=due").content.decode()
    assert all(h.name in due for h in heads)        # linked 120 days ago, never contacted
    uncovered = client.get(WORK + "?tab=uncovered").content.decode()
    assert heads[0].name not in uncovered and "安排党员联系" in uncovered
    with django_assert_max_num_queries(25):
        assert client.get(WORK + "?tab=uncovered").status_code == 200


def test_link_form_and_log_a_contact(client_as, party, party_gulou, member_gulou,
                                     free_heads):
    head = free_heads(GULOU_GRID)[0]
    client = client_as(party_gulou)
    form = client.get(f"{WORK}links/new/?household={head.pk}")
    assert form.status_code == 200 and party.member.person.name in form.content.decode()
    posted = client.post(f"{WORK}links/new/", {"household": head.pk,
                                               "member": party.member.pk, "note": ""})
    link = ContactLink.objects.get(household_head=head, is_active=True)
    assert posted.status_code == 302 and posted["Location"] == f"{WORK}links/{link.pk}/"
    member = client_as(member_gulou)
    mine = member.get(WORK).content.decode()
    assert head.name in mine and "记录联系" in mine
    bad = member.post(f"{WORK}links/{link.pk}/", {"way": "visit", "notes": ""})
    assert bad.status_code == 400 and "请填写联系情况" in bad.content.decode()
    good = member.post(f"{WORK}links/{link.pk}/", {"way": "phone", "notes": "电话问候",
                                                   "needs": ["policy"]})
    assert good.status_code == 302 and link.logs.count() == 1
    unlinked = client.post(f"{WORK}links/{link.pk}/unlink/", {"note": "搬离",
                                                              "expected_version": 1})
    assert unlinked.status_code == 302
    link.refresh_from_db()
    assert not link.is_active


def test_out_of_scope_pages_are_404(client_as, party, party_gulou, grid_worker, free_heads):
    link = actions.link_household(party.member2, free_heads(GULOU_GRID2)[0],
                                  actor=party_gulou)
    client = client_as(grid_worker)
    assert client.get(f"{WORK}links/{link.pk}/").status_code == 404
    assert client.get(f"{WORK}members/{party.member2.pk}/").status_code == 404
    other = free_heads(GULOU_GRID2)[0]
    assert client_as(party_gulou).get(f"{WORK}links/new/?household={other.pk}").status_code \
        == 200
    assert client.get(f"{WORK}links/new/?household={other.pk}").status_code == 403


def test_activity_pages(client_as, party, party_gulou, member_gulou):
    secretary = client_as(party_gulou)
    starts = timezone.localtime(timezone.now() + dt.timedelta(days=3)).replace(
        second=0, microsecond=0)
    created = secretary.post(f"{WORK}activities/new/", {
        "organisation": party.committee.pk, "title": "文明劝导", "place": "路口",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "5", "description": ""})
    assert created.status_code == 302, created.content.decode()[:2000]
    activity = VolunteerActivity.objects.get(title="文明劝导")
    member = client_as(member_gulou)
    assert "文明劝导" in member.get(f"{WORK}activities/").content.decode()
    member.post(f"{WORK}activities/{activity.pk}/sign-up/")
    assert activity.signups.get().member == party.member
    detail = member.get(f"{WORK}activities/{activity.pk}/").content.decode()
    assert "您已报名此活动" in detail
    bad = secretary.post(f"{WORK}activities/new/", {
        "organisation": party.committee.pk, "title": "x", "place": "y",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": starts.strftime("%Y-%m-%dT%H:%M")})
    assert bad.status_code == 400 and "结束时间须晚于开始时间" in bad.content.decode()
    # Hours once the activity has taken place.
    past = timezone.now() - dt.timedelta(days=1)
    VolunteerActivity.objects.filter(pk=activity.pk).update(
        starts_at=past, ends_at=past + dt.timedelta(hours=2))
    signup = activity.signups.get()
    secretary.post(f"{WORK}activities/{activity.pk}/credit/", {"signup": signup.pk,
                                                               "hours": "1.5"})
    signup.refresh_from_db()
    assert str(signup.hours) == "1.5" and signup.status == "attended"


def test_member_page_counts_tasks_and_events(client_as, party, party_gulou, member_gulou,
                                             dispatcher, gulou_grid):
    from gridgov.events.models import Event
    from gridgov.tasks.actions import assign_task
    from gridgov.tasks.models import Task

    tasks_before = Task.objects.filter(assignee=member_gulou).count()
    events_before = Event.objects.filter(reporter_user=member_gulou).count()
    task = assign_task(kind="visit", title="走访独居老人", grid=gulou_grid,
                       assignee=member_gulou, actor=dispatcher)
    assert task.assignee == member_gulou
    # The party secretary may assign too (tasks.assign for party_secretary).
    assign_task(kind="verify", title="核查楼道堆物", grid=gulou_grid, assignee=member_gulou,
                actor=party_gulou)
    # Two demo events, as if reported from the member's account (one closed).
    events = list(Event.objects.exclude(reporter_user=member_gulou).exclude(state="closed")
                  .order_by("pk")[:2])
    Event.objects.filter(pk__in=[e.pk for e in events]).update(reporter_user=member_gulou)
    Event.objects.filter(pk=events[0].pk).update(state="closed")
    page = client_as(party_gulou).get(f"{WORK}members/{party.member.pk}/")
    assert page.status_code == 200
    work = page.context["work"]
    assert work["events"] == events_before + 2 and work["events_closed"] >= 1
    text = page.content.decode()
    assert "走访独居老人" in text and "核查楼道堆物" in text
    assert work["tasks_total"] == tasks_before + 2
    # The member sees their own page.
    assert client_as(member_gulou).get(f"{WORK}members/{party.member.pk}/").status_code == 200
    assert client_as(member_gulou).get(f"{WORK}members/{party.member_b.pk}/").status_code \
        == 404


def test_secretary_home_lists_households_due(client_as, party, party_gulou, free_heads):
    head = free_heads(GULOU_GRID)[0]
    actions.link_household(party.member, head, actor=party_gulou,
                           since=timezone.localdate() - dt.timedelta(days=100))
    text = client_as(party_gulou).get("/").content.decode()
    assert "超过 90 天未联系的联系户" in text and head.name in text
    assert f'href="{WORK}?tab=due"' in text
