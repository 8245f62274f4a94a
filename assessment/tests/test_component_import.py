"""Importing entered component scores: all or nothing, every bad row and column named."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from assessment import actions
from assessment.component_import import import_component_scores
from assessment.models import ComponentScore, ComponentSource
from organization.models import UnitKind


def workbook(rows, name="分项得分.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年度股室领导班子考核得分"])  # a title row above the header, as offices do
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def round_with_components(coal_center):
    round_, office = coal_center["round"], coal_center["office"]
    actions.set_components(office, round_, [
        {"name": "党建工作考核", "weight": "70", "source": ComponentSource.STANDARD},
        {"name": "领导班子年度考核", "weight": "30", "source": ComponentSource.ENTERED},
    ])
    for section in coal_center["sections"].values():
        actions.add_units(office, round_, root=section, kinds=[UnitKind.DEPARTMENT])
    return round_


def test_scores_are_imported(coal_center, round_with_components):
    upload = workbook([["序号", "单位", "领导班子年度考核"], [1, "综合股", 88], [2, "安全股", "92.5"]])
    outcome = import_component_scores(coal_center["office"], round_with_components, upload)
    assert outcome.ok and outcome.saved == 2
    scores = dict(ComponentScore.objects.values_list("unit__name", "score"))
    assert {name: str(score) for name, score in scores.items()} == {"综合股": "88.00", "安全股": "92.50"}


def test_a_bad_file_changes_nothing_and_names_every_problem(coal_center, round_with_components):
    upload = workbook([
        ["序号", "单位", "领导班子年度考核"],
        [1, "综合股", 88],
        [2, "不存在的股", 90],
        [3, "安全股", "优秀"],
        [4, "综合股", 70],
        [5, "规划股", 130],
    ])
    outcome = import_component_scores(coal_center["office"], round_with_components, upload)
    assert not outcome.ok and not ComponentScore.objects.exists()
    assert [(problem.row, problem.column) for problem in outcome.errors] == [
        (4, "单位"), (5, "领导班子年度考核"), (6, "单位"), (7, "领导班子年度考核"),
    ]
    assert "不存在的股" in outcome.errors[0].message


def test_a_file_that_is_not_a_workbook_is_refused(coal_center, round_with_components):
    upload = SimpleUploadedFile("得分.xlsx", b"MZ\x90\x00 this is a program, not a workbook")
    outcome = import_component_scores(coal_center["office"], round_with_components, upload)
    assert not outcome.ok and not ComponentScore.objects.exists()


def test_a_missing_component_column_is_named(coal_center, round_with_components):
    outcome = import_component_scores(coal_center["office"], round_with_components, workbook([["单位", "得分"], ["综合股", 80]]))
    assert [problem.column for problem in outcome.errors] == ["领导班子年度考核"]


def test_a_clerk_cannot_import(coal_center, round_with_components):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_component_scores(coal_center["clerks"]["A"], round_with_components, workbook([["单位", "领导班子年度考核"]]))


def test_the_import_page_lists_problems_and_then_scores(client, coal_center, round_with_components):
    from django.urls import reverse

    url = reverse("assessment:component_scores", args=[round_with_components.pk])
    client.force_login(coal_center["office"])
    bad = client.post(url, {"file": workbook([["单位", "领导班子年度考核"], ["综合股", "九十"]])})
    assert bad.status_code == 200 and "领导班子年度考核" in bad.content.decode() and not ComponentScore.objects.exists()
    good = client.post(url, {"file": workbook([["单位", "领导班子年度考核"], ["综合股", "91"]])}, follow=True)
    assert "91.00" in good.content.decode()
    client.force_login(coal_center["clerks"]["A"])
    assert client.get(url).status_code in (403, 404)
