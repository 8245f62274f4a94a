"""/api/v1/ rounds, scorecards and item scores through the permission layer and the same actions."""

from rest_framework.test import APIClient

from assessment import actions, publication
from assessment.models import ScorecardStatus

from .conftest import PERFECT, answer_all, item


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_a_clerk_lists_only_their_rounds_and_scorecards(opened):
    client = api(opened["clerks"]["A"])
    rounds = client.get("/api/v1/rounds/").json()["results"]
    assert [row["id"] for row in rounds] == [opened["round"].pk]
    cards = client.get("/api/v1/scorecards/").json()["results"]
    assert [row["unit_name"] for row in cards] == ["综合股"]
    detail = client.get(f"/api/v1/scorecards/{opened['cards']['A'].pk}/").json()
    assert len(detail["items"]) == 7


def test_another_sections_scorecard_and_items_are_404(opened):
    client = api(opened["clerks"]["A"])
    card_b = opened["cards"]["B"]
    assert client.get(f"/api/v1/scorecards/{card_b.pk}/").status_code == 404
    row = item(card_b, "a")
    response = client.patch(f"/api/v1/item-scores/{row.pk}/", {"side": "self", "answer": {"occurrences": 0}, "version": 0}, format="json")
    assert response.status_code == 404
    assert client.post(f"/api/v1/scorecards/{card_b.pk}/submit/").status_code == 404


def test_patch_self_score_with_version_and_stale_is_409(opened):
    clerk = opened["clerks"]["A"]
    row = item(opened["cards"]["A"], "a")
    client = api(clerk)
    response = client.patch(f"/api/v1/item-scores/{row.pk}/", {"side": "self", "answer": {"occurrences": 1}, "version": 0}, format="json")
    assert response.status_code == 200 and response.json()["self_score"] == "8.00" and response.json()["version"] == 1
    stale = client.patch(f"/api/v1/item-scores/{row.pk}/", {"side": "self", "answer": {"occurrences": 2}, "version": 0}, format="json")
    assert stale.status_code == 409 and clerk.real_name in stale.json()["detail"]
    bad = client.patch(f"/api/v1/item-scores/{row.pk}/", {"side": "self", "answer": {"occurrences": -1}, "version": 1}, format="json")
    assert bad.status_code == 400


def test_leader_may_read_but_not_fill(opened):
    from accounts.roles import Role
    from mofan.testing.factories import make_person

    leader = make_person(opened["office_unit"], roles=[(Role.LEADER, opened["center"])])
    row = item(opened["cards"]["A"], "a")
    client = api(leader)
    assert client.get(f"/api/v1/item-scores/{row.pk}/").status_code == 200
    response = client.patch(f"/api/v1/item-scores/{row.pk}/", {"side": "self", "answer": {"occurrences": 0}, "version": 0}, format="json")
    assert response.status_code == 403


def test_submit_return_review_and_results(opened):
    clerk, reviewer = opened["clerks"]["A"], opened["reviewer"]
    card = opened["cards"]["A"]
    answer_all(clerk, card, PERFECT)
    assert api(clerk).post(f"/api/v1/scorecards/{card.pk}/submit/").json()["status"] == ScorecardStatus.SUBMITTED
    client = api(reviewer)
    assert client.post(f"/api/v1/scorecards/{card.pk}/return/", {"reason": ""}, format="json").status_code == 400
    assert client.post(f"/api/v1/scorecards/{card.pk}/return/", {"reason": "补充材料"}, format="json").json()["status"] == "returned"
    api(clerk).post(f"/api/v1/scorecards/{card.pk}/submit/")
    row = item(card, "e")
    response = client.patch(
        f"/api/v1/item-scores/{row.pk}/", {"side": "review", "answer": {"occurrences": 0, "found_by_reviewer": 1}, "version": row.version},
        format="json",
    )
    assert response.json()["review_score"] == "50.00"
    assert client.post(f"/api/v1/scorecards/{card.pk}/complete-review/").json()["status"] == "reviewed"
    for key in "BCD":
        answer_all(opened["clerks"][key], opened["cards"][key], PERFECT)
        actions.submit_scorecard(opened["clerks"][key], opened["cards"][key])
        actions.complete_review(reviewer, opened["cards"][key])
    publication.publish_round(opened["office"], opened["round"])
    results = api(clerk).get(f"/api/v1/rounds/{opened['round'].pk}/results/").json()
    assert [row["unit_name"] for row in results] == ["综合股"] and results[0]["total"] == "90.00"
    assert len(api(opened["office"]).get(f"/api/v1/rounds/{opened['round'].pk}/results/").json()) == 4


def test_openapi_lists_the_assessment_endpoints(opened):
    schema = api(opened["office"]).get("/api/v1/openapi.json").json()
    for path in ["/api/v1/rounds/", "/api/v1/scorecards/{id}/", "/api/v1/item-scores/{id}/", "/api/v1/scorecards/{id}/submit/",
                 "/api/v1/scorecards/{id}/return/", "/api/v1/scorecards/{id}/complete-review/", "/api/v1/rounds/{id}/results/"]:
        assert path in schema["paths"]
