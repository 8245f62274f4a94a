"""The demo's standard and assessment round, as the coal affairs centre's speech describes them:
the sections self-assess against the standard, the leading group reviews, results count for the
year-end awards. The round is left under way, with sections at every step, so each demo login
has something to do. Built through the actions; a second run finds the round and writes nothing.
"""

import datetime

from django.core.management import call_command

from accounts.models import User
from assessment import actions
from assessment.models import Round
from organization.models import Unit, UnitKind
from standard.models import Method, Standard, StandardStatus

from . import data

ROUND_NAME = "2026年度股室模范机关创建考核"

# Per section code: how far it got, and how it answered (a share of items with a shortfall).
PROGRESS = {
    f"{data.COAL}-AQ": ("reviewed", 0.10),
    f"{data.COAL}-HY": ("submitted", 0.20),
    f"{data.COAL}-JS": ("returned", 0.15),
    f"{data.COAL}-GH": ("half", 0.25),
}
RETURN_REASON = "“三会一课”记录与佐证材料不一致，请核实第2.3项后重新提交。"


def ensure_standards():
    """The default five-excellences standard, published for both demo agencies."""
    for code in (data.TOBACCO, data.COAL):
        call_command("load_default_standard", unit=code, verbosity=0)


def _answer(node, shortfall: bool):
    """A deterministic answer: full marks, or a modest shortfall on chosen items."""
    if node.method == Method.DEDUCT:
        return {"occurrences": 1 if shortfall else 0}
    if node.method == Method.GRADED:
        return {"level": node.levels[1]["code"] if shortfall else node.levels[0]["code"]}
    if node.method == Method.PASS_FAIL:
        return {"passed": not shortfall}
    if node.method == Method.BONUS:
        return {"value": str(min(node.points, 1)) if shortfall else "0"}
    return {"vetoed": False}


def _fill(actor, scorecard, share, *, upto=None):
    items = list(scorecard.items.select_related("node", "scorecard__round").order_by("node__number"))
    every = max(1, round(1 / share)) if share else 0
    for index, item in enumerate(items[:upto] if upto else items):
        actions.save_self_score(actor, item, answer=_answer(item.node, bool(every) and index % every == every - 1))


def ensure_round(today=None):
    """The coal centre's round over its sections, or nothing when it is there already."""
    centre = Unit.objects.get(code=data.COAL)
    if Round.objects.filter(unit=centre, name=ROUND_NAME).exists():
        return 0
    standard = Standard.objects.filter(unit=centre, status=StandardStatus.PUBLISHED).order_by("-version").first()
    office = User.objects.get(username="liuhua")
    reviewer = User.objects.get(username="wencheng")
    round_ = actions.create_round(
        office, unit=centre, name=ROUND_NAME, standard=standard,
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31),
        self_assessment_due=datetime.date(2026, 12, 15), review_due=datetime.date(2026, 12, 25),
        bonus_cap="5", higher_level_multiplier="2", appeal_days=5,
    )
    actions.set_grades(office, round_, [
        {"name": "优秀", "min_score": 90, "quota_percent": 30, "pay_coefficient": "1.2", "award_eligible": True},
        {"name": "良好", "min_score": 80, "pay_coefficient": "1.1"},
        {"name": "一般", "min_score": 60, "pay_coefficient": "1.0"},
        {"name": "较差", "min_score": 0, "pay_coefficient": "0.9"},
    ])
    actions.add_units(office, round_, root=centre, kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    for code, (step, share) in PROGRESS.items():
        scorecard = round_.scorecards.get(unit__code=code)
        head = User.objects.filter(unit=scorecard.unit, grants__role="department_head").first()
        _fill(head, scorecard, share, upto=12 if step == "half" else None)
        if step == "half":
            continue
        actions.submit_scorecard(head, scorecard)
        if step == "returned":
            actions.return_scorecard(reviewer, scorecard, reason=RETURN_REASON)
        elif step == "reviewed":
            actions.complete_review(reviewer, scorecard)
    return 1
