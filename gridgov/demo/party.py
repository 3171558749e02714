"""Demo party building: the organisation tree of every street and community of the district
(街道党工委 → 社区/村党委 → one 网格党支部 per grid, a 党小组 in a few branches), three
机关党支部 at district level for in-service members, members drawn from the demo people
(about 8% of the adults), secretaries, terms (some 换届 due within 90 days, a few overdue),
in-service members checked in to their home community (双报到) and a pending transfer.

The three 党建 demo users get a person and a membership: ``party_gulou`` is the secretary of
the Gulou community 党委, ``party_street`` of the Gulou street 党工委, ``member_gulou`` a
member of the Gulou grid's branch. Deterministic (seeded); idempotent: nothing is written
when the demo already holds party organisations. Through ``gridgov.party.actions`` only.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from .basedata import make_id_number
from .users import DISTRICT, GULOU_COMMUNITY, GULOU_GRID, GULOU_STREET

SEED = 1921
SHARE = 0.08
WORK_UNITS = ["区民政局机关党支部", "区教育局机关党支部", "区卫生健康局机关党支部"]
UNIT_NAMES = ["区民政局", "区教育局", "区卫生健康局"]
# The demo users' own people (generated, like every demo person): username, name, birth,
# female, the org kind whose secretary they are (None: a plain member).
PARTY_USERS = [
    ("party_gulou", "楼建华", dt.date(1972, 3, 14), False, "community"),
    ("party_street", "叶红梅", dt.date(1970, 9, 2), True, "street"),
    ("member_gulou", "谢志远", dt.date(1991, 6, 20), False, None),
]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message + "\n")


def _term(rng, today):
    """A term end: mostly in the years ahead, some within 90 days, a few overdue."""
    from gridgov.party.actions import add_years

    roll = rng.random()
    if roll < 0.02:
        ends = today - dt.timedelta(days=rng.randint(5, 60))
    elif roll < 0.07:
        ends = today + dt.timedelta(days=rng.randint(10, 89))
    else:
        ends = today + dt.timedelta(days=rng.randint(120, 1700))
    return add_years(ends, -5), ends


def _users_people(stdout):
    """The demo users' people in the Gulou grid (created once)."""
    from gridgov.areas.models import Area
    from gridgov.basedata import actions as basedata_actions
    from gridgov.basedata.models import Person

    grid = Area.objects.get(code=GULOU_GRID)
    out = {}
    for n, (username, name, birth, female, _kind) in enumerate(PARTY_USERS):
        number = make_id_number(birth, 9100 + n, female)
        person = Person.objects.by_id_number(number).first()
        if person is None:
            person = basedata_actions.create_person(
                actor=None, grid=grid, name=name, id_number=number,
                address=f"浙江省宁波市海曙区中山西路{200 + n}号")
        out[username] = person
    return out


