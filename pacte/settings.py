"""The one settings module: everything that varies between machines comes from the environment.

Defaults are production's: DEBUG is off unless DEBUG=1 is set (`make run` and the other make
targets set it; the test runner defaults to it), and then the portal refuses to start without
SECRET_KEY.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


TESTING = env_bool("PACTE_TESTING", "pytest" in sys.modules)
DEBUG = env_bool("DEBUG", TESTING)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set: DEBUG is off unless DEBUG=1 is set (make targets set it)."
        )
    SECRET_KEY = "django-insecure-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "pacte.admin.PacteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "django_htmx",
    "csp",
    "pgtrigger",
    "pghistory",
    "pacte",
    "audit",
    "accounts",
    "directory",
    "editions",
    "meetings",
    "challenges",
    "sponsorship",
    "procurement",
    "effect",
    "charter",
    "reports",
]

# The history's context (who, which page) is attached to the requests that change something;
# pages that are only read (GET) write no tracked row, and their queries go without it.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pacte.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActiveOrganisationMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "pghistory.middleware.HistoryMiddleware",
]

ROOT_URLCONF = "pacte.urls"
WSGI_APPLICATION = "pacte.wsgi.application"
ASGI_APPLICATION = "pacte.asgi.application"

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
                "accounts.context_processors.organisation",
            ],
        },
    },
]

# --- Database and Redis: the machine's services when given, embedded ones otherwise ---------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    from pacte import embedded

    DATABASE_URL = embedded.database_url()
# Tests close connections after each request, so that none outlives the test database.
CONN_MAX_AGE = 0 if TESTING else env_int("CONN_MAX_AGE", 60)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No JIT compilation: the portal's queries are short, and an account's pages over 10,000 lines
# crossed jit_above_cost (compiling took longer than the query: 0.4 s instead of 30 ms under
# load). The reports' aggregates already turned it off for themselves.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES["default"].setdefault("TEST", {})
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = env_str("TEST_DATABASE_NAME")

REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL:
    from pacte import embedded

    REDIS_URL = embedded.redis_url()


def _redis_cache_location(url: str) -> str:
    # django-redis-less cache backend understands unix:// but not redis+socket://
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


CACHES = {
    "default": {
        # Fails open (pacte/cache.py): with Redis down, signing in still works, without rate limits.
        "BACKEND": "pacte.cache.FailOpenRedisCache",
        "LOCATION": _redis_cache_location(REDIS_URL),
        "KEY_PREFIX": env_str("CACHE_PREFIX", "pacte"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "accounts.backends.ProgrammeStaffBackend",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- allauth: email is the login, verified before first use ---------------------------------
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pacte PME] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
# The number of reverse proxies in front of gunicorn that append to X-Forwarded-For (the
# docker-compose Caddy is one): allauth's per-IP rate limits then read the client's address from
# that header; 0 (the default) ignores the header, which a client can forge.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("ALLAUTH_TRUSTED_PROXY_COUNT", 0)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# The portal's own limits (accounts.ratelimit, counted in the Redis cache; fail open with a log
# line when Redis is down): {action: (per user, per IP, period in seconds)}.
PACTE_RATE_LIMITS = {
    "sme_registration": (5, 20, 3600),  # registrations and join requests
    "sme_arbitration": (3, 10, 86400),  # requests to programme staff to arbitrate a SIREN
}
# An SME's identity document: PDF only, at most this many bytes.
VERIFICATION_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) or security keys
# (WebAuthn), with recovery codes; offered to everyone, required of programme staff before
# /pilotage/ and /admin/ (accounts.middleware.StaffSecondFactorMiddleware). Keys are a second
# factor only (no passwordless sign-in).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Browsers allow WebAuthn on http://localhost; the origin check needs https, so skip it in dev.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG or TESTING
MFA_FORMS = {
    "add_webauthn": "accounts.forms.AddSecurityKeyForm",
    "edit_webauthn": "accounts.forms.EditSecurityKeyForm",
}
MFA_TOTP_ISSUER = "Pacte PME"
MFA_TOTP_TOLERANCE = 1  # the previous and next 30-second codes pass too (clocks drift)
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
# Where staff must hold a second factor (path prefixes).
STAFF_SECOND_FACTOR_PATHS = ("/pilotage/", "/admin/")

# --- Email ------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pacte PME <noreply@pacte-pme.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _email_settings(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path,
        }
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme in {"smtp", "smtps", "submission"}:
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port
            or {"smtp": 25, "smtps": 465, "submission": 587}[parsed.scheme],
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "submission" or "tls" in query,
            "EMAIL_TIMEOUT": 20,
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme not understood: {parsed.scheme!r}")


globals().update(_email_settings(EMAIL_URL))
# Emails are written to an outbox and sent by a Celery worker (accounts/mail.py). Tests without a
# worker set this to deliver right after commit, in the same process.
EMAIL_SEND_INLINE = False

# --- Internationalisation: French first, English second ------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Dates "30 nov. 2026 à 11:06" in French, "30 Nov. 2026, 11:06" in English (pacte/formats/).
FORMAT_MODULE_PATH = ["pacte.formats"]

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / ".local" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
# SMEs' identity documents (Kbis, INSEE notices): never under MEDIA_URL, read by staff through a view.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".local" / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Queue names carry an optional prefix so that test runs never share a queue with anyone.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
REPORTS_QUEUE = f"{CELERY_QUEUE_PREFIX}reports"
CELERY_TASK_ROUTES = {
    "reports.tasks.render_report": {"queue": REPORTS_QUEUE},
    "reports.tasks.render_member_reports": {"queue": REPORTS_QUEUE},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE

# --- Jobs that cannot be lost: heartbeats and the periodic sweep -------------------------------
# A running report job beats every JOB_HEARTBEAT_S; silent for JOB_STALE_AFTER_S, its worker is
# taken for dead and Celery beat's sweep (every SWEEP_EVERY_S) re-queues it once, then fails it.
# Exactly one `celery beat` runs (make run: pacte/dev.py; docker-compose: the `beat` service).
JOB_HEARTBEAT_S = env_int("JOB_HEARTBEAT_S", 10)
JOB_STALE_AFTER_S = env_int("JOB_STALE_AFTER_S", 45)
SWEEP_EVERY_S = env_int("SWEEP_EVERY_S", 20)
# Outbox emails still unsent this long after they were written are handed to the worker again.
OUTBOX_RESEND_AFTER_S = env_int("OUTBOX_RESEND_AFTER_S", 300)
EMAIL_RETRY_BACKOFF_S = env_int("EMAIL_RETRY_BACKOFF_S", 30)
# Tests only: seconds to wait at each step of a report, so that a test can kill the worker midway.
REPORTS_TEST_STEP_DELAY_S = float(env_str("REPORTS_TEST_STEP_DELAY_S", "0") or 0) if TESTING else 0
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / ".local" / "celerybeat-schedule")
)
_SWEEP = {"schedule": SWEEP_EVERY_S, "options": {"expires": SWEEP_EVERY_S}}
CELERY_BEAT_SCHEDULE = {
    "scheduler-tick": {"task": "pacte.tasks.scheduler_tick", **_SWEEP},
    "sweep-report-jobs": {"task": "reports.tasks.sweep_report_jobs", **_SWEEP},
    "sweep-import-jobs": {"task": "procurement.tasks.sweep_import_jobs", **_SWEEP},
    "sweep-outbox": {"task": "accounts.tasks.sweep_outbox", **_SWEEP},
    # At most one reminder a day per signatory (the day is recorded): an hourly run is enough.
    "charter-renewal-reminders": {
        "task": "charter.tasks.send_renewal_reminders",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    # Business meetings: events follow their dates; the day-before reminder goes once per
    # participant (`reminded_at` is written with it), so an hourly run is enough.
    "meetings-event-states": {
        "task": "meetings.tasks.advance_event_states",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    "meetings-reminders": {
        "task": "meetings.tasks.send_meeting_reminders",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
    # At most one digest a week per SME or research organisation (recorded): hourly is enough.
    "challenge-digests": {
        "task": "challenges.tasks.send_weekly_digests",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
}

# --- Security ---------------------------------------------------------------------------------
# Sessions are read from Redis (written to the database too): no query per request for them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Secure cookies unless told otherwise: only the load benchmark serves plain http on 127.0.0.1.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a decision for the operator

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "pgserver": {"level": "WARNING"}},
}

# --- The programme --------------------------------------------------------------------------
INVITATION_VALID_DAYS = 14
