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
]
