"""Business operations on standards: draft, edit, publish, copy to a new version.

A published standard is frozen: every change to it or its nodes is refused here, which is the
one place that writes them.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.roles import STANDARD_CHANGE
from core.actions import business_action
from core.events import log_event
from core.numbers import bounded_decimal

from .models import Level, Method, Node, Standard, StandardStatus

NODE_FIELDS = ("title", "points", "method", "per_occurrence", "levels", "guide", "evidence_required", "lead_department", "cadence")


def _require_draft(standard):
    if standard.status != StandardStatus.DRAFT:
        raise ValidationError(_("A published standard cannot be changed; create a new version to change it."))


def _points(value, label):
    number = bounded_decimal(value if value not in (None, "") else "0", label)
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({label: _("At most two decimal places.")})
    return number


def clean_levels(levels) -> list:
    """Graded levels as [{"code", "label", "percent"}], best first, or a ValidationError."""
    if isinstance(levels, str):
        levels = parse_levels(levels)
    cleaned, codes = [], set()
    for level in levels or []:
        code = str(level.get("code", "")).strip()
        label = str(level.get("label", "") or code).strip()
        try:
            percent = Decimal(str(level.get("percent", "")).strip())
        except InvalidOperation:
            raise ValidationError(_("Level %(code)s needs a percent from 0 to 100.") % {"code": code or "?"}) from None
        if not code or code in codes:
            raise ValidationError(_("Each level needs its own code (e.g. A, B, C)."))
        if not (0 <= percent <= 100):
            raise ValidationError(_("Level %(code)s needs a percent from 0 to 100.") % {"code": code})
        codes.add(code)
        cleaned.append({"code": code, "label": label, "percent": float(percent)})
    if len(cleaned) < 2:
        raise ValidationError(_("A graded item needs at least two levels."))
    percents = [level["percent"] for level in cleaned]
    if percents != sorted(percents, reverse=True):
        raise ValidationError(_("List the levels from the best to the worst (percent from high to low)."))
    return cleaned


def parse_levels(text: str) -> list:
    """Reads levels as offices write them: "A=100, B=75" or "A好=100, B较好=80" (a leading Latin code is
    split from its label: A好 → A, 好). Checked afterwards by ``clean_levels``."""
    levels = []
    for part in re.split(r"[,，;；、\n]", str(text)):
        part = part.strip()
        if not part:
            continue
        match = re.fullmatch(r"(?P<name>[^=:：]+?)\s*[=:：]\s*(?P<percent>[^=:：]+?)\s*%?", part)
        if not match:
            raise ValidationError(_('Write levels as "A=100, B=75, C=50, D=0".'))
        name = match["name"].strip()
        code_match = re.match(r"([A-Za-z0-9]+)\s*[(（]?(.*?)[)）]?$", name)
        code, label = (code_match[1], code_match[2].strip() or code_match[1]) if code_match else (name, name)
        levels.append({"code": code, "label": label, "percent": match["percent"]})
    return levels


def clean_node(level, data: dict) -> dict:
    """The fields of a node checked for its level and scoring method, with Chinese messages."""
    cleaned = {"title": str(data.get("title", "")).strip()}
    if not cleaned["title"]:
        raise ValidationError({"title": _("The title cannot be empty.")})
    cleaned["points"] = _points(data.get("points"), "points")
    for name in ("guide", "evidence_required", "lead_department"):
        cleaned[name] = str(data.get(name) or "").strip()
    if len(cleaned["lead_department"]) > 100:
        raise ValidationError({"lead_department": _("At most 100 characters.")})
    cleaned.update(method="", per_occurrence=None, levels=[], cadence=str(data.get("cadence") or ""))
    if level != Level.ITEM:
        cleaned["cadence"] = ""
        return cleaned
    method = data.get("method") or ""
    if method not in Method.values:
        raise ValidationError({"method": _("Choose a scoring method: deduct, bonus, graded, pass/fail or veto.")})
    cleaned["method"] = method
    points = cleaned["points"]
    if method == Method.VETO:
        if points:
            raise ValidationError({"points": _("A veto item carries no points; set its points to 0.")})
    elif points <= 0:
        raise ValidationError({"points": _("A scoring item needs points above 0.")})
    if method == Method.DEDUCT:
        per = _points(data.get("per_occurrence"), "per_occurrence")
        if per <= 0:
            raise ValidationError({"per_occurrence": _("A deduct item needs the points deducted per occurrence.")})
        if per > points:
            raise ValidationError({"per_occurrence": _("The deduction per occurrence cannot exceed the item's points.")})
        cleaned["per_occurrence"] = per
    if method == Method.GRADED:
        try:
            cleaned["levels"] = clean_levels(data.get("levels"))
        except ValidationError as error:
            raise ValidationError({"levels": error.messages}) from None
    from .models import Cadence

    if cleaned["cadence"] not in Cadence.values:
        raise ValidationError({"cadence": _("Choose monthly, quarterly, yearly or none.")})
    return cleaned


@business_action
def create_standard(actor, *, unit, name, total_points=Decimal("100"), note=""):
    """Starts an empty draft standard owned by ``unit``."""
    permissions.require_actor(actor, STANDARD_CHANGE, unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("The name cannot be empty.")})
    total = _points(total_points, "total_points")
    if total <= 0:
        raise ValidationError({"total_points": _("The full marks must be above 0.")})
    if Standard.objects.filter(unit=unit, name=name).exists():
        raise ValidationError({"name": _("This unit already has a standard with this name; create a new version of it instead.")})
    return Standard.objects.create(unit=unit, name=name, total_points=total, note=note)


@business_action
def update_standard(actor, standard, *, name=None, total_points=None, note=None):
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    _require_draft(standard)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationError({"name": _("The name cannot be empty.")})
        standard.name = name
    if total_points is not None:
        standard.total_points = _points(total_points, "total_points")
    if note is not None:
        standard.note = note
    standard.save()
    return standard


@business_action
def add_node(actor, standard, *, parent=None, position=None, **data):
    """Adds a dimension (no parent), an indicator (under a dimension) or an item (under an indicator)."""
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    _require_draft(standard)
    if parent is not None and (parent.standard_id != standard.pk or parent.level == Level.ITEM):
        raise ValidationError(_("A scoring item cannot hold other nodes."))
    level = Level.DIMENSION if parent is None else parent.level + 1
    fields = clean_node(level, data)
    siblings = Node.objects.filter(standard=standard, parent=parent)
    if position is None:
        position = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    node = Node.objects.create(standard=standard, parent=parent, level=level, position=position, number="", **fields)
    renumber(standard)
    node.refresh_from_db()
    return node


@business_action
def update_node(actor, node, **data):
    permissions.require_actor(actor, STANDARD_CHANGE, node.standard)
    _require_draft(node.standard)
    merged = {name: getattr(node, name) for name in NODE_FIELDS}
    merged.update(data)
    for name, value in clean_node(node.level, merged).items():
        setattr(node, name, value)
    node.save()
    return node


@business_action
def delete_node(actor, node):
    """Removes a node and everything under it from a draft."""
    standard = node.standard
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    _require_draft(standard)
    node.delete()
    renumber(standard)


def renumber(standard):
    """Numbers every node by its place (1, 1.1, 1.1.1…), as offices cite them."""
    nodes = list(Node.objects.filter(standard=standard).order_by("level", "position", "id"))
    children = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    changed = []

    def visit(parent_id, prefix):
        for index, node in enumerate(children.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            if node.number != number or node.position != index:
                node.number, node.position = number, index
                changed.append(node)
            visit(node.pk, f"{number}.")

    visit(None, "")
    Node.objects.bulk_update(changed, ["number", "position"])


def problems(standard) -> list[str]:
    """What keeps a draft from being published, in Chinese; empty when it can be."""
    nodes = list(standard.nodes.all())
    found = []
    items = [node for node in nodes if node.level == Level.ITEM]
    if not items:
        found.append(_("The standard has no scoring item."))
    has_children = {node.parent_id for node in nodes}
    for node in nodes:
        if node.level != Level.ITEM and node.pk not in has_children:
            found.append(_("%(number)s %(title)s has nothing under it.") % {"number": node.number, "title": node.title[:30]})
    base = sum((node.points for node in nodes if node.level == Level.DIMENSION), Decimal("0"))
    if base and base < standard.total_points:
        found.append(
            _("The dimensions add up to %(sum)s points, less than the full marks of %(total)s.")
            % {"sum": base, "total": standard.total_points}
        )
    return found


@business_action
def publish_standard(actor, standard):
    """Freezes a draft so rounds can use it; a standard with problems is refused with every problem named."""
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    _require_draft(standard)
    found = problems(standard)
    if found:
        raise ValidationError(found)
    standard.status = StandardStatus.PUBLISHED
    standard.published_at = timezone.now()
    standard.published_by = actor
    standard.save()
    return standard


@business_action
def new_version(actor, standard):
    """A draft copy of a standard with the next version number: the way to change a published one."""
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    latest = Standard.objects.filter(unit=standard.unit, name=standard.name).aggregate(v=Max("version"))["v"]
    if Standard.objects.filter(unit=standard.unit, name=standard.name, status=StandardStatus.DRAFT).exists():
        raise ValidationError(_("A draft of this standard already exists; finish or delete it first."))
    copy = Standard.objects.create(
        unit=standard.unit, name=standard.name, version=latest + 1, total_points=standard.total_points,
        note=standard.note, copied_from=standard,
    )
    copy_nodes(standard, copy)
    log_event("new_version", copy, summary=_("Copied from version %(version)d") % {"version": standard.version})
    return copy


def copy_nodes(source, target):
    """Copies the whole tree of ``source`` into the empty standard ``target``, level by level."""
    mapping = {}
    for level in (Level.DIMENSION, Level.INDICATOR, Level.ITEM):
        originals = list(source.nodes.filter(level=level).order_by("position", "id"))
        copies = [
            Node(
                standard=target, parent_id=mapping.get(node.parent_id), level=level, position=node.position,
                number=node.number, **{name: getattr(node, name) for name in NODE_FIELDS},
            )
            for node in originals
        ]
        with transaction.atomic():
            created = Node.objects.bulk_create(copies)
        mapping.update({original.pk: copy.pk for original, copy in zip(originals, created)})
    return mapping


@business_action
def delete_draft(actor, standard):
    """Deletes a draft that no round uses; published standards are kept for ever."""
    permissions.require_actor(actor, STANDARD_CHANGE, standard)
    _require_draft(standard)
    standard.delete()


def visible_standards(user):
    """Standards the user may read: those of units in their scope and of the units above them
    (a department is scored against its agency's standard)."""
    from accounts.roles import STANDARD_VIEW

    return permissions.restrict_with_ancestors(Standard.objects.all(), user, STANDARD_VIEW)


def current_standard(unit):
    """The latest published standard that applies to ``unit``: its own or its nearest ancestor's."""
    paths = [*unit.ancestor_paths(), unit.path]
    candidates = Standard.objects.filter(status=StandardStatus.PUBLISHED, unit__path__in=paths).select_related("unit")
    best = None
    for standard in candidates:
        key = (len(standard.unit.path), standard.published_at)
        if best is None or key > (len(best.unit.path), best.published_at):
            best = standard
    return best
