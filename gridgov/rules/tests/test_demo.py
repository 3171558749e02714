"""The demo hotspot: three reports at one place make the hotspot rule fire once."""

import pytest

from gridgov.demo import rules as demo
from gridgov.rules import actions
from gridgov.rules.models import Firing

from .support import rule

pytestmark = pytest.mark.django_db


def test_demo_hotspot_fires_once_and_loads_once(recorder):
    from gridgov.events.models import Event

    demo.load()  # (the demo loader may have called it already)
    again = demo.load()
    r = rule({"fact": "reports", "op": ">=", "value": 3},
             {"fact": "grid", "op": "=", "value": demo.GRID},
             {"fact": "category", "op": "=", "value": demo.CATEGORY},
             subject="hotspot", outcome="rules_test.hotspot", period="month")

    actions.run_rules(rules=[r])

    assert again["reports"] == 0
    assert Event.objects.filter(idempotency_key__startswith="demo-hotspot-").count() == 3
    firing = Firing.objects.get(rule=r)
    assert firing.subject_id.startswith(f"{demo.CATEGORY}:{demo.GRID}:")
    assert firing.facts["reports"] == 3
