"""A round's whole life through /api/v1/ alone: set-up, units, component scores, scoring, publication,
weaknesses and appeals; bad input is a 400 in Chinese that changes nothing, scope is 404, rank 403."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from openpyxl import Workbook
from rest_framework.test import APIClient

from accounts.roles import Role
from assessment import actions
from assessment.models import ComponentScore, GradeCondition, Round, RoundComponent
from mofan.testing.factories import make_person, make_unit

from .conftest import NODES_BY_TITLE, PERFECT

CJK = re.compile(r"[\u4e00-\u9fff]")


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def messages(body):
    """Every error message in a DRF error body, however nested."""
    if isinstance(body, dict):
        return [text for value in body.values() for text in messages(value)]
    if isinstance(body, list):
        return [text for value in body for text in messages(value)]
    return [body]


def assert_chinese(response, field=None):
    assert response.status_code == 400, response.content
    body = response.json()
    if field is not None:
        assert field in body, body
        body = body[field]
    found = messages(body)
    assert found and all(CJK.search(text) for text in found), found


def round_payload(center, **extra):
    return {
        "name": "2026年度股室考核(接口)", "unit": center["center"].pk, "standard": center["standard"].pk,
        "period_start": "2026-01-01", "period_end": "2026-12-31",
        "self_assessment_due": "2026-11-01", "review_due": "2026-11-10", **extra,
    }


GRADES = [
    {"name": "优秀", "min_score": "90", "quota_count": 1, "pay_coefficient": "1.2", "award_eligible": True},
    {"name": "良好", "min_score": "80"},
    {"name": "合格", "min_score": "60"},
    {"name": "不合格", "min_score": "0", "pay_coefficient": "0.8"},
]


def self_assess(client, card_id):
    """The clerk answers every item through PATCH /item-scores/{id}/ and submits."""
    card = client.get(f"/api/v1/scorecards/{card_id}/").json()
    keys = {title: key for key, title in NODES_BY_TITLE.items()}
    for row in card["items"]:
        response = client.patch(
            f"/api/v1/item-scores/{row['id']}/",
            {"side": "self", "answer": PERFECT[keys[row["title"]]], "version": row["version"]}, format="json",
        )
        assert response.status_code == 200, response.content
    assert client.post(f"/api/v1/scorecards/{card_id}/submit/").json()["status"] == "submitted"
    return card


def totals(client, round_id):
    return {row["unit_name"]: (row["total"], row["grade"]) for row in client.get(f"/api/v1/rounds/{round_id}/results/").json()}


def test_a_round_runs_its_whole_life_through_the_api(coal_center):
    office, reviewer = api(coal_center["office"]), api(coal_center["reviewer"])
    clerks = {key: api(person) for key, person in coal_center["clerks"].items()}
    sections = coal_center["sections"]

    created = office.post("/api/v1/rounds/", round_payload(coal_center, bonus_cap="3", higher_level_multiplier="2"), format="json")
    assert created.status_code == 201, created.content
    round_id = created.json()["id"]
    assert [grade["name"] for grade in created.json()["grades"]] == ["优秀", "良好", "一般", "较差"]
    url = f"/api/v1/rounds/{round_id}/"

    grades = office.put(f"{url}grades/", GRADES, format="json")
    assert [grade["name"] for grade in grades.json()] == ["优秀", "良好", "合格", "不合格"]
    by_name = {grade["name"]: grade["id"] for grade in grades.json()}
    patched = office.patch(url, {"veto_grade": by_name["合格"], "reviewers": [coal_center["reviewer"].pk], "appeal_days": 7}, format="json")
    assert patched.status_code == 200, patched.content
    assert (patched.json()["veto_grade"], patched.json()["appeal_days"]) == (by_name["合格"], 7)
    assert [person["real_name"] for person in patched.json()["reviewers"]] == ["文成"]

    components = office.put(f"{url}components/", [
        {"name": "党建工作考核", "weight": "70"}, {"name": "领导班子年度考核", "weight": "30", "source": "entered"},
    ], format="json").json()
    entered = components[1]["id"]
    shown = office.get(url).json()["components"]
    assert [(c["name"], c["source_display"]) for c in shown] == [("党建工作考核", "按创建标准评分"), ("领导班子年度考核", "录入或导入")]
    condition = office.post(
        f"{url}conditions/", {"kind": "node_below", "node": coal_center["nodes"]["d2"].pk, "percent": "80", "best_grade": by_name["良好"]},
        format="json",
    )
    assert condition.status_code == 201 and condition.json()["node_number"] == coal_center["nodes"]["d2"].number
    extra = office.post(f"{url}conditions/", {"kind": "missing_evidence", "best_grade": by_name["优秀"]}, format="json").json()
    assert office.delete(f"{url}conditions/{extra['id']}/").status_code == 204
    assert [row["kind"] for row in office.get(url).json()["conditions"]] == ["node_below"]

    for key in "AB":
        assert office.post(f"{url}units/", {"root": sections[key].pk, "kinds": ["department"]}, format="json").json() == {"added": 1}
    assert office.post(f"{url}units/", {"root": sections["A"].pk, "kinds": ["department"]}, format="json").json() == {"added": 0}
    scores = office.post(f"{url}component-scores/", [
        {"component": entered, "unit": sections["A"].pk, "score": "88"},
        {"component": entered, "unit": sections["B"].pk, "score": "92", "note": "组织部评定"},
    ], format="json")
    assert [(row["unit_name"], row["score"]) for row in scores.json()] == [("综合股", "88.00"), ("安全股", "92.00")]
    assert office.post(f"{url}open/").json()["status"] == "open"

    cards = {row["unit_name"]: row["id"] for row in office.get("/api/v1/scorecards/", {"round": round_id}).json()["results"]}
    card_a, card_b = cards["综合股"], cards["安全股"]
    self_assess(clerks["A"], card_a)
    items_b = {row["title"]: row for row in self_assess(clerks["B"], card_b)["items"]}
    # The leading group finds a violation in 安全股 the section did not report: 5 points × 2.
    violation = items_b["违规问题"]
    found = reviewer.patch(
        f"/api/v1/item-scores/{violation['id']}/",
        {"side": "review", "answer": {"occurrences": 0, "found_by_reviewer": 1}, "version": violation["version"] + 1}, format="json",
    )
    assert found.json()["review_score"] == "50.00"
    for card in (card_a, card_b):
        assert reviewer.post(f"/api/v1/scorecards/{card}/complete-review/").json()["status"] == "reviewed"
    assert office.post(f"{url}publish/").json()["status"] == "published"

    # 70 % of the standard's score + 30 % of the entered one: A 70 + 26.4, B 63 + 27.6 (优秀 by score, but the quota is 1).
    assert totals(office, round_id) == {"综合股": ("96.40", "优秀"), "安全股": ("90.60", "良好")}
    assert totals(clerks["B"], round_id) == {"安全股": ("90.60", "良好")}

    weak = clerks["B"].get(f"/api/v1/scorecards/{card_b}/weaknesses/").json()
    assert [row["item"]["title"] for row in weak] == ["民主生活会"]  # evidence required, none in the ledger
    assert weak[0]["reasons"] and CJK.search(weak[0]["reasons"][0])

    appeal = clerks["B"].post(f"/api/v1/scorecards/{card_b}/appeals/", {"reason": "该问题已在年中整改到位"}, format="json")
    assert appeal.status_code == 201 and appeal.json()["status"] == "pending"
    appeal_id = appeal.json()["id"]
    assert [row["id"] for row in reviewer.get("/api/v1/appeals/", {"status": "pending"}).json()["results"]] == [appeal_id]
    answer = {"accept": True, "answer": "经复核,问题已整改,不再扣分",
              "rescores": [{"item": violation["id"], "answer": {"occurrences": 0, "found_by_reviewer": 0}, "note": "申诉复核"}]}
    assert clerks["B"].post(f"/api/v1/appeals/{appeal_id}/answer/", answer, format="json").status_code == 403
    answered = reviewer.post(f"/api/v1/appeals/{appeal_id}/answer/", answer, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"

    assert totals(office, round_id) == {"综合股": ("96.40", "良好"), "安全股": ("97.60", "优秀")}
    detail = clerks["B"].get(f"/api/v1/scorecards/{card_b}/").json()
    assert [row["status"] for row in detail["appeals"]] == ["accepted"]
    assert [event["action"] for event in detail["events"]][-2:] == ["appeal", "appeal_answered"]


def test_bad_input_is_a_400_in_chinese_and_changes_nothing(coal_center):
    office = api(coal_center["office"])
    round_ = coal_center["round"]
    url = f"/api/v1/rounds/{round_.pk}/"
    before = Round.objects.count()

    assert_chinese(office.post("/api/v1/rounds/", round_payload(coal_center, period_end="2025-12-31"), format="json"), "period_end")
    assert_chinese(office.post("/api/v1/rounds/", round_payload(coal_center, name=" "), format="json"), "name")
    assert Round.objects.count() == before

    assert_chinese(office.patch(url, {"appeal_days": 99}, format="json"), "appeal_days")
    other = make_person(coal_center["sections"]["A"], real_name="无权评审", roles=[])
    assert_chinese(office.patch(url, {"reviewers": [other.pk]}, format="json"), "reviewers")
    round_.refresh_from_db()
    assert round_.appeal_days == 5 and not round_.reviewers.exists()

    rising = [{"name": "优秀", "min_score": "80"}, {"name": "良好", "min_score": "90"}, {"name": "较差", "min_score": "0"}]
    assert_chinese(office.put(f"{url}grades/", rising, format="json"))
    assert_chinese(office.put(f"{url}grades/", [{"name": "优秀", "min_score": "90"}, {"name": "较差", "min_score": "10"}], format="json"))
    assert list(round_.grades.values_list("name", flat=True)) == ["优秀", "良好", "一般", "较差"]

    assert_chinese(office.put(f"{url}components/", [{"name": "党建", "weight": "60"}, {"name": "班子", "weight": "30"}], format="json"))
    assert_chinese(office.put(f"{url}components/", [{"name": "党建", "weight": "100", "source": "guess"}], format="json"))
    assert not RoundComponent.objects.exists()

    grade = round_.grades.first()
    assert_chinese(office.post(f"{url}conditions/", {"kind": "sometimes", "best_grade": grade.pk}, format="json"), "kind")
    assert not GradeCondition.objects.exists()

    assert_chinese(office.post(f"{url}open/"))  # no units yet
    outside = make_unit(name="别处单位")
    assert_chinese(office.post(f"{url}units/", {"root": outside.pk, "kinds": ["agency"]}, format="json"))
    assert not round_.scorecards.exists()


def test_component_scores_are_all_or_nothing_with_each_rows_errors(coal_center):
    office = api(coal_center["office"])
    url = f"/api/v1/rounds/{coal_center['round'].pk}/"
    entered = office.put(f"{url}components/", [
        {"name": "党建工作考核", "weight": "70"}, {"name": "领导班子年度考核", "weight": "30", "source": "entered"},
    ], format="json").json()[1]["id"]
    office.post(f"{url}units/", {"root": coal_center["sections"]["A"].pk, "kinds": ["department"]}, format="json")
    response = office.post(f"{url}component-scores/", [
        {"component": entered, "unit": coal_center["sections"]["A"].pk, "score": "88"},
        {"component": entered, "unit": coal_center["sections"]["A"].pk, "score": "130"},
        {"component": entered, "unit": coal_center["sections"]["B"].pk, "score": "70"},
    ], format="json")
    assert_chinese(response)
    first, second, third = response.json()
    assert first == {} and "score" in second and third
    assert not ComponentScore.objects.exists()


def workbook(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("分项得分.xlsx", buffer.getvalue())


def test_importing_a_bad_file_lists_every_problem_and_changes_nothing(coal_center):
    office = api(coal_center["office"])
    url = f"/api/v1/rounds/{coal_center['round'].pk}/"
    office.put(f"{url}components/", [
        {"name": "党建工作考核", "weight": "70"}, {"name": "领导班子年度考核", "weight": "30", "source": "entered"},
    ], format="json")
    for key in "AB":
        office.post(f"{url}units/", {"root": coal_center["sections"][key].pk, "kinds": ["department"]}, format="json")

    bad = workbook([["单位", "领导班子年度考核"], ["综合股", 88], ["不存在的股", 90], ["安全股", "优秀"]])
    response = office.post(f"{url}component-scores/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(error["row"], error["column"]) for error in errors] == [(3, "单位"), (4, "领导班子年度考核")]
    assert all(CJK.search(error["detail"]) for error in errors)
    assert not ComponentScore.objects.exists()

    not_a_workbook = SimpleUploadedFile("得分.xlsx", b"MZ\x90\x00 a program, not a workbook")
    refused = office.post(f"{url}component-scores/import/", {"file": not_a_workbook}, format="multipart")
    assert refused.status_code == 400 and refused.json()["errors"]

    good = workbook([["单位", "领导班子年度考核"], ["综合股", 88], ["安全股", "92.5"]])
    assert office.post(f"{url}component-scores/import/", {"file": good}, format="multipart").json() == {"saved": 2}
    assert [row["score"] for row in office.get(f"{url}component-scores/").json()] == ["88.00", "92.50"]


def test_a_clerk_may_not_set_up_the_round_nor_reach_another_section(opened):
    clerk = api(opened["clerks"]["A"])
    round_ = opened["round"]
    url = f"/api/v1/rounds/{round_.pk}/"
    grade = round_.grades.first()
    assert clerk.get(url).status_code == 200  # the section takes part in the round
    refused = [
        clerk.patch(url, {"appeal_days": 9}, format="json"),
        clerk.put(f"{url}grades/", GRADES, format="json"),
        clerk.put(f"{url}components/", [], format="json"),
        clerk.post(f"{url}conditions/", {"kind": "reviewer_found", "best_grade": grade.pk}, format="json"),
        clerk.post(f"{url}units/", {"root": opened["sections"]["A"].pk, "kinds": ["department"]}, format="json"),
        clerk.post(f"{url}open/"),
        clerk.post(f"{url}publish/"),
        clerk.get(f"{url}component-scores/"),
        clerk.post(f"{url}component-scores/", [], format="json"),
        clerk.post("/api/v1/rounds/", round_payload(opened, unit=opened["sections"]["A"].pk), format="json"),
    ]
    assert [response.status_code for response in refused] == [403] * len(refused)
    round_.refresh_from_db()
    assert round_.appeal_days == 5 and round_.grades.count() == 4

    card_b = opened["cards"]["B"]
    assert clerk.get(f"/api/v1/scorecards/{card_b.pk}/weaknesses/").status_code == 404
    assert clerk.post(f"/api/v1/scorecards/{card_b.pk}/appeals/", {"reason": "不服"}, format="json").status_code == 404
    assert not card_b.appeals.exists()

    elsewhere = make_unit(name="别处单位")
    outsider = api(make_person(elsewhere, roles=[(Role.OFFICE, elsewhere)]))
    assert outsider.get(url).status_code == 404
    assert outsider.patch(url, {"appeal_days": 9}, format="json").status_code == 404
    assert outsider.post(f"{url}publish/").status_code == 404


def test_appealing_before_publication_is_refused_in_chinese(opened):
    card = opened["cards"]["A"]
    response = api(opened["clerks"]["A"]).post(f"/api/v1/scorecards/{card.pk}/appeals/", {"reason": "不服"}, format="json")
    assert_chinese(response)
    assert not card.appeals.exists()


def test_a_rounds_detail_costs_the_same_queries_whatever_its_set_up(coal_center):
    office = api(coal_center["office"])
    round_, grade = coal_center["round"], coal_center["round"].grades.first()
    url = f"/api/v1/rounds/{round_.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert office.get(url).status_code == 200
        return len(captured)

    actions.add_condition(coal_center["office"], round_, kind="node_below", node=coal_center["nodes"]["d1"], best_grade=grade)
    one = queries()
    actions.add_condition(coal_center["office"], round_, kind="reviewer_found", best_grade=grade)
    for node in ("d2", "i11", "i12"):
        actions.add_condition(coal_center["office"], round_, kind="node_below", node=coal_center["nodes"][node], percent="80", best_grade=grade)
    actions.update_round(coal_center["office"], round_, reviewers=[coal_center["reviewer"]])
    assert queries() == one


def test_the_openapi_document_has_every_endpoint_and_no_warning(opened, tmp_path):
    schema = api(opened["office"]).get("/api/v1/openapi.json").json()
    validate_schema(schema)
    for path, method in [
        ("/api/v1/rounds/", "post"), ("/api/v1/rounds/{id}/", "patch"), ("/api/v1/rounds/{id}/grades/", "put"),
        ("/api/v1/rounds/{id}/components/", "put"), ("/api/v1/rounds/{id}/conditions/", "post"),
        ("/api/v1/rounds/{id}/conditions/{condition_id}/", "delete"), ("/api/v1/rounds/{id}/units/", "post"),
        ("/api/v1/rounds/{id}/open/", "post"), ("/api/v1/rounds/{id}/publish/", "post"),
        ("/api/v1/rounds/{id}/component-scores/", "post"), ("/api/v1/rounds/{id}/component-scores/import/", "post"),
        ("/api/v1/scorecards/{id}/weaknesses/", "get"), ("/api/v1/scorecards/{id}/appeals/", "post"),
        ("/api/v1/appeals/{id}/answer/", "post"),
    ]:
        assert method in schema["paths"][path], (path, method)
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "openapi.yaml"))
