"""Settings for Semáforo, read from the environment.

With no server variables the desk runs in its embedded mode: a SQLite file and a Celery broker
on the filesystem under ``var/``, so a newcomer needs no server. ``DEBUG`` is off unless the
environment turns it on (``make demo`` does); with it off the desk is in production and refuses to
start without a real ``SECRET_KEY``. Production and CI set ``DATABASE_URL`` (PostgreSQL),
``CELERY_BROKER_URL`` and ``REDIS_URL`` (Redis).
"""

import secrets
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from triage.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SEMAFORO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

# Django's own test for a key an attacker could guess (security.W009): shorter than this, or
# made of too few distinct characters, or one of Django's generated insecure keys.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
_MAKE_A_KEY = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _secret_key() -> str:
    """A real key from the environment, or in DEBUG a random one kept under var/.

    Keeping the generated key on disk keeps demo sessions valid across restarts without ever
    committing a key to the repository. In production a weak key would let anyone forge
    sessions and the desk's signed links, so it does not start.
    """
    key = env_str("SECRET_KEY", "")
    if key:
        if not DEBUG:
            _refuse_weak_secret_key(key)
        return key
    if not DEBUG:
        raise ImproperlyConfigured(f"SECRET_KEY is required when DEBUG is off. {_MAKE_A_KEY}")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def _refuse_weak_secret_key(key: str) -> None:
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: use at least {SECRET_KEY_MIN_LENGTH} "
            f"random characters. {_MAKE_A_KEY}"
        )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core.admin_apps.SuperuserAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "core",
    "accounts",
    "brands",
    "comments",
    "cases",
    "replies",
    "crisis",
    "outbound",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "triage.urls"
WSGI_APPLICATION = "triage.wsgi.application"
ASGI_APPLICATION = "triage.asgi.application"

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
                "brands.context_processors.brand_switcher",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'semaforo.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _SQLITE_DEFAULT), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The embedded demo runs the web server and a worker on one file: WAL lets readers go on
    # while one writes, and IMMEDIATE transactions wait for the lock instead of failing late.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # The reports' covering indexes (INCLUDE) are PostgreSQL's; SQLite keeps their keys only,
    # which is enough for the demo's few thousand rows.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (throttling) ---------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that is down must cost a request little: see core/cache.py.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n, static ---------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# People's permissions come from the roles they hold in their brands (brands.Membership).
# Axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "brands.backends.MembershipBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "queue"
LOGOUT_REDIRECT_URL = "login"

# Password guessing, on the desk's sign-in and the admin's (both authenticate through Django):
# after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair waits
# AXES_COOLOFF_TIME. Only failures are kept; a success clears them.
AXES_FAILURE_LIMIT = env_int("SEMAFORO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SEMAFORO_LOGIN_COOLOFF_MIN", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Bogota")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Files people upload (history imports, ``comments.ImportJob``) and what the workers write
# beside them (the rejects). Web and worker processes must share it: one volume, or a mount.
# It is never served as it is: each file is handed out by a page that checks who asks.
MEDIA_ROOT = Path(env_str("SEMAFORO_MEDIA_DIR", str(VAR_DIR / "media")))
# Only production serves collected files; in DEBUG WhiteNoise finds them in place.
STATIC_ROOT = None if DEBUG else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production) ------------------------------------------------------------------

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only in production: plain HTTP is redirected, and browsers are told to remember it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# Behind a proxy that terminates TLS, name the header it sets (e.g. HTTP_X_FORWARDED_PROTO);
# only then does the desk trust it, since a client could send it too.
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
# A container's health check asks over plain HTTP on the loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# Every script is a file the desk serves: no inline script, no eval, no other origin. The API
# docs page relaxes styles and workers for Swagger UI on that view alone (triage/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
# Seconds one SMTP conversation may take: a hung server must not hold an outbox claim past
# SEMAFORO_OUTBOX_CLAIM_TIMEOUT_S, or another worker would send the same mail again.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "semaforo@localhost")

# --- REST API -------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["comments.api.throttling.ClientRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Semáforo API",
    "DESCRIPTION": "Push social-media comments in; read their triage.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the installed package: the desk must work on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_error_responses",
    ],
}

# --- Triage rules (TAXONOMY.md); every threshold is a setting ------------------------------


