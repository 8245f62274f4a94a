import pytest

from audit.models import AuditEntry
from mofan.testing.factories import make_person, make_unit
from organization import actions as org_actions

pytestmark = pytest.mark.django_db


def test_create_update_and_move_are_audited():
    root = make_unit(name="市局", code="R1")
    other = make_unit(name="县局", code="R2", kind="agency")
    dept = make_unit(root, name="办公室", code="R1-OFF")
    org_actions.update_unit(None, dept, name="综合办公室", code="R1-OFF")
    org_actions.move_unit(None, dept, new_parent=other)
    entries = list(AuditEntry.objects.filter(object_type="organization.unit", object_id=str(dept.pk)).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "move"]
    assert entries[1].before == {"name": "办公室"} and entries[1].after == {"name": "综合办公室"}
    assert entries[2].after == {"parent": other.pk}


def test_entries_cannot_be_changed_or_deleted():
    make_person(make_unit())
    entry = AuditEntry.objects.first()
    entry.summary = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(summary="x")


def test_the_actor_of_an_action_is_named_outside_a_request(agency_tree):
    from accounts import actions

    t = agency_tree
    actions.update_person(t["sysadmin"], t["staff_b"], position="副科长")
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(t["staff_b"].pk), action="update").latest("id")
    assert entry.actor_id == t["sysadmin"].pk and entry.actor_name == "系统管理员"
    assert entry.after == {"position": "副科长"}
