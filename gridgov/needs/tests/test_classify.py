"""The classifier on real-looking texts with known answers."""

import pytest

from gridgov.needs.classify import CategoryTerms, Classifier, classifier, mask_text, negated
from gridgov.needs.vocabulary import CATEGORIES


def _offline() -> Classifier:
    """The seeded vocabulary, without the database (ids = positions)."""
    return Classifier([CategoryTerms(n, code, tuple(words), tuple(needs))
                       for n, (code, _name, _d, words, needs, _g) in enumerate(CATEGORIES)])


CLF = _offline()
CODE = {n: c[0] for n, c in enumerate(CATEGORIES)}


def codes(text, needs=()):
    return sorted(CODE[i] for i in CLF.categories(text, needs))


@pytest.mark.parametrize(("text", "expected"), [
    # 12345 / 81890 hotline phrasing
    ("市民来电反映:楼上卫生间漏水到家里,找物业多次未处理,要求尽快维修。", ["housing"]),
    ("来电人反映小区东门垃圾桶满溢,夏天臭味很大,希望增加清运次数。", ["environment"]),
    ("来电咨询:父亲今年满80周岁,高龄补贴怎么申请,需要带什么材料?", ["policy"]),
    ("市民反映隔壁饭店油烟直排,晚上噪音扰民,影响休息。", ["environment"]),
    ("来电人称家中老人独居,腿脚不便,无人照顾,希望社区帮忙联系助餐服务。",
     ["eldercare", "medical"]),
    ("反映孩子明年入学,户口不在学区,咨询如何办理入学手续。", ["education", "policy"]),
    ("来电反映所在公司拖欠工资三个月,要求帮助讨薪。", ["employment"]),
    ("楼道里有人飞线充电,存在消防安全隐患。", ["safety"]),
    ("邻里之间因为漏水问题吵架,请社区调解。", ["dispute", "housing"]),
    # visit notes
    ("老人身体状况良好,生活能自理,家中整洁。", []),
    ("检查了燃气灶和电线,无安全隐患。", []),
    ("血压偏高,已提醒按时服药,子女每周来看望。", ["medical"]),
    ("情绪稍低落,陪聊半小时,建议社区心理志愿者回访。", ["psychological"]),
    ("家里经济困难,暂无其他需求。", ["hardship"]),
    ("暂无困难,未发现漏水。", []),
])
def test_known_texts(text, expected):
    assert codes(text) == expected


def test_ticked_visit_needs_count_without_words():
    assert codes("老人身体状况良好。", ["hardship", "care"]) == ["eldercare", "hardship"]
    assert codes("", ["policy", "unknown"]) == ["policy"]


def test_negation_only_within_the_clause():
    text = "无异常,燃气泄漏报警器响了"
    assert not negated(text, text.index("燃气泄漏"))
    assert CLF.matched("没有安全隐患") == []
    assert CLF.matched("未就业,想找工作") == ["就业", "找工作"]


def test_masking_keeps_no_phone_id_or_name():
    text = mask_text("赵桂英来电,电话13905741234,身份证330203194501011234,王阿姨也说漏水",
                     names=("赵桂英",))
    assert "13905741234" not in text and "330203194501011234" not in text
    assert "赵桂英" not in text and "王阿姨" not in text
    assert "139****1234" in text and "某阿姨" in text and "漏水" in text
    assert len(mask_text("漏水" * 200)) == 120


@pytest.mark.django_db
def test_seeded_vocabulary_is_the_classifier_of_the_database():
    clf = classifier()
    assert len(clf.terms) == len(CATEGORIES)
    found = {t.code for t in clf.terms if t.id in clf.categories("物业不管,电梯坏了")}
    assert found == {"housing"}
    assert classifier() is clf  # unchanged vocabulary: the same automaton
