"""A record's change log and field provenance read in words: field names, choice labels and
related names, local times (the stored instants are UTC)."""

import datetime as dt

import pytest
from django.urls import reverse

from gridgov.basedata import actions
from gridgov.basedata.models import ChangeRecord

pytestmark = pytest.mark.django_db


def test_change_log_and_provenance_show_names_and_local_times(client_as, grid_worker,
                                                               person):
    actions.update_person(person, actor=grid_worker, address="测试路2号")
    stamp = dt.datetime(2026, 3, 1, 2, 5, tzinfo=dt.UTC)  # 10:05 in Asia/Shanghai
    ChangeRecord.objects.filter(object_id=person.pk).update(at=stamp)
    prov = dict(person.__class__.objects.get(pk=person.pk).provenance)
    prov["address"] = {**prov["address"], "at": stamp.isoformat()}
    person.__class__.objects.filter(pk=person.pk).update(provenance=prov)

    html = client_as(grid_worker).get(reverse("basedata:person", args=[person.pk])
                                      ).content.decode()
    section = html[html.index('id="gg-bd-history"'):]
    # Keys by their field names, the grid by its name, not its id.
    assert "<code>address</code>" not in html and "<code>grid</code>" not in html
    assert "居住地址:测试路1号 → 测试路2号" in section
    assert person.grid.name in section
    assert "2026-03-01 10:05" in html and "2026-03-01T02:05" not in html
    # Provenance: source by its label, the key by its field's name.
    assert "网格员采集" in html and ">grid_worker<" not in html
    assert ">id_number<" not in html and "身份证号" in html
