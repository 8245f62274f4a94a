"""绩效评价: goal completion per unit is a component of an assessment round."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessment import actions as assessment_actions
from assessment import components, publication
from assessment.models import ComponentSource
from assessment.tests.conftest import PERFECT, answer_all, build_standard
from goals import actions, rollup
from goals.apps import GOALS_SOURCE
from organization.models import UnitKind

from .conftest import DEC31, JAN1, D

JUN30 = datetime.date(2026, 6, 30)


def _done(plan, task, percent, reporter):
    actions.sign_task(reporter, task)
    report = actions.submit_report(reporter, task, period=JUN30, percent=percent, done_text="推进")
    actions.accept_report(plan["office"], report)


@pytest.fixture
def progress(plan):
    """The county leads two tasks: 100% through a sub-task of its own (weight 1) and 20% (weight 3)."""
    office, county_office, goal = plan["office"], plan["county_office"], plan["goal"]
    actions.sign_task(county_office, plan["county_task"])
    inner = actions.add_task(county_office, goal, parent=plan["county_task"], title="县局自办", lead_unit=plan["county"],
                             start_date=JAN1, due_date=JUN30)
    actions.sign_task(county_office, inner)
    actions.accept_report(county_office, actions.submit_report(county_office, inner, period=JUN30, percent="100", done_text="完成"))
    second = actions.add_task(office, goal, title="县局阵地建设", lead_unit=plan["county"], start_date=JAN1, due_date=DEC31, weight="3")
    _done(plan, second, "20", county_office)
    return plan


def test_goal_completion_per_unit_counts_the_tasks_it_leads(progress):
    round_ = type("Round", (), {"period_start": JAN1, "period_end": DEC31})
    scores = rollup.unit_scores(round_, [progress["county"].pk, progress["other_county"].pk])
    # (100 × 1 + 20 × 3) / 4 = 40; the sub-task led by the county itself is counted through its parent.
    assert scores == {progress["county"].pk: D("40.00")}
    next_year = type("Round", (), {"period_start": datetime.date(2027, 1, 1), "period_end": datetime.date(2027, 12, 31)})
    assert rollup.unit_scores(next_year, [progress["county"].pk]) == {}


def test_goals_register_as_a_component_source():
    assert components.get(GOALS_SOURCE).scores is rollup.unit_scores
    assert GOALS_SOURCE in dict(components.choices())


def test_a_round_weighs_goal_completion_at_30_percent(progress):
    office, agency = progress["office"], progress["agency"]
    standard, _ = build_standard(agency)
    round_ = assessment_actions.create_round(
        office, unit=agency, name="2026年度县局考核", standard=standard, period_start=JAN1, period_end=DEC31,
        self_assessment_due=datetime.date(2026, 12, 1), review_due=datetime.date(2026, 12, 20),
    )
    with pytest.raises(ValidationError, match="来源"):
        assessment_actions.set_components(office, round_, [{"name": "其他", "weight": "100", "source": "nonsense"}])
    assessment_actions.set_components(office, round_, [
        {"name": "党建工作考核", "weight": "70", "source": ComponentSource.STANDARD},
        {"name": "目标完成情况", "weight": "30", "source": GOALS_SOURCE},
    ])
    assessment_actions.add_units(office, round_, root=agency, kinds=[UnitKind.SUBORDINATE_UNIT])
    assessment_actions.open_round(office, round_)
    answer_all(office, round_.scorecards.get(unit=progress["county"]), PERFECT)  # 100 by the standard
    answer_all(office, round_.scorecards.get(unit=progress["other_county"]), {**PERFECT, "e": {"occurrences": 2}})  # 90
    outcomes = publication.compute(round_)
    # county: 100 × 0.7 + 40 × 0.3 = 82; the other county leads no task: 90 × 0.7 + 0 × 0.3 = 63
    assert outcomes[progress["county"].pk].own_score == D("82.00")
    assert outcomes[progress["other_county"].pk].own_score == D("63.00")
    # Each component shows on its own in the results, not only inside the total.
    assert outcomes[progress["county"].pk].component_scores[round_.components.get(source=GOALS_SOURCE).pk] == D("40.00")
    from io import BytesIO

    from openpyxl import load_workbook

    from assessment.exports import results_workbook

    ranking = load_workbook(BytesIO(results_workbook(round_)))["排名与等次"]
    rows = list(ranking.iter_rows(values_only=True))
    column = rows[0].index("目标完成情况（百分制）")
    by_unit = {row[1]: row[column] for row in rows[1:]}
    assert by_unit[progress["county"].name] == 40.0 and by_unit[progress["other_county"].name] == 0.0
