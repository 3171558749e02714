"""A deep data catalog: departments' resources published through
``gridgov.sharing.actions.publish_resource`` (one audit record each, as on a real install)
until ``count`` are listed to anonymous clients, so that CKAN's ``package_search`` can be
paged 1,000 deep.
Most are shared without condition (listed to anonymous CKAN clients), the rest conditional.
"""

import random

from gridgov.accounts.models import Department
from gridgov.sharing import actions
from gridgov.sharing.models import Resource

SUBJECTS = ("养老服务", "低保救助", "住房保障", "市容巡查", "垃圾分类", "违法建筑", "河道水质",
            "消防设施", "学校名录", "医疗机构", "停车泊位", "公交站点", "文化场馆", "体育设施",
            "企业登记", "个体工商户", "食品经营许可", "安全生产检查", "地名地址", "路灯设施")
KINDS = ("名录", "台账", "统计表", "分布", "月报", "检查记录", "许可信息")
STRING = "string"


def _spec(rng, n: int) -> dict:
    """The metadata of generated resource ``n``."""
    subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
    conditional = rng.random() < 0.2
    return {
        "name": f"{subject}{kind}(第{n}批)", "category": str(rng.randrange(1, 5)),
        "item": f"{rng.randrange(1, 10):02d}", "catalog": f"{rng.randrange(1, 20):03d}",
        "abstract": f"海曙区{subject}{kind},按{rng.choice(('街道', '社区', '网格'))}汇总。",
        "format": rng.choice(("table", "database", "api")),
        "update_cycle": rng.choice(("daily", "weekly", "monthly", "quarterly")),
        "sharing_type": "conditional" if conditional else "unconditional",
        "sharing_condition": "用于履行法定职责,按最小必要原则申请字段。" if conditional else "",
        "sharing_method": rng.choice(("api", "file")),
        "open_attribute": "conditional" if conditional else "open",
        "tags": [subject, kind], "groups": [rng.choice(("population", "legal_person",
                                                         "spatial", "credit"))],
        "fields": [{"name": "name", "label": "名称", "type": STRING},
                   {"name": "address", "label": "地址", "type": STRING}],
    }


def _public_count() -> int:
    """Published resources an anonymous CKAN client lists (``protocols.ckan.params``)."""
    from gridgov.protocols.ckan.params import PUBLIC_Q

    return Resource.objects.filter(PUBLIC_Q, is_published=True).count()


def publish(count: int, seed: int) -> int:
    """Publish generated resources until ``count`` are listed to anonymous CKAN clients (the
    conditional ones drawn on the way come on top); the number added."""
    public = _public_count()
    if public >= count:
        return 0
    rng = random.Random(f"{seed}-resources-{Resource.objects.count()}")
    providers = list(Department.objects.filter(code__startswith="D").order_by("code"))
    added, n = 0, Resource.objects.count()
    while public < count:
        n += 1
        spec = _spec(rng, n)
        actions.publish_resource(provider=providers[n % len(providers)], actor=None, **spec)
        public += spec["sharing_type"] == "unconditional"
        added += 1
    return added
