"""The coal affairs center's round run end to end, checked against scores worked out by hand.

Standard (see conftest): 政治过硬 40 = 理论学习 20 [a: deduct 10, 2 each; b: graded 10] +
政治监督 20 (cap) [c: pass 15; d: pass 10]; 纪律过硬 60 = 正风肃纪 60 [e: deduct 60, 5 each;
f: veto; g: bonus 5]. Round: bonus capped at 3, totals may not pass 100, reviewer-found
deductions count twice, grades 优秀 ≥ 90 (at most one), 良好 ≥ 80, 一般 ≥ 60, 较差.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import Role
from assessment import actions, publication
from assessment.models import Result, RoundStatus, ScorecardStatus
from organization.models import UnitKind

from .conftest import PERFECT, D, answer_all, item


def _run(center, *, b_returned=True):
    round_, office, reviewer, clerks = center["round"], center["office"], center["reviewer"], center["clerks"]
    grades = [
        {"name": "优秀", "min_score": 90, "quota_count": 1, "pay_coefficient": "1.2", "award_eligible": True},
        {"name": "良好", "min_score": 80, "pay_coefficient": "1.1"},
        {"name": "一般", "min_score": 60, "pay_coefficient": "1.0"},
        {"name": "较差", "min_score": 0, "pay_coefficient": "0.8"},
    ]
    actions.set_grades(office, round_, grades)
    for section in center["sections"].values():
        actions.add_units(office, round_, root=section, kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    cards = {key: round_.scorecards.get(unit=unit) for key, unit in center["sections"].items()}

    # A: everything met, bonus 5 → capped at 3 → 103 → not above full marks: 100.
    answer_all(clerks["A"], cards["A"], {**PERFECT, "g": {"value": "5"}})
    # B: one missed first agenda item (8), level B (7.5), d failed (15), two violations (50).
    answer_all(clerks["B"], cards["B"], {**PERFECT, "a": {"occurrences": 1}, "b": {"level": "B"},
                                         "d": {"passed": False}, "e": {"occurrences": 2}})
    # C: one missed first agenda item: 98.
    answer_all(clerks["C"], cards["C"], {**PERFECT, "a": {"occurrences": 1}})
    # D: everything met but vetoed: 100 points, grade 较差.
    answer_all(clerks["D"], cards["D"], {**PERFECT, "f": {"vetoed": True}})
    for key in "ABCD":
        actions.submit_scorecard(clerks[key], cards[key])

    if b_returned:
        actions.return_scorecard(reviewer, cards["B"], reason="中心组学习记录不全，请核实等次")
        cards["B"].refresh_from_db()
        assert cards["B"].status == ScorecardStatus.RETURNED
        # Fixed: level A (10) → 理论学习 18.
        actions.save_self_score(clerks["B"], item(cards["B"], "b"), answer={"level": "A"})
        actions.submit_scorecard(clerks["B"], cards["B"])
    # The reviewer finds one more violation at B: 2 + 1×2 = 4 occurrences → 60 − 20 = 40.
    actions.save_review_score(reviewer, item(cards["B"], "e"), answer={"occurrences": 2, "found_by_reviewer": 1})
    for key in "ABCD":
        actions.complete_review(reviewer, cards[key])
    publication.publish_round(office, round_)
    return {result.unit_id: result for result in Result.objects.filter(round=round_).select_related("grade")}, cards


def test_round_results_match_the_hand_computed_scores(coal_center):
    results, cards = _run(coal_center)
    sections = coal_center["sections"]
    a, b, c, d = (results[sections[key].pk] for key in "ABCD")
    # B = 理论学习 8 + 10 = 18; 政治监督 15 + 0 = 15; 纪律 40 → 73.
    assert [a.total, b.total, c.total, d.total] == [D("100.00"), D("73.00"), D("98.00"), D("100.00")]
    # A holds the only 优秀 place; C (98) is over the quota and drops; D is vetoed.
    assert [a.grade.name, b.grade.name, c.grade.name, d.grade.name] == ["优秀", "一般", "良好", "较差"]
    assert "名额限制" in c.grade_note and "一票否决" in d.grade_note
    # Equal totals share a rank among the four peer sections.
    assert [a.rank, d.rank, c.rank, b.rank] == [1, 1, 3, 4]
    assert {r.peer_count for r in results.values()} == {4}
    dims = coal_center["nodes"]
    assert b.dimension_scores == {str(dims["d1"].pk): "33.00", str(dims["d2"].pk): "40.00"}


def test_the_history_of_a_returned_scorecard_is_kept(coal_center):
    _results, cards = _run(coal_center)
    events = list(cards["B"].events.values_list("action", "note"))
    assert [action for action, _note in events] == ["submit", "return", "submit", "review", "publish"]
    assert events[1][1] == "中心组学习记录不全，请核实等次"


def test_a_submitted_scorecard_cannot_be_edited_by_its_unit(coal_center):
    round_, clerk, office = coal_center["round"], coal_center["clerks"]["A"], coal_center["office"]
    actions.add_units(office, round_, root=coal_center["sections"]["A"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    answer_all(clerk, card, PERFECT)
    actions.submit_scorecard(clerk, card)
    with pytest.raises(ValidationError):
        actions.save_self_score(clerk, item(card, "a"), answer={"occurrences": 2})
    assert item(card, "a").self_score == D("10.00")


def test_submission_needs_every_item(coal_center):
    round_, clerk, office = coal_center["round"], coal_center["clerks"]["A"], coal_center["office"]
    actions.add_units(office, round_, root=coal_center["sections"]["A"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    actions.save_self_score(clerk, item(card, "a"), answer={"occurrences": 1})
    with pytest.raises(ValidationError) as error:
        actions.submit_scorecard(clerk, card)
    assert "1.1.2" in str(error.value)


def test_a_clerk_cannot_score_another_section(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.add_units(office, round_, root=coal_center["center"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card_b = round_.scorecards.get(unit=coal_center["sections"]["B"])
    with pytest.raises(PermissionDenied):
        actions.save_self_score(coal_center["clerks"]["A"], item(card_b, "a"), answer={"occurrences": 0})
    # Nor review it: a records clerk holds no review permission.
    with pytest.raises(PermissionDenied):
        actions.return_scorecard(coal_center["clerks"]["A"], card_b, reason="x")


def test_a_reviewer_does_not_review_their_own_unit(coal_center):
    round_, office, reviewer = coal_center["round"], coal_center["office"], coal_center["reviewer"]
    actions.add_units(office, round_, root=coal_center["office_unit"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    answer_all(office, card, PERFECT)
    actions.submit_scorecard(office, card)
    assert not actions.can_review(reviewer, card)
    with pytest.raises(PermissionDenied):
        actions.complete_review(reviewer, card)


def test_concurrent_review_edits_are_not_lost(coal_center):
    round_, office, reviewer, clerk = coal_center["round"], coal_center["office"], coal_center["reviewer"], coal_center["clerks"]["A"]
    actions.add_units(office, round_, root=coal_center["sections"]["A"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    answer_all(clerk, card, PERFECT)
    actions.submit_scorecard(clerk, card)
    first, second = item(card, "e"), item(card, "e")  # two reviewers open the same item
    actions.save_review_score(reviewer, first, answer={"occurrences": 1}, version=first.version)
    with pytest.raises(ValidationError) as error:
        actions.save_review_score(office, second, answer={"occurrences": 3}, version=second.version)
    assert error.value.code == "stale" and "文成" in error.value.messages[0]
    stored = item(card, "e")
    assert stored.review_answer == {"occurrences": 1, "found_by_reviewer": 0} and stored.review_score == D("55.00")


def test_publication_waits_for_every_review(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.add_units(office, round_, root=coal_center["center"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    with pytest.raises(ValidationError, match="综合股"):
        publication.publish_round(office, round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN and not Result.objects.exists()


def test_an_accepted_appeal_rescores_and_reranks(coal_center):
    results, cards = _run(coal_center)
    clerk_c, reviewer = coal_center["clerks"]["C"], coal_center["reviewer"]
    appeal = publication.file_appeal(clerk_c, cards["C"], reason="第一议题缺席系公务出差，已补学")
    publication.answer_appeal(
        reviewer, appeal, accept=True, answer="情况属实，予以更正",
        rescores=[(item(cards["C"], "a"), {"occurrences": 0}, "补学记录已核实")],
    )
    result_c = Result.objects.get(round=coal_center["round"], unit=coal_center["sections"]["C"])
    assert result_c.total == D("100.00") and result_c.rank == 1
    # Now A and C tie at 100 for one 优秀 place: tied at the cut-off, both drop.
    result_a = Result.objects.get(round=coal_center["round"], unit=coal_center["sections"]["A"])
    assert (result_a.grade.name, result_c.grade.name) == ("良好", "良好")


def test_a_condition_caps_the_grade(coal_center):
    from assessment.models import ConditionKind, GradeCondition

    round_ = coal_center["round"]
    good = round_.grades.get(name="良好")
    # 政治过硬 below 90% of its 40 points (36): no 优秀.
    GradeCondition.objects.create(round=round_, kind=ConditionKind.NODE_BELOW, node=coal_center["nodes"]["d1"], percent=90, best_grade=good)
    office, clerk = coal_center["office"], coal_center["clerks"]["A"]
    actions.add_units(office, round_, root=coal_center["sections"]["A"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    answer_all(clerk, card, {**PERFECT, "c": {"passed": False}, "d": {"passed": True}})
    outcome = publication.compute(round_)[coal_center["sections"]["A"].pk]
    # 政治监督 = min(0 + 10, 20) = 10 → 政治过硬 30; total 90 → 优秀 by threshold, capped to 良好.
    assert outcome.total == D("90.00") and outcome.grade.name == "良好"


def test_named_reviewers_narrow_who_reviews(coal_center):
    from mofan.testing.factories import make_person

    round_, office, reviewer, clerk = coal_center["round"], coal_center["office"], coal_center["reviewer"], coal_center["clerks"]["A"]
    other = make_person(coal_center["office_unit"], real_name="张生", roles=[(Role.ASSESSOR, coal_center["center"])])
    with pytest.raises(ValidationError):
        actions.update_round(office, round_, reviewers=[clerk])  # a clerk holds no assessor role
    actions.update_round(office, round_, reviewers=[other], veto_grade=round_.grades.get(name="一般"))
    actions.add_units(office, round_, root=coal_center["sections"]["A"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(office, round_)
    card = round_.scorecards.get()
    answer_all(clerk, card, {**PERFECT, "f": {"vetoed": True}})
    actions.submit_scorecard(clerk, card)
    assert not actions.can_review(reviewer, card) and actions.can_review(other, card)
    # The veto now caps at 一般 rather than the lowest grade.
    assert publication.compute(round_)[coal_center["sections"]["A"].pk].grade.name == "一般"


def test_an_appeal_can_reopen_the_review_on_the_review_screen(client, coal_center):
    from django.urls import reverse

    _results, cards = _run(coal_center)
    clerk_c, reviewer = coal_center["clerks"]["C"], coal_center["reviewer"]
    appeal = publication.file_appeal(clerk_c, cards["C"], reason="第一议题缺席系公务出差，已补学")
    client.force_login(reviewer)
    response = client.post(reverse("assessment:answer_appeal", args=[appeal.pk]),
                           {"accept": "1", "answer": "予以复核", "reopen": "on"})
    assert response.status_code == 302
    cards["C"].refresh_from_db()
    assert cards["C"].status == ScorecardStatus.SUBMITTED
    actions.save_review_score(reviewer, item(cards["C"], "a"), answer={"occurrences": 0}, note="补学记录已核实")
    actions.complete_review(reviewer, cards["C"])
    cards["C"].refresh_from_db()
    result = Result.objects.get(round=coal_center["round"], unit=coal_center["sections"]["C"])
    assert cards["C"].status == ScorecardStatus.PUBLISHED and result.total == D("100.00") and result.rank == 1
    assert list(cards["C"].events.values_list("action", flat=True))[-4:] == ["appeal", "reopen", "appeal_answered", "review"]
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="rescore").exists()
