"""Sampling and distance on known tracks (pure functions)."""

import datetime as dt

import pytest

from gridgov.patrols import sampling
from gridgov.patrols.sampling import Fix

from .support import east, north

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
ORIGIN = (121.5500, 29.8700)


def walk(metres, step, seconds, origin=ORIGIN, accuracy=8.0):
    return [Fix(T0 + dt.timedelta(seconds=n * seconds), *north(origin, n * step), accuracy)
            for n in range(metres // step + 1)]


def test_a_street_of_known_length():
    kept, distance = sampling.sample(walk(1000, 25, 10))
    assert len(kept) == 41
    assert distance == pytest.approx(1000, abs=0.5)


def test_an_l_shaped_walk_adds_both_legs():
    leg1 = walk(600, 20, 10)
    corner = (leg1[-1].lng, leg1[-1].lat)
    leg2 = [Fix(leg1[-1].at + dt.timedelta(seconds=10 * n), *east(corner, 20 * n), 8.0)
            for n in range(1, 21)]
    _, distance = sampling.sample(leg1 + leg2)
    assert distance == pytest.approx(1000, abs=1)


def test_close_points_are_dropped_unless_five_minutes_passed():
    # 5 m steps every 10 s: only every second point is 10 m from the last kept one.
    kept, distance = sampling.sample(walk(100, 5, 10))
    assert len(kept) == 11
    assert distance == pytest.approx(100, abs=0.2)
    still = [Fix(T0 + dt.timedelta(seconds=60 * n), *ORIGIN, 5.0) for n in range(11)]
    kept, distance = sampling.sample(still)
    assert [k.at for k in kept] == [T0, T0 + dt.timedelta(minutes=5), T0 + dt.timedelta(
        minutes=10)]
    assert distance == 0


def test_bad_fixes_and_impossible_jumps_are_dropped():
    fixes = walk(200, 20, 10)
    fixes.insert(3, Fix(fixes[2].at + dt.timedelta(seconds=5), *east(ORIGIN, 2000), 8.0))
    fixes.insert(6, Fix(fixes[5].at + dt.timedelta(seconds=5), *east(ORIGIN, 40), 250.0))
    kept, distance = sampling.sample(fixes)
    assert len(kept) == 11
    assert distance == pytest.approx(200, abs=0.2)


def test_a_batch_sent_again_adds_nothing():
    fixes = walk(200, 20, 10)
    kept, distance = sampling.sample(fixes)
    again, more = sampling.sample(fixes, previous=kept[-1])
    assert again == [] and more == 0
    # in any order
    kept2, distance2 = sampling.sample(list(reversed(fixes)))
    assert kept2 == kept and distance2 == distance


def test_the_drawn_line_is_simplified_with_its_ends():
    coords = [(f.lng, f.lat) for f in walk(1000, 10, 5)]
    line = sampling.simplified_line(coords)
    assert len(line) == 2
    assert line[0] == (round(coords[0][0], 6), round(coords[0][1], 6))
