"""The timeline names each step's actor by real name, read in one query for all steps.

The sealed audit record keeps the username (``actor_name``); the real name is looked up when
the timeline is read, and shown next to it. API clients and the system keep their label.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.accounts.actions import issue_api_key
from gridgov.accounts.api.authentication import ApiClient
from gridgov.audit.chain import record_hash
from gridgov.audit.models import AuditRecord
from gridgov.events import actions as ev
from gridgov.events import trace
from gridgov.events.choices import State
from gridgov.events.tests.helpers_command import make_overdue
from gridgov.events.tests.workflow_support import event_in, people, point_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(db):
    return people()


@pytest.fixture
def handled(p):
    """Reported by the grid worker, then registered, filed, dispatched, claimed, and a system
    reminder: five people and the system on one timeline."""
    event = make_overdue(event_in(State.IN_PROGRESS, p))
    assert ev.mark_deadline(event, kind="overdue", actor=None) is not None
    return event


def user_queries(queries):
    return [q for q in queries if '"accounts_user"' in q["sql"]]


def test_each_step_names_the_person(p, handled):
    steps = trace.timeline(handled)
    by_action = {s.action: s for s in steps}
    for action, who in (("report", "worker"), ("register", "clerk"), ("file", "shift"),
                        ("dispatch", "dispatcher"), ("claim", "handler")):
        person = p[who]
        step = by_action[action]
        assert step.actor_id == person.pk
        assert step.actor_name == person.username  # the sealed name, unchanged
        assert step.actor_real_name == person.real_name
        assert step.actor_display == f"{person.real_name} ({person.username})"


def test_system_steps_keep_their_label(handled):
    system = [s for s in trace.timeline(handled) if s.actor_id is None]
    assert system, "the reminder is the system's"
    for step in system:
        assert step.actor_real_name == "" and step.actor_display == step.actor_name


def test_api_client_steps_keep_their_label(dept_handler):
    key, _raw = issue_api_key(dept_handler.department, name="对接系统", actor=None)
    client = ApiClient(key)
    lng, lat = point_in()
    event = ev.report_event(source="grid_patrol", description="接口上报的占道经营",
                            lng=lng, lat=lat, actor=client)
    (step,) = trace.timeline(event)
    assert step.actor_name == f"api:{key.prefix}"
    assert step.actor_real_name == "" and step.actor_display == step.actor_name


def test_one_query_for_all_the_names(p, handled):
    with CaptureQueriesContext(connection) as captured:
        steps = trace.timeline(handled)
    assert len({s.actor_id for s in steps if s.actor_id}) >= 5
    assert len(user_queries(captured.captured_queries)) == 1
    # The records, the step rows, the attachments and the names.
    assert len(captured.captured_queries) <= 4


def test_names_only_for_people_who_exist(p, django_assert_num_queries):
    # An audit record outlives its person (no constraint on actor): no name, the sealed one
    # is shown. No ids, no query.
    clerk = p["clerk"]
    assert trace.real_names([clerk.pk, 999999999, None]) == {clerk.pk: clerk.real_name}
    with django_assert_num_queries(0):
        assert trace.real_names([None]) == {}


def test_reading_the_timeline_leaves_the_records_sealed(p, handled):
    trace.timeline(handled)
    records = AuditRecord.objects.filter(chain_key=trace.chain_key(handled)).order_by("seq")
    for record in records:
        assert record_hash(record, record.prev_hash) == record.hash
    assert {r.actor_name for r in records} >= {p["clerk"].username, p["shift"].username}


def test_detail_page_shows_real_names(client_as, p, handled):
    html = client_as(p["shift"]).get(f"/events/{handled.pk}/").content.decode()
    clerk = p["clerk"]
    assert (f'{clerk.real_name} <span class="gg-small gg-muted" translate="no">'
            f'({clerk.username})</span>') in html


def test_detail_page_timeline_costs_one_query_more_at_most(client_as, p, handled,
                                                           monkeypatch):
    client = client_as(p["shift"])
    url = f"/events/{handled.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as with_names:
        client.get(url)
    monkeypatch.setattr(trace, "real_names", lambda ids: {})
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    assert len(with_names.captured_queries) - len(without.captured_queries) <= 1


def test_api_timeline_adds_the_real_name(api_as, p, handled):
    timeline = api_as(p["shift"]).get(f"/api/events/{handled.pk}/").json()["timeline"]
    register = next(s for s in timeline if s["action"] == "register")
    assert register["actor_name"] == p["clerk"].username
    assert register["actor_real_name"] == p["clerk"].real_name
    system = [s for s in timeline if s["action"] == "overdue"]
    assert system and system[0]["actor_real_name"] == ""


def test_a_public_report_and_a_link_rating_are_the_reporters(gulou_grid):
    """No actor on the record: a resident's report and rating read "上报人", a reminder
    "系统" — never a bare "system"."""
    from gridgov.events.actions import intake

    lng, lat = point_in(gulou_grid.code)
    event = intake.report_by_resident(description="路灯不亮", lng=lng, lat=lat).event
    first = trace.timeline(event)[0]
    assert (first.action, first.actor_name, first.role) == ("report", "上报人", "")
    assert trace.role_label("reporter") == "上报人"
    assert trace.role_label("system") == "系统"
    assert trace.anonymous_actor("overdue", "system") == "系统"
