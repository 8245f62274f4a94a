import pytest

from accounts.roles import Role
from mofan.testing.factories import PASSWORD, make_person, make_unit
from organization.models import UnitKind

# The browser fixtures (one Chromium for the whole session) serve every app's browser test.
pytest_plugins = ["mofan.testing.browser"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing strength is not under test here; the real hasher would cost seconds per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_off(settings):
    """The second factor is under test in security/tests, which set MOFAN_2FA_REQUIRED themselves."""
    settings.MOFAN_2FA_REQUIRED = "none"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored files go to a scratch folder of the test, never into var/media (nor one shared by the
    parallel workers)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo seeded once for a test module, rolled back after it; yields the folder of its files
    (a test that opens them sets ``settings.MEDIA_ROOT`` to it)."""
    from django.db import transaction
    from django.test import override_settings

    from demo import seed

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            seed.run()
            yield media
            transaction.set_rollback(True)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def agency_tree(db):
    """An agency with two departments, a subordinate unit with one department, and people.

    Returns a dict of units and people; ``office`` holds the office role on the agency,
    ``sysadmin`` the system administrator role, and each department has one staff member.
    """
    agency = make_unit(name="测试市局", code="AG", kind=UnitKind.AGENCY)
    dept_a = make_unit(agency, name="办公室", code="AG-OFFICE")
    dept_b = make_unit(agency, name="财务科", code="AG-FIN")
    county = make_unit(agency, name="测试县局", code="CT", kind=UnitKind.SUBORDINATE_UNIT)
    county_dept = make_unit(county, name="综合股", code="CT-GEN")
    return {
        "agency": agency,
        "dept_a": dept_a,
        "dept_b": dept_b,
        "county": county,
        "county_dept": county_dept,
        "sysadmin": make_person(dept_a, username="sysadmin", real_name="系统管理员", roles=[(Role.SYSTEM_ADMIN, agency)]),
        "secadmin": make_person(dept_a, username="secadmin", real_name="安全管理员", roles=[(Role.SECURITY_ADMIN, agency)]),
        "auditor": make_person(dept_a, username="auditor", real_name="审计管理员", roles=[(Role.AUDIT_ADMIN, agency)]),
        "office": make_person(dept_a, username="office", real_name="办公室主任", roles=[(Role.OFFICE, agency)]),
        "staff_a": make_person(dept_a, username="staff_a", real_name="张甲"),
        "staff_b": make_person(dept_b, username="staff_b", real_name="李乙"),
        "county_staff": make_person(county_dept, username="county_staff", real_name="王丙"),
    }