class DueMinutes(TypedDict):
    red: int
    yellow: int
    green: int


class SemaforoSettings(TypedDict):
    """The shape of ``SEMAFORO``, so every reader gets the threshold's own type (minutes are an
    int, the throttle a rate string) and a misspelt key fails the type check, not a request."""

    MAX_BATCH_ITEMS: int
    MAX_BODY_BYTES: int
    MAX_TEXT_CHARS: int
    API_THROTTLE: str
    REACH_FOLLOWERS: int
    REACH_SHARES: int
    REACH_LIKES: int
    RIPPLE_MIN_AUTHORS: int
    RIPPLE_WINDOW_MIN: int
    DUE_MINUTES: DueMinutes
    RESOLVE_MINUTES: DueMinutes
    DEADLINE_WARN_MIN: int
    ESCALATION_SWEEP_GRACE_S: int
    CRISIS_JOIN_MIN: int
    CRISIS_ACK_MINUTES: int
    CRISIS_CLAIM_TIMEOUT_S: int
    QUEUE_POLL_S: int
    CLASSIFIER_MODEL_PATH: str
    CLASSIFIER_RECHECK_S: int
    FOLLOW_UP_FIRST_H: int
    FOLLOW_UP_EVERY_H: int
    FOLLOW_UP_MAX: int
    SATISFACTION_LINK_H: int
    DEPARTMENT_LINK_H: int
    CRISIS_ACK_LINK_H: int
    DEPARTMENT_DUE_H: int
    DEPARTMENT_REMIND_H: int
    OUTBOUND_TIMEOUT_S: int
    OUTBOUND_MAX_ATTEMPTS: int
    OUTBOUND_BACKOFF_S: int
    OUTBOUND_BACKOFF_MAX_S: int
    OUTBOUND_SWEEP_GRACE_S: int
    OUTBOUND_CLAIM_TIMEOUT_S: int
    FAQ_STALE_DAYS: int
    WEBHOOK_SWEEP_GRACE_S: int
    OUTBOX_BACKOFF_S: int
    OUTBOX_BACKOFF_MAX_S: int
    OUTBOX_GIVE_UP_H: int
    OUTBOX_CLAIM_TIMEOUT_S: int
    OUTBOX_SWEEP_GRACE_S: int
    IMPORT_SLICE_S: int
    IMPORT_STALE_S: int
    IMPORT_MAX_BYTES: int
    RETENTION_DAYS: int
    RAW_RETENTION_DAYS: int
    WEBHOOK_RETENTION_DAYS: int
    EXPORT_RETENTION_DAYS: int


