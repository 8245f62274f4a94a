import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import actions, permissions
from accounts.models import User
from accounts.roles import Role
from organization.models import Unit

pytestmark = pytest.mark.django_db


def visible_names(user, model=Unit, action="view"):
    field = "name" if model is Unit else "real_name"
    return set(permissions.restrict(model.objects.all(), user, action).values_list(field, flat=True))


def test_staff_sees_only_own_department(agency_tree):
    t = agency_tree
    assert visible_names(t["staff_a"]) == {"办公室"}
    assert visible_names(t["staff_a"], User) == {"系统管理员", "安全管理员", "审计管理员", "办公室主任", "张甲"}
    assert not permissions.has_perm(t["staff_a"], "accounts.user.view", t["staff_b"])
    assert permissions.has_perm(t["staff_b"], "accounts.user.view", t["staff_b"])


def test_office_sees_whole_subtree(agency_tree):
    t = agency_tree
    assert visible_names(t["office"]) == {"测试市局", "办公室", "财务科", "测试县局", "综合股"}
    assert permissions.has_perm(t["office"], "accounts.user.view", t["county_staff"])
    assert not permissions.has_perm(t["office"], "accounts.user.change", t["county_staff"])


def test_county_office_does_not_see_the_agency(agency_tree):
    t = agency_tree
    county_office = actions.create_person(None, username="co", real_name="县办", unit=t["county_dept"])
    actions.grant_role(None, person=county_office, role=Role.OFFICE, unit=t["county"])
    assert visible_names(county_office) == {"测试县局", "综合股"}
    assert not permissions.has_perm(county_office, "accounts.user.view", t["staff_a"])


def test_admin_roles_are_separate(agency_tree):
    t = agency_tree
    with pytest.raises(ValidationError):
        actions.grant_role(None, person=t["sysadmin"], role=Role.AUDIT_ADMIN, unit=t["agency"])
    assert not permissions.has_perm(t["auditor"], "accounts.user.view", t["staff_b"])
    assert permissions.has_perm(t["auditor"], "audit.auditentry.view")


def test_expired_inspector_grant_gives_nothing(agency_tree):
    t = agency_tree
    inspector = actions.create_person(None, username="insp", real_name="检查组", unit=t["county_dept"])
    past = timezone.now() - timezone.timedelta(days=1)
    actions.grant_role(
        None, person=inspector, role=Role.INSPECTOR, unit=t["agency"],
        valid_from=past - timezone.timedelta(days=2), valid_until=past,
    )
    assert "测试市局" not in visible_names(inspector)


def test_disabled_account_has_no_scope(agency_tree):
    t = agency_tree
    actions.set_person_active(None, t["office"], False)
    office = User.objects.get(pk=t["office"].pk)
    assert visible_names(office) == set()
