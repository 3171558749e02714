import pytest

from gridgov.rules import registry

from .support import Recorder, ensure_tag, outcome_spec


@pytest.fixture
def recorder(db):
    """A test outcome ``rules_test.record`` (person) registered for the test."""
    handler = Recorder()
    registry.register_outcome(outcome_spec(handler))
    registry.register_outcome(outcome_spec(handler, subject="hotspot",
                                           code="rules_test.hotspot"))
    ensure_tag()
    yield handler
    registry.unregister_outcome("rules_test.record")
    registry.unregister_outcome("rules_test.hotspot")
