"""Mofan settings, configured by environment variables.

MOFAN_MODE selects the defaults: "development" (the default; also used by the demo and the tests)
or "production" (HTTPS only, secure cookies, HSTS; a real secret key is required). Every other
value can be set on its own; see docs/deployment.md for the list.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


MODE = env("MOFAN_MODE", "development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("MOFAN_MODE must be 'development' or 'production'")
PRODUCTION = MODE == "production"

DEBUG = env_bool("MOFAN_DEBUG", not PRODUCTION)

SECRET_KEY = env("MOFAN_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("MOFAN_SECRET_KEY must be set in production mode")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list("MOFAN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MOFAN_CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = Path(env("MOFAN_VAR_DIR", BASE_DIR / "var"))
# Where `manage.py backup` writes its archives and the compliance page looks for the latest one.
MOFAN_BACKUP_DIR = Path(env("MOFAN_BACKUP_DIR", VAR_DIR / "backups"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "organization",
    "accounts",
    "audit",
    "evidence",
    "standard",
    "assessment",
    "notifications",
    "goals",
    "problems",
    "security",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "security.otp.SecondFactorMiddleware",
    "security.middleware.PasswordChangeMiddleware",
    "security.headers.NoStoreMiddleware",
    # Last: turns a login refused by the lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mofan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "mofan.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mofan.sqlite3'}"),
        conn_max_age=int(env("MOFAN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a request writes; the embedded default serves a few dozen users.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A fresh MOFAN_VAR_DIR (or a new folder in DATABASE_URL) must not make `migrate` fail.
    sqlite_name = str(DATABASES["default"]["NAME"])
    if sqlite_name and not sqlite_name.startswith(("file:", ":memory:")):
        Path(sqlite_name).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# The lockout first: it refuses a locked username or address before the password is checked.
AUTHENTICATION_BACKENDS = ["security.lockout.LockoutBackend", "accounts.backends.MofanBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:workbench"
LOGOUT_REDIRECT_URL = "accounts:login"

# Password policy (security/passwords.py). PasswordHistoryValidator also records every password set,
# which drives the history, the expiry and the forced change of an issued password: keep it.
MOFAN_PASSWORD_MIN_LENGTH = int(env("MOFAN_PASSWORD_MIN_LENGTH", "8"))
MOFAN_PASSWORD_MIN_CLASSES = int(env("MOFAN_PASSWORD_MIN_CLASSES", "3"))  # of upper, lower, digit, symbol
MOFAN_PASSWORD_HISTORY = int(env("MOFAN_PASSWORD_HISTORY", "5"))  # the last N passwords cannot be reused
MOFAN_PASSWORD_MAX_AGE_DAYS = int(env("MOFAN_PASSWORD_MAX_AGE_DAYS", "90"))  # 0: never expires
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "security.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": MOFAN_PASSWORD_MIN_LENGTH}},
    {"NAME": "security.passwords.CharacterClassValidator"},
    {"NAME": "security.passwords.LocalCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.passwords.PasswordHistoryValidator"},
]

# The interface is Simplified Chinese; msgids are English so other languages can follow.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("MOFAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("MOFAN_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(env("MOFAN_MEDIA_ROOT", VAR_DIR / "media"))
# Media is never served from a public URL: downloads go through the permission layer.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Evidence uploads (every file is checked from its bytes; see evidence/uploads.py).
MOFAN_UPLOAD_MAX_BYTES = int(env("MOFAN_UPLOAD_MAX_BYTES", str(100 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads are spooled to a temporary file

# Background work (ledger exports, reminders) goes through one task interface (django-tasks, the
# backport of Django 6's tasks). The embedded default runs tasks in-process right away; production
# sets MOFAN_TASK_BACKEND=database and runs `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[env("MOFAN_TASK_BACKEND", "immediate")]
    }
}

# Reminders (notifications/digests.py): one digest a day per person in the inbox, by e-mail when
# MOFAN_EMAIL_HOST is set, and one post a day per group robot (DingTalk / WeCom webhooks).
EMAIL_HOST = env("MOFAN_EMAIL_HOST", "")
EMAIL_PORT = int(env("MOFAN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("MOFAN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("MOFAN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MOFAN_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("MOFAN_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(env("MOFAN_EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env("MOFAN_EMAIL_FROM", "mofan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's public address, for links in e-mails and robot posts (e.g. https://mofan.example.gov.cn).
MOFAN_SITE_URL = env("MOFAN_SITE_URL", "")
# Robots may post only to these hosts ("*": any), so an office cannot make the server call the intranet.
MOFAN_WEBHOOK_HOSTS = [h.lower() for h in env_list("MOFAN_WEBHOOK_HOSTS", ["oapi.dingtalk.com", "qyapi.weixin.qq.com"])]
MOFAN_WEBHOOK_TIMEOUT = int(env("MOFAN_WEBHOOK_TIMEOUT", "5"))
# A task issued this many days ago and still not signed for (签收) is reminded to its lead unit.
MOFAN_GOALS_SIGN_DAYS = int(env("MOFAN_GOALS_SIGN_DAYS", "3"))

# Traffic lights of tasks (goals/lights.py): yellow when due within this many days and behind the
# expected linear progress by more than this many points.
MOFAN_GOALS_YELLOW_DAYS = int(env("MOFAN_GOALS_YELLOW_DAYS", "7"))
MOFAN_GOALS_BEHIND_POINTS = int(env("MOFAN_GOALS_BEHIND_POINTS", "20"))

# Roster and other spreadsheet uploads.
MOFAN_IMPORT_MAX_BYTES = int(env("MOFAN_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
MOFAN_IMPORT_MAX_ROWS = int(env("MOFAN_IMPORT_MAX_ROWS", "20000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Client address for the audit trail: only trust X-Forwarded-For behind a known reverse proxy.
MOFAN_TRUST_X_FORWARDED_FOR = env_bool("MOFAN_TRUST_X_FORWARDED_FOR", False)

# Security headers, on in every mode; the transport settings follow the production mode.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(env("MOFAN_SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_COOKIE_NAME = "mofan_session"
CSRF_COOKIE_NAME = "mofan_csrftoken"
SESSION_COOKIE_SECURE = env_bool("MOFAN_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("MOFAN_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(env("MOFAN_HSTS_SECONDS", str(31536000 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool("MOFAN_BEHIND_TLS_PROXY", PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline (no
# <script> blocks, no on*= attributes; data reaches scripts through json_script). Style sheets come
# from our own files too; inline style *attributes* are allowed (style-src-attr) because templates
# draw progress bars and the Gantt chart with them — a style attribute cannot run code. Browsers
# without CSP level 3 fall back to style-src, which therefore allows them as well.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Second factor (security/otp.py): who must use an authenticator app: "admins" (the three
# administrators), "all" or "none". Whoever has one set up must use it whatever this says.
MOFAN_2FA_REQUIRED = env("MOFAN_2FA_REQUIRED", "admins")
if MOFAN_2FA_REQUIRED not in {"admins", "all", "none"}:
    raise ImproperlyConfigured("MOFAN_2FA_REQUIRED must be 'admins', 'all' or 'none'")
OTP_TOTP_ISSUER = env("MOFAN_OTP_ISSUER", "Mofan")

# Lockout after failed logins (django-axes, security/lockout.py): MOFAN_LOCKOUT_ATTEMPTS failures for
# a username, and separately for an address, within MOFAN_LOCKOUT_MINUTES lock it for as long.
MOFAN_LOCKOUT_ATTEMPTS = int(env("MOFAN_LOCKOUT_ATTEMPTS", "5"))
MOFAN_LOCKOUT_MINUTES = int(env("MOFAN_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = MOFAN_LOCKOUT_ATTEMPTS
AXES_COOLOFF_TIME = timedelta(minutes=MOFAN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "security.lockout.client_username"
AXES_CLIENT_IP_CALLABLE = "core.context.client_ip"  # honours MOFAN_TRUST_X_FORWARDED_FOR
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
# Refused attempts during a lockout do not prolong it; a success does not clear the failures (it
# would let one valid account reset the count of an address guessing others).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # the audit trail records every login and logout
AXES_VERBOSE = False

# Sessions (security/sessions.py): idle timeout; the absolute lifetime is SESSION_COOKIE_AGE, counted
# from the login. The last activity is written at most once every MOFAN_SESSION_TOUCH_SECONDS.
MOFAN_SESSION_IDLE_SECONDS = int(env("MOFAN_SESSION_IDLE_SECONDS", str(15 * 60)))
MOFAN_SESSION_TOUCH_SECONDS = int(env("MOFAN_SESSION_TOUCH_SECONDS", "60"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call gets 401 with WWW-Authenticate rather than 403.
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

REST_KNOX = {
    # Tokens are stored hashed; integrations get a fresh one from `manage.py issue_api_token`.
    "TOKEN_TTL": None,
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Mofan API",
    "DESCRIPTION": "模范机关创建管理平台 REST API (v1). Every endpoint applies the same scope checks as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("MOFAN_LOG_LEVEL", "WARNING")},
}

MOFAN_NAV_TITLE = _("Model Agency Creation Platform")

# Keys of core/crypto.py (docs/security.md): required in production, fixed development keys otherwise.
MOFAN_DATA_KEY = env("MOFAN_DATA_KEY", "")
MOFAN_DATA_KEYS = env_list("MOFAN_DATA_KEYS", [])
MOFAN_AUDIT_KEY = env("MOFAN_AUDIT_KEY", "")
MOFAN_AUDIT_KEYS = env_list("MOFAN_AUDIT_KEYS", [])
# Audit entries are kept at least 180 days, whatever is configured.
MOFAN_AUDIT_RETENTION_DAYS = max(180, int(env("MOFAN_AUDIT_RETENTION_DAYS", "180")))
