"""Builds the demo through the actions, so the audit trail and every rule hold as for real data.

The plan (units, people, grants, leading group seats) is computed in memory from data.py and one
seeded random generator before the database is read, so it never depends on what is stored:
two empty databases get the same demo, and a second run finds everything by code or username and
writes nothing.
"""

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts import actions as account_actions
from accounts.models import PartyStatus, RoleGrant, User
from accounts.naming import pinyin_login, unique_login
from accounts.roles import Role
from core.context import Actor, acting_as
from organization import actions as org_actions
from organization.models import TITLE_ORDER, LeadingGroup, LeadingGroupMember, Unit, UnitKind

from . import assessment as demo_assessment
from . import data
from . import evidence as demo_evidence
from . import goals as demo_goals
from . import problems as demo_problems


class RefusedInProduction(Exception):
    """A published password may only exist in a demo, never on a production system."""


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    short: str
    parent: str | None


@dataclass(frozen=True)
class PersonSpec:
    username: str
    real_name: str
    unit: str
    position: str
    party_status: str
    party_unit: str | None
    phone: str
    sort_order: int
    grants: tuple  # (role, unit code)


@dataclass(frozen=True)
class SeatSpec:
    group: str  # code of the unit owning the leading group
    username: str
    title: str
    duty: str


@dataclass
class Plan:
    units: list = field(default_factory=list)
    people: list = field(default_factory=list)
    seats: list = field(default_factory=list)


def _walk(node, parent=None):
    yield node, parent
    for child in node.children:
        yield from _walk(child, node)


class _Names:
    """Realistic, distinct names and phone numbers from one seeded generator."""

    def __init__(self, rng, reserved_names):
        self.rng = rng
        self.used = set(reserved_names)
        self.phones = set()
        count = len(data.SURNAMES)
        self.surname_weights = [count - index for index in range(count)]  # the list runs from most common

    def name(self):
        rng = self.rng
        while True:
            surname = rng.choices(data.SURNAMES, weights=self.surname_weights)[0]
            given = rng.choice(data.MALE_NAMES if rng.random() < 0.6 else data.FEMALE_NAMES)
            if surname + given not in self.used:
                self.used.add(surname + given)
                return surname + given

    def phone(self):
        while True:
            number = self.rng.choice(data.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def party_status(self, always_member):
        roll = self.rng.random()  # drawn for everyone so one seat's flag does not shift the others
        if always_member or roll < 0.68:
            return PartyStatus.MEMBER
        if roll < 0.74:
            return PartyStatus.PROBATIONARY
        if roll < 0.86:
            return PartyStatus.YOUTH_LEAGUE
        return PartyStatus.MASSES


def build_plan() -> Plan:
    """The whole demo as plain values, the same on every run."""
    plan = Plan()
    walked = [(node, parent) for tree in data.TREES for node, parent in _walk(tree)]
    seats = [seat for node, _p in walked for seat in node.staff]
    fixed_names = [seat.name for seat in seats if seat.name]
    taken = {seat.username for seat in seats if seat.username}
    # Named people keep their plain pinyin login (邓正 → dengzheng) whatever is generated before them.
    named_logins = {seat.name: unique_login(pinyin_login(seat.name), taken) for seat in seats if seat.name and not seat.username}
    names = _Names(random.Random(data.SEED), fixed_names)
    labels = {node.code: node.short or node.name for node, _p in walked}
    for node, parent in walked:
        plan.units.append(UnitSpec(node.code, node.name, node.kind, node.short, parent.code if parent else None))
        for seat in node.staff:
            for _n in range(seat.count):
                real_name = seat.name or names.name()
                username = seat.username or named_logins.get(seat.name) or unique_login(pinyin_login(real_name), taken)
                status = names.party_status(seat.member)
                in_party = status in (PartyStatus.MEMBER, PartyStatus.PROBATIONARY)
                grants = tuple(seat.roles) + (((Role.DEPARTMENT_HEAD, node.code),) if seat.head else ())
                plan.people.append(
                    PersonSpec(
                        username=username,
                        real_name=real_name,
                        unit=node.code,
                        position=seat.position,
                        party_status=status,
                        party_unit=(seat.party or node.party or None) if in_party else None,
                        phone=names.phone(),
                        sort_order=len(plan.people) + 1,
                        grants=grants,
                    )
                )
                duty = seat.position if node.kind == UnitKind.AGENCY else f"{labels[node.code]}{seat.position}"
                plan.seats.extend(SeatSpec(group, username, title, duty) for title, group in seat.titles)
    plan.seats.sort(key=lambda seat: TITLE_ORDER[seat.title])  # stable: plan order within a title
    return plan


def run(now=None) -> dict:
    """Creates what is missing of the demo and returns how many rows of each kind it created."""
    if settings.PRODUCTION:
        raise RefusedInProduction
    plan = build_plan()
    created = dict.fromkeys(("units", "people", "grants", "leading_groups", "seats", "rounds", "evidence", "goals", "problems"), 0)
    with acting_as(Actor(source="command")), transaction.atomic():
        units = _ensure_units(plan, created)
        people = _ensure_people(plan, units, created)
        _ensure_grants(plan, units, people, created, now or timezone.now())
        _ensure_leading_groups(plan, units, people, created)
        demo_assessment.ensure_standards()
        created["rounds"] = demo_assessment.ensure_round()
        created["evidence"] = demo_evidence.ensure_evidence()
        created["goals"] = demo_goals.ensure_goals()
        created["problems"] = demo_problems.ensure_problems()
    return created


def _ensure_units(plan, created):
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=[spec.code for spec in plan.units])}
    for spec in plan.units:
        if spec.code in units:
            continue
        units[spec.code] = org_actions.create_unit(
            None,
            parent=units[spec.parent] if spec.parent else None,
            name=spec.name,
            code=spec.code,
            kind=spec.kind,
            short_name=spec.short,
        )
        created["units"] += 1
    return units


