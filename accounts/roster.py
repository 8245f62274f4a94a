"""The roster (花名册): people imported from and exported to .xlsx in the layout offices use.

An import is all or nothing. Every row is checked first, against data read in a constant number of
queries, and every problem is reported with its row and column; only a clean file is written, in
one transaction, through the person actions so that permission checks and the audit trail apply.
Header names and 政治面貌 values are Chinese literals: they are a file format, not interface text.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from core import crypto, xlsx
from core.events import log_event
from core.fields import matching
from core.xlsx import Column, ImportProblem, Sheet, SpreadsheetError, cell_text
from organization.models import PARTY_KINDS, Unit

from . import actions, permissions
from .actions import USERNAME_RE
from .models import PartyStatus, User
from .roles import PERSON_CHANGE, PERSON_VIEW, UNIT_VIEW

COLUMNS = [
    Column("seq", "序号", ("编号",)),
    Column("real_name", "姓名", ("名字", "人员姓名"), required=True),
    Column(
        "unit",
        "单位",
        ("所在单位", "部门", "所在部门", "处室", "所在处室", "股室", "所在股室", "科室", "单位名称", "工作单位", "单位部门"),
    ),
    Column("position", "职务", ("职位", "现任职务", "职务职级")),
    Column("party_status", "政治面貌", ("政治身份",)),
    Column("phone", "手机号", ("手机", "手机号码", "联系电话", "移动电话", "联系方式")),
    Column("party_unit", "所在党组织", ("党组织", "所属党组织", "所在党支部", "党支部", "所属党支部")),
    Column("username", "账号", ("帐号", "登录名", "用户名", "登录账号")),
    # Written by the export so that a re-import finds the unit even when many share a name (办公室).
    Column("unit_code", "单位编码", ("单位代码",)),
    Column("party_unit_code", "党组织编码", ("党组织代码",)),
]
SHEET_TITLE = "花名册"
INSTRUCTIONS_TITLE = "填写说明"

PARTY_STATUS_LABELS = {
    PartyStatus.MEMBER: "中共党员",
    PartyStatus.PROBATIONARY: "中共预备党员",
    PartyStatus.YOUTH_LEAGUE: "共青团员",
    PartyStatus.DEMOCRATIC_PARTY: "民主党派",
    PartyStatus.NON_PARTISAN: "无党派人士",
    PartyStatus.MASSES: "群众",
}
_STATUS_VARIANTS = {
    PartyStatus.MEMBER: "党员 共产党员 中国共产党党员 中共正式党员 正式党员",
    PartyStatus.PROBATIONARY: "预备党员 中国共产党预备党员",
    PartyStatus.YOUTH_LEAGUE: "团员 中国共产主义青年团团员",
    PartyStatus.DEMOCRATIC_PARTY: (
        "民主党派成员 民革 民革党员 民盟 民盟盟员 民建 民建会员 民进 民进会员 农工党 农工党党员 "
        "致公党 致公党党员 九三学社 九三学社社员 台盟 台盟盟员"
    ),
    PartyStatus.NON_PARTISAN: "无党派 无党派民主人士",
    PartyStatus.MASSES: "",
}
PARTY_STATUS_BY_TEXT = {
    text: status
    for status, variants in _STATUS_VARIANTS.items()
    for text in (PARTY_STATUS_LABELS[status], status.value, *variants.split())
}

PHONE_RE = re.compile(r"^1\d{10}$")
CJK_NAME_RE = re.compile(r"[\u3400-\u9fff·•\s]+")
QUERY_CHUNK = 900  # below SQLite's limit of bound parameters in old builds


RosterError = ImportProblem  # the shared shape of an import problem (core.xlsx)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RosterError] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass(frozen=True)
class _UnitRef:
    """A unit as read for matching; full Unit rows are loaded only for the ones a row names."""

    id: int
    name: str
    short_name: str
    code: str
    kind: str
    is_active: bool
    path: str

    def get_scope_path(self):
        return self.path


@dataclass
class _Row:
    number: int
    name: str = ""
    unit_text: str = ""
    unit_code: str = ""
    position: str | None = None  # None: keep what an existing person has
    status: str | None = None
    phone: str | None = None
    masked_phone: str = ""
    party_text: str = ""
    party_code: str = ""
    username: str = ""
    unit: _UnitRef | None = None
    party_unit: _UnitRef | None = None
    target: User | None = None
    failed: bool = False
    repeated_phone: bool = False


def _key(text: str) -> str:
    """Matching key for names and codes: full-width folded, no spaces, case-insensitive."""
    return re.sub(r"\s", "", cell_text(text, nfkc=True)).casefold()


def _clean_name(value) -> str:
    text = cell_text(value)
    # Offices pad two-character names for alignment (张  三); Latin names keep one space.
    if CJK_NAME_RE.fullmatch(text):
        return re.sub(r"\s", "", text)
    return re.sub(r"\s+", " ", text)


def _clean_phone(value) -> str:
    text = re.sub(r"[\s\-()]", "", cell_text(value, nfkc=True))
    if text.startswith("+86"):
        text = text[3:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text


def _steps_shared(path_a: str, path_b: str) -> int:
    shared = 0
    for start in range(0, min(len(path_a), len(path_b)), Unit.steplen):
        if path_a[start : start + Unit.steplen] != path_b[start : start + Unit.steplen]:
            break
        shared += 1
    return shared


def _chunks(values, size=QUERY_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Check:
    """Reads the rows of one table, checks them all and collects every problem."""

    def __init__(self, actor, table):
        self.actor = actor
        self.table = table
        self.errors: list[RosterError] = []

    def error(self, row, key, code, detail):
        if isinstance(row, _Row):
            row.failed = True
            number = row.number
        else:
            number = row
        present = key in self.table.positions
        self.errors.append(
            RosterError(
                code,
                detail,
                row=number,
                column=self.table.header(key) if key else "",
                letter=self.table.letter(key) if present else "",
                index=self.table.positions.get(key, -1),
            )
        )

    def may_change(self, obj):
        return self.actor is None or permissions.has_perm(self.actor, PERSON_CHANGE, obj)

    def may_view(self, unit):
        return self.actor is None or permissions.has_perm(self.actor, UNIT_VIEW, unit)

    # Reading ---------------------------------------------------------------------------------

    def read(self) -> list[_Row]:
        rows = []
        limit = settings.MOFAN_IMPORT_MAX_ROWS
        for number, values in self.table.rows(ignore=("seq",)):
            if len(rows) >= limit:
                raise SpreadsheetError(
                    "too_many_rows", _("The file has more than %(limit)d rows of people; split it.") % {"limit": limit}
                )
            rows.append(self.parse(number, values))
        return rows

    def parse(self, number, values) -> _Row:
        row = _Row(number)
        row.name = _clean_name(values.get("real_name"))
        if not row.name:
            self.error(row, "real_name", "empty_name", _("The name is empty."))
        elif len(row.name) > 50:
            self.error(row, "real_name", "name_too_long", _("The name can have at most 50 characters."))
        row.unit_text = re.sub(r"\s+", " ", cell_text(values.get("unit")))
        row.unit_code = cell_text(values.get("unit_code"), nfkc=True)
        if not row.unit_text and not row.unit_code:
            key = "unit" if "unit" in self.table.positions else "unit_code"
            self.error(row, key, "empty_unit", _("The unit is empty."))
        position = re.sub(r"\s+", " ", cell_text(values.get("position")))
        if len(position) > 100:
            self.error(row, "position", "position_too_long", _("The position can have at most 100 characters."))
        row.position = position or None
        status_text = re.sub(r"\s", "", cell_text(values.get("party_status"), nfkc=True))
        if status_text:
            row.status = PARTY_STATUS_BY_TEXT.get(status_text) or PARTY_STATUS_BY_TEXT.get(status_text.lower())
            if row.status is None:
                self.error(
                    row,
                    "party_status",
                    "unknown_party_status",
                    _("Unknown political status %(value)s; write one of %(allowed)s.")
                    % {"value": status_text, "allowed": "、".join(PARTY_STATUS_LABELS.values())},
                )
        phone = _clean_phone(values.get("phone"))
        if "*" in phone:
            row.masked_phone = phone  # from an export without numbers; accepted only if unchanged
        elif phone:
            if PHONE_RE.match(phone):
                row.phone = phone
            else:
                self.error(
                    row,
                    "phone",
                    "invalid_phone",
                    _("The mobile number %(phone)s is not an 11-digit number starting with 1.") % {"phone": phone},
                )
        row.party_text = re.sub(r"\s+", " ", cell_text(values.get("party_unit")))
        row.party_code = cell_text(values.get("party_unit_code"), nfkc=True)
        row.username = cell_text(values.get("username"), nfkc=True)
        if row.username and not USERNAME_RE.match(row.username):
            self.error(
                row,
                "username",
                "invalid_username",
                _("The login name %(username)s may only contain letters, digits and @ . + - _.") % {"username": row.username},
            )
        return row

    def duplicates_in_file(self, rows):
        """Both (all) rows of a value that appears twice are reported: the user must pick one."""
        for key, attr, code in (("phone", "phone", "duplicate_phone_in_file"), ("username", "username", "duplicate_username_in_file")):
            seen = defaultdict(list)
            for row in rows:
                value = getattr(row, attr)
                if value:
                    seen[value.casefold()].append(row)
            for group in seen.values():
                if len(group) < 2:
                    continue
                for row in group:
                    row.repeated_phone = row.repeated_phone or key == "phone"
                    others = "、".join(str(other.number) for other in group if other is not row)
                    self.error(
                        row,
                        key,
                        code,
                        _("%(value)s also appears in row %(rows)s.") % {"value": getattr(row, attr), "rows": others},
                    )

    # Matching --------------------------------------------------------------------------------

    def load_units(self):
        self.units = [
            _UnitRef(*values)
            for values in Unit.objects.values_list("id", "name", "short_name", "code", "kind", "is_active", "path")
        ]
        self.by_code, self.by_name, self.by_short = defaultdict(list), defaultdict(list), defaultdict(list)
        for unit in self.units:
            self.by_code[_key(unit.code)].append(unit)
            self.by_name[_key(unit.name)].append(unit)
            if unit.short_name:
                self.by_short[_key(unit.short_name)].append(unit)

    def resolve_unit(self, row, text_key, code_key, text, code, *, near=None, party=False):
        """The unit a row names by code (exact) or by code, full name or short name, in that order."""
        if code:
            candidates = self.by_code.get(_key(code), [])
            key, shown = code_key, code
        else:
            key, shown = text_key, text
            candidates = next(
                (hits for index in (self.by_code, self.by_name, self.by_short) if (hits := index.get(_key(text)))), []
            )
        if not candidates:
            self.error(row, key, "unknown_unit", _("No unit is called %(unit)s.") % {"unit": shown})
            return None
        active = [unit for unit in candidates if unit.is_active]
        if not active:
            self.error(row, key, "inactive_unit", _("The unit %(unit)s is deactivated.") % {"unit": shown})
            return None
        if party and any(unit.kind in PARTY_KINDS for unit in active):
            active = [unit for unit in active if unit.kind in PARTY_KINDS]
        unit = self.pick(active, near)
        if unit is None:
            # Codes of units the actor cannot see are not shown: out of scope, they do not exist.
            codes = "、".join(sorted(unit.code for unit in active if self.may_view(unit))[:5])
            if codes:
                detail = _("%(unit)s names several units (%(codes)s); write the unit code instead.")
            else:
                detail = _("%(unit)s names several units; write the unit code instead.")
            self.error(row, key, "ambiguous_unit", detail % {"unit": shown, "codes": codes})
            return None
        if code and text and _key(text) not in {_key(unit.code), _key(unit.name), _key(unit.short_name)}:
            self.error(
                row,
                text_key,
                "unit_mismatch",
                _("%(text)s is not the unit with code %(code)s (%(name)s); correct or clear one of them.")
                % {"text": text, "code": unit.code, "name": unit.name},
            )
            return None
        return unit

    def pick(self, units, near):
        """One unit among several with the name: the only one in the actor's scope, or the nearest to ``near``."""
        if len(units) == 1:
            return units[0]

        def score(unit):
            if near is None:
                return (self.may_change(unit), 0)
            # Tree distance: steps up from one unit to the shared ancestor and down to the other.
            shared = _steps_shared(unit.path, near.path)
            return (self.may_change(unit), shared * 2 - len(unit.path) // Unit.steplen - len(near.path) // Unit.steplen)

        ranked = sorted(units, key=score, reverse=True)
        return ranked[0] if score(ranked[0]) != score(ranked[1]) else None

    def load_people(self, rows):
        related = User.objects.select_related("unit")
        phones = {row.phone for row in rows if row.phone}
        self.by_phone = {}
        # A number is looked up under every configured data key (one index each).
        for chunk in _chunks(phones, max(1, QUERY_CHUNK // len(crypto.data_keys()))):
            self.by_phone.update({person.phone: person for person in related.filter(matching(User, "phone", *chunk))})
        usernames = {row.username.casefold() for row in rows if row.username}
        self.by_username = {}
        for chunk in _chunks(usernames):
            found = related.annotate(login=Lower("username")).filter(login__in=chunk)
            self.by_username.update({person.username.casefold(): person for person in found})

    def load_namesakes(self, rows):
        """People to match by name and unit, for rows that give neither a known number nor a login name."""
        wanted = {row.name for row in rows if row.unit and not row.target and not row.username}
        self.namesakes = defaultdict(list)
        for chunk in _chunks(wanted):
            for person in User.objects.select_related("unit").filter(real_name__in=chunk):
                self.namesakes[(person.real_name, person.unit_id)].append(person)

    def find_target(self, row):
        by_phone = self.by_phone.get(row.phone) if row.phone else None
        by_username = self.by_username.get(row.username.casefold()) if row.username else None
        if by_phone and by_username and by_phone.pk != by_username.pk:
            self.error(
                row,
                "username",
                "username_taken",
                _("The login name %(username)s belongs to another person than the mobile number.") % {"username": row.username},
            )
            return
        target = by_phone or by_username
        if target is None:
            return
        if target.real_name != row.name:
            if by_phone:
                if self.actor is None or permissions.has_perm(self.actor, PERSON_VIEW, target):
                    detail = _("The mobile number %(phone)s is already used by %(name)s.")
                else:
                    detail = _("The mobile number %(phone)s is already used by another person.")
                self.error(row, "phone", "phone_taken", detail % {"phone": row.phone, "name": target.real_name})
            else:
                self.error(
                    row, "username", "username_taken", _("The login name %(username)s is taken.") % {"username": row.username}
                )
            return
        if by_phone and row.username and by_username is None:
            self.error(
                row,
                "username",
                "username_mismatch",
                _("%(name)s already has the login name %(username)s; an import cannot change it.")
                % {"name": target.real_name, "username": target.username},
            )
            return
        row.target = target

    def match_namesake(self, row):
        candidates = self.namesakes.get((row.name, row.unit.id), [])
        if len(candidates) == 1 and (not row.phone or not candidates[0].phone):
            row.target = candidates[0]

    def check(self, rows):
        self.duplicates_in_file(rows)
        self.load_units()
        self.load_people(rows)
        for row in rows:
            if row.unit_text or row.unit_code:
                row.unit = self.resolve_unit(row, "unit", "unit_code", row.unit_text, row.unit_code)
                if row.unit and not self.may_change(row.unit):
                    self.error(
                        row,
                        "unit" if row.unit_text else "unit_code",
                        "unit_out_of_scope",
                        _("You may not add or change people of %(unit)s.") % {"unit": row.unit.name},
                    )
            if row.party_text or row.party_code:
                near = row.unit
                row.party_unit = self.resolve_unit(
                    row, "party_unit", "party_unit_code", row.party_text, row.party_code, near=near, party=True
                )
                if row.party_unit and row.party_unit.kind not in PARTY_KINDS:
                    key = "party_unit" if row.party_text else "party_unit_code"
                    self.error(
                        row, key, "not_party_unit", _("%(unit)s is not a party committee, branch or group.") % {"unit": row.party_unit.name}
                    )
            if row.name:
                self.find_target(row)
        self.load_namesakes(rows)
        for row in rows:
            if row.target is None and row.unit and not row.failed and not row.username:
                self.match_namesake(row)
        self.check_targets(rows)

    def check_targets(self, rows):
        claimed = defaultdict(list)
        for row in rows:
            if row.masked_phone and not (row.target and row.target.masked_phone == row.masked_phone):
                self.error(
                    row,
                    "phone",
                    "invalid_phone",
                    _("The mobile number %(phone)s is masked; write the full number.") % {"phone": row.masked_phone},
                )
            if row.target is None:
                continue
            if not self.may_change(row.target):
                self.error(
                    row,
                    "real_name",
                    "person_out_of_scope",
                    _("%(name)s belongs to a unit where you may not change people.") % {"name": row.name},
                )
            claimed[row.target.pk].append(row)
        for group in claimed.values():
            # Rows sharing a number are already reported as such.
            if len(group) > 1 and not any(row.repeated_phone for row in group):
                for row in group:
                    others = "、".join(str(other.number) for other in group if other is not row)
                    self.error(
                        row, "real_name", "duplicate_person_in_file", _("The same person is also in row %(rows)s.") % {"rows": others}
                    )


# Import -------------------------------------------------------------------------------------


def import_roster(actor, uploaded_file) -> ImportResult:
    """Creates or updates the people of an .xlsx roster; any problem in the file changes nothing."""
    result = ImportResult()
    try:
        workbook = xlsx.open_workbook(uploaded_file)
    except SpreadsheetError as error:
        result.errors.append(RosterError(error.code, error.message))
        return result
    try:
        rows, check = _read_and_check(actor, workbook, result)
    except SpreadsheetError as error:
        result.errors.append(RosterError(error.code, error.message))
        return result
    finally:
        workbook.close()
    if result.errors:
        result.errors.sort(key=lambda error: (error.row or 0, error.index))
        return result
    try:
        _write(actor, rows, check, result, getattr(uploaded_file, "name", ""))
    except _RowRejected as rejected:
        result.created = result.updated = result.unchanged = 0
        result.errors.append(rejected.error)
    return result


def _read_and_check(actor, workbook, result):
    table = xlsx.find_table(workbook, COLUMNS)
    missing = [column.label for column in table.missing]
    if "unit" not in table.positions and "unit_code" not in table.positions:
        missing.append("单位")
    for label in missing:
        result.errors.append(
            RosterError(
                "missing_header",
                _("The header row has no column %(column)s.") % {"column": label},
                row=table.header_row or None,
                column=label,
            )
        )
    if missing:
        return [], None
    check = _Check(actor, table)
    rows = check.read()
    if not rows:
        raise SpreadsheetError("empty_file", _("The file has no people under the header row."))
    check.check(rows)
    result.errors.extend(check.errors)
    return rows, check


class _RowRejected(Exception):
    def __init__(self, error):
        self.error = error


def _write(actor, rows, check, result, filename):
    units = Unit.objects.in_bulk({ref.id for row in rows for ref in (row.unit, row.party_unit) if ref})
    with transaction.atomic():
        for row in rows:
            unit = units[row.unit.id]
            party_unit = units[row.party_unit.id] if row.party_unit else None
            try:
                _save_row(actor, row, unit, party_unit, result)
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                # Only a change made by someone else between the check and the write gets here.
                if isinstance(error, ValidationError):
                    detail = " ".join(error.messages)
                else:
                    detail = _("The row could not be saved because the data changed meanwhile; import the file again.")
                raise _RowRejected(RosterError("rejected", detail, row=row.number)) from None
        summary = _("Roster %(file)s imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.") % {
            "file": filename,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
        log_event("import", object_type="accounts.user", summary=summary, unit_id=_common_unit_id(check, rows))


def _save_row(actor, row, unit, party_unit, result):
    if row.target is None:
        actions.create_person(
            actor,
            username=row.username or None,
            real_name=row.name,
            unit=unit,
            position=row.position or "",
            party_status=row.status or PartyStatus.MASSES,
            phone=row.phone,
            party_unit=party_unit,
        )
        result.created += 1
        return
    person = row.target
    changes = {"unit": unit}
    for field_name, value in (
        ("position", row.position),
        ("party_status", row.status),
        ("phone", row.phone),
        ("party_unit", party_unit),
    ):
        if value is not None:
            changes[field_name] = value
    if all(getattr(person, name) == value for name, value in changes.items()):
        result.unchanged += 1
        return
    actions.update_person(actor, person, **changes)
    result.updated += 1


def _common_unit_id(check, rows):
    """The lowest unit above every unit the import touched: it decides which auditors see the event."""
    paths = [row.unit.path for row in rows]
    prefix = paths[0]
    for path in paths[1:]:
        prefix = prefix[: _steps_shared(prefix, path) * Unit.steplen]
    return next((unit.id for unit in check.units if unit.path == prefix), None)


# Export -------------------------------------------------------------------------------------


def export_roster(queryset, *, include_phone: bool) -> bytes:
    """The people of ``queryset`` (already restricted by the caller) in the import's own layout."""
    people = queryset.select_related("unit", "party_unit").order_by("unit__path", "sort_order", "id")
    rows = (_export_row(number, person, include_phone) for number, person in enumerate(people.iterator(chunk_size=2000), 1))
    return xlsx.write_workbook(Sheet(SHEET_TITLE, [column.label for column in COLUMNS], rows))


def _export_row(number, person, include_phone):
    unit, party_unit = person.unit, person.party_unit
    return [
        number,
        person.real_name,
        unit.name if unit else "",
        person.position,
        PARTY_STATUS_LABELS.get(person.party_status, ""),
        (person.phone if include_phone else person.masked_phone) or "",
        party_unit.name if party_unit else "",
        person.username,
        unit.code if unit else "",
        party_unit.code if party_unit else "",
    ]


def roster_template() -> bytes:
    """An empty roster with its header row, and a second sheet explaining each column."""
    statuses = "、".join(PARTY_STATUS_LABELS.values())
    notes = {
        "seq": (_("No"), _("Optional; not imported.")),
        "real_name": (_("Yes"), _("The person's real name.")),
        "unit": (
            _("Yes"),
            _("The unit's code, full name or short name. Where several units share a name (such as 办公室), write the code."),
        ),
        "position": (_("No"), _("The position. Left blank, an existing person's position is kept.")),
        "party_status": (
            _("No"),
            _("One of %(values)s. Left blank: 群众 for a new person, unchanged for an existing one.") % {"values": statuses},
        ),
        "phone": (
            _("No"),
            _("An 11-digit mobile number. A row whose number belongs to an existing person of the same name updates that person."),
        ),
        "party_unit": (_("No"), _("The party committee, branch or group the person belongs to, by code or name.")),
        "username": (
            _("No"),
            _("The login name of a new person; left blank, it is made from the pinyin of the name. An existing person's login name identifies them and cannot be changed."),
        ),
        "unit_code": (_("No"), _("Filled in by the export. When both the unit and its code are given they must name the same unit.")),
        "party_unit_code": (_("No"), _("Filled in by the export, like the unit code.")),
    }
    rows = [[column.label, *notes[column.key]] for column in COLUMNS]
    rows += [
        ["", "", ""],
        [
            "",
            "",
            _("The header row may stand below a title. Empty rows are skipped. If any row has a problem, nothing is imported and every problem is listed with its row and column."),
        ],
    ]
    return xlsx.write_workbook(
        Sheet(SHEET_TITLE, [column.label for column in COLUMNS]),
        Sheet(INSTRUCTIONS_TITLE, [_("Column"), _("Required"), _("How to fill it in")], rows, wrap=True),
    )
