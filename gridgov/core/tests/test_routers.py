"""The read-replica router: dashboards and exports read from ``replica`` when one is
configured; writes, reads inside a transaction and every other page stay on the primary."""

import pytest
from django.db import connections

from gridgov.core import routers
from gridgov.core.routers import ReplicaRouter, reading_replica

ROUTER = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """As if ``DATABASE_REPLICA_URL`` were set (the router asks only whether it is)."""
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def test_without_a_replica_nothing_changes(settings):
    assert "replica" not in settings.DATABASES
    with reading_replica():
        assert ROUTER.db_for_read(None) is None


def test_marked_reads_go_to_the_replica_and_nothing_else(with_replica):
    assert not connections["default"].in_atomic_block  # no database test: no transaction
    assert ROUTER.db_for_read(None) is None  # not marked: the primary
    with reading_replica():
        assert ROUTER.db_for_read(None) == "replica"
        assert ROUTER.db_for_write(None) == "default"
    assert ROUTER.db_for_read(None) is None
    assert ROUTER.allow_migrate("replica", "events") is False
    assert ROUTER.allow_migrate("default", "events") is True


@pytest.mark.django_db
def test_a_read_inside_a_transaction_on_the_primary_stays_there(with_replica):
    assert connections["default"].in_atomic_block  # the test's own transaction
    with reading_replica():
        assert ROUTER.db_for_read(None) == "default"


@pytest.fixture
def spy(monkeypatch):
    """Whether each read the router was asked about was marked for the replica."""
    seen = []
    real = ReplicaRouter.db_for_read

    def record(self, model, **hints):
        seen.append(routers._reading.get())
        return real(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", record)
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/stats/", "/assess/", "/basedata/export/people.csv"])
def test_dashboards_and_exports_read_from_the_replica(spy, path, client_as, leader, gulou_grid,
                                                     data_officer):
    user = data_officer if "basedata" in path else leader
    response = client_as(user).get(path)
    assert response.status_code == 200, path
    assert spy and any(spy)


@pytest.mark.django_db
def test_other_pages_read_from_the_primary(spy, client_as, dispatcher):
    assert client_as(dispatcher).get("/events/command/").status_code == 200
    assert spy and not any(spy)
