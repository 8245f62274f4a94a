"""The task pages: issuing and decomposing, signing for or declining, reports and their review,
the issuer's follow-up, evidence, and who sees and does what."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import Document, Link
from goals import actions
from goals.models import Goal, Plan, ProgressReport, ReportStatus, Task, TaskStatus

from .conftest import DEC31, JAN1

JUN30 = datetime.date(2026, 6, 30)
EXE = b"MZ\x90\x00" + b"\x00" * 56 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def as_(client, user):
    client.force_login(user)
    return client


def html_of(client, user, url):
    response = as_(client, user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def task_url(task, name="goals:task"):
    return reverse(name, args=[task.pk])


def test_the_whole_loop_through_the_pages(client, bureau):
    office, county_office, clerk = bureau["office"], bureau["county_office"], bureau["section_clerk"]
    as_(client, office).post(reverse("goals:plan_create"), {"unit": bureau["agency"].pk, "year": "2026", "title": "2026年目标计划"})
    plan = Plan.objects.get()
    client.post(reverse("goals:goal_create", args=[plan.pk]), {"title": "理论学习", "owner_unit": bureau["party"].pk, "weight": "1"})
    goal = Goal.objects.get()
    client.post(reverse("goals:plan_approve", args=[plan.pk]))
    client.post(reverse("goals:plan_publish", args=[plan.pk]))
    response = client.post(reverse("goals:task_create", args=[goal.pk]), {
        "title": "县局理论学习", "lead_unit": bureau["county"].pk, "supporting_units": [bureau["party"].pk],
        "start_date": "2026-01-01", "due_date": "2026-12-31", "cadence": "monthly", "weight": "1", "expected_output": "学习记录",
    })
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.lead_unit == bureau["county"] and list(task.supporting_units.all()) == [bureau["party"]]

    # The county office signs for the task and hands a part of it to its section.
    html = html_of(client, county_office, task_url(task))
    assert 'data-testid="sign-task"' in html and 'data-testid="add-subtask"' not in html
    client.post(task_url(task, "goals:task_sign"))
    html = html_of(client, county_office, task_url(task))
    assert 'data-testid="sign-task"' not in html and 'data-testid="add-subtask"' in html
    create = reverse("goals:task_create", args=[goal.pk]) + f"?parent={task.pk}"
    form = client.get(create).content.decode()
    assert bureau["section"].name in form and bureau["party"].name not in form.split('name="lead_unit"')[1].split("</select>")[0]
    client.post(create, {
        "title": "综合股学习", "lead_unit": bureau["section"].pk, "owner": clerk.pk, "start_date": "2026-01-01",
        "due_date": "2026-06-30", "cadence": "monthly", "weight": "1",
    })
    sub = Task.objects.get(parent=task)
    assert sub.owner == clerk

    # The section clerk signs for it and reports; the county returns the report with a reason.
    as_(client, clerk).post(task_url(sub, "goals:task_sign"))
    client.post(task_url(sub, "goals:report_create"), {"period": "2026-03-31", "percent": "50", "done_text": "完成三次学习", "problems": "人手紧"})
    report = ProgressReport.objects.get()
    html = html_of(client, county_office, task_url(sub))
    assert "完成三次学习" in html and 'data-testid="accept-report"' in html and 'data-testid="report-task"' not in html
    response = client.post(reverse("goals:report_return", args=[report.pk]), {"reason": ""})
    assert response.status_code == 200
    client.post(reverse("goals:report_return", args=[report.pk]), {"reason": "缺少学习记录"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.reviewed_by == county_office

    # The clerk reads why, reports again from what was written, and the county accepts.
    html = html_of(client, clerk, task_url(sub))
    assert "缺少学习记录" in html and 'data-testid="report-task"' in html
    assert "完成三次学习" in html_of(client, clerk, task_url(sub, "goals:report_create"))
    client.post(task_url(sub, "goals:report_create"), {"period": "2026-04-30", "percent": "60", "done_text": "补充学习记录"})
    second = ProgressReport.objects.get(status=ReportStatus.SUBMITTED)
    as_(client, county_office).post(reverse("goals:report_accept", args=[second.pk]))
    sub.refresh_from_db()
    assert sub.percent_done == 60 and sub.status == TaskStatus.IN_PROGRESS

    # The progress rolls up to the county's task, the goal and the plan.
    html = html_of(client, office, reverse("goals:plan", args=[plan.pk]))
    assert '<div data-testid="plan-percent">60.00%</div>' in html and html.count(">60.00%<") >= 3
    assert "60.00%" in html_of(client, office, task_url(task))


def test_a_declined_task_is_handed_to_another_unit(client, plan):
    task, office, county_office = plan["county_task"], plan["office"], plan["county_office"]
    decline = task_url(task, "goals:task_decline")
    response = as_(client, county_office).post(decline, {"reason": ""})
    assert response.status_code == 200 and "必填项" in response.content.decode()
    client.post(decline, {"reason": "不属于县局职责"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DECLINED
    html = html_of(client, office, task_url(task))
    assert "不属于县局职责" in html and 'data-testid="reassign-task"' in html
    reassign = task_url(task, "goals:task_reassign")
    response = client.post(reassign, {"lead_unit": plan["other_county"].pk, "reason": ""})
    assert response.status_code == 200 and Task.objects.get(pk=task.pk).lead_unit == plan["county"]
    client.post(reassign, {"lead_unit": plan["other_county"].pk, "reason": "改由另一县局牵头"})
    task.refresh_from_db()
    assert task.lead_unit == plan["other_county"] and task.status == TaskStatus.ISSUED
    assert as_(client, county_office).get(task_url(task)).status_code == 404
    assert 'data-testid="sign-task"' in html_of(client, plan["other_office"], task_url(task))
    assert "改由另一县局牵头" in html_of(client, office, reverse("goals:plan", args=[plan["plan"].pk]))


def test_the_issuer_reschedules_and_withdraws_with_a_reason(client, plan):
    task, office = plan["county_task"], plan["office"]
    reschedule = task_url(task, "goals:task_reschedule")
    response = as_(client, office).post(reschedule, {"due_date": "2025-12-01", "reason": "延期"})
    assert "完成时限不能早于开始日期" in response.content.decode() and "延期" in response.content.decode()
    client.post(reschedule, {"due_date": "2026-11-30", "reason": "提前完成"})
    task.refresh_from_db()
    assert task.due_date == datetime.date(2026, 11, 30)
    assert "提前完成" in html_of(client, office, task_url(task))
    assert as_(client, plan["county_office"]).get(reschedule).status_code == 403
    as_(client, office).post(task_url(task, "goals:task_withdraw"), {"reason": "工作调整"})
    task.refresh_from_db()
    assert task.status == TaskStatus.WITHDRAWN and "工作调整" in html_of(client, office, task_url(task))


def test_a_supporting_unit_reads_the_task_but_does_not_act_on_it(client, plan):
    task, staff = plan["county_task"], plan["party_staff"]
    actions.sign_task(plan["county_office"], task)
    html = html_of(client, staff, task_url(task))
    assert 'data-testid="read-only"' in html and "县局理论学习" in html
    for button in ("sign-task", "report-task", "add-subtask", "attach-task", "withdraw-task"):
        assert f'data-testid="{button}"' not in html
    assert as_(client, staff).get(task_url(task, "goals:report_create")).status_code == 403
    response = client.post(task_url(task, "goals:report_create"), {"period": "2026-03-31", "percent": "10", "done_text": "配合"})
    assert response.status_code == 403 and not ProgressReport.objects.exists()
    assert client.get(task_url(task, "goals:task_evidence")).status_code == 403


def test_another_county_sees_nothing_of_the_county_task(client, plan):
    task = plan["county_task"]
    as_(client, plan["other_office"])
    for name in ("goals:task", "goals:task_decline", "goals:task_reschedule", "goals:report_create", "goals:task_evidence"):
        assert client.get(task_url(task, name)).status_code == 404
    assert client.post(task_url(task, "goals:task_sign")).status_code == 404
    assert Task.objects.get(pk=task.pk).status == TaskStatus.ISSUED
    assert "县局理论学习" not in html_of(client, plan["other_office"], reverse("goals:plan", args=[plan["plan"].pk]))
    actions.sign_task(plan["county_office"], task)
    report = actions.submit_report(plan["county_office"], task, period=JUN30, percent="30", done_text="学习")
    assert as_(client, plan["other_office"]).post(reverse("goals:report_accept", args=[report.pk])).status_code == 404
    # The county reports but does not review its own report: that is the issuer's.
    assert as_(client, plan["county_office"]).post(reverse("goals:report_accept", args=[report.pk])).status_code == 403
    assert client.post(reverse("goals:report_return", args=[report.pk]), {"reason": "x"}).status_code == 403


def test_task_form_errors_are_shown_in_chinese_and_nothing_typed_is_lost(client, plan):
    url = reverse("goals:task_create", args=[plan["goal"].pk])
    response = as_(client, plan["office"]).post(url, {
        "title": "倒排工期", "lead_unit": plan["county"].pk, "start_date": "2026-06-01", "due_date": "2026-03-01",
        "cadence": "weekly", "weight": "1", "expected_output": "工作台账",
    })
    html = response.content.decode()
    assert "完成时限不能早于开始日期" in html and 'value="倒排工期"' in html and 'value="工作台账"' in html
    response = client.post(url, {
        "title": "责任人不在牵头单位", "lead_unit": plan["section"].pk, "owner": plan["party_staff"].pk,
        "start_date": "2026-01-01", "due_date": "2026-03-01", "cadence": "weekly", "weight": "1",
    })
    assert response.status_code == 200 and Task.objects.count() == 1
    # Decomposing a task not yet signed for is the issuer's; the county must sign first.
    parent_url = f"{url}?parent={plan['county_task'].pk}"
    assert as_(client, plan["county_office"]).get(parent_url).status_code == 403
    assert client.get(url).status_code == 403


def test_milestones_are_added_within_the_task_dates(client, plan):
    task = plan["county_task"]
    actions.sign_task(plan["county_office"], task)
    url = task_url(task, "goals:milestone_create")
    response = as_(client, plan["county_office"]).post(url, {"title": "半年小结", "due": "2027-01-15"})
    assert "节点日期必须在任务的起止日期之内" in response.content.decode() and "半年小结" in response.content.decode()
    client.post(url, {"title": "半年小结", "due": "2026-06-30"})
    assert "半年小结" in html_of(client, plan["county_office"], task_url(task))
    assert as_(client, plan["section_clerk"]).get(url).status_code == 404


def test_evidence_is_attached_to_the_task_and_to_a_report_and_a_bad_file_is_refused(client, plan):
    task, county_office = plan["county_task"], plan["county_office"]
    actions.sign_task(county_office, task)
    report = actions.submit_report(county_office, task, period=JUN30, percent="30", done_text="学习")
    url = task_url(task, "goals:task_evidence")
    response = as_(client, county_office).post(url, {"files": SimpleUploadedFile("病毒.exe", EXE), "period": "2026-06-30", "period_precision": "day"})
    assert response.status_code == 200 and not Document.objects.exists()
    assert 'name="period" value="2026-06-30"' in response.content.decode()
    response = client.post(url, {"files": SimpleUploadedFile("学习记录.txt", "中心组学习记录".encode()), "period": "2026-06-30", "period_precision": "day"})
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    client.post(f"{url}?report={report.pk}", {"files": SimpleUploadedFile("报告附件.txt", "附件".encode()), "period": "2026-06-30", "period_precision": "day"})
    assert Link.objects.count() == 2
    html = html_of(client, county_office, task_url(task))
    evidence = html.split('data-testid="task-evidence"')[1].split("</ul>")[0]
    assert "学习记录" in evidence and "报告附件" not in evidence
    assert "报告附件" in html.split('data-testid="reports"')[1]
    # The issuer's office, which reads the task, sees the evidence too.
    assert "学习记录" in html_of(client, plan["office"], task_url(task))


def test_the_task_page_shows_everything_about_the_task(client, plan):
    task, county_office = plan["county_task"], plan["county_office"]
    actions.sign_task(county_office, task)
    actions.add_task(county_office, plan["goal"], parent=task, title="综合股学习", lead_unit=plan["section"], start_date=JAN1, due_date=DEC31)
    actions.submit_report(county_office, task, period=JUN30, percent="30", done_text="完成学习", problems="时间紧", support_needed="请市局派讲师")
    html = html_of(client, plan["office"], task_url(task))
    for text in ("县局理论学习", "某县烟草专卖局", "党建科", "综合股学习", "完成学习", "时间紧", "请市局派讲师", "市烟草专卖局", "2026-12-31"):
        assert text in html
    assert 'data-testid="accept-report"' in html and 'data-testid="sign-task"' not in html


def test_supervision_notices_on_the_task_are_listed_and_the_issuer_may_issue_one(client, plan):
    from goals import supervision

    task = plan["county_task"]
    notice = supervision.issue_notice(plan["office"], task=task, reason="学习进度滞后", reply_due=datetime.date.today() + datetime.timedelta(days=7))
    html = html_of(client, plan["county_office"], task_url(task))
    notices = html.split('data-testid="task-notices"')[1].split("</ul>")[0]
    assert "学习进度滞后" in notices and notice.get_absolute_url() in notices
    assert 'data-testid="issue-notice"' not in html
    html = html_of(client, plan["office"], task_url(task))
    assert f'{reverse("goals:notice_issue")}?task={task.pk}' in html
    plan_html = html_of(client, plan["office"], reverse("goals:plan", args=[plan["plan"].pk]))
    for url in (reverse("goals:gantt", args=[plan["plan"].pk]), reverse("goals:dashboard", args=[plan["plan"].pk])):
        assert url in plan_html
    assert 'data-testid="import-tasks"' not in html_of(client, plan["section_clerk"], reverse("goals:plan", args=[plan["plan"].pk]))


def test_the_report_form_says_why_while_the_last_report_waits(client, plan):
    county_office = plan["county_office"]
    actions.sign_task(county_office, plan["county_task"])
    actions.submit_report(county_office, plan["county_task"], period=datetime.date(2026, 6, 30), percent="30", done_text="学习")
    response = as_(client, county_office).get(task_url(plan["county_task"], "goals:report_create"), follow=True)
    assert response.redirect_chain and "上一份进展报告仍在等待审核" in response.content.decode()
    assert as_(client, plan["other_office"]).get(task_url(plan["county_task"], "goals:report_create")).status_code in (403, 404)
