"""The supervision ledger (督办台账) as .xlsx: the columns offices use, an escalated chain, an overdue
notice, and only the notices the reader may see."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from goals import ledger, supervision
from goals.models import SupervisionNotice
from mofan.testing.factories import make_person

TODAY = timezone.localdate()


def days(number):
    return TODAY + datetime.timedelta(days=number)


@pytest.fixture
def notices(plan):
    """A reminder replied late and escalated to a supervision notice now overdue; a notice replied in
    time and closed; a notice on the other county bureau as a whole."""
    office = plan["office"]
    clerk = make_person(plan["county"], real_name="县局资料员", roles=[(Role.RECORDS_CLERK, plan["county"])])
    task = plan["county_task"]
    reminder = supervision.issue_notice(office, task=task, reason="理论学习进度滞后", reply_due=days(-25), today=days(-30))
    supervision.reply(clerk, reminder, text="已安排补学")
    escalated = supervision.escalate(office, reminder, reason="补学未落实", reply_due=days(-5), today=days(-20))
    closed = supervision.issue_notice(office, task=task, reason="缺少佐证材料", reply_due=days(10))
    supervision.reply(clerk, closed, text="已上传佐证")
    supervision.close(office, closed)
    other = supervision.issue_notice(
        office, unit=plan["other_county"], issuing_unit=plan["agency"], reason="另一县局创建滞后", reply_due=days(10)
    )
    plan.update(reminder=reminder, escalated=escalated, closed=closed, other=other, clerk=clerk)
    return plan


def read(content):
    sheet = load_workbook(io.BytesIO(content))["督办台账"]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def number(notice):
    return f"DB-{TODAY.year}-{notice.pk:04d}"


def test_the_ledger_has_a_title_the_office_columns_and_one_row_per_notice(notices):
    content = ledger.ledger_workbook(SupervisionNotice.objects.all(), title="2026年督办台账")
    sheet, rows = read(content)
    assert rows[0][0] == "2026年督办台账" and "A1:O1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert rows[1] == [
        "序号", "督办编号", "督办事项/关联任务", "被督办单位", "督办单位", "督办级别", "督办事由", "下达日期",
        "要求回复日期", "回复情况", "回复日期", "是否逾期", "状态", "办结日期", "备注",
    ]
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["G"].width > sheet.column_dimensions["A"].width
    body = {row[1]: row for row in rows[2:]}
    assert [row[0] for row in rows[2:]] == [1, 2, 3, 4]
    reminder = body[number(notices["reminder"])]
    assert reminder[2:7] == ["县局理论学习", "某县烟草专卖局", "市烟草专卖局", "提醒", "理论学习进度滞后"]
    assert reminder[8].date() == days(-25) and reminder[9] == "已安排补学" and reminder[10].date() == TODAY
    # Replied after its date: late. Escalated, so no closing date, and the chain is in the remark.
    assert reminder[11:] == ["是", "已升级", None, f"已升级为{number(notices['escalated'])}"]
    escalated = body[number(notices["escalated"])]
    assert escalated[5] == "督办" and escalated[9] is None
    assert escalated[11:] == ["是", "待回复", None, f"由{number(notices['reminder'])}升级"]
    closed = body[number(notices["closed"])]
    assert closed[11:13] == ["否", "已办结"] and closed[13].date() == TODAY and closed[14] is None
    other = body[number(notices["other"])]
    assert other[2:5] == ["单位整体督办", "另一县局", "市烟草专卖局"] and other[11] == "否"


def test_the_export_reads_a_constant_number_of_queries(notices, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        ledger.ledger_workbook(SupervisionNotice.objects.all())


def test_the_exported_ledger_holds_only_what_the_reader_may_see(client, notices):
    url = reverse("goals:notices_xlsx")
    client.force_login(notices["other_office"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    _, rows = read(response.content)
    assert [row[1] for row in rows[2:]] == [number(notices["other"])]
    client.force_login(notices["clerk"])
    _, rows = read(client.get(url).content)
    assert {row[1] for row in rows[2:]} == {number(notices[key]) for key in ("reminder", "escalated", "closed")}
    client.force_login(notices["office"])
    _, rows = read(client.get(url).content)
    assert len(rows) == 6


def test_the_exported_ledger_follows_the_page_filters(client, notices):
    client.force_login(notices["office"])
    url = reverse("goals:notices_xlsx")
    _, rows = read(client.get(url, {"overdue": "on"}).content)
    assert [row[1] for row in rows[2:]] == [number(notices["escalated"])]
    _, rows = read(client.get(url, {"status": "closed"}).content)
    assert [row[1] for row in rows[2:]] == [number(notices["closed"])]
    response = client.get(url, {"unit": notices["other_county"].pk, "year": TODAY.year})
    _, rows = read(response.content)
    assert rows[0][0] == f"{TODAY.year}年督办台账" and [row[1] for row in rows[2:]] == [number(notices["other"])]
    page = client.get(reverse("goals:notices"), {"status": "closed"}).content.decode()
    assert f'{reverse("goals:notices_xlsx")}?status=closed' in page
