"""The demo users: one or more per role, each with an area and, where the role needs it, a
department. Every demo user signs in with ``DEMO_PASSWORD``; the three administrators also need
a TOTP code from their fixed secret in ``DEMO_TOTP_SECRETS`` (any authenticator app, or
``python -c "import pyotp; print(pyotp.TOTP('SECRET').now())"``).

These credentials are public by design: the demo is for trying GridGov, never for real data.
"""

DEMO_PASSWORD = "Haishu#2026"

# Fixed base32 TOTP secrets of the three administrators (等保 "三员"), so the printed demo
# logins and the tests can compute their codes.
DEMO_TOTP_SECRETS = {
    "sysadmin": "WP6MF3QBNACY4T5Z57HUB6SYTLJ2BW2A",
    "secadmin": "57GYQY5A2XALYKSM4MA46AMLTTDXQ4D4",
    "auditadmin": "EV3TJ7LVZMPH6NCVKX2DXM6P4UK55DS2",
}

# Area codes the demo users hold their roles in (see generate.py for how codes are given).
DISTRICT = "330203"
GULOU_STREET = "330203005"
GULOU_COMMUNITY = "330203005001"
GULOU_GRID = "330203005001001"
GULOU_GRID2 = "330203005001002"
# The first grid of the first village (village codes start at 201) of 高桥镇.
GAOQIAO_GRID = "330203101201001"

# username, real name (generated), role, area code, department code or None, mobile (fake,
# in the 138-0000 test range)
DEMO_USERS = [
    ("gw_gulou", "王丽娟", "grid_worker", GULOU_GRID, None, "13800000001"),
    ("gw_gulou2", "陈建国", "grid_worker", GULOU_GRID2, None, "13800000002"),
    ("gw_gaoqiao", "周海燕", "grid_worker", GAOQIAO_GRID, None, "13800000003"),
    ("gc_gulou", "李秀英", "grid_chief", GULOU_COMMUNITY, None, "13800000004"),
    ("gi_gulou", "张伟", "grid_instructor", GULOU_COMMUNITY, None, "13800000005"),
    ("clerk_gulou", "刘敏", "intake_clerk", GULOU_STREET, None, "13800000006"),
    ("shift_gulou", "孙志强", "shift_leader", GULOU_STREET, None, "13800000007"),
    ("dispatch_gulou", "徐静", "dispatcher", GULOU_STREET, None, "13800000008"),
    ("leader_gulou", "沈国平", "leader", GULOU_STREET, None, "13800000009"),
    ("leader_district", "俞明华", "leader", DISTRICT, None, "13800000010"),
    ("handler_zhifa", "胡建军", "dept_handler", DISTRICT, "D034", "13800000011"),
    ("deptadmin_zhifa", "邵文斌", "dept_admin", DISTRICT, "D034", "13800000012"),
    ("data_minzheng", "林晓燕", "data_officer", DISTRICT, "D016", "13800000013"),
    ("sysadmin", "蒋立新", "sys_admin", DISTRICT, None, "13800000014"),
    ("secadmin", "应佳琪", "sec_admin", DISTRICT, None, "13800000015"),
    ("auditadmin", "董慧敏", "audit_admin", DISTRICT, None, "13800000016"),
    # 党建 (issue 14): the party secretaries of the Gulou community and street, and a party
    # member with an account in the Gulou grid (phones after the street staff's).
    ("party_gulou", "楼建华", "party_secretary", GULOU_COMMUNITY, None, "13800000050"),
    ("party_street", "叶红梅", "party_secretary", GULOU_STREET, None, "13800000051"),
    ("member_gulou", "谢志远", "party_member", GULOU_GRID, None, "13800000052"),
    # 视频资源 (issue 15): the data officer of 区公安分局, who keeps its cameras and grants them.
    ("data_gongan", "郑国栋", "data_officer", DISTRICT, "D015", "13800000053"),
]

# Every other street, town and township has its own leader (领导) and dispatcher (派遣员), so
# each of the 17 command rooms can be tried with its own data: (user name suffix, area code,
# leader's name, dispatcher's name). 鼓楼 has its full set of roles above.
STREET_STAFF = [
    ("nanmen", "330203001", "吴建平", "郑晓红"),
    ("jiangxia", "330203002", "周立军", "黄佳怡"),
    ("ximen", "330203003", "钱海涛", "杨雪梅"),
    ("yuehu", "330203004", "冯志刚", "何丽萍"),
    ("baiyun", "330203006", "陆振华", "曹美玲"),
    ("duantang", "330203007", "蔡永康", "范晓雯"),
    ("wangchun", "330203008", "袁国庆", "邱雅琴"),
    ("shiqi", "330203009", "葛建明", "汪燕青"),
    ("gaoqiao", "330203101", "施伟东", "金晓丽"),
    ("hengjie", "330203102", "毛德明", "罗春燕"),
    ("jishigang", "330203103", "史海波", "严丽君"),
    ("gulin", "330203104", "鲍国强", "任佳琳"),
    ("dongqiao", "330203105", "虞志华", "潘秀芳"),
    ("yinjiang", "330203106", "翁建国", "卢晓燕"),
    ("zhangshui", "330203107", "贺明辉", "姚丽娜"),
    ("longguan", "330203201", "戴永平", "江美华"),
]


def _street_users() -> list[tuple]:
    """The leader and the dispatcher of every street but 鼓楼 (phones 138-0000-0017 on)."""
    rows = []
    for i, (slug, code, leader, dispatcher) in enumerate(STREET_STAFF):
        rows.append((f"leader_{slug}", leader, "leader", code, None, f"138000000{17 + 2 * i:02d}"))
        rows.append((f"dispatch_{slug}", dispatcher, "dispatcher", code, None,
                     f"138000000{18 + 2 * i:02d}"))
    return rows


DEMO_USERS += _street_users()
