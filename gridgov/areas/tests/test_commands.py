"""``gridgov areas check`` and ``gridgov areas lookup``."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gridgov.areas import datum
from gridgov.areas.models import Area

from .conftest import C, D, S, square


def run(*args):
    out = StringIO()
    call_command("areas", *args, stdout=out)
    return out.getvalue()


def test_check_reports_gaps_per_area(tgrids):
    out = run("check", "--code", D, "--details")
    lines = out.splitlines()
    community = next(line for line in lines if line.startswith(C))
    assert "下级 3 个" in community and "缺口 1 处" in community and "重叠 0 处" in community
    # The street's one community leaves the north half open; the district, the east half.
    assert any(line.startswith(S) and "缺口 1 处" in line for line in lines)
    assert any(line.startswith(D + " ") and "缺口 1 处" in line for line in lines)
    assert "100.015000, 30.005000" in out  # where the community's gap is
    assert lines[-1].startswith("共检查 3 个区域")


def test_check_fails_on_overlap(tcommunity, tgrids):
    # A bad row written behind the actions' back, as a broken import might.
    Area.objects.create(
        code=f"{C}004", name="重叠", level="grid", kind="basic", parent=tcommunity,
        geometry=square(100.005, 30.0, 100.02, 30.01), area_m2=1.0, centroid_lng=100.01,
        centroid_lat=30.005, valid_from=dt.date(2020, 1, 1),
    )
    with pytest.raises(CommandError) as exc:
        run("check", "--code", S)
    assert exc.value.returncode == 1
    assert "重叠 1 处" in str(exc.value)


def test_check_unknown_code(db):
    with pytest.raises(CommandError):
        run("check", "--code", "990199")


def test_lookup_prints_the_grid_and_its_chain(tgrids):
    out = run("lookup", "100.005", "30.015")
    assert out.splitlines()[0] == f"{tgrids[0].code} 一网格"
    assert "测试区(990101) / 测试街道" in out
    glng, glat = datum.wgs84_to_gcj02(100.015, 30.015)
    out = run("lookup", str(glng), str(glat), "--crs", "gcj02")
    assert out.startswith(tgrids[1].code)


def test_lookup_outside(tgrids):
    with pytest.raises(CommandError) as exc:
        run("lookup", "100.015", "30.005")
    assert "该位置不在本辖区范围内" in str(exc.value) and exc.value.returncode == 1