SEMAFORO: SemaforoSettings = {
    "MAX_BATCH_ITEMS": env_int("SEMAFORO_MAX_BATCH_ITEMS", 1000, minimum=1),
    "MAX_BODY_BYTES": env_int("SEMAFORO_MAX_BODY_BYTES", 16 * 1024 * 1024, minimum=1024),
    "MAX_TEXT_CHARS": 10_000,
    "API_THROTTLE": env_str("SEMAFORO_API_THROTTLE", "600/min"),
    "REACH_FOLLOWERS": env_int("SEMAFORO_REACH_FOLLOWERS", 100_000, minimum=1),
    "REACH_SHARES": env_int("SEMAFORO_REACH_SHARES", 1_000, minimum=1),
    "REACH_LIKES": env_int("SEMAFORO_REACH_LIKES", 5_000, minimum=1),
    # Ripple: this many distinct authors posting similar negative comments inside this many
    # minutes turn every comment of the cluster red.
    "RIPPLE_MIN_AUTHORS": env_int("SEMAFORO_RIPPLE_MIN_AUTHORS", 10, minimum=2),
    "RIPPLE_WINDOW_MIN": env_int("SEMAFORO_RIPPLE_WINDOW_MIN", 60, minimum=1),
    # Response deadline of a case, by level, in minutes.
    "DUE_MINUTES": {
        "red": env_int("SEMAFORO_DUE_RED_MIN", 15, minimum=1),
        "yellow": env_int("SEMAFORO_DUE_YELLOW_MIN", 60, minimum=1),
        "green": env_int("SEMAFORO_DUE_GREEN_MIN", 480, minimum=1),
    },
    # Resolution deadline of a case, by level, in minutes; paused while it waits on the
    # customer or a department.
    "RESOLVE_MINUTES": {
        "red": env_int("SEMAFORO_RESOLVE_RED_MIN", 240, minimum=1),
        "yellow": env_int("SEMAFORO_RESOLVE_YELLOW_MIN", 1440, minimum=1),
        "green": env_int("SEMAFORO_RESOLVE_GREEN_MIN", 4320, minimum=1),
    },
    # Minutes before each deadline that the assignee and supervisors are warned.
    "DEADLINE_WARN_MIN": env_int("SEMAFORO_DEADLINE_WARN_MIN", 15, minimum=0),
    # An escalation not notified after this many seconds is re-enqueued by the sweep.
    "ESCALATION_SWEEP_GRACE_S": env_int("SEMAFORO_ESCALATION_SWEEP_GRACE_S", 30),
    # Crises (crisis/opening.py, crisis/calling.py): a red joins an open crisis of the same
    # subject that received a red within CRISIS_JOIN_MIN minutes; nobody acknowledging within
    # CRISIS_ACK_MINUTES calls the committee's next contact level.
    "CRISIS_JOIN_MIN": env_int("SEMAFORO_CRISIS_JOIN_MIN", 60, minimum=1),
    "CRISIS_ACK_MINUTES": env_int("SEMAFORO_CRISIS_ACK_MINUTES", 10, minimum=1),
    # A claim on an escalation or on one member's notice older than this is a dead worker's:
    # another takes it over. Keep it well above the time one mail takes.
    "CRISIS_CLAIM_TIMEOUT_S": env_int("SEMAFORO_CRISIS_CLAIM_TIMEOUT_S", 120, minimum=1),
    "QUEUE_POLL_S": env_int("SEMAFORO_QUEUE_POLL_S", 3, minimum=1),
    "CLASSIFIER_MODEL_PATH": env_str("SEMAFORO_CLASSIFIER_MODEL", ""),
    # How often each process looks for a brand's newly active (or rolled back) model.
    "CLASSIFIER_RECHECK_S": env_int("SEMAFORO_CLASSIFIER_RECHECK_S", 5),
    # Follow-ups of a resolved case: the first after this many hours, then one a day, at most
    # FOLLOW_UP_MAX.
    "FOLLOW_UP_FIRST_H": env_int("SEMAFORO_FOLLOW_UP_FIRST_H", 24, minimum=1),
    "FOLLOW_UP_EVERY_H": env_int("SEMAFORO_FOLLOW_UP_EVERY_H", 24, minimum=1),
    "FOLLOW_UP_MAX": env_int("SEMAFORO_FOLLOW_UP_MAX", 5, minimum=1),
    # Links that act without a login (core.links) are bearer credentials: each acts once, and
    # holds this many hours. The customer's satisfaction link (a newer check replaces it a day
    # later anyway); the department's answer link (every reminder carries a fresh one); a
    # committee member's acknowledgement links, the chat button's and the mail's.
    "SATISFACTION_LINK_H": env_int("SEMAFORO_SATISFACTION_LINK_H", 72, minimum=1),
    "DEPARTMENT_LINK_H": env_int("SEMAFORO_DEPARTMENT_LINK_H", 48, minimum=1),
    "CRISIS_ACK_LINK_H": env_int("SEMAFORO_CRISIS_ACK_LINK_H", 24, minimum=1),
    # A department's answer is due this many hours after the request (a brand may set its own);
    # it is reminded this many hours before, and again at the deadline.
    "DEPARTMENT_DUE_H": env_int("SEMAFORO_DEPARTMENT_DUE_H", 24, minimum=1),
    "DEPARTMENT_REMIND_H": env_int("SEMAFORO_DEPARTMENT_REMIND_H", 4, minimum=0),
    # Outbound webhooks (outbound/delivery.py): per-attempt timeout, attempts before giving up,
    # exponential backoff from BACKOFF_S capped at BACKOFF_MAX_S, how late a due delivery must
    # be before the sweep re-enqueues it, and how old a claim must be to be a dead worker's (keep
    # it well above TIMEOUT_S, or a slow receiver is posted to twice).
    "OUTBOUND_TIMEOUT_S": env_int("SEMAFORO_OUTBOUND_TIMEOUT_S", 10, minimum=1),
    "OUTBOUND_MAX_ATTEMPTS": env_int("SEMAFORO_OUTBOUND_MAX_ATTEMPTS", 10, minimum=1),
    "OUTBOUND_BACKOFF_S": env_int("SEMAFORO_OUTBOUND_BACKOFF_S", 10, minimum=1),
    "OUTBOUND_BACKOFF_MAX_S": env_int("SEMAFORO_OUTBOUND_BACKOFF_MAX_S", 3600, minimum=1),
    "OUTBOUND_SWEEP_GRACE_S": env_int("SEMAFORO_OUTBOUND_SWEEP_GRACE_S", 30),
    "OUTBOUND_CLAIM_TIMEOUT_S": env_int("SEMAFORO_OUTBOUND_CLAIM_TIMEOUT_S", 120, minimum=1),
    # A FAQ entry not reviewed for this many days is stale: the reply box stops suggesting it
    # and the supervisors' FAQ page lists it for review.
    "FAQ_STALE_DAYS": env_int("SEMAFORO_FAQ_STALE_DAYS", 90, minimum=1),
    # A platform's webhook delivery not yet turned into comments this many seconds after it was
    # due is taken again by the sweep (comments/connectors/inbox.py).
    "WEBHOOK_SWEEP_GRACE_S": env_int("SEMAFORO_WEBHOOK_SWEEP_GRACE_S", 30),
    # The outbox (outbound/outbox.py) of mails and crisis notices: a failed send is tried again
    # after BACKOFF_S, doubling up to BACKOFF_MAX_S, and given up (a dead letter, shown with its
    # error) only once it has been failing for GIVE_UP_H hours, so a mail server down for an
    # hour delays mail and loses none. A claim older than CLAIM_TIMEOUT_S is a dead worker's
    # (keep it well above EMAIL_TIMEOUT); the sweep hands out rows due for SWEEP_GRACE_S.
    "OUTBOX_BACKOFF_S": env_int("SEMAFORO_OUTBOX_BACKOFF_S", 30, minimum=1),
    "OUTBOX_BACKOFF_MAX_S": env_int("SEMAFORO_OUTBOX_BACKOFF_MAX_S", 900, minimum=1),
    "OUTBOX_GIVE_UP_H": env_int("SEMAFORO_OUTBOX_GIVE_UP_H", 24, minimum=1),
    "OUTBOX_CLAIM_TIMEOUT_S": env_int("SEMAFORO_OUTBOX_CLAIM_TIMEOUT_S", 120, minimum=1),
    "OUTBOX_SWEEP_GRACE_S": env_int("SEMAFORO_OUTBOX_SWEEP_GRACE_S", 30),
    # History imports uploaded on the page (comments/importing.py): a worker imports for this
    # many seconds, then hands the rest to the next task (the queue's other work goes between);
    # an unfinished import untouched this long lost its worker or its message, and the sweep
    # sends it again. An upload may be this large.
    "IMPORT_SLICE_S": env_int("SEMAFORO_IMPORT_SLICE_S", 60, minimum=1),
    "IMPORT_STALE_S": env_int("SEMAFORO_IMPORT_STALE_S", 300, minimum=1),
    "IMPORT_MAX_BYTES": env_int("SEMAFORO_IMPORT_MAX_BYTES", 1 << 30, minimum=1024),
    # Retention, in days, 0 keeping forever (comments/retention.py, reports/retention.py): the
    # comments of cases closed this long ago are forgotten (text, raw payload, earlier texts;
    # rows and counts stay); every comment's raw payload is emptied this long after it came;
    # processed platform webhook deliveries and export records are deleted.
    "RETENTION_DAYS": env_int("SEMAFORO_RETENTION_DAYS", 365),
    "RAW_RETENTION_DAYS": env_int("SEMAFORO_RAW_RETENTION_DAYS", 30),
    "WEBHOOK_RETENTION_DAYS": env_int("SEMAFORO_WEBHOOK_RETENTION_DAYS", 30),
    "EXPORT_RETENTION_DAYS": env_int("SEMAFORO_EXPORT_RETENTION_DAYS", 365),
}

