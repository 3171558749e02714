"""Benchmark: point → grid lookup over the Haishu demo district.

Assigns 1,000,000 uniform random points (seeded) in the district's bounding box to grids with
the platform's batch lookup (``gridgov.areas.index``) and, in the same run, with a bare shapely
STRtree query over the same polygons (the floor: ``tree.query(points, predicate="intersects")``,
nothing else). Prints points/s for both and their ratio, checks that both assign every point
alike, and times 10,000 single ``lookup()`` calls.

Goal: batch at >= 0.8 of the floor, a single lookup under 50 µs. Figures only, no asserts.

    .venv/bin/python benchmarks/grid_lookup.py                   # temporary SQLite database
    .venv/bin/python benchmarks/grid_lookup.py --configured-db   # DATABASE_URL / var/ SQLite
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--singles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed rounds of each batch method (best and median reported)")
    parser.add_argument("--seed", type=int, default=20161)
    parser.add_argument("--configured-db", action="store_true",
                        help="use the configured database instead of a temporary SQLite one")
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

    # The demo users' passwords are hashed at production cost otherwise; irrelevant here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.DATABASES["default"]["NAME"]


def load():
    from django.core.management import call_command

    try:
        from gridgov.demo import load_demo
    except ImportError:
        sys.exit("gridgov.demo.load_demo is not available: the demo district loader is "
                 "needed to benchmark the lookup over real polygons.")
    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    counts = load_demo()
    return counts, time.perf_counter() - t0


def main():
    args = parse_args()
    db_name = setup_django(args.configured_db)
    counts, load_s = load()

    import numpy as np
    import shapely

    from gridgov.areas import index
    from gridgov.areas.geometry import area_shape
    from gridgov.areas.models import Area

    district = Area.objects.current().get(code="330203")
    grids = list(Area.objects.current().filter(level="grid").order_by("code"))
    print(f"database: {db_name}")
    print(f"demo loaded in {load_s:.1f} s: {counts}")
    print(f"grids: {len(grids)}; vertices: "
          f"{sum(len(shapely.get_coordinates(area_shape(g))) for g in grids)}")

    idx = index.get_index()
    index.invalidate()
    t0 = time.perf_counter()
    idx.size  # noqa: B018 - builds the index
    print(f"platform index built in {(time.perf_counter() - t0) * 1000:.0f} ms")

    # The floor: the same polygons, freshly parsed, in a bare STRtree.
    floor_geoms = np.array([area_shape(g) for g in grids], dtype=object)
    floor_ids = np.array([g.pk for g in grids], dtype=np.int64)
    floor_tree = shapely.STRtree(floor_geoms)

    minx, miny, maxx, maxy = area_shape(district).bounds
    rng = np.random.default_rng(args.seed)
    lngs = rng.uniform(minx, maxx, args.points)
    lats = rng.uniform(miny, maxy, args.points)
    print(f"points: {args.points:,} uniform in the district's bounding box "
          f"[{minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}], seed {args.seed}")

    def floor():
        return floor_tree.query(shapely.points(lngs, lats), predicate="intersects")

    # For reference, the same technique the platform uses, bare: bounding-box candidates from
    # the tree, then a vectorised point-in-polygon test on prepared copies of the polygons.
    prepared_geoms = np.array([area_shape(g) for g in grids], dtype=object)
    shapely.prepare(prepared_geoms)
    prepared_tree = shapely.STRtree(prepared_geoms)

    def prepared_floor():
        pi, ti = prepared_tree.query(shapely.points(lngs, lats))
        keep = shapely.intersects_xy(prepared_geoms[ti], lngs[pi], lats[pi])
        return pi[keep], ti[keep]

    def platform():
        return idx.lookup_many(lngs, lats)

    floor_times, platform_times, prepared_times = [], [], []
    floor_hits = platform_ids = None
    for _ in range(args.rounds):  # interleaved, so all see the same machine load
        t0 = time.perf_counter()
        floor_hits = floor()
        floor_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        platform_ids = platform()
        platform_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        prepared_floor()
        prepared_times.append(time.perf_counter() - t0)

    # Same answers? The floor's pairs, reduced to the smallest code per point.
    first = np.full(args.points, len(floor_ids), dtype=np.int64)
    np.minimum.at(first, floor_hits[0], floor_hits[1])
    found = first < len(floor_ids)
    floor_assigned = np.full(args.points, -1, dtype=np.int64)
    floor_assigned[found] = floor_ids[first[found]]
    mismatches = int(np.count_nonzero(floor_assigned != platform_ids))
    inside = int(np.count_nonzero(platform_ids >= 0))

    f_best, p_best = args.points / min(floor_times), args.points / min(platform_times)
    f_med = args.points / statistics.median(floor_times)
    p_med = args.points / statistics.median(platform_times)
    print()
    print(f"points in a grid: {inside:,} ({inside / args.points:.1%}); outside: "
          f"{args.points - inside:,}; platform vs floor disagreements: {mismatches}")
    print(f"floor    (bare STRtree query):  best {f_best:>12,.0f} points/s   "
          f"median {f_med:>12,.0f} points/s")
    print(f"platform (index.lookup_many):   best {p_best:>12,.0f} points/s   "
          f"median {p_med:>12,.0f} points/s")
    print(f"ratio platform / floor:         best {p_best / f_best:.2f}            "
          f"median {p_med / f_med:.2f}   (goal >= 0.8)")
    r_best = args.points / min(prepared_times)
    r_med = args.points / statistics.median(prepared_times)
    print(f"reference (bare bbox query + prepared intersects_xy, the platform's technique): "
          f"best {r_best:,.0f} points/s, median {r_med:,.0f}; platform / reference: best "
          f"{p_best / r_best:.2f}, median {p_med / r_med:.2f}")

    # Single lookups: points drawn the same way, one call each.
    xs = lngs[: args.singles].tolist()
    ys = lats[: args.singles].tolist()
    lookup = idx.lookup
    per_call = []
    t_all = time.perf_counter()
    for x, y in zip(xs, ys, strict=True):
        t0 = time.perf_counter()
        lookup(x, y)
        per_call.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    per_call_us = np.array(per_call) * 1e6
    print()
    print(f"single lookup() x {args.singles:,}: mean {total / args.singles * 1e6:.1f} µs, "
          f"p50 {np.percentile(per_call_us, 50):.1f} µs, "
          f"p99 {np.percentile(per_call_us, 99):.1f} µs   (goal < 50 µs)")


if __name__ == "__main__":
    main()