def load(stdout=None, seed: int = SEED, today=None) -> dict:
    from gridgov.accounts.models import User
    from gridgov.areas.models import Area
    from gridgov.basedata.models import Person
    from gridgov.party import actions
    from gridgov.party.actions import add_years
    from gridgov.party.choices import MemberKind, OrgKind, PostKind, TransferKind
    from gridgov.party.models import PartyMember, PartyOrganisation, PartyPost

    if PartyOrganisation.objects.exists():
        return {"organisations": 0, "members": 0}
    today = today or timezone.localdate()
    rng = random.Random(seed)
    areas = list(Area.objects.current().filter(
        code__startswith=DISTRICT, level__in=("district", "street", "community", "grid"))
        .order_by("code"))
    if not areas:
        return {"organisations": 0, "members": 0}
    with transaction.atomic():
        own = _users_people(stdout)
        orgs, by_area, grid_branch = [], {}, {}
        district = next((a for a in areas if a.level == "district"), None)
        units = []
        if district is not None:
            for name in WORK_UNITS:
                start, ends = _term(rng, today)
                unit = PartyOrganisation(name=name, kind=OrgKind.BRANCH, area=district,
                                         term_started_on=start, term_ends_on=ends)
                orgs.append(unit)
                units.append(unit)
        for area in areas:
            start, ends = _term(rng, today)
            if area.level == "street":
                org = PartyOrganisation(name=f"{area.name}党工委",
                                        kind=OrgKind.WORKING_COMMITTEE, area=area)
            elif area.level == "community":
                org = PartyOrganisation(name=f"{area.name}党委", kind=OrgKind.COMMITTEE,
                                        area=area, parent=by_area.get(area.code[:9]))
            elif area.level == "grid":
                parent = by_area.get(area.code[:12])
                label = area.name if area.name.startswith(parent.area.name if parent else "-") \
                    else f"{parent.area.name if parent else ''}{area.name}"
                org = PartyOrganisation(name=f"{label}党支部", kind=OrgKind.BRANCH, area=area,
                                        parent=parent)
                grid_branch[area.code] = org
            else:
                continue
            org.term_started_on, org.term_ends_on = start, ends
            by_area[area.code] = org
            orgs.append(org)
        # A 党小组 in every tenth branch.
        for n, (_code, branch) in enumerate(sorted(grid_branch.items())):
            if n % 10 == 0:
                orgs.append(PartyOrganisation(name=f"{branch.name}第一党小组",
                                              kind=OrgKind.GROUP, area=branch.area,
                                              parent=branch))
        members, posts = [], []
        eighteen = add_years(today, -18)
        own_ids = {p.pk for p in own.values()}
        people = list(Person.objects.residing().filter(
            area_code__startswith=DISTRICT, birth_date__lte=eighteen)
            .exclude(pk__in=own_ids).order_by("pk").only("pk", "area_code", "birth_date"))
        for person in people:
            if rng.random() >= SHARE or person.area_code not in grid_branch:
                continue
            age = (today - person.birth_date).days // 365
            joined = add_years(person.birth_date, rng.randint(19, max(19, min(age, 45)))) \
                + dt.timedelta(days=rng.randint(20, 340))
            joined = min(joined, today - dt.timedelta(days=400))
            member = PartyMember(person=person, organisation=grid_branch[person.area_code],
                                 kind=MemberKind.PROBATIONARY if rng.random() < 0.06
                                 else MemberKind.FULL, joined_on=joined)
            if age < 58 and rng.random() < 0.35 and units:
                # 在职党员: a member of a 机关党支部, most checked in to the home community.
                i = rng.randrange(len(units))
                member.organisation, member.in_service = units[i], True
                member.work_unit = UNIT_NAMES[i]
                home = by_area.get(person.area_code[:12])
                if home is not None and rng.random() < 0.7:
                    member.checked_in_to = home
                    member.checked_in_on = today - dt.timedelta(days=rng.randint(10, 700))
            members.append(member)
        users = {u.username: u for u in User.objects.filter(
            username__in=[row[0] for row in PARTY_USERS])}
        own_members = {}
        for username, _name, birth, _female, secretary_of in PARTY_USERS:
            org = {"community": by_area.get(GULOU_COMMUNITY),
                   "street": by_area.get(GULOU_STREET)}.get(secretary_of) \
                or grid_branch.get(GULOU_GRID)
            if org is None:
                continue
            member = PartyMember(person=own[username], organisation=org,
                                 user=users.get(username), kind=MemberKind.FULL,
                                 joined_on=add_years(birth, 24) + dt.timedelta(days=131))
            members.append(member)
            own_members[username] = member
            if secretary_of:
                posts.append(PartyPost(organisation=org, member=member,
                                       post=PostKind.SECRETARY,
                                       started_on=org.term_started_on or today))
        # Secretaries and a committee member of the branches that have members.
        by_org: dict[int, list] = {}
        for member in members:
            by_org.setdefault(id(member.organisation), []).append(member)
        for org in orgs:
            rows = [m for m in by_org.get(id(org), []) if m.user is None]
            if not rows or any(p.organisation is org for p in posts):
                continue
            start = org.term_started_on or today
            posts.append(PartyPost(organisation=org, member=rows[0], post=PostKind.SECRETARY,
                                   started_on=start))
            if len(rows) > 2:
                posts.append(PartyPost(organisation=org, member=rows[1],
                                       post=PostKind.ORGANISATION, started_on=start))
        counts = actions.import_tree(orgs, members, posts=posts, actor=None)
        # One transfer waiting in Gulou: a member of a Gulou branch moving to the next one.
        gulou = [m for m in members if m.area_code.startswith(GULOU_COMMUNITY)
                 and m.user is None and not m.in_service and m.organisation.kind == "branch"]
        targets = [o for o in orgs if o.kind == "branch" and o.area_code.startswith(
            GULOU_COMMUNITY)]
        if gulou and len(targets) > 1:
            mover = gulou[-1]
            to = next(o for o in targets if o.pk != mover.organisation_id)
            actions.request_transfer(mover, kind=TransferKind.INTERNAL, to_organisation=to,
                                     reason="搬迁至本社区其他网格", actor=None)
            counts["transfers"] = 1
    _say(stdout, f"党建 party: {counts['organisations']} organisations, "
                 f"{counts['members']} members, {counts['posts']} posts")
    return counts
