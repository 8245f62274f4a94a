"""Supervision pages: the ledger with its filters, a notice with its chain, issue, reply, close and
escalate, each refused out of scope (404) or without the right (403)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from goals import supervision
from goals.models import SupervisionLevel, SupervisionNotice, SupervisionStatus
from mofan.testing.factories import make_person

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=10)


@pytest.fixture
def supervised(plan):
    plan["county_clerk"] = make_person(plan["county"], real_name="县局资料员", roles=[(Role.RECORDS_CLERK, plan["county"])])
    plan["other_clerk"] = make_person(
        plan["other_county"], real_name="另一县局资料员", roles=[(Role.RECORDS_CLERK, plan["other_county"])]
    )
    return plan


def issue(data, **kwargs):
    fields = {"task": data["county_task"], "reason": "理论学习进度滞后", "reply_due": LATER, **kwargs}
    return supervision.issue_notice(data["office"], **fields)


def overdue_notice(data, **kwargs):
    """A notice whose reply date passed five days ago without a reply."""
    long_ago = TODAY - datetime.timedelta(days=20)
    return issue(data, reply_due=TODAY - datetime.timedelta(days=5), today=long_ago, **kwargs)


def login(client, person):
    client.force_login(person)
    return client


def test_the_office_issues_a_notice_on_a_task_from_its_page(client, supervised):
    login(client, supervised["office"])
    url = reverse("goals:notice_issue") + f"?task={supervised['county_task'].pk}"
    page = client.get(url)
    assert page.status_code == 200
    # The issuing unit defaults to the task's issuer: the bureau that drew up the plan.
    assert page.context["form"].initial["issuing_unit"] == supervised["agency"]
    response = client.post(url, {
        "issuing_unit": supervised["agency"].pk, "level": SupervisionLevel.SUPERVISION, "reason": "进度滞后",
        "reply_due": LATER.isoformat(),
    })
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == notice.get_absolute_url()
    assert (notice.task, notice.unit, notice.issuing_unit, notice.level) == (
        supervised["county_task"], supervised["county"], supervised["agency"], SupervisionLevel.SUPERVISION)


def test_an_issue_with_a_past_reply_date_shows_the_reason_and_creates_nothing(client, supervised):
    login(client, supervised["office"])
    url = reverse("goals:notice_issue") + f"?task={supervised['county_task'].pk}"
    response = client.post(url, {
        "issuing_unit": supervised["agency"].pk, "level": SupervisionLevel.REMINDER, "reason": "进度滞后",
        "reply_due": (TODAY - datetime.timedelta(days=1)).isoformat(),
    })
    assert response.status_code == 200 and "回复期限不能早于今天" in response.content.decode()
    assert not SupervisionNotice.objects.exists()


def test_a_county_office_supervises_its_section_as_a_whole(client, supervised):
    login(client, supervised["county_office"])
    url = reverse("goals:notice_issue") + f"?unit={supervised['section'].pk}"
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["issuing_unit"] == supervised["county"]
    client.post(url, {"issuing_unit": supervised["county"].pk, "level": "reminder", "reason": "台账不全", "reply_due": LATER.isoformat()})
    notice = SupervisionNotice.objects.get()
    assert (notice.task, notice.unit, notice.issuing_unit) == (None, supervised["section"], supervised["county"])


def test_the_office_picks_the_unit_when_none_is_given(client, supervised):
    login(client, supervised["office"])
    url = reverse("goals:notice_issue")
    response = client.post(url, {
        "unit": supervised["other_county"].pk, "issuing_unit": supervised["agency"].pk, "level": "reminder",
        "reason": "创建工作滞后", "reply_due": LATER.isoformat(),
    })
    assert response.status_code == 302
    assert SupervisionNotice.objects.get().unit == supervised["other_county"]


def test_issuing_is_refused_out_of_scope_and_without_the_right(client, supervised):
    task_url = reverse("goals:notice_issue") + f"?task={supervised['county_task'].pk}"
    # Another county's office does not see this county's task.
    login(client, supervised["other_office"])
    assert client.get(task_url).status_code == 404
    assert client.get(reverse("goals:notice_issue") + f"?unit={supervised['section'].pk}").status_code == 404
    assert client.get(reverse("goals:notice_issue") + "?task=abc").status_code == 404
    # The county's records clerk sees the task but issues nothing.
    login(client, supervised["county_clerk"])
    assert client.get(task_url).status_code == 403
    assert client.post(task_url, {"issuing_unit": supervised["agency"].pk, "level": "reminder", "reason": "x",
                                  "reply_due": LATER.isoformat()}).status_code == 403
    assert client.get(reverse("goals:notice_issue")).status_code == 403
    # The county office may not issue in the bureau's name.
    login(client, supervised["county_office"])
    response = client.post(task_url, {"issuing_unit": supervised["agency"].pk, "level": "reminder", "reason": "x",
                                      "reply_due": LATER.isoformat()})
    assert response.status_code == 200 and response.context["form"].errors["issuing_unit"]
    assert not SupervisionNotice.objects.exists()


def test_the_ledger_page_shows_what_the_user_may_see_and_flags_overdue_notices(client, supervised):
    county_notice = overdue_notice(supervised)
    other = issue(supervised, task=None, unit=supervised["other_county"], issuing_unit=supervised["agency"], reason="另一县局工作滞后")
    url = reverse("goals:notices")
    html = login(client, supervised["office"]).get(url).content.decode()
    assert "理论学习进度滞后" in html and "另一县局工作滞后" in html
    assert html.count('data-overdue="1"') == 1 and 'data-testid="overdue"' in html
    html = login(client, supervised["other_clerk"]).get(url).content.decode()
    assert "另一县局工作滞后" in html and "理论学习进度滞后" not in html
    html = login(client, supervised["county_clerk"]).get(url).content.decode()
    assert "理论学习进度滞后" in html and "另一县局工作滞后" not in html
    assert client.get(county_notice.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    # The system administrator does no business work (三员分立): not even a staff member's reading.
    assert login(client, supervised["sysadmin"]).get(url).status_code == 403


def test_the_ledger_page_filters(client, supervised):
    overdue = overdue_notice(supervised)
    replied = issue(supervised, level=SupervisionLevel.SUPERVISION, reason="督办级别的事项")
    supervision.reply(supervised["county_clerk"], replied, text="已整改")
    issue(supervised, task=None, unit=supervised["other_county"], issuing_unit=supervised["agency"], reason="另一县局工作滞后")
    login(client, supervised["office"])

    def shown(**query):
        page = client.get(reverse("goals:notices"), query)
        return {notice.pk for notice in page.context["page_obj"]}

    assert len(shown()) == 3
    assert shown(status="replied") == {replied.pk}
    assert shown(level="supervision") == {replied.pk}
    assert shown(overdue="on") == {overdue.pk}
    assert shown(unit=supervised["county"].pk) == {overdue.pk, replied.pk}
    assert shown(year=TODAY.year + 1) == set()
    assert len(shown(year="not a year")) == 3
    assert shown(year="not a year", status="replied") == {replied.pk}


def test_the_ledger_page_costs_the_same_whatever_the_number_of_notices(client, supervised):
    login(client, supervised["office"])
    url = reverse("goals:notices")
    issue(supervised)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        issue(supervised, task=None, unit=supervised["section"], issuing_unit=supervised["agency"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page_obj"]) == 13
    assert len(many) == len(few)


def test_the_supervised_unit_replies_and_no_other_unit_may(client, supervised):
    notice = issue(supervised)
    url = reverse("goals:notice_reply", args=[notice.pk])
    # The bureau's office sees the notice but does not answer for the county.
    assert login(client, supervised["office"]).get(url).status_code == 403
    assert client.post(url, {"text": "代为回复"}).status_code == 403
    # Another county's clerk does not see it.
    assert login(client, supervised["other_clerk"]).post(url, {"text": "回复"}).status_code == 404
    login(client, supervised["county_clerk"])
    detail = client.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="reply"' in detail and 'data-testid="close"' not in detail
    assert client.post(url, {"text": "  "}).status_code == 200
    response = client.post(url, {"text": "已制定整改计划"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.reply, notice.replied_by) == (SupervisionStatus.REPLIED, "已制定整改计划", supervised["county_clerk"])
    again = client.post(url, {"text": "再次回复"})
    assert "只有待回复的督办单才能回复" in again.content.decode()


def test_only_the_issuing_office_closes(client, supervised):
    notice = issue(supervised)
    url = reverse("goals:notice_close", args=[notice.pk])
    assert login(client, supervised["county_office"]).post(url).status_code == 403
    assert login(client, supervised["other_office"]).post(url).status_code == 404
    login(client, supervised["office"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    notice.refresh_from_db()
    assert notice.status == SupervisionStatus.CLOSED and notice.closed_by == supervised["office"]
    response = client.post(url, follow=True)
    assert "已办结或已升级" in response.content.decode()


def test_escalation_through_the_pages_shows_the_chain_and_stops_at_the_top(client, supervised):
    office = supervised["office"]
    reminder = issue(supervised)
    login(client, supervised["county_clerk"])
    assert client.get(reverse("goals:notice_escalate", args=[reminder.pk])).status_code == 403
    supervision.reply(supervised["county_clerk"], reminder, text="正在整改")
    login(client, office)
    assert 'data-testid="escalate"' in client.get(reminder.get_absolute_url()).content.decode()
    url = reverse("goals:notice_escalate", args=[reminder.pk])
    response = client.post(url, {"reason": "整改不力", "reply_due": LATER.isoformat()})
    second = SupervisionNotice.objects.get(escalated_from=reminder)
    assert response["Location"] == second.get_absolute_url() and second.level == SupervisionLevel.SUPERVISION
    supervision.reply(supervised["county_clerk"], second, text="仍在整改")
    client.post(reverse("goals:notice_escalate", args=[second.pk]), {"reason": "约谈", "reply_due": LATER.isoformat()})
    top = SupervisionNotice.objects.get(escalated_from=second)
    assert top.level == SupervisionLevel.INTERVIEW
    page = client.get(second.get_absolute_url())
    assert [item.pk for item in page.context["chain"]] == [reminder.pk, second.pk, top.pk]
    html = page.content.decode()
    for item in (reminder, second, top):
        assert item.get_absolute_url() in html
    supervision.reply(supervised["county_clerk"], top, text="已约谈")
    detail = client.get(top.get_absolute_url()).content.decode()
    assert 'data-testid="escalate"' not in detail
    refused = client.post(reverse("goals:notice_escalate", args=[top.pk]), {"reason": "再升级", "reply_due": LATER.isoformat()})
    assert refused.status_code == 200 and "该督办单已是最高级别，不能再升级" in refused.content.decode()
    assert SupervisionNotice.objects.count() == 3


def test_an_overdue_notice_is_flagged_on_its_page_and_may_be_escalated(client, supervised):
    notice = overdue_notice(supervised)
    html = login(client, supervised["office"]).get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' in html and 'data-testid="escalate"' in html
    notice = issue(supervised)
    html = client.get(notice.get_absolute_url()).content.decode()
    assert 'data-testid="overdue"' not in html and 'data-testid="escalate"' not in html
