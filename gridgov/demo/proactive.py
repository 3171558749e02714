"""Demo proactive services: the pension roll of the demo's elderly people, some SMS
consents, and one run of the rules over the demo (so the 免申即享 list, the alerts and the
home visits have rows).

The generated people are born at random, so nobody may turn 80 in the month the demo is
loaded: this module then records two residents of 鼓楼 grid 001 (the demo grid worker's)
born this month 80 and 90 years ago (one agreed to SMS, one did not, so both ways of
telling a person show). Idempotent: people by ID number, pension benefits one per person,
consents once, and the rules fire once per subject and period.

Called from ``load_demo`` after the basic data, visits and events.
"""

import datetime as dt
import random

from django.utils import timezone

from gridgov.demo.basedata import make_id_number
from gridgov.demo.users import GULOU_GRID

SEED = 14
PENSION_AGE = 60
# ID sequence numbers of the people this module adds (clear of the basic data's).
BIRTHDAY_PEOPLE = [
    # name, years old this month, day of month, female, agreed to SMS
    ("郑阿婆", 80, 3, True, True),
    ("钱阿公", 90, 20, False, False),
]
SEQ_BASE = 9100


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message + "\n")


def _birthday_people(today) -> list:
    """Two residents turning 80 and 90 this month, when the demo has nobody turning 80."""
    from gridgov.areas.models import Area
    from gridgov.basedata import actions as people
    from gridgov.basedata.models import Person

    grid = Area.objects.filter(code=GULOU_GRID).first()
    if grid is None:
        return []
    created = []
    for n, (name, years, day, female, _sms) in enumerate(BIRTHDAY_PEOPLE):
        birth = dt.date(today.year - years, today.month, day)
        number = make_id_number(birth, SEQ_BASE + n, female)
        person = Person.objects.by_id_number(number).first()
        if person is None:
            person = people.create_person(
                actor=None, grid=grid, name=name, id_number=number,
                phone=f"1710000{9100 + n:04d}", registration_type="registered",
                address=f"浙江省宁波市海曙区中山西路{8 + n}号", tags=["高龄老人"])
            created.append(person)
    return created


def _pension_roll(rng, today) -> int:
    """The pension benefits of the residents of 60+ (the social-security roll, recorded,
    not started by a rule), with next certification dates spread over the next year (a few
    within 30 days, so the home-visit rule has work)."""
    from gridgov.basedata.models import Person
    from gridgov.proactive import actions
    from gridgov.proactive.models import Benefit

    born_by = today.replace(year=today.year - PENSION_AGE)
    have = set(Benefit.objects.filter(kind="pension").values_list("person_id", flat=True))
    count = 0
    for person in Person.objects.residing().filter(birth_date__lte=born_by).order_by("pk"):
        if person.pk in have:
            continue
        offset = rng.randint(-10, 340)
        started = person.birth_date.replace(year=person.birth_date.year + PENSION_AGE,
                                            day=min(person.birth_date.day, 28))
        actions.start_benefit(person, kind="pension", actor=None, started_on=started,
                              reason="社保养老金领取名册",
                              next_certification_on=today + dt.timedelta(days=offset))
        count += 1
    return count


def _consents(rng, today) -> int:
    """The SMS consents of the elderly with a phone (about half agreed)."""
    from gridgov.basedata.models import Person
    from gridgov.proactive import actions
    from gridgov.proactive.models import Consent

    if Consent.objects.exists():
        return 0
    count = 0
    agreed_names = {name for name, _y, _d, _f, sms in BIRTHDAY_PEOPLE if sms}
    older = today.replace(year=today.year - 75)
    for person in (Person.objects.residing().filter(birth_date__lte=older)
                   .exclude(phone_enc="").order_by("pk")):
        if person.name in agreed_names:
            agreed = True
        elif person.name in {b[0] for b in BIRTHDAY_PEOPLE}:
            agreed = False
        else:
            agreed = rng.random() < 0.5
        actions.record_consent(person, agreed=agreed, actor=None,
                               note="网格员走访时当面确认" if agreed else "本人不愿接收短信")
        count += 1
    return count


def load(stdout=None, today=None) -> dict:
    """Seed the demo's proactive services and run the rules once; counts of what changed."""
    from gridgov.basedata.models import Person
    from gridgov.rules import actions as rules

    rng = random.Random(SEED)
    today = today or timezone.localdate()
    turning = Person.objects.residing().filter(birth_date__month=today.month,
                                               birth_date__year=today.year - 80)
    added = [] if turning.exists() else _birthday_people(today)
    pensions = _pension_roll(rng, today)
    consents = _consents(rng, today)
    # Today's run is the nightly one (loading the demo again finds it done and writes
    # nothing); another day's is run as asked.
    run = (rules.run_nightly() if today == timezone.localdate()
           else rules.run_rules(today=today, actor=None))
    fired, errors = (run.fired, run.errors) if run is not None else (0, 0)
    _say(stdout, f"主动服务 proactive: {len(added)} people turning 80/90 added, "
                 f"{pensions} pension benefits, {consents} consents, "
                 f"{fired} rule firings ({errors} errors)")
    return {"people": len(added), "pensions": pensions, "consents": consents,
            "fired": fired, "errors": errors}