# --- Platform connectors --------------------------------------------------------------------

# Meta's webhooks (comments/connectors/meta.py): the token Meta echoes when it verifies the
# endpoint, and the app secret it signs each delivery with. Empty refuses every delivery.
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN", "")
META_APP_SECRET = env_str("META_APP_SECRET", "")

# --- Celery ---------------------------------------------------------------------------------

# With the host named, kombu does not warn that it "reverts to localhost" on every start.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem"):
    # kombu's filesystem transport, the broker that needs no server: messages are files.
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast (pidbox) exchanges; kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = False
# Crontab entries (the nightly retrain) run in the desk's time zone.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-escalations": {
        "task": "crisis.tasks.sweep_escalations",
        "schedule": float(env_int("SEMAFORO_SWEEP_INTERVAL_S", 15, minimum=1)),
    },
    "check-crisis-acknowledgements": {
        "task": "crisis.tasks.check_acknowledgements",
        "schedule": float(env_int("SEMAFORO_CRISIS_ACK_INTERVAL_S", 60, minimum=1)),
    },
    "measure-crisis-containment": {
        "task": "crisis.tasks.measure_containment",
        "schedule": float(env_int("SEMAFORO_CRISIS_CONTAINMENT_INTERVAL_S", 60, minimum=1)),
    },
    "check-deadlines": {
        "task": "cases.tasks.check_deadlines",
        "schedule": float(env_int("SEMAFORO_DEADLINE_INTERVAL_S", 60, minimum=1)),
    },
    "remind-departments": {
        "task": "cases.tasks.remind_departments",
        "schedule": float(env_int("SEMAFORO_DEPARTMENT_INTERVAL_S", 60, minimum=1)),
    },
    "schedule-follow-ups": {
        "task": "cases.tasks.schedule_follow_ups",
        "schedule": float(env_int("SEMAFORO_FOLLOW_UP_INTERVAL_S", 60, minimum=1)),
    },
    "retrain-classifiers": {
        "task": "comments.tasks.retrain_classifiers",
        "schedule": crontab(
            hour=env_int("SEMAFORO_RETRAIN_HOUR", 3, minimum=0, maximum=23), minute=17
        ),
    },
    "update-rollups": {
        "task": "reports.tasks.update_rollups",
        "schedule": float(env_int("SEMAFORO_ROLLUP_INTERVAL_S", 60, minimum=1)),
    },
    # Hourly: each brand's summary goes out once its own Monday morning comes (summaries.py).
    "send-weekly-summaries": {
        "task": "reports.tasks.send_weekly_summaries",
        "schedule": crontab(minute=5),
    },
    "sweep-webhook-deliveries": {
        "task": "comments.tasks.sweep_webhook_deliveries",
        "schedule": float(env_int("SEMAFORO_WEBHOOK_SWEEP_INTERVAL_S", 15, minimum=1)),
    },
    "sweep-deliveries": {
        "task": "outbound.tasks.sweep_deliveries",
        "schedule": float(env_int("SEMAFORO_OUTBOUND_SWEEP_INTERVAL_S", 15, minimum=1)),
    },
    # The outbox: mails, and the committee's notices on the crisis queue.
    "sweep-mails": {
        "task": "outbound.tasks.sweep_mails",
        "schedule": float(env_int("SEMAFORO_OUTBOX_SWEEP_INTERVAL_S", 15, minimum=1)),
    },
    "sweep-crisis-notices": {
        "task": "crisis.tasks.sweep_notices",
        "schedule": float(env_int("SEMAFORO_OUTBOX_SWEEP_INTERVAL_S", 15, minimum=1)),
    },
    "sweep-imports": {
        "task": "comments.tasks.sweep_imports",
        "schedule": float(env_int("SEMAFORO_IMPORT_SWEEP_INTERVAL_S", 60, minimum=1)),
    },
    # Retention: what is past its window is purged in batches; a pass is idempotent.
    "purge-retention": {
        "task": "comments.tasks.purge_retention",
        "schedule": float(env_int("SEMAFORO_RETENTION_INTERVAL_S", 3600, minimum=1)),
    },
    "purge-export-records": {
        "task": "reports.tasks.purge_export_records",
        "schedule": float(env_int("SEMAFORO_RETENTION_INTERVAL_S", 3600, minimum=1)),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Absolute address of the desk, for links in e-mails and webhooks.
SEMAFORO_BASE_URL = env_str("SEMAFORO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
