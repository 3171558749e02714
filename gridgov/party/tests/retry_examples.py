"""Retry examples of the party API's write operations, for
gridgov/core/tests/test_retry_every_write.py (``EXAMPLES.update(PARTY_EXAMPLES)``) and this
app's own retry test: who calls it, the path's parameters and a valid body. ``p`` (the
workflow people) is not used: the party users are not among them."""

from dataclasses import dataclass, field

from gridgov.accounts.models import User
from gridgov.party import actions


@dataclass
class Example:
    """The shape of test_retry_every_write.Example."""

    actor: object
    params: dict = field(default_factory=dict)
    body: dict | None = None
    audited: bool = True


def _user(name):
    return User.objects.get(username=name)


def _member(name="重试党员", **kwargs):
    from gridgov.party.tests.support import make_tree, member_of

    tree = make_tree()
    return tree, member_of(tree.branch, name, **kwargs)


def _pending_transfer():
    tree, member = _member()
    return actions.request_transfer(member, to_organisation=tree.other_branch, actor=None)


def _new_person():
    from gridgov.areas.models import Area
    from gridgov.demo.users import GULOU_GRID
    from gridgov.party.tests.support import make_person, make_tree

    tree = make_tree()
    person, _number = make_person(Area.objects.get(code=GULOU_GRID), "重试新党员")
    return tree, person


def _post():
    tree, member = _member()
    return actions.appoint(tree.branch, member=member, post="member", actor=None)


PARTY_EXAMPLES = {
    "party_organisations_create": lambda p: Example(_user("party_gulou"), body={
        "name": "重试网格党支部", "kind": "branch", "area_code": "330203005001001",
        "parent": make_tree_committee()}),
    "party_organisations_partial_update": lambda p: Example(
        _user("party_gulou"), {"id": make_tree_committee()}, {"name": "重试社区党委",
                                                              "expected_version": 1}),
    "party_organisations_term_create": lambda p: Example(
        _user("party_gulou"), {"id": make_tree_committee()}, {
            "started_on": "2026-11-01", "ends_on": "2031-10-31", "note": "重试换届"}),
    "party_members_create": lambda p: (lambda t: Example(_user("party_gulou"), body={
        "person": t[1].pk, "organisation": t[0].branch.pk, "kind": "full",
        "joined_on": "2010-07-01"}))(_new_person()),
    "party_members_partial_update": lambda p: Example(
        _user("party_gulou"), {"id": _member()[1].pk}, {"kind": "full",
                                                         "work_unit": "重试单位"}),
    "party_members_status_create": lambda p: Example(
        _user("party_gulou"), {"id": _member()[1].pk}, {"status": "left", "note": "重试"}),
    "party_members_check_in_create": lambda p: (lambda t: Example(
        _user("party_street"), {"id": t[1].pk}, {"organisation": t[0].committee.pk}))(
        _member(in_service=True, work_unit="区民政局")),
    "party_members_check_out_create": lambda p: (lambda t: Example(
        _user("party_gulou"), {"id": actions.check_in(
            t[1], organisation=t[0].branch2, actor=None).pk}))(
        _member(in_service=True, work_unit="区民政局")),
    "party_posts_create": lambda p: (lambda t: Example(_user("party_gulou"), body={
        "organisation": t[0].committee.pk, "member": t[1].pk, "post": "publicity"}))(
        _member()),
    "party_posts_end_create": lambda p: Example(_user("party_gulou"), {"id": _post().pk}, {}),
    "party_transfers_create": lambda p: (lambda t: Example(_user("party_gulou"), body={
        "member": t[1].pk, "kind": "internal", "to_organisation": t[0].branch2.pk,
        "reason": "重试"}))(_member()),
    "party_transfers_accept_create": lambda p: Example(
        _user("party_street"), {"id": _pending_transfer().pk}, {"note": "同意"}),
    "party_transfers_reject_create": lambda p: Example(
        _user("party_street"), {"id": _pending_transfer().pk}, {"note": "信息不符"}),
    "party_transfers_cancel_create": lambda p: Example(
        _user("party_gulou"), {"id": _pending_transfer().pk}, {}),
}


def make_tree_committee():
    from gridgov.party.tests.support import make_tree

    return make_tree().committee.pk
