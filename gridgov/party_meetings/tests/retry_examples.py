"""Retry examples of the meetings API's writes for gridgov/core/tests/test_retry_every_write.py:
who calls each operation, the path's parameters and a valid body."""

import datetime as dt

from django.utils import timezone

from gridgov.demo.users import GULOU_GRID


def _user(name):
    from gridgov.accounts.models import User

    return User.objects.get(username=name)


def party_meeting():
    """A branch of GULOU_GRID with one member (member_gulou's account) and a meeting of it
    planned an hour ago by the community's party secretary (party_gulou)."""
    from gridgov.areas.models import Area
    from gridgov.basedata.models import Person
    from gridgov.party.models import PartyMember, PartyOrganisation
    from gridgov.party_meetings import actions

    grid = Area.objects.get(code=GULOU_GRID)
    org = PartyOrganisation.objects.create(name="重试网格党支部", kind="branch", area=grid,
                                           area_code=grid.code)
    person = Person.objects.create(grid=grid, area_code=grid.code, name="重试党员")
    PartyMember.objects.create(person=person, organisation=org, area_code=org.area_code,
                               user=_user("member_gulou"))
    return actions.plan_meeting(org, kind="theme_day", title="重试主题党日",
                                planned_at=timezone.now() - dt.timedelta(hours=1),
                                actor=_user("party_gulou"))


def examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}``."""

    def record(p):
        meeting = party_meeting()
        return Example(_user("party_gulou"), {"id": meeting.pk}, {
            "held_at": (timezone.now() - dt.timedelta(minutes=30)).isoformat(),
            "minutes": "学习讨论,形成决议。", "present": [meeting.organisation.members.get().pk]})

    return {
        "party_meetings_create": lambda p: Example(_user("party_gulou"), body={
            "organisation": party_meeting().organisation_id, "kind": "branch_assembly",
            "title": "重试党员大会",
            "planned_at": (timezone.now() + dt.timedelta(days=3)).isoformat()}),
        "party_meetings_record_create": record,
        "party_meetings_sign_in_create": lambda p: Example(
            _user("member_gulou"), {"id": party_meeting().pk}, {}),
        "party_meetings_cancel_create": lambda p: Example(
            _user("party_gulou"), {"id": party_meeting().pk}, {"reason": "台风"}),
    }
