"""GCJ-02 ↔ WGS-84 against published coordinate pairs, plus round-trip properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.areas import datum

# (wgs_lng, wgs_lat, gcj_lng, gcj_lat)
PAIRS = [
    # googollee/eviltransform, python/test.py, TESTS (shanghai, shenzhen, beijing); given there
    # as (wgsLat, wgsLng, gcjLat, gcjLng) and checked to 6 decimals.
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    # wandergis/coordtransform, README.md: wgs84togcj02(116.404, 39.915)
    # → [116.41024449916938, 39.91640428150164].
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
]


@pytest.mark.parametrize("wlng,wlat,glng,glat", PAIRS)
def test_forward_matches_published_pairs(wlng, wlat, glng, glat):
    lng, lat = datum.wgs84_to_gcj02(wlng, wlat)
    assert lng == pytest.approx(glng, abs=1e-8)
    assert lat == pytest.approx(glat, abs=1e-8)


@pytest.mark.parametrize("wlng,wlat,glng,glat", PAIRS)
def test_inverse_recovers_published_pairs(wlng, wlat, glng, glat):
    lng, lat = datum.gcj02_to_wgs84(glng, glat)
    assert lng == pytest.approx(wlng, abs=1e-7)
    assert lat == pytest.approx(wlat, abs=1e-7)


def test_inverse_is_better_than_the_one_step_approximation():
    # wandergis/coordtransform, README.md: the one-step gcj02towgs84(116.404, 39.915) gives
    # [116.39775550083061, 39.91359571849836]. Ours is close to it but exact: its forward image
    # is the input, which the one-step answer's is not.
    lng, lat = datum.gcj02_to_wgs84(116.404, 39.915)
    assert lng == pytest.approx(116.39775550083061, abs=2e-5)
    assert lat == pytest.approx(39.91359571849836, abs=2e-5)
    back = datum.wgs84_to_gcj02(lng, lat)
    assert back == pytest.approx((116.404, 39.915), abs=1e-9)
    one_step_back = datum.wgs84_to_gcj02(116.39775550083061, 39.91359571849836)
    assert max(abs(one_step_back[0] - 116.404), abs(one_step_back[1] - 39.915)) > 1e-7


def test_inverse_matches_gcoord():
    # hujiulong/gcoord, test/unit/crs/GCJ02.spec.js: GCJ02 → WGS84 of [123, 45] is
    # [122.99395597, 44.99804071] to 5 decimals; [183, 45] (not in China) is unchanged.
    lng, lat = datum.gcj02_to_wgs84(123, 45)
    assert lng == pytest.approx(122.99395597, abs=5e-6)
    assert lat == pytest.approx(44.99804071, abs=5e-6)
    assert datum.gcj02_to_wgs84(183, 45) == (183.0, 45.0)


@pytest.mark.parametrize("lng,lat", [
    (2.3522, 48.8566),     # Paris
    (-74.006, 40.7128),    # New York
    (139.6917, 35.6895),   # Tokyo: east of the 137.8347° edge
    (151.2093, -33.8688),  # Sydney
    (72.0, 30.0),          # just west of the rectangle
])
def test_points_outside_china_are_not_shifted(lng, lat):
    assert datum.wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert datum.gcj02_to_wgs84(lng, lat) == (lng, lat)


def test_haishu_shift_is_a_few_hundred_metres():
    # In Ningbo the published offset is roughly +0.0045° lng, -0.0025° lat (~500 m).
    glng, glat = datum.wgs84_to_gcj02(121.55, 29.87)
    assert 0.003 < glng - 121.55 < 0.006
    assert -0.004 < glat - 29.87 < -0.001


def test_vectorised_matches_scalar():
    lngs = np.array([p[0] for p in PAIRS] + [2.35])
    lats = np.array([p[1] for p in PAIRS] + [48.85])
    glngs, glats = datum.wgs84_to_gcj02(lngs, lats)
    assert isinstance(glngs, np.ndarray) and glngs.shape == lngs.shape
    for i in range(len(lngs)):
        assert (glngs[i], glats[i]) == datum.wgs84_to_gcj02(float(lngs[i]), float(lats[i]))
    wlngs, wlats = datum.gcj02_to_wgs84(glngs, glats)
    assert np.max(np.abs(wlngs - lngs)) < 1e-7
    assert np.max(np.abs(wlats - lats)) < 1e-7


@settings(max_examples=300, deadline=None)
@given(
    lng=st.floats(min_value=73.0, max_value=135.0, allow_nan=False),
    lat=st.floats(min_value=3.9, max_value=53.5, allow_nan=False),
)
def test_round_trip_inside_china(lng, lat):
    glng, glat = datum.wgs84_to_gcj02(lng, lat)
    back = datum.gcj02_to_wgs84(glng, glat)
    assert abs(back[0] - lng) < 1e-7
    assert abs(back[1] - lat) < 1e-7


@settings(max_examples=100, deadline=None)
@given(
    lngs=st.lists(st.floats(min_value=73.0, max_value=135.0), min_size=1, max_size=50),
    lat=st.floats(min_value=3.9, max_value=53.5),
)
def test_round_trip_arrays(lngs, lat):
    lngs = np.array(lngs)
    lats = np.full_like(lngs, lat)
    back_lng, back_lat = datum.gcj02_to_wgs84(*datum.wgs84_to_gcj02(lngs, lats))
    assert np.max(np.abs(back_lng - lngs)) < 1e-7
    assert np.max(np.abs(back_lat - lats)) < 1e-7


def test_to_wgs84_by_crs():
    assert datum.to_wgs84(121.5, 29.8, "wgs84") == (121.5, 29.8)
    assert datum.to_wgs84(121.5, 29.8, "cgcs2000") == (121.5, 29.8)
    assert datum.to_wgs84(121.5, 29.8, "gcj02") == datum.gcj02_to_wgs84(121.5, 29.8)
    assert datum.to_wgs84(121.5, 29.8, "GCJ02") == datum.gcj02_to_wgs84(121.5, 29.8)
    with pytest.raises(ValueError):
        datum.to_wgs84(121.5, 29.8, "bd09")


def test_geometry_converters_keep_structure_and_round_trip():
    poly = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.8]]],
            [[[121.7, 29.8, 5.0], [121.8, 29.8, 5.0], [121.8, 29.9, 5.0], [121.7, 29.8, 5.0]]],
        ],
    }
    gcj = datum.geometry_wgs84_to_gcj02(poly)
    assert gcj["type"] == "MultiPolygon"
    assert len(gcj["coordinates"]) == 2 and len(gcj["coordinates"][0][0]) == 4
    first = gcj["coordinates"][0][0][0]
    assert first == list(datum.wgs84_to_gcj02(121.5, 29.8))
    assert gcj["coordinates"][1][0][0][2] == 5.0  # heights kept
    back = datum.geometry_gcj02_to_wgs84(gcj)
    flat_in = np.array([p[:2] for part in poly["coordinates"] for p in part[0]])
    flat_out = np.array([p[:2] for part in back["coordinates"] for p in part[0]])
    assert np.max(np.abs(flat_in - flat_out)) < 1e-7
    # A point and a collection convert too (inputs from clients are not always polygons).
    pt = datum.geometry_gcj02_to_wgs84({"type": "Point", "coordinates": [121.5, 29.8]})
    assert pt["coordinates"] == list(datum.gcj02_to_wgs84(121.5, 29.8))
    coll = datum.geometry_wgs84_to_gcj02(
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]}
    )
    assert coll["geometries"][0]["coordinates"] == [1.0, 2.0]  # outside China: unchanged


@pytest.mark.parametrize("coords", ["121.5,29.8", [["a", "b"]], 5])
def test_geometry_conversion_rejects_malformed_coordinates(coords):
    with pytest.raises(ValueError, match="nested arrays"):
        datum.geometry_gcj02_to_wgs84({"type": "Polygon", "coordinates": coords})
