"""Public feedback through its pages: recorded by the office, listed with masked contacts, read in
full only by the office, answered by the handling unit, turned into a problem; bad input saves nothing."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from problems import feedback
from problems.models import Feedback, FeedbackStatus, Problem, Source

PHONE = "13812345678"


def as_(client, user):
    client.force_login(user)
    return client


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _complaint(centre, **extra):
    fields = {
        "channel": "phone", "received_at": timezone.now() - datetime.timedelta(days=1), "contact_name": "张三",
        "contact_phone": PHONE, "content": "煤矿安全检查通知送达不及时", "unit": centre["safety"],
        "reply_due": timezone.localdate() + datetime.timedelta(days=5), **extra,
    }
    return feedback.record(centre["liuhua"], **fields)


def _posted(**extra):
    received = timezone.localtime() - datetime.timedelta(hours=2)
    return {
        "channel": "online", "received_at": received.strftime("%Y-%m-%dT%H:%M"), "contact_name": "李四",
        "contact_phone": "13900001111", "content": "网上办事系统经常登录不上", "reply_due": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        **extra,
    }


def test_the_office_records_feedback_and_the_list_masks_the_contact(client, centre):
    as_(client, centre["liuhua"])
    assert 'data-testid="add-feedback"' in html_of(client, reverse("problems:feedbacks"))
    response = client.post(reverse("problems:feedback_add"), _posted(unit=centre["safety"].pk))
    record = Feedback.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert (record.channel, record.contact_phone, record.unit, record.recorded_by) == ("online", "13900001111", centre["safety"], centre["liuhua"])
    assert abs(timezone.now() - record.received_at - datetime.timedelta(hours=2)) < datetime.timedelta(minutes=2)

    _complaint(centre)
    html = html_of(client, reverse("problems:feedbacks"))
    assert "138****5678" in html and "139****1111" in html and "张*" in html
    assert PHONE not in html and "13900001111" not in html and "张三" not in html
    # The office that records feedback reads the full contact on the record's page.
    assert "13900001111" in html_of(client, record.get_absolute_url())

    # The safety section handles it: it reads the whole contact on the record (to call back), and replies.
    as_(client, centre["anquan"])
    html = html_of(client, record.get_absolute_url())
    assert "13900001111" in html and 'data-testid="reply"' in html
    assert PHONE not in html_of(client, reverse("problems:feedbacks"))


def test_bad_feedback_is_refused_in_chinese_and_nothing_is_saved(client, centre):
    as_(client, centre["liuhua"])
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("problems:feedback_add"), _posted(unit=centre["safety"].pk, content=" ", received_at=future))
    html = response.content.decode()
    assert response.status_code == 200
    assert "请记录反映的内容。" in html and "受理时间不能晚于现在。" in html
    response = client.post(reverse("problems:feedback_add"), _posted(unit=centre["safety"].pk, contact_phone="call me"))
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(reverse("problems:feedback_add"), _posted(unit=centre["stranger"].unit.pk))
    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_feedback_is_seen_only_in_scope_and_answered_only_by_the_handling_unit(client, centre):
    record = _complaint(centre)
    detail = record.get_absolute_url()
    reply = reverse("problems:feedback_reply", args=[record.pk])
    as_(client, centre["stranger"])
    assert client.get(detail).status_code == 404
    assert client.post(reply, {"text": "越权答复"}).status_code == 404
    assert "煤矿安全检查" not in html_of(client, reverse("problems:feedbacks"))
    as_(client, centre["guihua"])  # another section of the centre
    assert client.get(detail).status_code == 404
    as_(client, centre["planner"])  # staff keep no feedback
    assert client.get(reverse("problems:feedbacks")).status_code == 403
    assert client.get(reverse("problems:feedback_add")).status_code == 403
    as_(client, centre["wencheng"])  # a leader reads it, does not answer it
    assert 'data-testid="reply"' not in html_of(client, detail)
    assert client.post(reply, {"text": "领导答复"}).status_code == 403

    as_(client, centre["anquan"])
    response = client.post(reply, {"text": " "})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(reply, {"text": "已电话回复，改为短信送达"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == FeedbackStatus.REPLIED and record.replied_by == centre["anquan"]


def test_the_list_filters_by_channel_status_overdue_and_unit(client, centre):
    _complaint(centre, content="电话投诉超期未复")
    Feedback.objects.update(reply_due=timezone.localdate() - datetime.timedelta(days=1))
    _complaint(centre, channel="online", content="网络问政按期", unit=centre["planning"])
    as_(client, centre["liuhua"])
    url = reverse("problems:feedbacks")
    html = html_of(client, url)
    assert "电话投诉超期未复" in html and "网络问政按期" in html and 'data-overdue="1"' in html
    html = html_of(client, url + "?overdue=on")
    assert "电话投诉超期未复" in html and "网络问政按期" not in html
    html = html_of(client, url + "?channel=online")
    assert "电话投诉超期未复" not in html and "网络问政按期" in html
    html = html_of(client, url + f"?unit={centre['safety'].pk}")
    assert "电话投诉超期未复" in html and "网络问政按期" not in html
    html = html_of(client, url + "?status=replied")
    assert "电话投诉超期未复" not in html and "网络问政按期" not in html


def test_a_complaint_becomes_a_problem_through_the_page(client, centre):
    record = _complaint(centre)
    url = reverse("problems:feedback_to_problem", args=[record.pk])
    as_(client, centre["guihua"])
    assert client.get(url).status_code == 404
    as_(client, centre["liuhua"])
    assert "煤矿安全检查通知送达不及时" in html_of(client, url)
    response = client.post(url, {"title": "", "description": "", "severity": "general", "kind": "fix_now"})
    assert response.status_code == 200 and not Problem.objects.exists()
    response = client.post(url, {"title": "通知送达不及时", "description": "群众电话投诉", "severity": "serious", "kind": "fix_now"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == problem.get_absolute_url()
    assert (problem.origin_feedback, problem.source, problem.unit, problem.severity) == (record, Source.PUBLIC, centre["safety"], "serious")
    html = html_of(client, record.get_absolute_url())
    assert 'data-testid="feedback-problem"' in html and 'data-testid="to-problem"' not in html


def test_the_list_costs_the_same_for_one_record_or_many(client, centre):
    _complaint(centre)
    as_(client, centre["liuhua"])
    url = reverse("problems:feedbacks")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    for unit in ("planning", "safety", "office_unit", "agency"):
        _complaint(centre, unit=centre[unit])
    assert count() == few
