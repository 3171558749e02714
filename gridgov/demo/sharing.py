"""Demo data of the data resource centre: the platform's built-in resources (people by
区民政局, houses by 区住建局, organisations by 区市场监管局), a handful of department resources
in all three sharing classes, one pending request and one grant. Idempotent: resources are
recognised by provider and name, the request and grant by resource and consumer.
"""

import csv
import io

from gridgov.accounts.models import Department, User
from gridgov.sharing import actions
from gridgov.sharing.models import Grant, Resource, ShareRequest
from gridgov.sharing.registry import builtins

BUILTIN_META = {
    "people": {"groups": ["population"], "tags": ["实有人口", "一次采集"],
               "category": "1", "item": "01", "catalog": "001"},
    "houses": {"groups": ["spatial"], "tags": ["实有房屋"],
               "category": "1", "item": "02", "catalog": "001"},
    "organisations": {"groups": ["legal_person"], "tags": ["实有单位"],
                      "category": "1", "item": "03", "catalog": "001"},
}

STRING = "string"
RESOURCES = [
    {
        "provider": "D016", "name": "养老服务机构名录", "category": "2", "item": "05",
        "catalog": "001",
        "abstract": "辖区养老院、居家养老服务中心的名称、地址、床位数和联系电话。",
        "format": "table", "update_cycle": "quarterly", "sharing_type": "unconditional",
        "sharing_method": "api", "open_attribute": "open", "tags": ["养老", "民政"],
        "groups": ["legal_person"],
        "fields": [
            {"name": "name", "label": "机构名称", "type": STRING},
            {"name": "address", "label": "地址", "type": STRING},
            {"name": "beds", "label": "床位数", "type": "integer"},
            {"name": "phone", "label": "联系电话", "type": STRING},
        ],
        "rows": [
            {"name": f"海曙区{street}居家养老服务中心", "address": f"海曙区{street}",
             "beds": beds, "phone": ""}
            for street, beds in (("鼓楼街道", 30), ("南门街道", 45), ("西门街道", 24),
                                 ("白云街道", 36), ("段塘街道", 28))
        ],
    },
    {
        "provider": "D016", "name": "高龄津贴发放名单", "category": "2", "item": "05",
        "catalog": "002", "abstract": "按月发放高龄津贴的老人名单与发放月份,用于免申即享核对。",
        "format": "database", "update_cycle": "monthly", "sharing_type": "conditional",
        "sharing_condition": "用于履行法定职责的核对与走访,按最小必要原则申请字段。",
        "sharing_method": "api", "tags": ["高龄", "津贴", "免申即享"], "groups": ["population"],
        "fields": [
            {"name": "name", "label": "姓名", "type": STRING},
            {"name": "id_number", "label": "身份证号", "type": STRING, "sensitive": True},
            {"name": "grid_code", "label": "网格编码", "type": STRING},
            {"name": "month", "label": "发放月份", "type": STRING},
        ],
        "rows": [],
    },
    {
        "provider": "D015", "name": "重点人员管控信息", "category": "3", "item": "01",
        "catalog": "001", "abstract": "公安机关依法掌握的重点人员管控信息。",
        "format": "database", "update_cycle": "realtime", "sharing_type": "not_shared",
        "legal_basis": "《中华人民共和国人民警察法》《公安机关办理刑事案件程序规定》",
        "sharing_method": "api", "tags": ["公安"], "groups": ["population"],
        "fields": [
            {"name": "name", "label": "姓名", "type": STRING},
            {"name": "id_number", "label": "身份证号", "type": STRING, "sensitive": True},
        ],
        "rows": [],
    },
    {
        "provider": "D034", "name": "违法建筑处置台账", "category": "4", "item": "02",
        "catalog": "001", "abstract": "违法建筑的位置、认定时间、处置状态。",
        "format": "table", "update_cycle": "weekly", "sharing_type": "conditional",
        "sharing_condition": "用于规划、住建和街道的联合处置。", "sharing_method": "api",
        "tags": ["违建", "城市管理"], "groups": ["spatial"],
        "fields": [
            {"name": "address", "label": "位置", "type": STRING},
            {"name": "found_on", "label": "认定日期", "type": "date"},
            {"name": "state", "label": "处置状态", "type": STRING},
        ],
        "rows": [
            {"address": "海曙区鼓楼街道公园路某号", "found_on": "2026-03-02", "state": "已拆除"},
            {"address": "海曙区南门街道某小区屋顶", "found_on": "2026-05-18", "state": "整改中"},
        ],
    },
    {
        "provider": "D032", "name": "食品经营许可证信息", "category": "5", "item": "01",
        "catalog": "003", "abstract": "食品经营许可证编号、经营者名称、有效期(电子证照)。",
        "format": "database", "update_cycle": "daily", "sharing_type": "unconditional",
        "sharing_method": "api", "open_attribute": "open", "tags": ["电子证照", "食品安全"],
        "groups": ["license", "credit"],
        "fields": [
            {"name": "licence_no", "label": "许可证编号", "type": STRING},
            {"name": "operator", "label": "经营者名称", "type": STRING},
            {"name": "valid_until", "label": "有效期至", "type": "date"},
        ],
        "rows": [],
    },
]


