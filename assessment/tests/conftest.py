"""A small standard and a round over four sections, built through the actions."""

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from assessment import actions
from mofan.testing.factories import make_person, make_unit
from organization.models import UnitKind
from standard import actions as standard_actions


def build_standard(unit):
    """100 points: 政治过硬 40 (two indicators, one capped below its items' sum), 纪律过硬 60
    (a deduct item, a veto item and a bonus item)."""
    standard = standard_actions.create_standard(None, unit=unit, name="测试评分细则")
    d1 = standard_actions.add_node(None, standard, title="政治过硬", points="40")
    i11 = standard_actions.add_node(None, standard, parent=d1, title="理论学习", points="20")
    nodes = {
        "a": standard_actions.add_node(None, standard, parent=i11, title="第一议题", points="10", method="deduct", per_occurrence="2"),
        "b": standard_actions.add_node(
            None, standard, parent=i11, title="中心组学习", points="10", method="graded", levels="A=100, B=75, C=50, D=0"
        ),
    }
    i12 = standard_actions.add_node(None, standard, parent=d1, title="政治监督", points="20")
    nodes["c"] = standard_actions.add_node(None, standard, parent=i12, title="谈话", points="15", method="pass_fail")
    nodes["d"] = standard_actions.add_node(
        None, standard, parent=i12, title="民主生活会", points="10", method="pass_fail", evidence_required="会议记录"
    )
    d2 = standard_actions.add_node(None, standard, title="纪律过硬", points="60")
    i21 = standard_actions.add_node(None, standard, parent=d2, title="正风肃纪", points="60")
    nodes["e"] = standard_actions.add_node(None, standard, parent=i21, title="违规问题", points="60", method="deduct", per_occurrence="5")
    nodes["f"] = standard_actions.add_node(None, standard, parent=i21, title="严重违纪", points="0", method="veto")
    nodes["g"] = standard_actions.add_node(None, standard, parent=i21, title="受到表彰", points="5", method="bonus")
    standard = standard_actions.publish_standard(None, standard)
    nodes.update(d1=d1, d2=d2, i11=i11, i12=i12, i21=i21)
    return standard, nodes


@pytest.fixture
def coal_center(db):
    """煤炭事务中心 with four sections; its office runs the round, an assessor of the leading group reviews."""
    center = make_unit(name="煤炭事务中心", code="MT", kind=UnitKind.AGENCY)
    sections = {key: make_unit(center, name=name, code=f"MT-{key}") for key, name in
                [("A", "综合股"), ("B", "安全股"), ("C", "规划股"), ("D", "执法股")]}
    office_unit = make_unit(center, name="中心办公室", code="MT-OFF")
    standard, nodes = build_standard(center)
    today = datetime.date(2026, 11, 1)
    office = make_person(office_unit, real_name="刘华", roles=[(Role.OFFICE, center)])
    reviewer = make_person(office_unit, real_name="文成", roles=[(Role.ASSESSOR, center)])
    clerks = {key: make_person(unit, real_name=f"资料员{key}", roles=[(Role.RECORDS_CLERK, unit)]) for key, unit in sections.items()}
    round_ = actions.create_round(
        office, unit=center, name="2026年度股室创建考核", standard=standard,
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        self_assessment_due=today, review_due=today + datetime.timedelta(days=10),
        bonus_cap="3", higher_level_multiplier="2",
    )
    return {
        "center": center, "sections": sections, "standard": standard, "nodes": nodes, "round": round_,
        "office": office, "reviewer": reviewer, "clerks": clerks, "office_unit": office_unit,
    }


def answer_all(actor, scorecard, answers):
    """Self-scores every item of ``scorecard`` from {"a": {...}, …}."""
    for item in scorecard.items.select_related("node", "scorecard__round"):
        key = next(k for k, node in NODES_BY_TITLE.items() if node == item.node.title)
        actions.save_self_score(actor, item, answer=answers[key])


NODES_BY_TITLE = {
    "a": "第一议题", "b": "中心组学习", "c": "谈话", "d": "民主生活会", "e": "违规问题", "f": "严重违纪", "g": "受到表彰",
}

PERFECT = {
    "a": {"occurrences": 0}, "b": {"level": "A"}, "c": {"passed": True}, "d": {"passed": True},
    "e": {"occurrences": 0}, "f": {"vetoed": False}, "g": {"value": "0"},
}


def item(scorecard, key):
    return scorecard.items.select_related("node", "scorecard__round").get(node__title=NODES_BY_TITLE[key])


D = Decimal


@pytest.fixture
def opened(coal_center):
    """The coal center's round under way over its four sections."""
    center = coal_center
    for section in center["sections"].values():
        actions.add_units(center["office"], center["round"], root=section, kinds=[UnitKind.DEPARTMENT])
    actions.open_round(center["office"], center["round"])
    center["cards"] = {key: center["round"].scorecards.get(unit=unit) for key, unit in center["sections"].items()}
    return center


def login(client, user):
    client.force_login(user)
    return client
