"""Benchmark: page through N features (1,000,000 by default) of a layer through the OGC API.

Creates, in a scratch database, one public layer of 区应急管理局 with N point features
(bulk-inserted, properties like a department's: a name, a number, a category) and reads all
of them through ``GET /ogcapi/collections/layer-<code>/items`` page by page, following each
answer's ``next`` link (keyset cursor, ``--page`` features a page), as an anonymous client,
through Django's full request handling in this process (middleware, negotiation, scope,
GeoJSON text), parsing each page as a client would. Beside it, the floor: a raw
``SELECT id, geometry, properties`` of the same rows in the same order on the same connection.
Prints features/s for both and their ratio; with ``--bbox`` also a page of a bbox query
(the index on the bounding-box columns). Figures only, no asserts.

    .venv/bin/python benchmarks/ogcapi.py                      # temporary SQLite, 1,000,000
    .venv/bin/python benchmarks/ogcapi.py --features 100000    # a smaller N
    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_ogcapi \\
        .venv/bin/python benchmarks/ogcapi.py --configured-db
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Haishu, roughly: where the points fall.
BOX = (121.30, 29.75, 121.60, 29.95)
CODE = "bench-points"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=1_000_000)
    parser.add_argument("--page", type=int, default=10_000, help="features per page (limit)")
    parser.add_argument("--bbox", action="store_true", help="also time bbox pages")
    parser.add_argument("--configured-db", action="store_true",
                        help="use DATABASE_URL (created and migrated) instead of temporary "
                             "SQLite")
    return parser.parse_args()


def setup_django(configured: bool) -> str:
    if not configured:
        tmp = tempfile.mkdtemp(prefix="gridgov-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["GRIDGOV_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    # Anonymous pages at full speed: the limits are not what is measured.
    os.environ["GRIDGOV_RATE_OGCAPI_ANON"] = "0"
    os.environ["GRIDGOV_RATE_OGCAPI"] = "0"
    import django

    django.setup()
    from django.conf import settings

    return f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]} " \
           f"{settings.DATABASES['default']['NAME']}"


def prepare(n: int):
    """The layer with ``n`` features (kept between runs on a configured database)."""
    from django.core.management import call_command
    from django.utils import timezone

    from gridgov.accounts.models import Department
    from gridgov.gis.models import Layer, LayerFeature

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    from gridgov.demo.load import load_areas, load_departments

    # The district's areas and departments only (the owner), not the whole demo.
    load_areas()
    load_departments()
    owner = Department.objects.get(code="D030")
    layer = Layer.objects.filter(code=CODE).first()
    if layer is not None and layer.feature_count != n:
        LayerFeature.objects.filter(layer=layer).delete()
        layer.delete()
        layer = None
    if layer is None:
        layer = Layer.objects.create(code=CODE, name="基准测试点", owner=owner,
                                     geometry_type="point", sharing_type="unconditional",
                                     is_public=True, is_published=True, feature_count=n,
                                     version=1, min_lng=BOX[0], min_lat=BOX[1],
                                     max_lng=BOX[2], max_lat=BOX[3])
        rng = random.Random(7)
        now = timezone.now()
        batch = []
        for i in range(n):
            x = round(rng.uniform(BOX[0], BOX[2]), 6)
            y = round(rng.uniform(BOX[1], BOX[3]), 6)
            batch.append(LayerFeature(
                layer=layer, number=i + 1,
                geometry=f'{{"type":"Point","coordinates":[{x},{y}]}}', geometry_type="Point",
                properties={"名称": f"点位{i:07d}", "编号": f"BP{i:07d}",
                            "类别": ("消防栓", "应急物资点", "避难点")[i % 3]},
                minx=x, miny=y, maxx=x, maxy=y, updated_at=now))
            if len(batch) == 20_000:
                LayerFeature.objects.bulk_create(batch)
                batch = []
        LayerFeature.objects.bulk_create(batch)
    print(f"setup: {n:,} features ready in {time.perf_counter() - started:.1f} s")
    return layer


def page_through(page: int, params: dict | None = None, timing: dict | None = None
                 ) -> tuple[int, int]:
    """Every feature through the items endpoint, following ``next`` links; ``timing`` gets
    the seconds spent answering (``server``) and parsing the answers (``parse``)."""
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    url = f"/ogcapi/collections/layer-{CODE}/items"
    query = {"limit": page, **(params or {})}
    total = pages = 0
    timing = timing if timing is not None else {}
    timing.setdefault("server", 0.0)
    timing.setdefault("parse", 0.0)
    while True:
        started = time.perf_counter()
        response = client.get(url, query, HTTP_ACCEPT="application/geo+json")
        timing["server"] += time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"items answered {response.status_code}: {response.content[:300]}")
        started = time.perf_counter()
        data = json.loads(response.content)
        timing["parse"] += time.perf_counter() - started
        total += len(data["features"])
        pages += 1
        nxt = next((x["href"] for x in data["links"] if x["rel"] == "next"), None)
        if nxt is None:
            return total, pages
        parsed = urlparse(nxt)
        url, query = parsed.path, dict(parse_qsl(parsed.query))


def raw_select(layer_id: int) -> int:
    from django.db import connection

    count = 0
    with connection.cursor() as cur:
        cur.execute("SELECT id, geometry, properties FROM gis_layerfeature WHERE layer_id = %s "
                    "ORDER BY id", [layer_id])
        while True:
            rows = cur.fetchmany(10_000)
            if not rows:
                return count
            count += len(rows)


def main():
    args = parse_args()
    db = setup_django(args.configured_db)
    print(f"database: {db}")
    layer = prepare(args.features)

    raw_seconds = float("inf")
    for _round in range(2):  # the better of two: the first one also warms the page cache
        started = time.perf_counter()
        raw_rows = raw_select(layer.pk)
        raw_seconds = min(raw_seconds, time.perf_counter() - started)

    timing = {}
    started = time.perf_counter()
    total, pages = page_through(args.page, timing=timing)
    api_seconds = time.perf_counter() - started
    assert total == raw_rows == args.features, (total, raw_rows, args.features)

    print(f"raw SELECT:     {raw_rows:>10,} rows      in {raw_seconds:7.2f} s  "
          f"{raw_rows / raw_seconds:>12,.0f} rows/s")
    print(f"OGC API items:  {total:>10,} features  in {api_seconds:7.2f} s  "
          f"{total / api_seconds:>12,.0f} features/s  ({pages:,} pages of {args.page:,})")
    print(f"  of which answering (request handling, query, GeoJSON text): "
          f"{timing['server']:.2f} s = {total / timing['server']:,.0f} features/s; "
          f"the client parsing the JSON: {timing['parse']:.2f} s")
    print(f"ratio: the API pages at {raw_seconds / api_seconds:.1%} of the raw SELECT's speed "
          f"({raw_seconds / timing['server']:.1%} counting the answering alone)")
    if args.bbox:
        # A tenth of the district's width and height: about 1 % of the features.
        w, h = (BOX[2] - BOX[0]) / 10, (BOX[3] - BOX[1]) / 10
        box = f"{BOX[0] + 4 * w},{BOX[1] + 4 * h},{BOX[0] + 5 * w},{BOX[1] + 5 * h}"
        started = time.perf_counter()
        found, bbox_pages = page_through(args.page, {"bbox": box})
        seconds = time.perf_counter() - started
        print(f"bbox ({box}): {found:,} features in {bbox_pages} page(s), {seconds:.2f} s")


if __name__ == "__main__":
    main()
