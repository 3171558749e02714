"""The departments of the Haishu demo district.

35 district party and government departments (codes D001–D035, area = the district) with the
names the district uses in daily work (区公安分局, 区综合行政执法局, 区市场监管局 ...), and the 17
street-level offices (code ``S`` + the unit's 9-digit area code, area = that unit), which take
part in dispatch like any department. Names are real kinds of office; phone numbers are left
empty rather than invented.
"""

from .generate import UNIT_CODES

# (code, name, short name, kind)
DISTRICT_DEPARTMENTS = [
    # 党委部门
    ("D001", "区委办", "区委办", "party"),
    ("D002", "区纪委区监委", "纪委监委", "party"),
    ("D003", "区委组织部", "组织部", "party"),
    ("D004", "区委宣传部", "宣传部", "party"),
    ("D005", "区委统战部", "统战部", "party"),
    ("D006", "区委政法委", "政法委", "party"),
    ("D007", "区委社会工作部", "社工部", "party"),
    ("D008", "区委编办", "编办", "party"),
    ("D009", "区委网信办", "网信办", "party"),
    # 政府部门
    ("D010", "区政府办", "区府办", "government"),
    ("D011", "区发改局", "发改", "government"),
    ("D012", "区教育局", "教育", "government"),
    ("D013", "区科技局", "科技", "government"),
    ("D014", "区经信局", "经信", "government"),
    ("D015", "区公安分局", "公安", "government"),
    ("D016", "区民政局", "民政", "government"),
    ("D017", "区司法局", "司法", "government"),
    ("D018", "区财政局", "财政", "government"),
    ("D019", "区人力社保局", "人社", "government"),
    ("D020", "区自然资源规划分局", "资规", "government"),
    ("D021", "区生态环境分局", "生态环境", "government"),
    ("D022", "区住建局", "住建", "government"),
    ("D023", "区交通运输局", "交通", "government"),
    ("D024", "区农业农村局", "农业农村", "government"),
    ("D025", "区水利局", "水利", "government"),
    ("D026", "区商务局", "商务", "government"),
    ("D027", "区文广旅体局", "文广旅体", "government"),
    ("D028", "区卫健局", "卫健", "government"),
    ("D029", "区退役军人事务局", "退役军人", "government"),
    ("D030", "区应急管理局", "应急", "government"),
    ("D031", "区审计局", "审计", "government"),
    ("D032", "区市场监管局", "市场监管", "government"),
    ("D033", "区医保分局", "医保", "government"),
    ("D034", "区综合行政执法局", "综合执法", "government"),
    ("D035", "区信访局", "信访", "government"),
]


def street_office_name(unit_name: str) -> str:
    """鼓楼街道 → 鼓楼街道办事处; 高桥镇 → 高桥镇人民政府; 龙观乡 → 龙观乡人民政府."""
    if unit_name.endswith("街道"):
        return f"{unit_name}办事处"
    return f"{unit_name}人民政府"


def street_offices() -> list[tuple[str, str, str, str, str]]:
    """(code, name, short name, kind, area code) of the 17 street/town/township offices."""
    return [
        (f"S{code}", street_office_name(name), name, "street", code)
        for name, code in sorted(UNIT_CODES.items(), key=lambda item: item[1])
    ]


def all_departments() -> list[tuple[str, str, str, str, str]]:
    """Every demo department as (code, name, short name, kind, area code), district first."""
    from .generate import DISTRICT_CODE

    district = [(code, name, short, kind, DISTRICT_CODE)
                for code, name, short, kind in DISTRICT_DEPARTMENTS]
    return district + street_offices()
