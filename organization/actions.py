"""Business operations on the unit tree and leading groups.

Each action is transactional, checks the actor's permission through accounts.permissions (an actor
of None is the system itself: management commands and demo data) and leaves an audit entry.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.actions import business_action
from core.events import log_event

from .models import ALLOWED_PARENT_KINDS, LeadingGroup, LeadingGroupMember, Unit, UnitKind


def _require_actor(actor, perm, obj):
    from accounts.permissions import require_actor  # lazily: accounts imports organization

    require_actor(actor, perm, obj)


CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def _validate_fields(*, name, code, short_name, unit=None):
    errors = {}
    name = (name or "").strip()
    code = (code or "").strip()
    short_name = (short_name or "").strip()
    if not name:
        errors["name"] = _("The name cannot be empty.")
    elif len(name) > 100:
        errors["name"] = _("The name can have at most 100 characters.")
    if len(short_name) > 40:
        errors["short_name"] = _("The short name can have at most 40 characters.")
    if not CODE_PATTERN.match(code):
        errors["code"] = _("The code must be 1 to 40 letters, digits, dots, hyphens or underscores.")
    else:
        clash = Unit.objects.filter(code__iexact=code)
        if unit is not None:
            clash = clash.exclude(pk=unit.pk)
        if clash.exists():
            errors["code"] = _("The code %(code)s is already used by another unit.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    return name, code, short_name


def _validate_parent(kind, parent):
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Unknown unit kind.")})
    allowed = ALLOWED_PARENT_KINDS[UnitKind(kind)]
    parent_kind = UnitKind(parent.kind) if parent is not None else None
    if parent_kind not in allowed:
        if parent is None:
            message = _("A %(kind)s cannot be a top-level unit.") % {"kind": UnitKind(kind).label}
        else:
            message = _("A %(kind)s cannot be placed under a %(parent)s.") % {
                "kind": UnitKind(kind).label,
                "parent": parent_kind.label,
            }
        raise ValidationError({"parent": message})
    if parent is not None and not parent.is_active:
        raise ValidationError({"parent": _("The parent unit is deactivated.")})


@business_action
def create_unit(actor, *, parent, name, code, kind, short_name=""):
    """Adds a unit as the last child of ``parent`` (or as a new root when ``parent`` is None)."""
    if parent is None:
        _require_root(actor)
    else:
        _require_actor(actor, "organization.unit.change", parent)
    name, code, short_name = _validate_fields(name=name, code=code, short_name=short_name)
    _validate_parent(kind, parent)
    fields = {"name": name, "code": code, "short_name": short_name, "kind": kind}
    if parent is None:
        return Unit.objects.add_root(fields)
    parent.refresh_from_db()
    return Unit.objects.add_child(parent, fields)


def _require_root(actor):
    """Only a system administrator scoped at a top-level unit may create another top-level unit."""
    if actor is None:
        return
    from django.core.exceptions import PermissionDenied

    from accounts.permissions import scope_paths

    if not any(len(path) == Unit.steplen for path in scope_paths(actor, "organization.unit.change")):
        raise PermissionDenied


@business_action
def update_unit(actor, unit, *, name, code, short_name="", kind=None):
    """Renames a unit or changes its code, short name or kind."""
    _require_actor(actor, "organization.unit.change", unit)
    name, code, short_name = _validate_fields(name=name, code=code, short_name=short_name, unit=unit)
    if kind is not None and kind != unit.kind:
        _validate_parent(kind, Unit.objects.get_parent(unit))
        for child in Unit.objects.get_children(unit):
            if UnitKind(kind) not in ALLOWED_PARENT_KINDS[UnitKind(child.kind)]:
                raise ValidationError({"kind": _("The kind does not fit the units under it.")})
        unit.kind = kind
    unit.name, unit.code, unit.short_name = name, code, short_name
    unit.save()
    return unit


@business_action
def move_unit(actor, unit, *, new_parent):
    """Moves a unit with its whole subtree to become the last child of ``new_parent``."""
    _require_actor(actor, "organization.unit.change", unit)
    if new_parent is not None:
        _require_actor(actor, "organization.unit.change", new_parent)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be moved under itself or one of its own units.")})
    else:
        _require_root(actor)
    old_parent = Unit.objects.get_parent(unit)
    if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
        return unit
    _validate_parent(unit.kind, new_parent)
    if new_parent is None:
        Unit.objects.move(unit, Unit.objects.get_first_root_node(), "last-sibling")
    else:
        new_parent.refresh_from_db()
        Unit.objects.move(unit, new_parent, "last-child")
    unit.refresh_from_db()
    log_event(
        "move",
        unit,
        summary=_("Moved from %(old)s to %(new)s")
        % {"old": old_parent.name if old_parent else "-", "new": new_parent.name if new_parent else "-"},
        before={"parent": old_parent.pk if old_parent else None},
        after={"parent": new_parent.pk if new_parent else None},
    )
    return unit


@business_action
def reorder_unit(actor, unit, *, direction):
    """Moves a unit one place up or down among its siblings."""
    _require_actor(actor, "organization.unit.change", unit)
    sibling = Unit.objects.get_prev_sibling(unit) if direction == "up" else Unit.objects.get_next_sibling(unit)
    if sibling is None:
        return unit
    Unit.objects.move(unit, sibling, "left" if direction == "up" else "right")
    unit.refresh_from_db()
    log_event("move", unit, summary=_("Moved up") if direction == "up" else _("Moved down"))
    return unit


@business_action
def deactivate_unit(actor, unit):
    """Deactivates a unit and its whole subtree; refused while active people still belong there."""
    _require_actor(actor, "organization.unit.change", unit)
    subtree = Unit.objects.filter(path__startswith=unit.path)
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(unit__path__startswith=unit.path, is_active=True).count()
    if people:
        raise ValidationError(
            _("%(count)d active people still belong to this unit or the units under it. Move or disable them first.")
            % {"count": people}
        )
    for node in subtree.filter(is_active=True):
        node.is_active = False
        node.save()
    unit.refresh_from_db()
    return unit


@business_action
def reactivate_unit(actor, unit):
    """Reactivates a single unit; its parent must be active."""
    _require_actor(actor, "organization.unit.change", unit)
    parent = Unit.objects.get_parent(unit)
    if parent is not None and not parent.is_active:
        raise ValidationError(_("Reactivate the parent unit first."))
    unit.is_active = True
    unit.save()
    return unit


@business_action
def save_leading_group(actor, unit, *, name, established_on=None, office_duties=""):
    """Creates or updates the leading group of a unit."""
    _require_actor(actor, "organization.leadinggroup.change", unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("The name cannot be empty.")})
    group, _created = LeadingGroup.objects.get_or_create(unit=unit, defaults={"name": name})
    group.name, group.established_on, group.office_duties = name, established_on, office_duties
    group.save()
    return group


@business_action
def add_leading_group_member(actor, group, *, person, title, duty="", sort_order=None):
    """Seats a person in a leading group with a title (组长, 常务副组长, 副组长, 成员, 办公室主任, 资料员)."""
    _require_actor(actor, "organization.leadinggroup.change", group.unit)
    if LeadingGroupMember.objects.filter(group=group, person=person, title=title).exists():
        raise ValidationError(_("This person already holds this title in the leading group."))
    if not person.is_active:
        raise ValidationError(_("A disabled account cannot join a leading group."))
    if sort_order is None:
        sort_order = group.members.count() + 1
    return LeadingGroupMember.objects.create(group=group, person=person, title=title, duty=duty, sort_order=sort_order)


@business_action
def remove_leading_group_member(actor, member):
    _require_actor(actor, "organization.leadinggroup.change", member.group.unit)
    member.delete()
