"""Benchmark: nearby-camera lookup among N cameras (100,000 by default).

Builds the camera index (``gridgov.video.nearby.CameraIndex``: a shapely STRtree over the
points, exact great-circle distances of the box's candidates, sorted) over N random cameras
spread over the Haishu district's bounding box, denser in the old city (half of them within
about 3 km of 鼓楼), in memory only: no database. Then looks up Q random points (mostly in the
old city, where lookups are hardest) with a 200 m radius and prints the mean and the 99th
percentile time per lookup, beside a brute-force baseline (the distance to every camera with
numpy, then the same filter and sort) on the same points; checks that both answer the same
cameras in the same order. Figures only; the target is under 1 ms per lookup.

    .venv/bin/python benchmarks/video_nearby.py
    .venv/bin/python benchmarks/video_nearby.py --cameras 1000000 --lookups 2000
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The district's bounding box (WGS-84) and the old city's centre (鼓楼).
WEST, SOUTH, EAST, NORTH = 121.20, 29.72, 121.60, 30.00
CENTRE = (121.547, 29.874)


def _cameras(n, rng):
    half = n // 2
    lngs = np.concatenate([rng.uniform(WEST, EAST, n - half),
                           rng.normal(CENTRE[0], 0.02, half)])
    lats = np.concatenate([rng.uniform(SOUTH, NORTH, n - half),
                           rng.normal(CENTRE[1], 0.02, half)])
    return np.arange(1, n + 1, dtype=np.int64), lngs, lats


def _brute(ids, lngs, lats, lng, lat, radius, haversine_m):
    metres = haversine_m(lng, lat, lngs, lats)
    keep = np.flatnonzero(metres <= radius)
    order = np.lexsort((ids[keep], metres[keep]))
    return ids[keep][order], metres[keep][order]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=5_000)
    parser.add_argument("--radius", type=float, default=200.0)
    parser.add_argument("--seed", type=int, default=28181)
    args = parser.parse_args(argv)

    from gridgov.video.nearby import CameraIndex, haversine_m

    rng = np.random.default_rng(args.seed)
    ids, lngs, lats = _cameras(args.cameras, rng)
    started = time.perf_counter()
    index = CameraIndex.from_arrays(ids, lngs, lats)
    built = time.perf_counter() - started
    queries = np.column_stack([rng.normal(CENTRE[0], 0.03, args.lookups),
                               rng.normal(CENTRE[1], 0.03, args.lookups)])

    index.within(*queries[0], args.radius)  # warm up
    times, found = [], 0
    for lng, lat in queries:
        t0 = time.perf_counter()
        got, _metres = index.within(lng, lat, args.radius)
        times.append(time.perf_counter() - t0)
        found += len(got)
    brute_times = []
    brute_n = min(args.lookups, 500)
    for lng, lat in queries[:brute_n]:
        t0 = time.perf_counter()
        want, _metres = _brute(ids, lngs, lats, lng, lat, args.radius, haversine_m)
        brute_times.append(time.perf_counter() - t0)
        got, _metres = index.within(lng, lat, args.radius)
        if not np.array_equal(got, want):
            raise SystemExit(f"index and brute force disagree at {lng:.6f},{lat:.6f}")

    ms = np.array(times) * 1000
    brute_ms = np.array(brute_times) * 1000
    print(f"cameras: {args.cameras:,}   index built in {built:.2f} s")
    print(f"lookups: {args.lookups:,} within {args.radius:.0f} m, "
          f"{found / args.lookups:.1f} cameras found on average")
    print(f"index:       mean {ms.mean():.3f} ms   p99 {np.percentile(ms, 99):.3f} ms")
    print(f"brute force: mean {brute_ms.mean():.3f} ms   p99 {np.percentile(brute_ms, 99):.3f} ms"
          f"   ({brute_n} lookups)")
    print(f"speed-up: {brute_ms.mean() / ms.mean():.0f}x; same answers on {brute_n} lookups")
    print("target (< 1 ms per lookup):", "met" if ms.mean() < 1.0 else "NOT met")


if __name__ == "__main__":
    main()
