"""Where each file goes in the ledger archive: layouts, from documents to ``Entry(path, place, …)``.

- ``folder_layout``: <unit>/<year>/<folder levels>/<file>, used when no standard applies.
- ``structure_layout``: <unit>/<year>/<dimension>/<indicator>/<item number + short title>/<file>,
  unlinked files under <unit>/<year>/未关联评分项/<folder>/<file>. A file proving several items is
  written under each of them, with one index row per copy: an inspector opens one item's folder and
  must find all its evidence there, and the index rows (same SHA-256) show the copies are one file.
  The copies cost archive space only for multi-linked files; memory is unchanged (each copy streams).

Layouts are generators over documents read in chunks; what they keep is the set of names used so
far (UniqueNames) and, for the standard, one short tuple per item.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .models import Document
from .uploads import clean_filename

INDEX_NAME = "索引.xlsx"
UNFILED = "未分类"
UNLINKED = "未关联评分项"
MAX_COMPONENT = 80  # characters per folder or file name: deep trees must still unpack on Windows
ITEM_TITLE_CHARS = 24  # an item's folder is its number and the start of its title
PLACE_SEPARATOR = " / "


@dataclass(frozen=True)
class Entry:
    path: str  # inside the archive
    place: str  # where the file belongs in the ledger, for the index
    document: Document
    version: object  # DocumentVersion


Layout = Callable[[Iterable[Document]], Iterable[Entry]]


def clean_component(text, default="_") -> str:
    """One folder or file name: safe on every system, Chinese kept, at most MAX_COMPONENT characters."""
    name = clean_filename(text, default=default)
    if len(name) > MAX_COMPONENT:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:
            name = f"{stem[: MAX_COMPONENT - len(ext) - 1].rstrip(' .')}.{ext}"
        else:
            name = name[:MAX_COMPONENT].rstrip(" .")
    return name or default


class UniqueNames:
    """Hands out names unique within their folder: 通知.pdf, 通知（2）.pdf, 通知（3）.pdf…

    Compared case-insensitively, as Windows and macOS unpack them.
    """

    def __init__(self, reserved=()):
        self.used = {name.casefold() for name in reserved}

    def claim(self, directory: str, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, ext = name, ""
        candidate, number = name, 1
        while f"{directory}/{candidate}".casefold() in self.used:
            number += 1
            candidate = f"{stem}（{number}）.{ext}" if ext else f"{stem}（{number}）"
        self.used.add(f"{directory}/{candidate}".casefold())
        return candidate


class _UnitFolders:
    """The top folder of each unit; two units of the same name (办公室 of two counties) get their code added."""

    def __init__(self, names: UniqueNames):
        self.names, self.folders = names, {}

    def __call__(self, unit) -> str:
        if unit.pk not in self.folders:
            wanted = clean_component(unit.name, default=unit.code)
            if f"/{wanted}".casefold() in self.names.used:
                wanted = clean_component(f"{unit.name}（{unit.code}）", default=unit.code)
            self.folders[unit.pk] = self.names.claim("", wanted)
        return self.folders[unit.pk]


def _file_name(document, version) -> str:
    extension = f".{version.extension}" if version.extension else ""
    # A slash in a title ("2026/05 会议记录") is part of the name, not a folder.
    title = document.title.replace("/", "-").replace("\\", "-")
    if extension and title.lower().endswith(extension.lower()):
        title = title[: -len(extension)]  # 通知.pdf, not 通知.pdf.pdf
    return clean_component(f"{title}{extension}", default=f"{document.pk}{extension}")


def _folder_parts(document) -> list[str]:
    return [clean_component(part) for part in document.folder.split("/") if part.strip()] or [UNFILED]


def folder_layout(documents: Iterable[Document]) -> Iterator[Entry]:
    """<unit>/<year>/<folder levels>/<title>.<ext>; documents without a folder go to 未分类."""
    names = UniqueNames(reserved=[f"/{INDEX_NAME}"])
    unit_folder = _UnitFolders(names)
    for document in documents:
        version = document.current
        directory = "/".join([unit_folder(document.unit), str(document.period.year), *_folder_parts(document)])
        filename = names.claim(directory, _file_name(document, version))
        yield Entry(f"{directory}/{filename}", document.folder or UNFILED, document, version)


def _item_folder(item) -> str:
    title = item.title.replace("/", "-").replace("\\", "-").strip()
    short = title if len(title) <= ITEM_TITLE_CHARS else f"{title[:ITEM_TITLE_CHARS].rstrip()}…"
    return clean_component(f"{item.number} {short}".strip(), default=str(item.number or item.pk))


def structure_layout(structure, *, in_scope: Callable[[object], bool]) -> Layout:
    """Files under the items they prove (see the module docstring), from each document's ``link_places``.

    ``in_scope(unit)``: whether a link's unit belongs to the export; a document proving an item of
    another unit is not filed under that item here.
    """
    places = {}
    for path, item in structure.walk():
        parts = [clean_component(heading.label) for heading in path] + [_item_folder(item)]
        places[item.pk] = (parts, PLACE_SEPARATOR.join([*(heading.label for heading in path), item.label]))
    item_type = ContentType.objects.get_for_model(structure.model).pk

    def layout(documents: Iterable[Document]) -> Iterator[Entry]:
        names = UniqueNames(reserved=[f"/{INDEX_NAME}"])
        unit_folder = _UnitFolders(names)
        for document in documents:
            version, filed = document.current, set()
            for type_id, target_id, unit in getattr(document, "link_places", ()):
                if type_id != item_type or target_id not in places or (target_id, unit.pk) in filed or not in_scope(unit):
                    continue
                filed.add((target_id, unit.pk))
                parts, place = places[target_id]
                directory = "/".join([unit_folder(unit), str(document.period.year), *parts])
                yield Entry(f"{directory}/{names.claim(directory, _file_name(document, version))}", place, document, version)
            if not filed:
                directory = "/".join([unit_folder(document.unit), str(document.period.year), UNLINKED, *_folder_parts(document)])
                place = PLACE_SEPARATOR.join([UNLINKED, document.folder or UNFILED])
                yield Entry(f"{directory}/{names.claim(directory, _file_name(document, version))}", place, document, version)

    return layout
