"""Production mode, checked the way an operator would: `manage.py` in a fresh process with only
environment variables set (settings are read once at import, so in-process overrides would not
exercise the mode switch)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
TEST_ONLY = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
STRONG_KEY = "k7#Qv2!pXw9@Lm4$Zr8^Tn1&Yb6*Hc3(Jd5)Fg0-Se7+Ua2=Wq9"


def manage(*args, **env):
    """Runs manage.py with a clean Mofan environment plus ``env``; returns the completed process."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser fixture's, set in this process; a server never has it.
    clean = {key: value for key, value in os.environ.items() if not key.startswith("MOFAN_") and key not in TEST_ONLY}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**overrides):
    env = {
        "MOFAN_MODE": "production",
        "MOFAN_SECRET_KEY": STRONG_KEY,
        "MOFAN_ALLOWED_HOSTS": "mofan.example.gov.cn",
        "MOFAN_CSRF_TRUSTED_ORIGINS": "https://mofan.example.gov.cn",
        "MOFAN_DATA_KEY": "k" * 48,
        "MOFAN_AUDIT_KEY": "a" * 48,
    }
    env.update(overrides)
    return env


def test_check_deploy_reports_nothing_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_check_deploy_flags_a_weak_secret_key():
    # The same command sees the settings it should: a short key is reported, so the green run above means something.
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production(MOFAN_SECRET_KEY="too-short"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_check_deploy_flags_development_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", MOFAN_MODE="development")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", **production(MOFAN_SECRET_KEY=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "MOFAN_SECRET_KEY" in result.stderr


def test_production_mode_turns_on_transport_security():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, str(s.MEDIA_ROOT)]))"
    )
    result = manage("shell", "--no-imports", "-c", script, **production(MOFAN_MEDIA_ROOT="/srv/mofan/media"))
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, ssl_redirect, hsts, hosts, media_root = json.loads(result.stdout.splitlines()[-1])
    assert (debug, session_secure, csrf_secure, ssl_redirect) == (False, True, True, True)
    assert hsts >= 31536000
    assert hosts == ["mofan.example.gov.cn"]
    assert media_root == "/srv/mofan/media"


@pytest.mark.parametrize("value", ["staging", "prod"])
def test_an_unknown_mode_is_refused(value):
    result = manage("check", MOFAN_MODE=value)
    assert result.returncode != 0
    assert "MOFAN_MODE" in result.stderr


def test_collectstatic_builds_the_hashed_manifest_in_production_mode(tmp_path):
    # WhiteNoise's manifest storage fails on a stylesheet that references a missing file (fonts, maps);
    # this is the step a deployment runs, so a broken vendored asset shows up here and not on the server.
    result = manage("collectstatic", "--noinput", "-v", "0", **production(MOFAN_STATIC_ROOT=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for asset in ["vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js", "core/mofan.css"]:
        assert asset in manifest
        assert (tmp_path / manifest[asset]).exists()
