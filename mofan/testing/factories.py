"""Factories for tests. Data is built through the actions where one exists, so tests only reach
states the product can reach."""

import itertools

import factory

from accounts import actions as account_actions
from accounts.models import PartyStatus, User
from organization import actions as org_actions
from organization.models import Unit, UnitKind
from security.models import PasswordState

_codes = itertools.count(1)
_phones = itertools.count(13800000000)

PASSWORD = "Test-Pass-2026!"


def make_unit(parent=None, kind=None, name=None, code=None, short_name=""):
    number = next(_codes)
    if kind is None:
        kind = UnitKind.AGENCY if parent is None else UnitKind.DEPARTMENT
    return org_actions.create_unit(
        None,
        parent=parent,
        name=name or f"单位{number}",
        code=code or f"U{number:05d}",
        kind=kind,
        short_name=short_name,
    )


def make_person(unit, *, real_name=None, username=None, password=PASSWORD, roles=(), **extra):
    """A person in ``unit``; ``roles`` is a list of (role, unit) pairs granted by the system."""
    number = next(_codes)
    person = account_actions.create_person(
        None,
        username=username or f"user{number}",
        password=password,
        real_name=real_name or f"测试{number}",
        unit=unit,
        phone=extra.pop("phone", str(next(_phones))),
        party_status=extra.pop("party_status", PartyStatus.MEMBER),
        **extra,
    )
    # Test people log in with PASSWORD as if they had chosen it: the forced change of an issued
    # password is tested on its own (security/tests/test_passwords.py).
    PasswordState.objects.filter(user=person).update(must_change=False)
    for role, scope_unit in roles:
        account_actions.grant_role(None, person=person, role=role, unit=scope_unit)
    return person


class UnitFactory(factory.Factory):
    """factory_boy front for make_unit, for tests that want overrides by keyword."""

    class Meta:
        model = Unit

    parent = None
    kind = None
    name = None
    code = None
    short_name = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return make_unit(**kwargs)

    _build = _create


class PersonFactory(factory.Factory):
    class Meta:
        model = User

    unit = factory.LazyFunction(make_unit)

    @classmethod
    def _create(cls, model_class, unit, **kwargs):
        return make_person(unit, **kwargs)

    _build = _create
