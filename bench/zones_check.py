"""Positions checked per second against 1,000 zones: Basira's ZoneIndex (STRtree over prepared geometries, one
batched query) against a naive shapely loop (every zone's ``contains`` for every point), measured in the same run.

    .venv/bin/python bench/zones_check.py [--zones 1000] [--points 100000]
"""

from __future__ import annotations

import argparse
import random
import time

from basira.drones.zones import CompiledZone, ZoneIndex, naive_containing, zone_geometry


def make_zones(n: int, rng: random.Random) -> list[CompiledZone]:
    """Circles of 100 m to 5 km and small polygons scattered over Switzerland (about 4° x 2°)."""
    zones = []
    for i in range(n):
        lon, lat = rng.uniform(6.0, 10.5), rng.uniform(45.8, 47.8)
        if i % 2:
            geom = zone_geometry({"type": "Point", "coordinates": [lon, lat]}, rng.uniform(100, 5000))
        else:
            d = rng.uniform(0.002, 0.03)
            ring = [[lon, lat], [lon + d, lat], [lon + d * 1.3, lat + d], [lon - d * 0.2, lat + d * 0.8], [lon, lat]]
            geom = zone_geometry({"type": "Polygon", "coordinates": [ring]}, None)
        zones.append(CompiledZone(i, f"z{i}", "", geom, geom, None, "AGL", None, "AGL", [], "PROHIBITED"))
    return zones


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--zones", type=int, default=1000)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--baseline-points", type=int, default=2_000)
    args = ap.parse_args()
    rng = random.Random(42)
    zones = make_zones(args.zones, rng)
    lons = [rng.uniform(6.0, 10.5) for _ in range(args.points)]
    lats = [rng.uniform(45.8, 47.8) for _ in range(args.points)]

    t = time.perf_counter()
    index = ZoneIndex(zones)
    build = time.perf_counter() - t

    t = time.perf_counter()
    found = index.containing(lons, lats)
    batched = args.points / (time.perf_counter() - t)

    n_one = min(args.points, 20_000)
    t = time.perf_counter()
    for i in range(n_one):
        index.containing([lons[i]], [lats[i]])
    one_by_one = n_one / (time.perf_counter() - t)

    nb = args.baseline_points
    t = time.perf_counter()
    naive = [naive_containing(zones, lons[i], lats[i]) for i in range(nb)]
    baseline = nb / (time.perf_counter() - t)
    if any(sorted(found[i]) != naive[i] for i in range(nb)):
        raise SystemExit("the index and the naive loop disagree")
    hits = sum(1 for f in found if f)
    print(f"zones_check_batched: {batched:,.0f} positions/s against {args.zones} zones "
          f"(baseline: {baseline:,.0f} positions/s, ratio: {batched / baseline:,.0f}x)")
    print(f"zones_check_one_at_a_time: {one_by_one:,.0f} positions/s "
          f"(baseline: {baseline:,.0f} positions/s, ratio: {one_by_one / baseline:,.0f}x)")
    print(f"# index built in {build * 1000:.0f} ms; {hits:,} of {args.points:,} positions inside a zone; "
          f"results equal the naive loop's on {nb:,} positions")


if __name__ == "__main__":
    main()
