"""What the 三会一课 tests share: organisations and members made directly, with known names,
and held meetings at known dates."""

import datetime as dt
import io

from django.utils import timezone

from gridgov.basedata.models import Person
from gridgov.party.models import PartyMember, PartyOrganisation
from gridgov.party_meetings.models import Meeting


def user(username):
    from gridgov.accounts.models import User

    return User.objects.get(username=username)


def make_org(area, name, kind="branch", parent=None):
    return PartyOrganisation.objects.create(name=name, kind=kind, parent=parent, area=area,
                                            area_code=area.code)


def make_member(org, name, account=None, grid=None):
    """A member of ``org`` living in ``grid`` (default: the org's area, a grid)."""
    grid = grid or org.area
    person = Person.objects.create(grid=grid, area_code=grid.code, name=name)
    return PartyMember.objects.create(person=person, organisation=org, user=account,
                                      area_code=org.area_code)


def at(day: dt.date, hour=14) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def held(org, kind, day: dt.date, title="测试会议"):
    """A meeting held on ``day`` (written directly: the rule's known answers)."""
    return Meeting.objects.create(organisation=org, area_code=org.area_code, kind=kind,
                                  title=title, planned_at=at(day), held_at=at(day),
                                  state="held", minutes="记录")


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def photo(name="a.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")
