"""Publishing freezes a standard, a new version copies it, and scope decides who reads and who changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from standard import actions, default
from standard.models import Level, Node, StandardStatus

pytestmark = pytest.mark.django_db


def test_a_published_standard_is_frozen(agency_tree, published):
    t = agency_tree
    item = published.nodes.filter(level=Level.ITEM).first()
    dimension = published.nodes.filter(level=Level.DIMENSION).first()
    for change in (
        lambda: actions.update_node(t["office"], item, title="改"),
        lambda: actions.delete_node(t["office"], item),
        lambda: actions.add_node(t["office"], published, parent=dimension, title="新指标"),
        lambda: actions.update_standard(t["office"], published, name="改名"),
        lambda: actions.delete_draft(t["office"], published),
    ):
        with pytest.raises(ValidationError):
            change()
    item.refresh_from_db()
    assert item.title != "改" and published.nodes.count() == 67


def test_publish_names_every_problem(agency_tree):
    t = agency_tree
    draft = actions.create_standard(t["office"], unit=t["agency"], name="空")
    actions.add_node(t["office"], draft, title="政治过硬", points=20)
    actions.add_node(t["office"], draft, title="纪律过硬", points=10)
    with pytest.raises(ValidationError) as refused:
        actions.publish_standard(t["office"], draft)
    assert len(refused.value.messages) == len(actions.problems(draft)) == 4
    draft.refresh_from_db()
    assert draft.status == StandardStatus.DRAFT


def test_new_version_copies_the_tree(agency_tree, published):
    t = agency_tree
    copy = actions.new_version(t["office"], published)
    assert (copy.version, copy.status, copy.copied_from) == (2, StandardStatus.DRAFT, published)
    fields = ["level", "number", "title", "points", "method", "per_occurrence", "levels", "guide"]
    assert list(copy.nodes.order_by("number").values_list(*fields)) == list(published.nodes.order_by("number").values_list(*fields))
    item = copy.nodes.filter(level=Level.ITEM).first()
    actions.update_node(t["office"], item, title="新版本的考核内容")
    assert not Node.objects.filter(standard=published, title="新版本的考核内容").exists()
    with pytest.raises(ValidationError):
        actions.new_version(t["office"], published)  # one draft at a time


def test_a_department_reads_its_agencys_standard_but_cannot_change_it(agency_tree, published, other_agency):
    t = agency_tree
    for person in (t["staff_a"], t["county_staff"]):
        assert list(actions.visible_standards(person)) == [published]
    assert not actions.visible_standards(other_agency["office"]).exists()
    draft = actions.new_version(t["office"], published)
    with pytest.raises(PermissionDenied):
        actions.update_node(t["staff_a"], draft.nodes.first(), title="改")
    with pytest.raises(PermissionDenied):
        actions.new_version(other_agency["office"], published)
    with pytest.raises(PermissionDenied):
        default.build(t["staff_a"], t["dept_a"])
