"""The default five-excellences standard and the command that loads it."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from standard import actions, default
from standard.models import Level, Method, Standard, StandardStatus

pytestmark = pytest.mark.django_db


def test_command_publishes_the_default_standard_once(agency_tree):
    call_command("load_default_standard", unit="ag", verbosity=0)
    call_command("load_default_standard", unit="AG", verbosity=0)
    standard = Standard.objects.get()
    assert standard.status == StandardStatus.PUBLISHED and standard.unit == agency_tree["agency"]
    nodes = list(standard.nodes.all())
    dimensions = [node.title for node in sorted(nodes, key=lambda node: node.number) if node.level == Level.DIMENSION]
    assert dimensions == ["政治过硬", "组织过硬", "作风过硬", "纪律过硬", "能力过硬"]
    items = [node for node in nodes if node.level == Level.ITEM]
    assert 40 <= len(items) <= 60
    assert 14 <= sum(1 for node in nodes if node.level == Level.INDICATOR) <= 18
    assert {item.method for item in items} == set(Method.values)
    assert sum(1 for item in items if item.method == Method.VETO) in (1, 2)
    assert sum((node.points for node in nodes if node.level == Level.DIMENSION), D(0)) == D(100)
    assert sum((item.points for item in items if item.counts_in_base), D(0)) == D(100)
    assert all(item.guide and item.evidence_required for item in items)
    assert actions.problems(standard) == []


def test_every_indicator_adds_up(agency_tree):
    for _dimension, points, indicators in default.TREE:
        assert sum(indicator[1] for indicator in indicators) == points
        for _title, indicator_points, items in indicators:
            assert sum(item["points"] for item in items if item["method"] not in ("bonus", "veto")) == indicator_points


def test_unknown_unit_is_an_error(db):
    with pytest.raises(CommandError):
        call_command("load_default_standard", unit="NOPE", verbosity=0)
