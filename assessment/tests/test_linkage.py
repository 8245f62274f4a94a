"""Three-level linkage (三级联动): weighted components, a parent's share of its children, bonus
above full marks when the round allows it, and quotas as a share of peers."""

import pytest
from django.core.exceptions import ValidationError

from assessment import actions, publication
from assessment.models import ComponentSource
from organization.models import UnitKind

from .conftest import PERFECT, D, answer_all


def _open_with(center, kinds, root=None):
    round_, office = center["round"], center["office"]
    actions.add_units(office, round_, root=root or center["center"], kinds=kinds)
    actions.open_round(office, round_)
    return round_


def test_components_weigh_the_standard_against_entered_scores(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.set_components(office, round_, [
        {"name": "党建工作考核", "weight": "60", "source": ComponentSource.STANDARD},
        {"name": "领导班子年度考核", "weight": "30", "source": ComponentSource.ENTERED},
        {"name": "纪检考核", "weight": "10", "source": ComponentSource.ENTERED},
    ])
    section = coal_center["sections"]["A"]
    _open_with(coal_center, [UnitKind.DEPARTMENT], root=section)
    team, discipline = round_.components.filter(source=ComponentSource.ENTERED).order_by("position")
    actions.enter_component_score(office, team, unit=section, score="85")
    actions.enter_component_score(office, discipline, unit=section, score="70")
    card = round_.scorecards.get()
    answer_all(coal_center["clerks"]["A"], card, {**PERFECT, "e": {"occurrences": 2}})  # 90 by the standard
    outcome = publication.compute(round_)[section.pk]
    # 90 × 0.6 + 85 × 0.3 + 70 × 0.1 = 54 + 25.5 + 7 = 86.5
    assert outcome.standard_score == D("90.00") and outcome.own_score == D("86.50") and outcome.total == D("86.50")


def test_weights_must_add_up_to_100(coal_center):
    with pytest.raises(ValidationError, match="100"):
        actions.set_components(coal_center["office"], coal_center["round"], [
            {"name": "党建工作考核", "weight": "60"}, {"name": "纪检考核", "weight": "30", "source": "entered"},
        ])
    assert not coal_center["round"].components.exists()


def test_a_parent_result_takes_its_share_of_the_children(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.update_round(office, round_, children_share="40")
    _open_with(coal_center, [UnitKind.AGENCY, UnitKind.DEPARTMENT])
    clerks, center = coal_center["clerks"], coal_center["center"]
    scores = {"A": 0, "B": 2, "C": 4, "D": 6}  # violations × 5: 100, 90, 80, 70 → mean 85
    for key, count in scores.items():
        card = round_.scorecards.get(unit=coal_center["sections"][key])
        answer_all(clerks[key], card, {**PERFECT, "e": {"occurrences": count}})
    answer_all(office, round_.scorecards.get(unit=center), {**PERFECT, "e": {"occurrences": 1}})  # 95
    outcomes = publication.compute(round_)
    # The office's own section is a child too; it has answered nothing, so it counts 0.
    office_section = outcomes[coal_center["office_unit"].pk].total
    assert office_section == 0
    children_mean = (D("100") + D("90") + D("80") + D("70") + office_section) / 5
    expected = (D("95") * D("0.6") + children_mean * D("0.4")).quantize(D("0.01"))
    assert outcomes[center.pk].children_score == children_mean.quantize(D("0.01"))
    assert outcomes[center.pk].total == expected
    # The center is ranked among its own peers (it has none), not with its sections.
    assert outcomes[center.pk].rank == 1 and outcomes[center.pk].peer_count == 1


def test_bonus_passes_full_marks_only_when_the_round_allows(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    section = coal_center["sections"]["A"]
    _open_with(coal_center, [UnitKind.DEPARTMENT], root=section)
    answer_all(coal_center["clerks"]["A"], round_.scorecards.get(), {**PERFECT, "g": {"value": "5"}})
    assert publication.compute(round_)[section.pk].total == D("100.00")
    actions.update_round(office, round_, allow_over_full_marks=True)
    assert publication.compute(round_)[section.pk].total == D("103.00")  # bonus cap 3
    actions.update_round(office, round_, bonus_cap="")
    assert publication.compute(round_)[section.pk].total == D("105.00")


def test_a_percent_quota_among_peers(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.set_grades(office, round_, [
        {"name": "优秀", "min_score": 90, "quota_percent": 50},
        {"name": "合格", "min_score": 0},
    ])
    for section in coal_center["sections"].values():
        actions.add_units(office, round_, root=section, kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    for key, count in {"A": 0, "B": 1, "C": 1, "D": 3}.items():  # 100, 95, 95, 85
        card = round_.scorecards.get(unit=coal_center["sections"][key])
        answer_all(coal_center["clerks"][key], card, {**PERFECT, "e": {"occurrences": count}})
    outcomes = publication.compute(round_)
    grades = {key: outcomes[unit.pk].grade.name for key, unit in coal_center["sections"].items()}
    # 50% of 4 peers = 2 places; B and C tie at 95 on the cut-off, so only A keeps 优秀.
    assert grades == {"A": "优秀", "B": "合格", "C": "合格", "D": "合格"}


def test_grades_must_fall_and_end_at_zero(coal_center):
    office, round_ = coal_center["office"], coal_center["round"]
    with pytest.raises(ValidationError):
        actions.set_grades(office, round_, [{"name": "优秀", "min_score": 80}, {"name": "良好", "min_score": 90}])
    with pytest.raises(ValidationError, match="0"):
        actions.set_grades(office, round_, [{"name": "优秀", "min_score": 90}, {"name": "良好", "min_score": 60}])
    assert list(round_.grades.values_list("name", flat=True)) == ["优秀", "良好", "一般", "较差"]
