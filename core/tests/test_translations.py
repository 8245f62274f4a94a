"""The interface speaks Chinese: every string marked for translation has a reviewed zh-hans entry.

The main catalog (locale/) serves every app without a locale/ folder of its own. This test extracts
the strings of those apps afresh (as `makemessages` would) into a copy of the catalog and fails when
one has no translation or only a fuzzy guess, which gettext would show in English.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext tools are not installed")

CATALOG = Path("locale/zh_Hans/LC_MESSAGES/django.po")


def _apps_of_the_main_catalog(root: Path):
    for folder in sorted(root.iterdir()):
        is_code = (folder / "apps.py").exists() or (folder / "settings.py").exists()
        if folder.is_dir() and is_code and not (folder / "locale").exists():
            yield folder


def _entries(po: Path, flag: str) -> list[str]:
    found = subprocess.run(["msgattrib", flag, "--no-location", str(po)], capture_output=True, text=True, check=True)
    blocks = found.stdout.split("\n\n")[1:]  # the first block is the catalog header
    return [block.strip() for block in blocks if block.strip()]


def test_every_interface_string_has_a_chinese_translation(tmp_path, monkeypatch):
    root = Path(settings.BASE_DIR)
    for app in _apps_of_the_main_catalog(root):
        shutil.copytree(app, tmp_path / app.name, ignore=shutil.ignore_patterns("tests", "__pycache__", "static"))
    (tmp_path / CATALOG).parent.mkdir(parents=True)
    shutil.copy(root / CATALOG, tmp_path / CATALOG)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    missing = _entries(tmp_path / CATALOG, "--untranslated") + _entries(tmp_path / CATALOG, "--only-fuzzy")
    assert not missing, f"{len(missing)} string(s) without a reviewed translation in {CATALOG}:\n\n" + "\n\n".join(missing)


def _apps_with_own_catalog():
    root = Path(__file__).resolve().parents[2]
    return sorted(folder.name for folder in root.iterdir() if (folder / "apps.py").exists() and (folder / "locale").exists())


@pytest.mark.parametrize("app", _apps_with_own_catalog())
def test_apps_with_their_own_catalog_translate_every_string(app, tmp_path, monkeypatch):
    """An app with its own locale/ keeps its catalog complete the same way."""
    source = Path(settings.BASE_DIR) / app
    shutil.copytree(source, tmp_path / app, ignore=shutil.ignore_patterns("tests", "__pycache__", "static"))
    monkeypatch.chdir(tmp_path / app)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    catalog = tmp_path / app / CATALOG
    missing = _entries(catalog, "--untranslated") + _entries(catalog, "--only-fuzzy")
    assert not missing, f"{len(missing)} string(s) of {app} without a reviewed translation:\n\n" + "\n\n".join(missing)


def test_every_catalog_compiles_with_matching_format_strings():
    """compilemessages refuses a catalog whose msgstr breaks a python-format msgid; catch it here."""
    root = Path(settings.BASE_DIR)
    catalogs = [path for path in root.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in path.parts]
    assert len(catalogs) >= 2
    for catalog in catalogs:
        found = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(catalog)], capture_output=True, text=True)
        assert found.returncode == 0, f"{catalog}:\n{found.stderr}"
