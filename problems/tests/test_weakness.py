"""assess → find → fix → reassess: a weakness of a published scorecard becomes a problem in one step."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessment.tests.conftest import item
from assessment.tests.test_round_flow import _run
from problems import actions, origins
from problems.models import ProblemStatus, Source


def test_a_weakness_becomes_a_problem_of_the_unit_on_that_item_and_is_signed_off_by_the_centre(coal_center):
    _results, cards = _run(coal_center)
    card = cards["B"]
    weak = item(card, "d")  # 民主生活会 failed and without its record
    clerk, office = coal_center["clerks"]["B"], coal_center["office"]
    with pytest.raises(PermissionDenied):
        origins.from_weakness(coal_center["clerks"]["A"], weak)
    problem = origins.from_weakness(clerk, weak)
    assert (problem.unit, problem.node, problem.source, problem.origin_item) == (card.unit, weak.node, Source.ASSESSMENT, weak)
    assert problem.title == f"“{weak.node.title}”失分" and problem.description  # a shortfall, not the requirement
    assert origins.problems_of_items(card.items.all()) == {weak.pk: [problem]}
    with pytest.raises(ValidationError):
        origins.from_weakness(clerk, weak)
    with pytest.raises(ValidationError):  # a full-marks item of A is no weakness
        origins.from_weakness(office, item(cards["A"], "a"))

    actions.analyse(office, problem, root_cause="民主生活会会前准备不足，记录未归档")
    measure = actions.add_measure(office, problem, text="补开专题民主生活会并归档记录", unit=card.unit, deadline=datetime.date(2026, 12, 20))
    actions.report_progress(office, measure, text="已补开并归档", done=True)
    actions.submit_for_verification(office, problem)
    actions.sign_off(office, problem)  # the centre's office is above the section
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SIGNED_OFF
