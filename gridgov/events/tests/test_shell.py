"""The events' entries on the home page's 待办 list."""

import pytest

from gridgov.events.choices import State

from .workflow_support import call, event_in, people

pytestmark = pytest.mark.django_db


def work(client, user):
    response = client(user).get("/")
    return {item.key: item for item in response.context["work"]}


def test_shift_leader_is_told_of_requests_to_decide(client_as, shift_leader, dispatcher):
    p = people()
    before = work(client_as, shift_leader)["events.decisions"].count
    call("request_extension", event_in(State.IN_PROGRESS, p), p)
    item = work(client_as, shift_leader)["events.decisions"]
    assert item.count == before + 1
    assert item.url.endswith("/events/command/?queue=decisions")
    # Only the shift leader decides; the dispatcher's list has no such entry.
    assert "events.decisions" not in work(client_as, dispatcher)
