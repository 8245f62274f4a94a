"""Each scoring method turns an answer into points, and refuses answers it cannot read."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from standard.models import Method, Node
from standard.scoring import clean_answer, item_score


def node(method, points, **extra):
    return Node(method=method, points=D(points), level=3, **extra)


GRADED = [{"code": "A", "label": "好", "percent": 100}, {"code": "B", "label": "较好", "percent": 75},
          {"code": "C", "label": "一般", "percent": 50}, {"code": "D", "label": "差", "percent": 0}]


@pytest.mark.parametrize(
    "item, answer, multiplier, expected",
    [
        (node(Method.DEDUCT, "10", per_occurrence=D("2")), {"occurrences": 3}, 1, "4.00"),
        (node(Method.DEDUCT, "10", per_occurrence=D("2")), {"occurrences": 9}, 1, "0.00"),  # floor of 0
        (node(Method.DEDUCT, "10", per_occurrence=D("1.5")), {"occurrences": 1, "found_by_reviewer": 2}, D("2"), "2.50"),
        (node(Method.BONUS, "5"), {"value": "3.5"}, 1, "3.50"),
        (node(Method.GRADED, "8", levels=GRADED), {"level": "B"}, 1, "6.00"),
        (node(Method.PASS_FAIL, "6"), {"passed": True}, 1, "6.00"),
        (node(Method.PASS_FAIL, "6"), {"passed": False}, 1, "0.00"),
        (node(Method.VETO, "0"), {"vetoed": True}, 1, "0.00"),
    ],
)
def test_item_scores(item, answer, multiplier, expected):
    review = "found_by_reviewer" in answer
    assert item_score(item, clean_answer(item, answer, review=review), multiplier=D(multiplier)) == D(expected)


@pytest.mark.parametrize(
    "item, answer, message",
    [
        (node(Method.DEDUCT, "10", per_occurrence=D("2")), {"occurrences": "-1"}, None),
        (node(Method.DEDUCT, "10", per_occurrence=D("2")), {"occurrences": "两次"}, None),
        (node(Method.BONUS, "5"), {"value": "6"}, "5"),
        (node(Method.BONUS, "5"), {"value": "-1"}, None),
        (node(Method.GRADED, "8", levels=GRADED), {"level": "E"}, "A、B、C、D"),
        (node(Method.PASS_FAIL, "6"), {"passed": "maybe"}, None),
        (node(Method.VETO, "0"), {}, None),
    ],
)
def test_unreadable_answers_are_refused(item, answer, message):
    """``message``: what the error must name (a number or the levels), whatever the language."""
    with pytest.raises(ValidationError, match=message):
        clean_answer(item, answer)


def test_office_words_are_read_for_pass_fail():
    assert clean_answer(node(Method.PASS_FAIL, "6"), {"passed": "达标"}) == {"passed": True}
    assert clean_answer(node(Method.PASS_FAIL, "6"), {"passed": "不达标"}) == {"passed": False}
