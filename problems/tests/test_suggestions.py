"""金点子: an anonymous idea keeps no trace of its author; the receipt code follows the answer."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from audit.models import AuditEntry
from goals import actions as goal_actions
from problems import suggestions
from problems.models import Problem, Suggestion, SuggestionStatus


def _row_text(suggestion):
    """Every stored column of the idea, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Suggestion._meta.db_table} WHERE id = %s", [suggestion.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_an_anonymous_idea_stores_nothing_that_leads_back_to_its_author(centre):
    author = centre["planner"]
    before = AuditEntry.objects.count()
    idea, code = suggestions.submit(author, unit=centre["agency"], title="简化请假审批", content="请假审批可改为线上一次办结", anonymous=True)
    row = _row_text(idea)
    assert idea.author is None and code and code not in row
    for trace in (str(author.pk), author.username, author.real_name, "规划发展股"):
        assert trace not in row.split() and trace not in row.replace(str(idea.pk), "", 1).split()
    assert idea.submitted_on == datetime.date.today()  # the day only, no time of day
    assert AuditEntry.objects.count() == before  # the trail does not name the author either
    assert suggestions.follow(code) == idea
    assert suggestions.follow(code.lower().replace("-", " ")) == idea  # typed loosely
    assert suggestions.follow("ABCD-EFGH-JKMN") is None


def test_the_office_answers_and_the_anonymous_author_reads_it_by_code(centre):
    idea, code = suggestions.submit(centre["planner"], unit=centre["agency"], title="设立意见箱", content="在大厅设立意见箱", anonymous=True)
    with pytest.raises(PermissionDenied):
        suggestions.adopt(centre["guihua"], idea, text="采纳")
    with pytest.raises(PermissionDenied):
        suggestions.adopt(centre["stranger"], idea, text="采纳")
    with pytest.raises(ValidationError):
        suggestions.decline(centre["liuhua"], idea, reason=" ")
    suggestions.adopt(centre["liuhua"], idea, text="已采纳，由办公室落实", on_board=True)
    followed = suggestions.follow(code)
    assert followed.status == SuggestionStatus.ADOPTED and followed.answer == "已采纳，由办公室落实" and followed.on_board
    assert AuditEntry.objects.filter(object_type="problems.suggestion", action="suggestion.adopted").exists()
    with pytest.raises(ValidationError):
        suggestions.decline(centre["liuhua"], idea, reason="改变主意")


def test_an_open_idea_names_its_author_and_goes_only_to_the_authors_unit_or_above(centre):
    idea, code = suggestions.submit(centre["planner"], unit=centre["planning"], title="共享资料", content="股室资料共享", anonymous=False)
    assert code is None and idea.author == centre["planner"]
    with pytest.raises(PermissionDenied):
        suggestions.submit(centre["planner"], unit=centre["safety"], title="别的股室", content="内容")
    with pytest.raises(ValidationError) as error:
        suggestions.submit(centre["planner"], unit=centre["agency"], title="", content="")
    assert set(error.value.message_dict) == {"title", "content"}


def test_an_adopted_idea_becomes_a_problem_or_a_task_in_one_step(centre):
    idea, _code = suggestions.submit(centre["planner"], unit=centre["agency"], title="窗口服务慢", content="窗口排队时间长", anonymous=True)
    with pytest.raises(ValidationError):
        suggestions.to_problem(centre["liuhua"], idea)
    suggestions.adopt(centre["liuhua"], idea, text="采纳")
    problem = suggestions.to_problem(centre["liuhua"], idea)
    assert problem.origin_suggestion == idea and problem.raised_by is None and problem.title == "窗口服务慢"
    with pytest.raises(ValidationError):
        suggestions.to_problem(centre["liuhua"], idea)

    second, _ = suggestions.submit(centre["planner"], unit=centre["agency"], title="建立学习角", content="办公楼设学习角")
    suggestions.adopt(centre["liuhua"], second, text="采纳")
    plan = goal_actions.create_plan(centre["liuhua"], unit=centre["agency"], year=2026, title="2026年创建目标")
    goal = goal_actions.add_goal(centre["liuhua"], plan, title="能力过硬", owner_unit=centre["agency"])
    task = suggestions.to_task(
        centre["liuhua"], second, goal=goal, lead_unit=centre["office_unit"],
        start_date=datetime.date(2026, 12, 1), due_date=datetime.date(2026, 12, 31),
    )
    second.refresh_from_db()
    assert second.task == task and task.title == "建立学习角"
    assert Problem.objects.count() == 1
