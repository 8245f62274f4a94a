"""One step to a problem through the pages: a weakness of a published scorecard (and the scorecard
then shows the problem on the item), and the findings of a supervision notice."""

import datetime

from django.urls import reverse
from django.utils import timezone

from assessment.tests.conftest import item
from assessment.tests.test_round_flow import _run
from goals import supervision
from problems.models import Problem, ProblemStatus, Source


def as_(client, user):
    client.force_login(user)
    return client


def html_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _weaknesses(html):
    return html.split("<details", 1)[1].split("</details>", 1)[0]


def test_a_weakness_becomes_a_problem_from_the_scorecard_and_the_scorecard_shows_it(client, coal_center):
    _results, cards = _run(coal_center)
    card = cards["B"]
    weak = item(card, "d")  # 民主生活会 failed and without its record
    url = reverse("problems:weakness_to_problem", args=[weak.pk])
    clerk = coal_center["clerks"]["B"]

    as_(client, clerk)
    weaknesses = _weaknesses(html_of(client, card.get_absolute_url()))
    assert f'href="{url}"' in weaknesses and 'data-testid="weakness-link"' in weaknesses

    as_(client, coal_center["clerks"]["A"])  # another section's clerk: B's items do not exist for them
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "越权", "severity": "general", "kind": "fix_now"}).status_code == 404

    as_(client, clerk)
    form = html_of(client, url)
    assert "民主生活会" in form and "no evidence" not in form.lower()  # the reasons, in Chinese
    response = client.post(url, {"title": "民主生活会未按要求召开", "description": "会议记录缺失", "severity": "serious", "kind": "by_deadline"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == problem.get_absolute_url()
    assert (problem.unit, problem.node, problem.source, problem.origin_item, problem.severity) == (
        card.unit, weak.node, Source.ASSESSMENT, weak, "serious",
    )
    assert problem.status == ProblemStatus.REGISTERED

    weaknesses = _weaknesses(html_of(client, card.get_absolute_url()))
    assert f'href="{problem.get_absolute_url()}"' in weaknesses and "民主生活会未按要求召开" in weaknesses
    assert f'href="{url}"' not in weaknesses
    assert 'data-testid="existing"' in html_of(client, url)
    response = client.post(url, {"title": "重复", "severity": "general", "kind": "fix_now"})
    assert "该短板弱项已登记为问题。" in response.content.decode() and Problem.objects.count() == 1


def test_an_item_that_is_no_weakness_does_not_become_a_problem(client, coal_center):
    _results, cards = _run(coal_center)
    full = item(cards["A"], "a")
    url = reverse("problems:weakness_to_problem", args=[full.pk])
    as_(client, coal_center["office"])
    assert 'data-testid="not-weak"' in html_of(client, url)
    response = client.post(url, {"title": "满分项", "severity": "general", "kind": "fix_now"})
    assert response.status_code == 200 and "该考核内容不属于本单位的短板弱项。" in response.content.decode()
    assert not Problem.objects.exists()


def test_the_findings_of_a_notice_become_a_problem_through_the_page(client, centre):
    notice = supervision.issue_notice(
        centre["liuhua"], unit=centre["planning"], issuing_unit=centre["agency"], reason="调研课题进度滞后",
        reply_due=timezone.localdate() + datetime.timedelta(days=3),
    )
    supervision.reply(centre["guihua"], notice, text="人手不足，已调整分工")
    url = reverse("problems:notice_to_problem", args=[notice.pk])
    for outsider in ("stranger", "anquan"):
        as_(client, centre[outsider])
        assert client.get(url).status_code == 404
        assert client.post(url, {"title": "越权", "severity": "general", "kind": "fix_now"}).status_code == 404

    as_(client, centre["liuhua"])
    form = html_of(client, url)
    assert "调研课题进度滞后" in form and "人手不足，已调整分工" in form
    response = client.post(url, {"title": " ", "description": "", "severity": "general", "kind": "fix_now"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Problem.objects.exists()
    response = client.post(url, {"title": "调研课题进度滞后", "description": "人手不足", "severity": "general", "kind": "by_deadline"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == problem.get_absolute_url()
    assert (problem.origin_notice, problem.unit, problem.source) == (notice, centre["planning"], Source.SUPERVISION)