def _ensure_people(plan, units, created):
    people = {person.username: person for person in User.objects.filter(username__in=[p.username for p in plan.people])}
    # One hash for all: hashing ~200 passwords one by one would take most of a minute.
    password = None
    for spec in plan.people:
        if spec.username in people:
            continue
        person = account_actions.create_person(
            None,
            username=spec.username,
            real_name=spec.real_name,
            unit=units[spec.unit],
            position=spec.position,
            party_status=spec.party_status,
            party_unit=units[spec.party_unit] if spec.party_unit else None,
            phone=spec.phone,
            sort_order=spec.sort_order,
        )
        password = password or make_password(data.DEMO_PASSWORD)
        person.password = password
        person.save(update_fields=["password"])
        people[spec.username] = person
        created["people"] += 1
    return people


def _ensure_grants(plan, units, people, created, now):
    held = {
        (grant.person_id, grant.role, grant.unit_id): grant
        for grant in RoleGrant.objects.filter(person__in=list(people.values()))
    }
    for spec in plan.people:
        person = people[spec.username]
        for role, code in spec.grants:
            window = {}
            existing = held.get((person.pk, role, units[code].pk))
            if role == Role.INSPECTOR:
                # Inspection access is always time-limited; an expired demo window is opened again.
                if existing is not None and existing.is_current(now):
                    continue
                if existing is not None:
                    account_actions.revoke_role(None, existing)
                window = {
                    "valid_from": now,
                    "valid_until": now + timedelta(days=data.INSPECTION_DAYS),
                    "note": data.INSPECTION_NOTE,
                }
            elif existing is not None:
                continue
            account_actions.grant_role(None, person=person, role=role, unit=units[code], **window)
            created["grants"] += 1


def _ensure_leading_groups(plan, units, people, created):
    groups = {}
    for code, name, established_on, office_duties in data.LEADING_GROUPS:
        group = LeadingGroup.objects.filter(unit=units[code]).first()
        if group is None:
            group = org_actions.save_leading_group(
                None, units[code], name=name, established_on=established_on, office_duties=office_duties
            )
            created["leading_groups"] += 1
        groups[code] = group
    seated = set(
        LeadingGroupMember.objects.filter(group__in=list(groups.values())).values_list("group_id", "person_id", "title")
    )
    for seat in plan.seats:
        group, person = groups[seat.group], people[seat.username]
        if (group.pk, person.pk, seat.title) in seated:
            continue
        org_actions.add_leading_group_member(None, group, person=person, title=seat.title, duty=seat.duty)
        created["seats"] += 1


def demo_logins():
    """(username, real name, unit, main role, what the account shows) for the printed table."""
    order = {role: index for index, role in enumerate(Role.values)}
    usernames = [username for username, _shows in data.DEMO_LOGINS]
    people = {person.username: person for person in User.objects.filter(username__in=usernames).select_related("unit")}
    rows = []
    for username, shows in data.DEMO_LOGINS:
        person = people.get(username)
        if person is None:
            continue
        roles = sorted({grant.role for grant in person.grants.all()}, key=order.get)
        role = Role(roles[0]).label if roles else Role.STAFF.label
        unit = person.unit
        parent = Unit.objects.get_parent(unit) if unit.depth > 1 else None
        place = f"{parent.display_name}/{unit.display_name}" if parent else unit.display_name
        rows.append((username, person.real_name, place, str(role), str(shows)))
    return rows
