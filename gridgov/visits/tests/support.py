"""What the visits tests share: people in care made directly, with known tags."""

import datetime as dt

from django.utils import timezone

from gridgov.basedata.models import Person, Tag


def make_person(grid, name, *tags):
    person = Person.objects.create(grid=grid, area_code=grid.code, name=name)
    if tags:
        person.tags.add(*Tag.objects.filter(name__in=tags))
    return person


def ago(days=0, **kwargs):
    return timezone.now() - dt.timedelta(days=days, **kwargs)
