"""gridgov.demo.events: about thirty demo cases across the loop, idempotent."""

import pytest

from gridgov.demo import events as demo_events
from gridgov.events.choices import State
from gridgov.events.models import Event

pytestmark = pytest.mark.django_db


def test_demo_events_cover_the_loop_and_reload_idempotently():
    demo = Event.objects.filter(idempotency_key__startswith="demo-event-")
    assert demo.count() == len(demo_events.CASES)
    states = set(demo.values_list("state", flat=True))
    assert states >= {State.REPORTED, State.REGISTERED, State.FILED, State.DISPATCHED,
                      State.IN_PROGRESS, State.COMPLETED, State.CLOSED, State.SUSPENDED,
                      State.NOT_FILED, State.VOID, State.MERGED}
    assert demo.filter(area_code__startswith="330203101").exists()  # 高桥镇
    assert demo.filter(area_code__startswith="330203005").count() > 20  # 鼓楼街道
    assert demo.filter(resolved_on_spot=True, state=State.CLOSED).exists()
    assert demo.filter(supervised=True).exists()
    assert demo_events.load() == {"events_created": 0, "categories_linked": 0}
    assert demo.count() == len(demo_events.CASES)
