"""Benchmark: evaluate every active rule over N people (1,000,000 by default), beside a bare
SQL count over the same rows.

Creates a throwaway database (a temporary SQLite file, or the PostgreSQL database named by
``--postgres`` / ``DATABASE_URL``, dropped and created afresh — ``benchmarks/stats.py``'s
``prepare_database``), loads the demo district (which brings the default rules of
``gridgov.proactive``), then writes N people with ``bulk_create`` across every grid of the
district: birth dates spread over 100 years, sex, registration type, ~3 % moved out or dead,
~4 % tagged 独居老人 (half of them visited in the last 20 days), so each rule has a realistic
share of matches. Then it times

- ``COUNT(*)``: a bare SQL count of ``basedata_person`` (the floor: one scan of the rows);
- ``count`` per rule: ``actions.matching(rule, today).count()`` — the rule's conditions
  compiled to SQL over the annotated people, counted without firing;
- ``unfired`` per rule: the same with NOT EXISTS a firing in the period (what a run reads);
- ``run``: ``actions.run_rules(today)`` over every active rule — firing each match (its own
  transaction, the outcome's handler, an audit record) — and a second run (nothing left to
  fire: the cost of the nightly run on an ordinary day).

    .venv/bin/python benchmarks/rules.py --people 100000
    .venv/bin/python benchmarks/rules.py                       # 1,000,000 people on SQLite
    .venv/bin/python benchmarks/rules.py --postgres postgres://root@127.0.0.1:5432/bench_rules
"""

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.stats import prepare_database  # noqa: E402  (after the path is set)

LIVING_ALONE = "独居老人"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="PostgreSQL URL (default: DATABASE_URL when it names PostgreSQL); "
                        "the database is dropped and created afresh")
    parser.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory of the SQLite database (default: a temporary one)")
    parser.add_argument("--no-fire", action="store_true", help="count only, do not run")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    args.reuse = False
    return args


def write_people(n: int, today: dt.date, seed: int, batch: int = 10_000) -> None:
    """N people in every grid of the district, with the through rows of their tags and the
    visits of half the people living alone (bulk: no action, no audit — a data load)."""
    from django.db import transaction
    from django.utils import timezone

    from gridgov.areas.models import Area
    from gridgov.basedata.models import Person, Tag
    from gridgov.demo.basedata import GIVEN, SURNAMES
    from gridgov.visits.models import Visit

    rng = random.Random(seed)
    grids = list(Area.objects.filter(level="grid").values_list("pk", "code"))
    alone = Tag.objects.get(name=LIVING_ALONE)
    Through = Person.tags.through
    now = timezone.now()
    started = time.perf_counter()
    first_day = today - dt.timedelta(days=365 * 100)
    written = 0
    while written < n:
        size = min(batch, n - written)
        people = []
        for _ in range(size):
            gpk, code = rng.choice(grids)
            roll = rng.random()
            status = "residing" if roll < 0.97 else ("moved_out" if roll < 0.985 else "deceased")
            people.append(Person(
                grid_id=gpk, area_code=code, source="import",
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                birth_date=first_day + dt.timedelta(days=rng.randrange(365 * 100)),
                sex=rng.choice("MF"), status=status,
                registration_type="floating" if rng.random() < 0.15 else "registered"))
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=2000)
            if people[0].pk is None:  # a backend without RETURNING: read the new ids back
                ids = list(Person.objects.order_by("-pk").values_list("pk", flat=True)[:size])
                for person, pk in zip(people, reversed(ids), strict=True):
                    person.pk = pk
            tagged = [p for p in people if rng.random() < 0.04]
            Through.objects.bulk_create([Through(person_id=p.pk, tag_id=alone.pk)
                                         for p in tagged], batch_size=2000)
            Visit.objects.bulk_create([
                Visit(person_id=p.pk, area_code=p.area_code, notes="走访",
                      visited_at=now - dt.timedelta(days=rng.randrange(20),
                                                    seconds=rng.randrange(86400)),
                      created_at=now, updated_at=now)
                for p in tagged if rng.random() < 0.5], batch_size=2000)
        written += size
    print(f"wrote {n:,} people in {time.perf_counter() - started:.1f} s", flush=True)


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main():
    args = parse_args()
    prepare_database(args)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from gridgov.demo import load_demo
    from gridgov.demo.load import NULL_SMS_BACKEND
    from gridgov.rules import actions
    from gridgov.rules.models import Rule

    call_command("migrate", verbosity=0)
    load_demo()
    today = timezone.localdate()
    write_people(args.people, today, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def bare_count(where=""):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM basedata_person {where}")
            return cursor.fetchone()[0]

    timed(bare_count)  # warm (the file's pages in the cache)
    seconds, total = timed(bare_count)
    print(f"{connection.vendor}, {total:,} people rows", flush=True)
    print(f"{'bare SQL COUNT(*)':<44} {seconds * 1000:9.1f} ms  {total:>9,}", flush=True)
    # The subject's own filter (living here, not merged), by hand: one scan of the rows.
    residing = "WHERE status = 'residing' AND merged_into_id IS NULL"
    scan, living = timed(lambda: bare_count(residing))
    print(f"{'bare SQL COUNT(*) of residing people':<44} {scan * 1000:9.1f} ms  {living:>9,}",
          flush=True)
    seconds = max(seconds, scan)
    rules = list(Rule.objects.filter(is_active=True).order_by("pk"))
    count_total = 0.0
    for rule in rules:
        key = actions.period_key(rule.period, today)
        s1, n1 = timed(lambda r=rule: actions.matching(r, today).count())
        s2, n2 = timed(lambda r=rule, k=key: actions.unfired(actions.matching(r, today), r,
                                                            k).count())
        count_total += s1
        print(f"{'count  ' + rule.name[:34]:<44} {s1 * 1000:9.1f} ms  {n1:>9,}", flush=True)
        print(f"{'unfired ' + rule.name[:33]:<44} {s2 * 1000:9.1f} ms  {n2:>9,}", flush=True)
    print(f"{'all rules counted':<44} {count_total * 1000:9.1f} ms "
          f"({count_total / max(seconds, 1e-9):.0f} × the bare scan)", flush=True)
    if args.no_fire:
        return
    # Made-up phone numbers: no text message leaves the benchmark.
    with override_settings(GRIDGOV_SMS_BACKEND=NULL_SMS_BACKEND):
        s, run = timed(lambda: actions.run_rules(today=today))
        print(f"{'run (fire every match)':<44} {s * 1000:9.1f} ms  fired {run.fired:,}, "
              f"errors {run.errors}", flush=True)
        for d in run.detail:
            print(f"    {d['name'][:40]:<40} fired {d['fired']:>7,}  errors {d['errors']}"
                  + (f"  ({d['error']})" if d.get("error") else ""), flush=True)
        s, again = timed(lambda: actions.run_rules(today=today))
        print(f"{'second run (nothing left to fire)':<44} {s * 1000:9.1f} ms  "
              f"fired {again.fired:,}", flush=True)
    if run.fired:
        print(f"per firing: {(run.duration_ms - again.duration_ms) / run.fired:.2f} ms",
              flush=True)


if __name__ == "__main__":
    main()
