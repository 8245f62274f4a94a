"""The problems dashboard: found vs signed off by month, by dimension, by source, overdue measures by
responsible unit; scope and query counts."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.tests.conftest import build_standard
from problems import actions
from problems.models import Source

from .test_problem_pages import DAY, as_, register, today


def _dashboard(client, user, **query):
    response = as_(client, user).get(reverse("problems:dashboard"), query)
    assert response.status_code == 200
    return response


def _data(centre):
    standard, nodes = build_standard(centre["agency"])
    year = today().year
    march, may = datetime.date(year, 3, 10), datetime.date(year, 5, 2)
    political = register(centre, title="第一议题落实不到位", node=nodes["a"], source=Source.INSPECTION, found_on=march)
    discipline = register(centre, unit_key="safety", actor_key="anquan", title="违规问题", node=nodes["i21"], found_on=may)
    loose = register(centre, title="办事流程繁琐", source=Source.STAFF, found_on=may)
    register(centre, title="去年的问题", found_on=datetime.date(year - 1, 6, 1))
    actions.analyse(centre["guihua"], political, root_cause="原因")
    measure = actions.add_measure(centre["guihua"], political, text="整改", unit=centre["planning"], deadline=today())
    actions.report_progress(centre["guihua"], measure, text="完成", done=True)
    actions.submit_for_verification(centre["guihua"], political)
    actions.sign_off(centre["liuhua"], political)
    actions.analyse(centre["anquan"], discipline, root_cause="原因")
    late = actions.add_measure(centre["anquan"], discipline, text="逾期措施", unit=centre["safety"], deadline=today() - DAY)
    return {"nodes": nodes, "political": political, "discipline": discipline, "loose": loose, "late": late, "march": march, "may": may}


def test_found_and_signed_off_by_month_dimension_source_and_overdue_by_unit(client, centre):
    data = _data(centre)
    response = _dashboard(client, centre["liuhua"])
    figures, chart = response.context["figures"], response.context["chart"]
    found = [0] * 12
    found[2], found[4] = 1, 2
    signed = [0] * 12
    signed[today().month - 1] = 1
    assert (figures.found, figures.signed_off) == (found, signed)
    assert (chart["found"], chart["signed_off"]) == (found, signed)
    assert (figures.found_total, figures.signed_off_total, figures.open_total, figures.overdue_total) == (3, 1, 2, 1)
    by_dimension = dict(figures.by_dimension)
    assert by_dimension.pop("政治过硬") == 1 and by_dimension.pop("纪律过硬") == 1
    assert list(by_dimension.values()) == [1]  # the problem tied to no part of the standard
    assert dict(figures.by_source) == {Source.INSPECTION.label: 1, Source.STAFF.label: 2}
    assert [(row["unit__name"], row["count"]) for row in figures.overdue_by_unit] == [("安全监管股", 1)]
    assert chart["units"] == [{"name": "安全监管股", "value": 1}]
    html = response.content.decode()
    assert 'id="problems-dashboard-data"' in html and "vendor/echarts/echarts.min.js" in html
    row = html.split(f'data-measure="{data["late"].pk}"')[1].split("</tr>")[0]
    assert f'{reverse("goals:notice_issue")}?unit={centre["safety"].pk}' in row
    # Last year's problem counts in last year.
    assert _dashboard(client, centre["liuhua"], year=today().year - 1).context["figures"].found_total == 1


def test_the_dashboard_shows_only_the_users_scope(client, centre):
    _data(centre)
    figures = _dashboard(client, centre["guihua"]).context["figures"]
    assert (figures.found_total, figures.overdue_total, figures.overdue_by_unit) == (2, 0, [])
    html = _dashboard(client, centre["guihua"]).content.decode()
    assert 'data-testid="issue-notice"' not in html
    figures = _dashboard(client, centre["liuhua"], unit=centre["safety"].pk).context["figures"]
    assert (figures.found_total, figures.overdue_total) == (1, 1)
    assert _dashboard(client, centre["stranger"]).context["figures"].found_total == 0


def test_the_dashboard_costs_the_same_for_few_or_many_problems(client, centre):
    _data(centre)
    as_(client, centre["liuhua"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("problems:dashboard")).status_code == 200
        return len(captured)

    few = queries()
    for index in range(15):
        problem = register(centre, unit_key="safety", actor_key="anquan", title=f"问题{index}", found_on=today() - (index + 2) * DAY)
        actions.analyse(centre["anquan"], problem, root_cause="原因")
        actions.add_measure(centre["anquan"], problem, text="措施", unit=centre["safety"], deadline=today() - DAY)
    assert queries() == few
