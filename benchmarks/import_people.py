"""Benchmark: import N people (100,000 by default) from CSV, beside a bare bulk insert.

Generates N valid people (ID numbers with correct check characters, mobile phones, a point in
one of the district's grids, some care-group tags) as a CSV file, then times

* the floor: parse the CSV and ``bulk_create`` the same rows into ``basedata_person`` with no
  validation, no encryption, no dedupe and one fixed grid (the values stored as they come);
* the full import: ``gridgov.basedata.importers.run_import("people", ...)`` — every row
  validated (GB 11643 check character, birth date, phone, vocabularies, tags), deduplicated
  against the file and the database by keyed hash, ID number and phone encrypted (AES-GCM)
  and hashed (HMAC), the grid found from the point (STRtree index), provenance stamped, all
  valid rows saved in one transaction with one audit record, rejected rows reported.

Prints rows/s of both and the ratio full / floor (goal ≥ 0.3). The floor rows are deleted
before the full import, so both write into the same table state.

    .venv/bin/python benchmarks/import_people.py                  # temporary SQLite database
    .venv/bin/python benchmarks/import_people.py --rows 20000     # a smaller N
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_import \\
        .venv/bin/python benchmarks/import_people.py --configured-db
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="N people (default 100000)")
    parser.add_argument("--configured-db", action="store_true",
                        help="use DATABASE_URL (created and migrated) instead of temporary "
                             "SQLite")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def setup_django(configured: bool) -> str:
    if not configured:
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["GRIDGOV_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    db = settings.DATABASES["default"]
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}"


def generate_csv(n: int, seed: int) -> bytes:
    """N valid people, each at a point inside one of 200 grids of the district."""
    from shapely.geometry import shape

    from gridgov.areas.models import Area
    from gridgov.demo.basedata import GIVEN, SURNAMES, make_id_number, random_point

    rng = random.Random(seed)
    grids = list(Area.objects.filter(level="grid").order_by("code"))
    rng.shuffle(grids)
    pool = []
    for grid in grids[:200]:
        polygon = shape(grid.geometry)
        pool += [random_point(polygon, rng) for _ in range(10)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "户籍类型", "手机号", "经度", "纬度", "居住地址",
                     "人群标签"])
    start = dt.date(1930, 1, 1)
    for i in range(n):
        # Distinct (birth date, sequence) pairs give distinct ID numbers.
        birth = start + dt.timedelta(days=i // 400)
        number = make_id_number(birth, i % 400 + 50, female=bool(i % 2))
        lng, lat = pool[i % len(pool)]
        writer.writerow([
            rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number,
            "流动人口" if i % 7 == 0 else "户籍人口", f"15{i:09d}", f"{lng:.6f}", f"{lat:.6f}",
            f"海曙区基准路{i % 997}号", "独居老人" if i % 50 == 0 else "",
        ])
    return out.getvalue().encode("utf-8")


def floor(data: bytes) -> tuple[float, int]:
    """Parse and bulk insert the rows as they are: the fastest the table can be filled."""
    from django.db import transaction

    from gridgov.areas.models import Area
    from gridgov.basedata.models import Person

    grid = Area.objects.filter(level="grid").order_by("code").first()
    started = time.perf_counter()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    people = [Person(grid_id=grid.pk, area_code=grid.code, name=row["姓名"],
                     id_number_enc=row["身份证号"], id_hash=row["身份证号"],
                     phone_enc=row["手机号"], address=row["居住地址"],
                     registration_type="registered") for row in reader]
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=1000)
    elapsed = time.perf_counter() - started
    with transaction.atomic():
        ids = [p.pk for p in people]
        for start in range(0, len(ids), 900):
            Person.objects.filter(pk__in=ids[start:start + 900]).delete()
    return elapsed, len(people)


def full(data: bytes):
    from gridgov.basedata import importers

    started = time.perf_counter()
    batch = importers.run_import("people", data, "bench.csv", actor=None)
    return time.perf_counter() - started, batch


def main():
    args = parse_args()
    db = setup_django(args.configured_db)
    from django.core.management import call_command

    from gridgov.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()
    from gridgov.basedata.models import Person

    # Start from the demo people only (a configured database may hold an earlier run).
    Person.objects.filter(source="import", import_batch__filename="bench.csv").delete()
    print(f"database: {db}")
    data = generate_csv(args.rows, args.seed)
    print(f"generated {args.rows:,} rows ({len(data) / 2**20:.1f} MiB CSV)")
    floor_s, floor_n = floor(data)
    full_s, batch = full(data)
    print(f"floor (parse + bulk insert):        {floor_n:>8,} rows in {floor_s:7.2f} s "
          f"= {floor_n / floor_s:>9,.0f} rows/s")
    print(f"full import (validate, dedupe, encrypt, grid, audit): {batch.created_rows:,} "
          f"created, {batch.rejected_rows} rejected in {full_s:.2f} s "
          f"= {args.rows / full_s:,.0f} rows/s")
    print(f"ratio full / floor: {(args.rows / full_s) / (floor_n / floor_s):.2f} (goal ≥ 0.3)")


if __name__ == "__main__":
    main()
