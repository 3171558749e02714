"""The field screens (/m/party/contacts/): a member's own households, due ones flagged, and
the contact form posting through the outbox to the contact-logs API; the home section."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gridgov.demo.users import GULOU_GRID
from gridgov.partywork import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def field_use():
    """Party members hold ``field.use`` by default (gridgov/field/permissions.py)."""


@pytest.fixture
def links(party, party_gulou, free_heads):
    heads = free_heads(GULOU_GRID, 3)
    old = timezone.localdate() - dt.timedelta(days=200)
    mine = [actions.link_household(party.member, head, since=old, actor=party_gulou)
            for head in heads[:2]]
    actions.log_contact(mine[1], notes="问候", actor=None)
    other = actions.link_household(party.member_b, heads[2], actor=party_gulou)
    return mine, other


def test_contacts_list_and_form(field_use, links, member_gulou, client_as):
    (due, fresh), other = links
    client = client_as(member_gulou)
    text = client.get("/m/party/contacts/").content.decode()
    assert due.household_head.name in text and fresh.household_head.name in text
    assert other.household_head.name not in text
    assert "超过 90 天未联系" in text
    form = client.get(f"/m/party/contacts/{due.pk}/").content.decode()
    for needle in ('data-outbox="partywork.contact"', 'action="/api/v1/party/contact-logs/"',
                   'name="way" value="wechat"', 'name="needs" value="policy"',
                   "data-visited-at", f'name="link" value="{due.pk}"'):
        assert needle in form, needle
    assert client.get(f"/m/party/contacts/{other.pk}/").status_code == 404


def test_the_outbox_post_logs_a_contact(field_use, links, member_gulou, api_as):
    (due, _fresh), _other = links
    response = api_as(member_gulou).post("/api/v1/party/contact-logs/", {
        "link": due.pk, "contacted_at": timezone.now().isoformat(), "way": "visit",
        "notes": "上门看望", "needs": ["care", "medical"]}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["needs"] == ["care", "medical"]


def test_without_field_use_is_403(links, member_gulou, client_as):
    """A role an administrator took ``field.use`` from cannot open the screens."""
    from gridgov.core.access import grants
    from gridgov.core.models import Permission, RoleDefinition

    RoleDefinition.objects.get(code="party_member").permissions.remove(
        Permission.objects.get(code="field.use"))
    grants.invalidate()
    assert client_as(member_gulou).get("/m/party/contacts/").status_code == 403


def test_home_section(field_use, links, member_gulou, django_assert_max_num_queries):
    from gridgov.core.access import get_scope
    from gridgov.partywork.shell import today_section

    request = RequestFactory().get("/m/")
    request.user = member_gulou
    get_scope(member_gulou)
    with django_assert_max_num_queries(3):
        section = today_section(request)
    assert section.count >= 2 and section.overdue >= 1
    assert section.items[0].url.startswith("/m/party/contacts/")