def _publish(spec, departments) -> tuple[Resource, bool]:
    spec = dict(spec)
    rows = spec.pop("rows")
    provider = departments[spec.pop("provider")]
    existing = Resource.objects.filter(provider=provider, name=spec["name"]).first()
    if existing is not None:
        return existing, False
    resource = actions.publish_resource(provider=provider, actor=None, **spec)
    if rows:
        # Through the same upload action a department uses, so the rows are checked and audited.
        names = [f["name"] for f in spec["fields"]]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(names)
        writer.writerows([row.get(name, "") for name in names] for row in rows)
        result = actions.upload_rows(resource, out.getvalue(), actor=None)
        if result["rejected"]:
            raise RuntimeError(f"demo rows of {resource.name} rejected: {result['rejected']}")
    return resource, True


def load(*, stdout=None) -> dict:
    """Publish the demo resources, one pending request and one grant (idempotent)."""
    created = 0
    for builtin in builtins():
        if not Resource.objects.filter(builtin_key=builtin.key).exists():
            actions.publish_builtin(builtin.key, actor=None, **BUILTIN_META.get(builtin.key, {}))
            created += 1
    departments = {d.code: d for d in Department.objects.filter(
        code__in={spec["provider"] for spec in RESOURCES})}
    resources = {}
    for spec in RESOURCES:
        resource, new = _publish(spec, departments)
        resources[spec["name"]] = resource
        created += new
    zhifa_admin = User.objects.filter(username="deptadmin_zhifa").first()
    requests = grants = 0
    if zhifa_admin is not None:
        # 综合执法 applies for the pension list (pending with 区民政局) and uses the care-home
        # directory (unconditional: granted at once).
        pension = resources["高龄津贴发放名单"]
        if not ShareRequest.objects.filter(resource=pension,
                                           consumer=zhifa_admin.department).exists():
            actions.request_share(
                pension, purpose="核对违建当事人是否为高龄独居老人,以便上门时安排社工陪同。",
                fields=["name", "grid_code"], actor=zhifa_admin)
            requests += 1
        homes = resources["养老服务机构名录"]
        if not Grant.objects.filter(resource=homes, consumer=zhifa_admin.department).exists():
            actions.request_share(homes, purpose="消防与违建联合检查的对象清单。",
                                  fields=["name", "address", "beds"], actor=zhifa_admin)
            grants += 1
    if stdout is not None:
        stdout.write(f"数据资源 sharing: {created} resources, {requests} requests, "
                     f"{grants} grants created\n")
    return {"resources_created": created, "requests_created": requests,
            "grants_created": grants}
