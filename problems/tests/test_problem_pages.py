"""The problem pages: the ledger list and its filters, registering, a problem's page and every step
through the pages (analyse, measures, progress, submit, send back, sign off, evidence), who sees and
does what, the workbench section and the menu."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.tests.conftest import build_standard
from evidence.models import Link
from mofan.testing.factories import make_person
from problems import actions, feedback, origins
from problems.models import Kind, Measure, Problem, ProblemStatus, Severity, Source

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def as_(client, user):
    client.force_login(user)
    return client


def html_of(client, user, url):
    response = as_(client, user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def register(centre, unit_key="planning", actor_key="guihua", **extra):
    fields = {"title": "调研走过场", "source": Source.STAFF, "found_on": today() - 60 * DAY, **extra}
    return actions.register_problem(centre[actor_key], unit=centre[unit_key], **fields)


def rectifying(centre, deadline=None, unit_key="planning", person_key="planner", **extra):
    problem = register(centre, unit_key=unit_key, **extra)
    keeper = centre["guihua"] if unit_key == "planning" else centre["liuhua"]
    actions.analyse(keeper, problem, root_cause="调研计划未落实到人")
    measure = actions.add_measure(
        keeper, problem, text="制定年度调研计划", unit=centre[unit_key], leader=centre["wencheng"],
        person=centre[person_key], deadline=deadline or today() + 30 * DAY, expected_result="形成调研报告",
    )
    return problem, measure


def url(name, obj):
    return reverse(f"problems:{name}", args=[obj.pk])


def test_find_fix_send_back_and_sign_off_through_the_pages(client, centre):
    guihua, planner, wencheng, liuhua = centre["guihua"], centre["planner"], centre["wencheng"], centre["liuhua"]
    response = as_(client, guihua).post(reverse("problems:problem_add"), {
        "unit": centre["planning"].pk, "title": "工作作风不实，调研走过场", "description": "调研流于形式",
        "source": Source.SELF, "severity": Severity.SERIOUS, "kind": Kind.BY_DEADLINE, "found_on": "2026-03-01",
    })
    problem = Problem.objects.get()
    assert response.status_code == 302 and response.url == problem.get_absolute_url()
    assert (problem.unit, problem.raised_by, problem.registered_by, problem.severity) == (centre["planning"], guihua, guihua, Severity.SERIOUS)

    html = html_of(client, guihua, url("problem", problem))
    assert 'data-testid="analyse"' in html and 'data-testid="add-measure"' not in html  # analysis comes first
    assert client.post(url("problem_analyse", problem), {"root_cause": " "}).status_code == 200  # refused, kept on the form
    client.post(url("problem_analyse", problem), {"root_cause": "宗旨意识淡化"})
    html = html_of(client, guihua, url("problem", problem))
    assert "宗旨意识淡化" in html and 'data-testid="add-measure"' in html

    form = client.get(url("measure_add", problem)).content.decode()
    assert centre["safety"].name not in form.split('name="unit"')[1].split("</select>")[0]  # only the unit and below
    response = client.post(url("measure_add", problem), {"text": "制定调研计划", "unit": centre["planning"].pk})
    assert response.status_code == 200 and "deadline" in response.context["form"].errors
    client.post(url("measure_add", problem), {
        "text": "制定调研计划", "unit": centre["planning"].pk, "leader": wencheng.pk, "person": planner.pk,
        "deadline": (today() + 30 * DAY).isoformat(), "expected_result": "形成调研报告",
    })
    measure = Measure.objects.get()
    assert (measure.leader, measure.person, problem.measures.count()) == (wencheng, planner, 1)
    html = html_of(client, guihua, url("problem", problem))
    assert 'data-testid="submit-problem" disabled' in html  # a measure is still open

    # The responsible person reports and completes the measure; the section head submits.
    html = html_of(client, planner, url("problem", problem))
    assert 'data-testid="report-progress"' in html and 'data-testid="submit-problem"' not in html
    client.post(url("measure_progress", measure), {"text": "已赴三家煤矿调研", "done": "on"})
    as_(client, guihua).post(url("problem_submit", problem))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SUBMITTED

    # The section head may not sign off the section's own problem, not even by posting.
    html = html_of(client, guihua, url("problem", problem))
    assert 'data-testid="sign-off"' not in html and 'data-testid="send-back"' not in html
    assert client.post(url("problem_sign_off", problem)).status_code == 403
    assert client.post(url("problem_send_back", problem), {"reason": "x"}).status_code == 403

    # The centre's leader sends it back with a reason; the measure is open again.
    html = html_of(client, wencheng, url("problem", problem))
    assert 'data-testid="sign-off"' in html and 'data-testid="send-back-form"' in html
    response = client.post(url("problem_send_back", problem), {"reason": ""})
    assert response.status_code == 200
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SUBMITTED
    client.post(url("problem_send_back", problem), {"reason": "调研报告未提出解决措施"})
    problem.refresh_from_db()
    measure.refresh_from_db()
    assert problem.status == ProblemStatus.RECTIFYING and not measure.done
    html = html_of(client, planner, url("problem", problem))
    assert "调研报告未提出解决措施" in html and 'data-testid="send-back-reason"' in html

    client.post(url("measure_progress", measure), {"text": "补充解决措施三条", "done": "on"})
    as_(client, guihua).post(url("problem_submit", problem))
    as_(client, liuhua).post(url("problem_sign_off", problem))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SIGNED_OFF and problem.signed_off_by == liuhua
    html = html_of(client, planner, url("problem", problem))
    assert "补充解决措施三条" in html and "已赴三家煤矿调研" in html and 'data-testid="signed-off-by"' in html
    assert 'data-testid="report-progress"' not in html


def test_another_agency_does_not_see_the_problem_at_all(client, centre):
    problem, measure = rectifying(centre)
    stranger = centre["stranger"]
    for name in ("problem", "problem_analyse", "measure_add", "problem_evidence", "problem_send_back"):
        assert as_(client, stranger).get(url(name, problem)).status_code == 404
    assert client.post(url("problem_sign_off", problem)).status_code == 404
    assert client.post(url("problem_submit", problem)).status_code == 404
    assert client.get(url("measure_progress", measure)).status_code == 404
    response = client.get(reverse("problems:problems"))
    assert response.status_code == 200 and problem.title not in response.content.decode()
    # A section does not see another section's problem either.
    assert as_(client, centre["anquan"]).get(url("problem", problem)).status_code == 404


def test_visible_but_not_allowed_is_refused(client, centre):
    problem, measure = rectifying(centre)
    colleague = make_person(centre["planning"], real_name="规划股另一干部")
    # Staff of the section read the problem but neither analyse, set measures, submit nor report for others.
    html = html_of(client, colleague, url("problem", problem))
    assert problem.title in html and 'data-testid="analyse"' not in html and 'data-testid="report-progress"' not in html
    assert client.get(url("problem_analyse", problem)).status_code == 403
    assert client.get(url("measure_add", problem)).status_code == 403
    assert client.post(url("problem_submit", problem)).status_code == 403
    assert client.get(url("measure_progress", measure)).status_code == 403
    assert client.get(url("problem_evidence", problem)).status_code == 403
    assert client.get(url("problem_evidence", problem) + f"?measure={measure.pk}").status_code == 403
    assert client.post(url("problem_sign_off", problem)).status_code == 403
    assert as_(client, centre["stranger"]).get(reverse("problems:problem_add") + f"?unit={centre['planning'].pk}").status_code == 404


def test_registering_on_a_phone_form_without_my_name_and_on_the_standard(client, centre):
    standard, nodes = build_standard(centre["agency"])
    planner = centre["planner"]
    html = html_of(client, planner, reverse("problems:problem_add"))
    assert "form-control-lg" in html and "form-select-lg" in html and 'name="unnamed"' in html
    assert "政治过硬" in html and "第一议题" in html
    units = html.split('name="unit"')[1].split("</select>")[0]
    assert centre["planning"].name in units and centre["safety"].name not in units
    response = client.post(reverse("problems:problem_add"), {
        "unit": centre["planning"].pk, "title": "办事流程繁琐", "source": Source.STAFF, "severity": Severity.GENERAL,
        "kind": Kind.FIX_NOW, "found_on": today().isoformat(), "node": nodes["i11"].pk, "unnamed": "on",
    })
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert problem.raised_by is None and problem.registered_by == planner and problem.node == nodes["i11"]
    assert 'data-testid="raised-by"><span class="text-muted">' in html_of(client, planner, url("problem", problem))
    # Another unit's standard does not apply; bad fields are refused one by one, nothing stored.
    other_standard, other_nodes = build_standard(centre["stranger"].unit)
    response = client.post(reverse("problems:problem_add"), {
        "unit": centre["safety"].pk, "title": "", "source": "rumour", "severity": Severity.GENERAL, "kind": Kind.FIX_NOW,
        "found_on": (today() + DAY).isoformat(), "node": other_nodes["a"].pk,
    })
    assert response.status_code == 200 and set(response.context["form"].errors) >= {"unit", "title", "source", "node"}
    assert Problem.objects.count() == 1
    assert client.get(reverse("problems:problem_add") + f"?unit={centre['safety'].pk}").status_code == 404


def test_the_ledger_filters_by_unit_source_dimension_status_and_overdue(client, centre):
    standard, nodes = build_standard(centre["agency"])
    on_item = register(centre, title="第一议题落实不到位", node=nodes["a"], source=Source.INSPECTION)
    on_other = register(centre, title="违规问题整改", node=nodes["e"], unit_key="safety", actor_key="anquan")
    late, _measure = rectifying(centre, deadline=today() - DAY, title="调研计划逾期")
    last_year = register(centre, title="去年的问题", found_on=datetime.date(today().year - 1, 5, 1))
    office = centre["liuhua"]
    ledger = reverse("problems:problems")

    def titles(**query):
        response = as_(client, office).get(ledger, query)
        assert response.status_code == 200
        return {problem.title for problem in response.context["page_obj"]}

    assert titles() == {on_item.title, on_other.title, late.title, last_year.title}
    assert titles(unit=centre["safety"].pk) == {on_other.title}
    assert titles(source=Source.INSPECTION) == {on_item.title}
    assert titles(dimension=nodes["d1"].pk) == {on_item.title}
    assert titles(dimension=nodes["d2"].pk) == {on_other.title}
    assert titles(status=ProblemStatus.RECTIFYING) == {late.title}
    assert titles(overdue="on") == {late.title}
    assert titles(year=today().year - 1) == {last_year.title}
    html = html_of(client, office, ledger)
    row = html.split(f'data-problem="{late.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="overdue"' in row and 'data-testid="measure-count">1<' in row
    other = html.split(f'data-problem="{on_item.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="overdue"' not in other
    # A section head sees the section's problems only.
    as_(client, centre["anquan"])
    assert {p.title for p in client.get(ledger).context["page_obj"]} == {on_other.title}


def _ledger_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("problems:problems")).status_code == 200
    return len(queries)


def test_the_ledger_page_costs_the_same_for_3_or_30_problems(client, centre):
    build_standard(centre["agency"])
    for index in range(3):
        rectifying(centre, title=f"问题{index}", deadline=today() - DAY)
    as_(client, centre["liuhua"])
    few = _ledger_queries(client, centre["liuhua"])
    for index in range(27):
        rectifying(centre, title=f"更多问题{index}")
    assert _ledger_queries(client, centre["liuhua"]) == few


def test_the_person_of_a_measure_in_a_section_reads_and_works_on_a_problem_of_the_centre(client, centre):
    problem = register(centre, unit_key="agency", actor_key="liuhua", title="考勤制度执行不严", source=Source.LIFE_MEETING)
    actions.analyse(centre["liuhua"], problem, root_cause="制度执行不严")
    measure = actions.add_measure(
        centre["liuhua"], problem, text="修订考勤制度", unit=centre["planning"], person=centre["planner"],
        deadline=today() - DAY,
    )
    html = html_of(client, centre["planner"], url("problem", problem))
    assert 'data-testid="report-progress"' in html and 'data-overdue="1"' in html
    assert 'data-testid="issue-notice"' not in html  # a staff member does not issue supervision notices
    html = html_of(client, centre["liuhua"], url("problem", problem))
    assert f'{reverse("goals:notice_issue")}?unit={centre["planning"].pk}' in html
    # Another section sees nothing of it.
    assert as_(client, centre["anquan"]).get(url("problem", problem)).status_code == 404
    response = as_(client, centre["planner"]).post(
        url("problem_evidence", problem) + f"?measure={measure.pk}",
        {"files": SimpleUploadedFile("制度.txt", "修订后的考勤制度".encode()), "title": "考勤制度", "period": today().isoformat(),
         "period_precision": "day"},
    )
    assert response.status_code == 302, response.context["form"].errors
    link = Link.objects.get()
    assert (link.target, link.unit) == (measure, centre["planning"])
    html = html_of(client, centre["liuhua"], url("problem", problem))
    assert "考勤制度" in html.split(f'data-measure="{measure.pk}"')[1]


def test_evidence_upload_refuses_a_program_and_keeps_nothing(client, centre):
    problem, _measure = rectifying(centre)
    exe = b"MZ\x90\x00" + b"\x00" * 56 + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200
    response = as_(client, centre["guihua"]).post(
        url("problem_evidence", problem), {"files": SimpleUploadedFile("报告.docx", exe), "period": today().isoformat(), "period_precision": "day"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Link.objects.exists()
    response = client.post(
        url("problem_evidence", problem), {"files": SimpleUploadedFile("整改报告.txt", "整改完成".encode()), "period": today().isoformat(),
                                           "period_precision": "day"},
    )
    assert response.status_code == 302
    assert "整改报告" in html_of(client, centre["guihua"], url("problem", problem)).split('data-testid="problem-evidence"')[1]


def test_the_origin_links_back_to_where_the_problem_came_from(client, centre):
    complaint = feedback.record(
        centre["liuhua"], channel="phone", received_at=timezone.now() - DAY, contact_name="张三", contact_phone="13812345678",
        content="煤矿安全检查通知送达不及时", unit=centre["safety"], reply_due=today() + 5 * DAY,
    )
    problem = origins.from_feedback(centre["liuhua"], complaint)
    html = html_of(client, centre["liuhua"], url("problem", problem))
    origin = html.split('data-testid="origin"')[1].split("</dd>")[0]
    assert str(complaint) in origin


def test_the_workbench_lists_my_open_measures_and_what_waits_for_my_sign_off(client, centre):
    late, _ = rectifying(centre, deadline=today() - DAY, title="逾期的问题")
    waiting, measure = rectifying(centre, title="待销号的问题")
    actions.report_progress(centre["planner"], measure, text="完成", done=True)
    actions.submit_for_verification(centre["guihua"], waiting)
    html = html_of(client, centre["planner"], reverse("core:workbench"))
    mine = html.split('data-testid="my-measures"')[1].split("</ul>")[0]
    assert late.title in mine and 'data-testid="overdue"' in mine and waiting.title not in mine
    assert 'data-testid="to-verify"' not in html
    html = html_of(client, centre["liuhua"], reverse("core:workbench"))
    assert waiting.title in html.split('data-testid="to-verify"')[1].split("</ul>")[0]
    html = html_of(client, centre["guihua"], reverse("core:workbench"))
    assert 'data-testid="to-verify"' not in html  # the section does not sign off its own problems


def test_the_menu_leads_to_the_ledger(client, centre):
    html = html_of(client, centre["planner"], reverse("core:workbench"))
    assert reverse("problems:problems") in html


def test_a_problem_from_a_weakness_links_to_the_item_on_its_scorecard(client, coal_center):
    from assessment.tests.conftest import item
    from assessment.tests.test_round_flow import _run

    _results, cards = _run(coal_center)
    weak = item(cards["B"], "d")
    problem = origins.from_weakness(coal_center["clerks"]["B"], weak)
    html = html_of(client, coal_center["clerks"]["B"], url("problem", problem))
    origin = html.split('data-testid="origin"')[1].split("</dd>")[0]
    assert f'href="{reverse("assessment:scorecard", args=[cards["B"].pk])}#item-{weak.pk}"' in origin and "民主生活会" in origin
    assert as_(client, coal_center["clerks"]["A"]).get(url("problem", problem)).status_code == 404
