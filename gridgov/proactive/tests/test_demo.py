"""The demo: the rules over the demo district — a resident turning 80 this month is on the
免申即享 list once, with the reason; a person living alone not contacted for a week has an
alert for the grid worker."""

import pytest
from django.utils import timezone

from gridgov.demo import proactive as demo
from gridgov.demo import visits as demo_visits
from gridgov.proactive.models import Benefit, ServiceTask

pytestmark = pytest.mark.django_db


def test_demo_turning_80_appears_once_with_the_reason(leader, grid_worker, client_as):
    # The test database holds the demo (gridgov.demo.load_demo ran this loader): a second
    # run adds nobody and fires nothing again.
    demo_visits.load()
    today = timezone.localdate()
    again = demo.load()
    assert again["errors"] == 0 and again["people"] == 0 and again["pensions"] == 0
    assert Benefit.objects.filter(kind="pension").exists()
    turning = Benefit.objects.filter(kind="elderly_allowance",
                                     person__birth_date__year=today.year - 80,
                                     person__birth_date__month=today.month)
    assert turning.exists()
    person_ids = list(turning.values_list("person_id", flat=True))
    assert len(person_ids) == len(set(person_ids))
    benefit = turning.select_related("person").first()
    page = client_as(leader).get("/proactive/benefits/").content.decode()
    assert page.count(f'/proactive/people/{benefit.person_id}/"') == 1
    assert "本月年满 80 周岁" in page
    alerts = ServiceTask.objects.filter(kind="alert", assignee=grid_worker, state="open")
    assert alerts.exists() and "天未联系" in alerts.first().title
