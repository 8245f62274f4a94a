"""The coal affairs centre's problem finding in the demo (seeds/004), as its office finds it on 2026-11-23.

The demo is seeded once for the module inside a transaction rolled back at the end; each test runs
in its own savepoint on top of it.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from accounts import permissions
from accounts.models import User
from accounts.roles import PROBLEM_VERIFY, Role
from assessment.models import Scorecard, ScorecardStatus
from audit.models import AuditEntry
from demo import data
from demo import problems as demo_problems
from notifications.reminders import gather
from problems import actions, feedback, reminders, suggestions
from problems.models import (
    Channel,
    Feedback,
    FeedbackStatus,
    Kind,
    Measure,
    MeasureUpdate,
    Problem,
    ProblemStatus,
    Source,
    Suggestion,
    SuggestionStatus,
)
from standard.models import Level

DAY = datetime.date(2026, 11, 23)
MODELS = (Problem, Measure, MeasureUpdate, Suggestion, Feedback)


@pytest.fixture(scope="module")
def seeded(seeded_demo):
    return seeded_demo


@pytest.fixture
def problems(seeded, db):
    return Problem.objects.filter(unit__code__startswith=data.COAL).select_related("unit", "node__standard")


def login(username):
    return User.objects.get(username=username)


def by_title(title_start):
    return Problem.objects.get(unit__code__startswith=data.COAL, title__startswith=title_start)


def test_problems_come_from_the_speechs_channels_and_stand_at_every_step(problems):
    assert problems.count() == len(demo_problems.PROBLEMS)
    sources = set(problems.values_list("source", flat=True))
    assert {Source.STAFF, Source.SELF, Source.SUPERIOR, Source.PEERS, Source.LIFE_MEETING, Source.PUBLIC} <= sources
    assert set(problems.values_list("status", flat=True)) == set(ProblemStatus.values)
    for problem in problems:
        assert problem.node is not None and problem.node.level == Level.INDICATOR
        assert problem.node.standard.unit.code == data.COAL
        if problem.status == ProblemStatus.REGISTERED:
            assert not problem.root_cause and not problem.measures.exists()
        else:
            assert problem.root_cause
        assert (problem.status == ProblemStatus.ANALYSED) == (not problem.measures.exists() and bool(problem.root_cause))
    sections = {problem.unit.code for problem in problems if problem.unit.code != data.COAL}
    assert len(sections) >= 4  # 股室 keep their own lists


def test_every_measure_names_a_leader_unit_person_and_deadline_and_progress_is_reported(problems):
    leaders = set(User.objects.filter(grants__role=Role.LEADER, grants__unit__code=data.COAL).values_list("pk", flat=True))
    measures = Measure.objects.filter(problem__in=problems).select_related("problem__unit", "unit", "person__unit")
    assert measures.count() >= 12
    for measure in measures:
        assert measure.leader_id in leaders
        assert measure.unit.path.startswith(measure.problem.unit.path)
        assert measure.person.unit.path.startswith(measure.unit.path)
        assert measure.deadline is not None or measure.problem.kind == Kind.ONGOING
        assert measure.expected_result
    started = problems.exclude(status__in=[ProblemStatus.REGISTERED, ProblemStatus.ANALYSED])
    for problem in started:
        assert MeasureUpdate.objects.filter(measure__problem=problem).exists(), problem.title


def test_an_overdue_measure_shows_red_and_reaches_the_reminders(problems):
    [late] = actions.overdue_measures(Measure.objects.filter(problem__in=problems), today=DAY)
    assert late.problem.source == Source.SUPERIOR and late.deadline == datetime.date(2026, 11, 15)
    assert actions.is_overdue(late, DAY) and not actions.is_overdue(late, late.deadline)
    told = [r for r in gather(DAY) if r.source == reminders.SOURCE]
    [red] = [r for r in told if r.category == reminders.MEASURE_OVERDUE and r.obj.problem.unit.code.startswith(data.COAL)]
    assert red.obj == late and red.person == late.person and red.level == "red"
    soon = {r.obj.problem.title for r in told if r.category == reminders.MEASURE_DUE_SOON}
    assert by_title("煤矿企业办事指南").title in soon
    liuhua = login("liuhua")
    office = {(r.category, r.obj) for r in told if r.person == liuhua}
    assert (reminders.TO_SIGN_OFF, by_title("技术帮扶")) in office
    assert (reminders.FEEDBACK_OVERDUE, Feedback.objects.get(content__contains="运煤车辆")) in office
    assert (reminders.FEEDBACK_REPLY_DUE, Feedback.objects.get(content__contains="许可证延期")) in office


def test_sign_off_belongs_to_a_verifier_above_the_unit(problems):
    signed = problems.filter(status=ProblemStatus.SIGNED_OFF).select_related("signed_off_by")
    assert signed.count() == 3
    for problem in signed:
        signer = problem.signed_off_by
        roots = permissions.scope_paths(signer, PROBLEM_VERIFY)
        if problem.unit.code == data.COAL:  # the centre's own: a verifier who answers for none of its measures
            assert not problem.measures.filter(person=signer).exists() and not problem.measures.filter(leader=signer).exists()
        else:
            assert any(problem.unit.path.startswith(root) and len(root) < len(problem.unit.path) for root in roots)
    waiting = by_title("技术帮扶")
    assert waiting.status == ProblemStatus.SUBMITTED
    for section_head in (login("guihua"), waiting.measures.first().person):
        with pytest.raises(PermissionDenied):
            actions.sign_off(section_head, waiting)
    actions.sign_off(login("liuhua"), waiting)
    assert Problem.objects.get(pk=waiting.pk).status == ProblemStatus.SIGNED_OFF


def test_the_sent_back_problem_keeps_its_reason_and_is_rectified_again(problems):
    problem = by_title("煤矿企业办事指南")
    assert problem.status == ProblemStatus.RECTIFYING and "省级最新文件" in problem.send_back_reason
    statuses = [
        entry.after.get("status")
        for entry in AuditEntry.objects.filter(object_type="problems.problem", object_id=str(problem.pk)).order_by("pk")
        if entry.after and "status" in entry.after
    ]
    assert statuses[-2:] == [ProblemStatus.SUBMITTED, ProblemStatus.RECTIFYING]
    assert not problem.measures.filter(done=True).exists()
    first = problem.measures.get(position=1)
    assert first.updates.count() == 2  # reported before and after it was sent back


def test_the_suggestion_box(seeded, db):
    ideas = Suggestion.objects.filter(unit__code=data.COAL)
    assert ideas.count() == len(demo_problems.IDEAS)
    anonymous = ideas.get(anonymous=True)
    assert anonymous.author is None and anonymous.receipt_hash and anonymous.status == SuggestionStatus.ANSWERED
    entries = AuditEntry.objects.filter(object_type="problems.suggestion", object_id=str(anonymous.pk))
    assert list(entries.values_list("actor__username", flat=True)) == ["liuhua"]  # the answer, never the submission
    board = ideas.get(on_board=True)
    assert board.status == SuggestionStatus.ADOPTED and board.author is not None and not board.anonymous
    declined = ideas.get(status=SuggestionStatus.DECLINED)
    assert "公务用车" in declined.answer
    turned = ideas.get(problem__isnull=False)
    assert turned.status == SuggestionStatus.ADOPTED
    assert (turned.problem.source, turned.problem.raised_by, turned.problem.unit) == (Source.STAFF, turned.author, turned.unit)


def test_public_feedback(seeded, db):
    records = Feedback.objects.filter(unit__code__startswith=data.COAL)
    online = records.filter(channel=Channel.ONLINE)
    assert online.filter(status=FeedbackStatus.REPLIED, replied_by__isnull=False).exists()
    phone = records.filter(channel=Channel.PHONE)
    late = [record for record in phone if feedback.is_overdue(record, DAY)]
    assert len(late) == 1 and late[0].reply_due < DAY
    complaint = phone.get(problem__isnull=False)
    assert complaint.status == FeedbackStatus.REPLIED
    assert (complaint.problem.source, complaint.problem.unit) == (Source.PUBLIC, complaint.unit)
    assert all(record.contact_name for record in records)


def test_no_scorecard_of_the_round_is_published_yet_so_no_weakness_became_a_problem(problems):
    """When the assessment demo publishes a result, turn one of its weaknesses into a problem here."""
    assert not Scorecard.objects.filter(unit__code__startswith=data.COAL, status=ScorecardStatus.PUBLISHED).exists()
    assert not problems.filter(source=Source.ASSESSMENT).exists()


def test_the_anonymous_idea_stores_a_hash_not_its_receipt_code(seeded, db):
    suggestion = Suggestion.objects.get(unit__code=data.COAL, anonymous=True)
    assert suggestions.follow(suggestion.receipt_hash) is None  # the hash is no code
    assert len(suggestion.receipt_hash) == 64


def test_a_second_run_writes_nothing(seeded, db):
    before = {model.__name__: model.objects.count() for model in (*MODELS, AuditEntry)}
    assert demo_problems.ensure_problems() == 0
    assert {model.__name__: model.objects.count() for model in (*MODELS, AuditEntry)} == before
