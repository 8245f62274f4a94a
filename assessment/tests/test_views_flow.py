"""Review, publication, results, appeals, set-up pages, dashboard and exports."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from assessment import actions, publication
from assessment.models import Appeal, Round, ScorecardStatus
from organization.models import UnitKind

from .conftest import PERFECT, answer_all, item, login


def _submit_all(center):
    for key, card in center["cards"].items():
        answer_all(center["clerks"][key], card, PERFECT)
        actions.submit_scorecard(center["clerks"][key], card)


@pytest.fixture
def reviewed(opened):
    _submit_all(opened)
    for card in opened["cards"].values():
        actions.complete_review(opened["reviewer"], card)
    publication.publish_round(opened["office"], opened["round"])
    return opened


def test_review_screen_shows_both_sides_and_saves_the_review(client, opened):
    _submit_all(opened)
    card = opened["cards"]["B"]
    client = login(client, opened["reviewer"])
    html = client.get(reverse("assessment:scorecard", args=[card.pk])).content.decode()
    assert html.count('data-testid="self-side"') == 7 and 'name="found_by_reviewer"' in html
    row = item(card, "e")
    response = client.post(
        reverse("assessment:save_review", args=[row.pk]),
        {"occurrences": "0", "found_by_reviewer": "1", "note": "抽查发现", "version": row.version}, HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.review_score == 50 and row.found_by_reviewer == 1  # multiplier 2: 60 − 2×5


def test_return_with_reason_then_complete(client, opened):
    _submit_all(opened)
    card = opened["cards"]["A"]
    client = login(client, opened["reviewer"])
    client.post(reverse("assessment:return", args=[card.pk]), {"reason": ""})
    card.refresh_from_db()
    assert card.status == ScorecardStatus.SUBMITTED
    client.post(reverse("assessment:return", args=[card.pk]), {"reason": "佐证不全"})
    card.refresh_from_db()
    assert card.status == ScorecardStatus.RETURNED
    html = login(client, opened["clerks"]["A"]).get(reverse("assessment:scorecard", args=[card.pk])).content.decode()
    assert "佐证不全" in html and 'data-testid="history"' in html and "退回单位修改" in html
    actions.submit_scorecard(opened["clerks"]["A"], card)
    login(client, opened["reviewer"]).post(reverse("assessment:complete", args=[card.pk]))
    card.refresh_from_db()
    assert card.status == ScorecardStatus.REVIEWED


def test_a_clerk_cannot_review(client, opened):
    _submit_all(opened)
    card = opened["cards"]["A"]
    response = login(client, opened["clerks"]["A"]).post(reverse("assessment:complete", args=[card.pk]))
    assert response.status_code == 403


def test_publish_lists_unreviewed_units_in_chinese(client, opened):
    response = login(client, opened["office"]).post(reverse("assessment:publish", args=[opened["round"].pk]), follow=True)
    assert "以下单位尚未复核" in response.content.decode()


def test_results_page_appeal_and_answer(client, reviewed):
    card = reviewed["cards"]["B"]
    client = login(client, reviewed["clerks"]["B"])
    html = client.get(reverse("assessment:scorecard", args=[card.pk])).content.decode()
    assert 'data-testid="result"' in html and 'data-testid="appeal-form"' in html
    client.post(reverse("assessment:appeal", args=[card.pk]), {"reason": "谈话记录已补"})
    appeal = Appeal.objects.get(scorecard=card)
    login(client, reviewer := reviewed["reviewer"]).post(
        reverse("assessment:answer_appeal", args=[appeal.pk]), {"accept": "0", "answer": "维持原结果"}
    )
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.answered_by == reviewer


def test_every_page_renders_for_the_office(client, reviewed):
    round_ = reviewed["round"]
    client = login(client, reviewed["office"])
    for name in ["assessment:round", "assessment:dashboard"]:
        assert client.get(reverse(name, args=[round_.pk])).status_code == 200
    assert client.get(reverse("assessment:rounds")).status_code == 200
    assert client.get(reverse("core:workbench")).status_code == 200


def test_set_up_a_round_through_the_pages(client, coal_center):
    center = coal_center
    client = login(client, center["office"])
    assert client.get(reverse("assessment:round_create")).status_code == 200
    response = client.post(reverse("assessment:round_create"), {
        "name": "2027年度考核", "unit": center["center"].pk, "standard": center["standard"].pk,
        "period_start": "2027-01-01", "period_end": "2027-12-31", "self_assessment_due": "2027-12-10",
        "review_due": "2027-12-20", "appeal_days": "5", "higher_level_multiplier": "1", "children_share": "0",
        "weakness_percent": "60",
    })
    round_ = Round.objects.get(name="2027年度考核")
    assert response.status_code == 302
    for name in ["round_edit", "grades", "components", "conditions", "add_units"]:
        assert client.get(reverse(f"assessment:{name}", args=[round_.pk])).status_code == 200
    grades = {"grade-TOTAL_FORMS": "2", "grade-INITIAL_FORMS": "0", "grade-0-name": "合格", "grade-0-min_score": "60",
              "grade-0-pay_coefficient": "1", "grade-1-name": "不合格", "grade-1-min_score": "10", "grade-1-pay_coefficient": "0.8"}
    response = client.post(reverse("assessment:grades", args=[round_.pk]), grades)
    assert "最低等次的最低分须为 0" in response.content.decode()
    grades["grade-1-min_score"] = "0"
    client.post(reverse("assessment:grades", args=[round_.pk]), grades)
    assert list(round_.grades.values_list("name", flat=True)) == ["合格", "不合格"]
    components = {"component-TOTAL_FORMS": "2", "component-INITIAL_FORMS": "0", "component-0-name": "党建", "component-0-weight": "70",
                  "component-0-source": "standard", "component-1-name": "班子考核", "component-1-weight": "20", "component-1-source": "entered"}
    assert "必须等于 100" in client.post(reverse("assessment:components", args=[round_.pk]), components).content.decode()
    client.post(reverse("assessment:conditions", args=[round_.pk]), {
        "kind": "reviewer_found", "percent": "0", "best_grade": round_.grades.get(name="不合格").pk,
    })
    assert round_.conditions.count() == 1
    edit = {"appeal_days": "7", "higher_level_multiplier": "2", "children_share": "0", "weakness_percent": "60",
            "veto_grade": round_.grades.get(name="合格").pk, "reviewers": [center["reviewer"].pk]}
    assert client.post(reverse("assessment:round_edit", args=[round_.pk]), edit).status_code == 302
    round_.refresh_from_db()
    assert round_.appeal_days == 7 and round_.veto_grade.name == "合格"
    assert list(round_.reviewers.all()) == [center["reviewer"]]
    assert center["reviewer"].real_name in client.get(round_.get_absolute_url()).content.decode()
    client.post(reverse("assessment:add_units", args=[round_.pk]), {"root": center["center"].pk, "kinds": [UnitKind.DEPARTMENT]})
    assert round_.scorecards.count() == 5
    client.post(reverse("assessment:open", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.status == "open"


def test_results_workbook_is_complete(client, reviewed):
    client = login(client, reviewed["office"])
    response = client.get(reverse("assessment:export_xlsx", args=[reviewed["round"].pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    ranking, by_item = workbook.worksheets
    names = {row[1] for row in ranking.iter_rows(min_row=2, values_only=True)}
    assert names == {unit.name for unit in reviewed["sections"].values()}
    header = [cell.value for cell in by_item[1]]
    assert set(header[5:]) == names
    numbers = [row[0] for row in by_item.iter_rows(min_row=2, values_only=True)]
    assert numbers == [node.number for node in reviewed["standard"].nodes.order_by("number")] or len(numbers) == reviewed["standard"].nodes.count()
    items = reviewed["standard"].nodes.filter(level=3).count()
    assert sum(1 for row in by_item.iter_rows(min_row=2, values_only=True) if row[1] == "考核内容") == items
    from audit.models import AuditEntry
    assert AuditEntry.objects.filter(action="export").exists()


def test_score_sheet_docx_opens_with_the_units_scores(client, reviewed):
    card = reviewed["cards"]["A"]
    response = login(client, reviewed["clerks"]["A"]).get(reverse("assessment:export_docx", args=[card.pk]))
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "综合股" in text and "总分：100.00" in text
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    for title in ["第一议题", "中心组学习", "谈话", "民主生活会", "违规问题", "严重违纪", "受到表彰"]:
        assert title in cells
    assert "10.00分" in cells


@pytest.mark.parametrize("extra_units", [0, 18])
def test_dashboard_query_count_is_flat(client, coal_center, django_assert_max_num_queries, extra_units):
    from mofan.testing.factories import make_unit

    center = coal_center
    for index in range(extra_units):
        make_unit(center["center"], name=f"加股{index}", code=f"MT-Y{index}")
    actions.add_units(center["office"], center["round"], root=center["center"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(center["office"], center["round"])
    client = login(client, center["office"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("assessment:dashboard", args=[center["round"].pk]))
    assert response.status_code == 200 and 'id="dashboard-data"' in response.content.decode()


def test_appeal_after_the_deadline_is_refused(client, reviewed):
    Round.objects.filter(pk=reviewed["round"].pk).update(published_at=timezone.now() - datetime.timedelta(days=30))
    card = reviewed["cards"]["A"]
    html = login(client, reviewed["clerks"]["A"]).get(reverse("assessment:scorecard", args=[card.pk])).content.decode()
    assert 'data-testid="appeal-form"' not in html
