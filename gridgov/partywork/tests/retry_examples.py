"""Retry examples of the partywork write operations, in the shape of
``gridgov/core/tests/test_retry_every_write.py`` (``EXAMPLES[operationId](p) -> Example``).
The core test merges them (``EXAMPLES.update(partywork_examples(Example))``);
``test_retry.py`` here runs them the same way."""

import datetime as dt

from django.utils import timezone

from gridgov.demo.users import GULOU_GRID

from . import support


def _link(party):
    from gridgov.partywork import actions

    return actions.link_household(party.member, support.free_heads(GULOU_GRID)[0],
                                  actor=support.user("party_gulou"))


def _activity(party, *, past=False):
    from gridgov.partywork import actions

    starts = timezone.now() + (dt.timedelta(days=-1) if past else dt.timedelta(days=2))
    return actions.save_activity(None, organisation=party.committee, title="重试活动",
                                 place="广场", starts_at=starts,
                                 ends_at=starts + dt.timedelta(hours=3), actor=None)


def _signed_up(party, *, past=False):
    from gridgov.partywork import actions

    activity = _activity(party, past=past)
    actions.sign_up(activity, party.member, actor=None)
    return activity


def partywork_examples(Example) -> dict:
    """``{operationId: lambda p: Example(actor, params, body)}`` for the partywork API."""

    def secretary():
        return support.user("party_gulou")

    def member():
        return support.user("member_gulou")

    def link_create(p):
        party = support.build_party()
        return Example(secretary(), body={"member": party.member.pk,
                                          "household_head": support.free_heads(GULOU_GRID)[0].pk})

    def unlink(p):
        link = _link(support.build_party())
        return Example(secretary(), {"id": link.pk}, {"note": "住户搬离"})

    def log_create(p):
        link = _link(support.build_party())
        return Example(member(), body={"link": link.pk, "way": "phone", "notes": "电话问候"})

    def activity_create(p):
        party = support.build_party()
        starts = timezone.now() + dt.timedelta(days=3)
        return Example(secretary(), body={
            "organisation": party.committee.pk, "title": "环境清洁", "place": "小区广场",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(), "capacity": 20})

    def activity_change(p):
        activity = _activity(support.build_party())
        return Example(secretary(), {"id": activity.pk}, {"place": "社区活动室",
                                                          "expected_version": 1})

    def activity_cancel(p):
        activity = _activity(support.build_party())
        return Example(secretary(), {"id": activity.pk}, {"reason": "天气原因"})

    def activity_finish(p):
        activity = _signed_up(support.build_party(), past=True)
        type(activity).objects.filter(pk=activity.pk).update(
            ends_at=timezone.now() - dt.timedelta(hours=1))
        return Example(secretary(), {"id": activity.pk}, None)

    def sign_up(p):
        activity = _activity(support.build_party())
        return Example(member(), {"id": activity.pk}, {})

    def cancel_signup(p):
        activity = _signed_up(support.build_party())
        return Example(member(), {"id": activity.pk}, {})

    def credit_hours(p):
        party = support.build_party()
        activity = _signed_up(party, past=True)
        return Example(secretary(), {"id": activity.pk},
                       {"member": party.member.pk, "hours": "2.5"})

    return {
        "party_contact_links_create": link_create,
        "party_contact_links_unlink_create": unlink,
        "party_contact_logs_create": log_create,
        "party_activities_create": activity_create,
        "party_activities_partial_update": activity_change,
        "party_activities_cancel_create": activity_cancel,
        "party_activities_finish_create": activity_finish,
        "party_activities_sign_up_create": sign_up,
        "party_activities_cancel_signup_create": cancel_signup,
        "party_activities_credit_hours_create": credit_hours,
    }
