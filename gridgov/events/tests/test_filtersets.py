"""The event filters shared by the lists, the map and the API: each narrows, bad input is an
error, never a wider list."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.events.choices import State
from gridgov.events.filtersets import EventFilterSet
from gridgov.events.models import Event
from gridgov.events.tests.helpers_command import make_event

pytestmark = pytest.mark.django_db


def _numbers(params, queryset):
    filterset = EventFilterSet(params, queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("number", flat=True))


def test_each_filter_narrows(gulou_grid, gulou_grid2):
    a = make_event(gulou_grid, description="井盖缺失")
    b = make_event(gulou_grid2, state=State.REGISTERED, description="占道经营")
    Event.objects.filter(pk=b.pk).update(stage_deadline=timezone.now() - dt.timedelta(minutes=1))
    mine = Event.objects.filter(pk__in=[a.pk, b.pk])
    assert _numbers({"within": gulou_grid.code}, mine) == {a.number}
    assert _numbers({"state": ["registered"]}, mine) == {b.number}
    assert _numbers({"q": "井盖"}, mine) == {a.number}
    assert _numbers({"deadline": "overdue"}, mine) == {b.number}
    assert _numbers({}, mine) == {a.number, b.number}


@pytest.mark.parametrize("params", [{"within": "abc"}, {"state": ["nonsense"]},
                                    {"deadline": "late"}, {"created_after": "yesterday"}])
def test_bad_input_is_an_error(params):
    filterset = EventFilterSet(params, queryset=Event.objects.all())
    assert not filterset.is_valid()
    assert set(filterset.errors) == set(params)
