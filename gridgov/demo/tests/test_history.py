"""The demo's generated history: in every street, over more than a year, believable, written so
the audit chain verifies, deterministic and idempotent; and not part of the tests' demo."""

import datetime as dt
import zoneinfo
from collections import Counter

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.audit.verify import verify_all
from gridgov.demo import history, load_demo
from gridgov.demo.history import plan, write
from gridgov.demo.users import DEMO_USERS, STREET_STAFF
from gridgov.events import actions
from gridgov.events.models import Event, EventRequest, EventStep
from gridgov.events.trace import timeline

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 15, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def _history():
    return Event.objects.filter(idempotency_key__startswith=write.KEY_PREFIX)


def test_the_tests_demo_has_no_history_but_every_street_has_its_leader_and_dispatcher():
    assert not _history().exists()
    from gridgov.accounts.models import Assignment

    for _slug, code, _leader, _dispatcher in STREET_STAFF:
        roles = set(Assignment.objects.filter(area__code=code).values_list("role", flat=True))
        assert {"leader", "dispatcher"} <= roles, code
    assert len({row[0] for row in DEMO_USERS}) == len(DEMO_USERS) == 20 + 2 * 16


def test_history_of_500_cases_in_all_streets_over_a_year_verifies():
    counts = history.load(500, now=NOW)
    assert counts["history_created"] == 500
    events = _history()
    assert events.count() == 500
    streets = Counter(code[:9] for code in events.values_list("area_code", flat=True))
    assert len(streets) == 17 and min(streets.values()) > 0
    first = events.order_by("created_at").first().created_at
    last = events.order_by("-created_at").first().created_at
    assert (last - first).days >= 365 and last <= NOW
    # The audit chain, each event's chain included, still verifies.
    result = verify_all()
    assert result.ok, result.broken
    # Every step row indexes its own record on the event's chain; the numbers follow the
    # live scheme (date of the report + id).
    event = events.filter(state="closed").order_by("id").first()
    steps = list(EventStep.objects.filter(event=event).order_by("seq"))
    records = list(AuditRecord.objects.filter(chain_key=f"events.event:{event.pk}")
                   .order_by("seq"))
    assert [s.audit_record_id for s in steps] == [r.pk for r in records]
    entries = timeline(event)
    assert all(entry.consistent for entry in entries)
    # The timeline shows when each step happened, and that it was imported at load time.
    assert [e.at for e in entries] == [s.at for s in steps]
    assert all(e.recorded_at == r.at for e, r in zip(entries, records, strict=True))
    assert records[-1].changes["history"][1]["at"] == steps[-1].at.astimezone(
        dt.UTC).isoformat()
    local = event.created_at.astimezone(NOW.tzinfo)
    assert event.number == f"E{local:%Y%m%d}{event.pk:08d}"
    assert event.version == len(steps)


def test_history_is_believable():
    history.load(500, now=NOW)
    events = _history()
    states = Counter(events.values_list("state", flat=True))
    assert states["closed"] / 500 > 0.85
    assert 0 < states["not_filed"] + states["void"] < 40
    sources = Counter(events.values_list("source", flat=True))
    assert sources.most_common(1)[0][0] == "grid_patrol"
    assert {"hotline_12345", "citizen", "video_patrol", "open311"} <= set(sources)
    steps = EventStep.objects.filter(event__in=events)
    returned = steps.filter(action="return").values("event").distinct().count()
    assert 0.03 <= returned / 500 <= 0.12
    assert steps.filter(action="request_extension").exists()
    assert EventRequest.objects.filter(event__in=events, status="approved").exists()
    assert steps.filter(action="verify", to_state="in_progress").exists()  # rework
    assert steps.filter(action="resolve_on_spot").exists()
    # A report comes from no state, as report_event writes it.
    assert set(steps.filter(action="report").values_list("from_state", flat=True)) == {""}
    closed = events.filter(state="closed", handle_deadline__isnull=False)
    late = sum(1 for e in closed.only("handle_deadline", "overdue_reason")
               if e.overdue_reason)
    assert 0.01 <= late / closed.count() <= 0.12
    assert events.filter(evaluation_score__isnull=False).exists()
    # Urban streets and rural towns do not report the same things.
    urban = Counter(events.filter(area_code__startswith="3302030").values_list(
        "category__major__code", flat=True))
    rural = Counter(events.filter(area_code__startswith="3302031").values_list(
        "category__major__code", flat=True))
    assert urban["05"] / sum(urban.values()) > rural["05"] / sum(rural.values())


def test_open_history_stays_out_of_the_demo_users_queues():
    history.load(500, now=NOW)
    open_ = _history().exclude(state__in=("closed", "not_filed", "void", "merged"))
    assert not open_.filter(area_code__startswith="330203005").exists()
    assert not open_.filter(department__code="D034").exists()


def test_a_second_load_adds_nothing_and_a_bigger_one_only_the_rest():
    history.load(200, now=NOW)
    records = AuditRecord.objects.count()
    assert history.load(200, now=NOW)["history_created"] == 0
    assert AuditRecord.objects.count() == records
    counts = history.load(260, now=NOW)
    assert (counts["history_created"], counts["history_events"]) == (60, 260)
    # A live report afterwards gets a fresh id and number.
    sample = _history().first()
    event = actions.report_event(source="citizen", description="测试上报", lng=sample.lng,
                                 lat=sample.lat)
    assert event.pk > max(_history().values_list("id", flat=True))
    assert verify_all().ok


def test_the_same_seed_draws_the_same_cases():
    ctx = write.context(history.HISTORY_SEED, NOW)
    a = [plan.simulate(ctx, 7, i) for i in range(50)]
    b = [plan.simulate(ctx, 7, i) for i in range(50)]
    c = [plan.simulate(ctx, 8, i) for i in range(50)]

    def shape(cases):
        return [(x.event["created_at"], x.event["description"], x.event["state"],
                 [(s.action, s.at) for s in x.steps]) for x in cases]

    assert shape(a) == shape(b)
    assert shape(a) != shape(c)


def test_load_demo_loads_history_only_when_asked():
    counts = load_demo()
    assert "history_events" not in counts and not _history().exists()
    counts = load_demo(history_events=120)
    assert (counts["history_created"], counts["history_events"]) == (120, 120)
    assert load_demo(history_events=120)["history_created"] == 0


def test_a_longer_history_for_benchmarks():
    ctx = write.context(history.HISTORY_SEED, NOW, months=24)
    assert ctx.days[0] == dt.date(2024, 11, 1) and ctx.days[-1] == NOW.date()


def test_the_demo_command_loads_10000_history_cases_unless_told(monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from gridgov.core.management.commands import demo as command

    asked = []
    monkeypatch.setattr(command, "call_command", lambda *a, **k: None)  # no migrate here
    monkeypatch.setattr(command, "load_demo", lambda **k: asked.append(k["history_events"])
                        or load_demo())
    call_command("demo", "--no-serve")
    call_command("demo", "--no-serve", "--history-events", "0")
    assert asked == [10_000, 0]
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", "--history-events", "-1")
