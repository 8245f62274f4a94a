"""Business operations on people and role grants.

Each action is transactional, checks the actor's permission through accounts.permissions (an actor
of None is the system itself) and leaves an audit entry through the model's change log.
"""

import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.actions import business_action
from core.events import log_event
from core.fields import id_number_is_valid, matching, normalize_id_number
from organization.models import PARTY_KINDS

from . import permissions
from .models import PartyStatus, RoleGrant, User, phone_validator
from .naming import pinyin_login, unique_login
from .roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role

USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
PERSON_FIELDS = ("real_name", "unit", "position", "party_status", "party_unit", "phone", "id_number", "email", "sort_order")


def suggest_username(real_name: str, taken=None) -> str:
    """A free login name from the pinyin of the real name: 张三 → zhangsan, then zhangsan2…"""
    base = pinyin_login(real_name)
    # Compared without case, as the check in create_person is.
    existing = {name.lower() for name in User.objects.filter(username__istartswith=base).values_list("username", flat=True)}
    return unique_login(base, existing | {name.lower() for name in taken or ()})


def validate_person(data, *, instance=None):
    """Field rules shared by the form, the API and the roster import. Returns cleaned data."""
    errors = {}
    cleaned = dict(data)
    real_name = (data.get("real_name") or "").strip()
    if not real_name:
        errors["real_name"] = _("The name cannot be empty.")
    elif len(real_name) > 50:
        errors["real_name"] = _("The name can have at most 50 characters.")
    cleaned["real_name"] = real_name
    unit = data.get("unit")
    if unit is None:
        errors["unit"] = _("Choose the person's unit.")
    elif not unit.is_active:
        errors["unit"] = _("The unit %(unit)s is deactivated.") % {"unit": unit.name}
    party_unit = data.get("party_unit")
    if party_unit is not None and party_unit.kind not in PARTY_KINDS:
        errors["party_unit"] = _("The party organization must be a party committee, branch or group.")
    status = data.get("party_status") or PartyStatus.MASSES
    if status not in PartyStatus.values:
        errors["party_status"] = _("Unknown political status.")
    cleaned["party_status"] = status
    phone = (data.get("phone") or "").strip() or None
    if phone:
        try:
            phone_validator(phone)
        except ValidationError:
            errors["phone"] = _("The mobile number %(phone)s is not an 11-digit number starting with 1.") % {"phone": phone}
        else:
            other = _holder(instance, "phone", phone)
            if other is not None:
                errors["phone"] = _("The mobile number %(phone)s is already used by %(name)s.") % {
                    "phone": phone,
                    "name": other.real_name,
                }
    cleaned["phone"] = phone
    if "id_number" in data:
        id_number = normalize_id_number(data.get("id_number")) or None
        if id_number and not id_number_is_valid(id_number):
            errors["id_number"] = _("%(number)s is not a valid 18-character ID card number.") % {"number": id_number}
        elif id_number and _holder(instance, "id_number", id_number) is not None:
            errors["id_number"] = _("The ID card number %(number)s is already used by another person.") % {"number": id_number}
        cleaned["id_number"] = id_number
    cleaned["position"] = (data.get("position") or "").strip()[:100]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _holder(instance, field, value):
    """The other person whose encrypted ``field`` holds ``value`` (found by its blind index)."""
    clash = User.objects.filter(matching(User, field, value))
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    return clash.first()


@business_action
def create_person(actor, *, username=None, password=None, **data):
    """Creates a person in a unit. Without a password the account cannot log in until one is set."""
    cleaned = validate_person(data)
    permissions.require_actor(actor, "accounts.user.change", cleaned["unit"])
    username = (username or "").strip()
    if not username:
        username = suggest_username(cleaned["real_name"])  # free by construction
    elif not USERNAME_RE.match(username):
        raise ValidationError(
            {"username": _("The login name %(username)s may only contain letters, digits and @ . + - _.") % {"username": username}}
        )
    elif User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The username %(username)s is taken.") % {"username": username}})
    person = User(username=username, **{k: v for k, v in cleaned.items() if k in PERSON_FIELDS})
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    person.save()
    return person


@business_action
def update_person(actor, person, **data):
    """Changes a person's details; moving them to another unit needs permission on both units."""
    permissions.require_actor(actor, "accounts.user.change", person)
    merged = {field: getattr(person, field) for field in PERSON_FIELDS}
    merged.update(data)
    cleaned = validate_person(merged, instance=person)
    if cleaned["unit"] != person.unit:
        permissions.require_actor(actor, "accounts.user.change", cleaned["unit"])
    for field in PERSON_FIELDS:
        if field in cleaned:
            setattr(person, field, cleaned[field])
    person.save()
    return person


