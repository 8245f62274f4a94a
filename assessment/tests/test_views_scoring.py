"""The scoring screen: item by item with htmx, stale edits, submission, and who may do what."""

from django.urls import reverse

from accounts.roles import Role
from assessment import actions
from assessment.models import ScorecardStatus
from mofan.testing.factories import make_person

from .conftest import PERFECT, answer_all, item, login


def test_the_clerk_sees_the_items_grouped_by_the_standard(client, opened):
    card = opened["cards"]["A"]
    response = login(client, opened["clerks"]["A"]).get(reverse("assessment:scorecard", args=[card.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for title in ["政治过硬", "理论学习", "第一议题", "中心组学习", "谈话", "严重违纪", "受到表彰"]:
        assert title in html
    assert html.count('data-testid="item-form"') == 7
    assert "0 of 7 items scored" in html or "已评 0 / 7 项" in html


def test_saving_an_item_returns_its_fragment_with_the_new_score_and_totals(client, opened):
    card = opened["cards"]["A"]
    row = item(card, "a")
    response = login(client, opened["clerks"]["A"]).post(
        reverse("assessment:save_self", args=[row.pk]), {"occurrences": "2", "note": "两次未学", "version": row.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="item-%d"' % row.pk in html and "6.00" in html
    assert 'hx-swap-oob="true"' in html
    row.refresh_from_db()
    assert row.self_score == 6 and row.version == 1 and row.self_note == "两次未学"


def test_a_stale_edit_is_refused_with_a_clear_message(client, opened):
    card = opened["cards"]["A"]
    row = item(card, "a")
    clerk = opened["clerks"]["A"]
    actions.save_self_score(clerk, row, answer={"occurrences": 1}, version=0)
    response = login(client, clerk).post(
        reverse("assessment:save_self", args=[row.pk]), {"occurrences": "3", "version": "0"}, HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="item-error"' in html and opened["clerks"]["A"].real_name in html
    row.refresh_from_db()
    assert row.self_answer == {"occurrences": 1}


def test_bad_input_is_shown_and_changes_nothing(client, opened):
    row = item(opened["cards"]["A"], "b")
    response = login(client, opened["clerks"]["A"]).post(
        reverse("assessment:save_self", args=[row.pk]), {"level": "Z", "version": "0"}, HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="item-error"' in response.content.decode()
    row.refresh_from_db()
    assert row.self_answer is None


def test_a_clerk_of_another_section_gets_404(client, opened):
    card_b = opened["cards"]["B"]
    client = login(client, opened["clerks"]["A"])
    assert client.get(reverse("assessment:scorecard", args=[card_b.pk])).status_code == 404
    row = item(card_b, "a")
    assert client.post(reverse("assessment:save_self", args=[row.pk]), {"occurrences": "0"}).status_code == 404
    assert client.post(reverse("assessment:submit", args=[card_b.pk])).status_code == 404
    assert client.get(reverse("assessment:export_docx", args=[card_b.pk])).status_code == 404


def test_plain_staff_cannot_see_and_a_leader_cannot_fill(client, opened):
    card = opened["cards"]["A"]
    staff = make_person(opened["sections"]["A"], real_name="普通干部")
    assert login(client, staff).get(reverse("assessment:scorecard", args=[card.pk])).status_code == 404
    leader = make_person(opened["office_unit"], real_name="主任", roles=[(Role.LEADER, opened["center"])])
    client = login(client, leader)
    assert client.get(reverse("assessment:scorecard", args=[card.pk])).status_code == 200
    row = item(card, "a")
    response = client.post(reverse("assessment:save_self", args=[row.pk]), {"occurrences": "0", "version": "0"})
    assert response.status_code == 403
    assert client.post(reverse("assessment:submit", args=[card.pk])).status_code == 403


def test_submit_lists_open_items_and_then_locks_the_card(client, opened):
    card = opened["cards"]["A"]
    client = login(client, opened["clerks"]["A"])
    response = client.post(reverse("assessment:submit", args=[card.pk]), follow=True)
    assert "1.1.1" in response.content.decode()
    answer_all(opened["clerks"]["A"], card, PERFECT)
    client.post(reverse("assessment:submit", args=[card.pk]))
    card.refresh_from_db()
    assert card.status == ScorecardStatus.SUBMITTED
    html = client.get(reverse("assessment:scorecard", args=[card.pk])).content.decode()
    assert 'data-testid="item-form"' not in html and "提交" in html


def test_scoring_page_query_count_does_not_grow_with_units(client, coal_center, django_assert_max_num_queries):
    from mofan.testing.factories import make_unit
    from organization.models import UnitKind

    center = coal_center
    for index in range(16):
        make_unit(center["center"], name=f"加股{index}", code=f"MT-X{index}")
    actions.add_units(center["office"], center["round"], root=center["center"], kinds=[UnitKind.DEPARTMENT])
    actions.open_round(center["office"], center["round"])
    card = center["round"].scorecards.get(unit=center["sections"]["A"])
    client = login(client, center["clerks"]["A"])
    with django_assert_max_num_queries(25):
        assert client.get(reverse("assessment:scorecard", args=[card.pk])).status_code == 200
