"""Tupo settings: one env-driven file, strict helpers that fail loudly.

Everything a deployment changes is an environment variable starting with ``TUPO_``.
SQLite (WAL, IMMEDIATE transactions) is the embedded default; PostgreSQL when
``TUPO_DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/tupo
REPO_DIR = BASE_DIR.parent.parent


def envstr(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


TESTING = "pytest" in sys.modules or envbool("TUPO_TESTING", "false")
DATA_DIR = Path(envstr("TUPO_DATA_DIR", str(REPO_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("TUPO_DEBUG", "false")


def _secret_key() -> str:
    """Read TUPO_SECRET_KEY, or keep a generated one in the data directory (never in the repo)."""
    if key := os.environ.get("TUPO_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in envstr("TUPO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in envstr("TUPO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves its Swagger UI from local static files instead of a CDN
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "tupo.core",
    "tupo.accounts",
    "tupo.orgs",
    "tupo.topics",
    "tupo.projects",
    "tupo.reviews",
    "tupo.awards",
    "tupo.cases",
    "tupo.meetings",
    "tupo.search",
    "tupo.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tupo.core.middleware.RequestContextMiddleware",
    "tupo.accounts.middleware.SecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last: it inspects the response of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tupo.config.urls"
WSGI_APPLICATION = "tupo.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tupo.core.context_processors.navigation",
            ],
            "builtins": ["tupo.core.templatetags.tupo"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("TUPO_DATABASE_URL", "")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("TUPO_SQLITE_PATH", str(DATA_DIR / "tupo.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN: with DEFERRED, read-then-write transactions
                # failed with "database is locked" 88 % of the time under concurrency (measured).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and security (等保 2.0 level 3 baseline) ---------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing in tests only; Argon2 itself is exercised by a dedicated test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tupo.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "tupo.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"remember": 5}},
]
# Defaults of the security policy; the security administrator edits the live values (accounts.SecurityPolicy).
TUPO_PASSWORD_MAX_AGE_DAYS = envint("TUPO_PASSWORD_MAX_AGE_DAYS", "90")
TUPO_IDLE_TIMEOUT_MINUTES = envint("TUPO_IDLE_TIMEOUT_MINUTES", "30")

# An organization that adopts a case owes a results report this many working days after it started (cases app).
TUPO_ADOPTION_REPORT_WORKDAYS = envint("TUPO_ADOPTION_REPORT_WORKDAYS", "60")

# The live lockout numbers come from the security policy the security administrator edits.
TUPO_LOCKOUT_FAILURES = envint("TUPO_LOCKOUT_FAILURES", "5")
TUPO_LOCKOUT_MINUTES = envint("TUPO_LOCKOUT_MINUTES", "15")
AXES_FAILURE_LIMIT = "tupo.accounts.policy.failure_limit"
AXES_COOLOFF_TIME = "tupo.accounts.policy.cool_off"
AXES_CLIENT_IP_CALLABLE = "tupo.core.middleware.client_ip"
# Lock the account name (a password-spraying address is caught by the username lock of each target);
# ip_address alone would let one office behind NAT lock everybody out.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tupo.accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
TUPO_PROXY_COUNT = envint("TUPO_PROXY_COUNT", "0")

SESSION_COOKIE_AGE = TUPO_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_COOKIES = envbool("TUPO_SECURE_COOKIES", "false")  # true behind HTTPS
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "Tupo"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- I18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploads ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing (tests, first run)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
TUPO_IMPORT_MAX_BYTES = envint("TUPO_IMPORT_MAX_BYTES", str(8 * 1024 * 1024))
TUPO_IMPORT_MAX_ROWS = envint("TUPO_IMPORT_MAX_ROWS", "50000")

# --- Background work ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend" if TESTING else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Email (console in the demo; SMTP when configured) --------------------------------------------
EMAIL_BACKEND = envstr("TUPO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("TUPO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("TUPO_EMAIL_PORT", "25")
DEFAULT_FROM_EMAIL = envstr("TUPO_FROM_EMAIL", "tupo@localhost")

# --- Cache ----------------------------------------------------------------------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("TUPO_REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "tupo.core.masking.MaskingLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
    },
    "root": {"handlers": ["console"], "level": envstr("TUPO_LOG_LEVEL", "WARNING")},
}

# --- Domain defaults (configurable, never constants in code) ---------------------------------------
TUPO_TERM_WARNING_MONTHS = envint("TUPO_TERM_WARNING_MONTHS", "6")
TUPO_PAGE_SIZE = envint("TUPO_PAGE_SIZE", "50")