@business_action
def set_person_active(actor, person, active: bool):
    """Enables or disables an account; a disabled account cannot log in and holds no scope."""
    permissions.require_actor(actor, "accounts.user.change", person)
    if actor is not None and actor.pk == person.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    _refuse_another_administrator(actor, person)
    person.is_active = active
    person.save()
    if not active:
        from django.contrib.sessions.models import Session
        from knox.models import AuthToken

        _end_sessions(Session, person)
        # Re-enabling an account must not bring old integration tokens back.
        AuthToken.objects.filter(user=person).delete()
    return person


def _end_sessions(session_model, person):
    """Ends every session of a person (their account was disabled)."""
    from django.utils import timezone

    for session in session_model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            session.delete()


@business_action
def set_password(actor, person, password):
    """Sets a password chosen for someone else: issued, so it must be changed at their next login."""
    permissions.require_actor(actor, "accounts.user.change", person)
    _refuse_another_administrator(actor, person)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, person)
    person.set_password(password)
    person.save()
    log_event("password_issued", instance=person, summary=_("Password issued to %(name)s") % {"name": person.real_name})
    return person


@business_action
def issue_password(actor, person) -> str:
    """Makes a random password that meets the policy, sets it (see set_password) and returns it once."""
    if actor is not None and actor.pk == person.pk:
        raise ValidationError(_("Change your own password on the password page."))
    alphabet = {
        "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "lower": "abcdefghijkmnpqrstuvwxyz",
        "digit": "23456789",
        "symbol": "!#%+-=?@",
    }
    chars = [secrets.choice(group) for group in alphabet.values()]
    chars += [secrets.choice("".join(alphabet.values())) for _n in range(8)]
    secrets.SystemRandom().shuffle(chars)
    password = "".join(chars)
    set_password(actor, person, password)
    return password


def _refuse_another_administrator(actor, person):
    """三员分立: the system administrator does not take over or switch off the security or audit
    administrator's account. Their role is revoked first, or the password set on the server."""
    if actor is None or actor.pk == person.pk:
        return
    if RoleGrant.objects.filter(person=person, role__in=ADMIN_ROLES).exists():
        raise PermissionDenied(_("An administrator's account is changed only after their administrator role is revoked."))


def _require_grant_scope(actor, unit):
    """A security administrator may grant roles only inside their own scope."""
    if actor is None:
        return
    if not permissions.has_perm(actor, "accounts.rolegrant.change", unit):
        raise PermissionDenied


@business_action
def grant_role(actor, *, person, role, unit, valid_from=None, valid_until=None, note=""):
    """Grants a role on a unit; the three administrator roles never go to the same person."""
    _require_grant_scope(actor, unit)
    if role not in ROLE_PERMISSIONS:
        raise ValidationError({"role": _("Unknown role.")})
    if actor is not None and actor.pk == person.pk:
        raise ValidationError({"person": _("You cannot grant roles to yourself.")})
    if not person.is_active:
        raise ValidationError({"person": _("A disabled account cannot receive a role.")})
    if role == Role.INSPECTOR and valid_until is None:
        raise ValidationError({"valid_until": _("Inspection access must end at a set time.")})
    if RoleGrant.objects.filter(person=person, role=role, unit=unit).exists():
        raise ValidationError(_("This person already holds this role on this unit."))
    grant = RoleGrant(
        person=person,
        role=role,
        unit=unit,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note,
        granted_by=actor,
    )
    grant.full_clean(exclude=["granted_by"])
    held = set(RoleGrant.objects.filter(person=person).values_list("role", flat=True))
    if role in ADMIN_ROLES and held & ADMIN_ROLES - {role}:
        raise ValidationError(
            {"role": _("One person cannot hold two of the system, security and audit administrator roles.")}
        )
    if role in ADMIN_ROLES and held - ADMIN_ROLES:
        raise ValidationError(
            {"role": _("An administrator does no business work: revoke this person's business roles first.")}
        )
    if role not in ADMIN_ROLES and held & ADMIN_ROLES:
        raise ValidationError({"role": _("An administrator does no business work: this role cannot go to an administrator.")})
    grant.save()
    permissions.forget(person)
    return grant


@business_action
def revoke_role(actor, grant):
    _require_grant_scope(actor, grant.unit)
    grant.delete()
    permissions.forget(grant.person)

