"""Settings of the ЦОПП roadmap & KPI tracker.

Everything that differs between machines comes from the environment
(django-environ). Without ``DATABASE_URL`` the project runs on an SQLite file
inside the project; without ``REDIS_URL`` Celery tasks run in-process.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from copp.admin_exports import SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "testserver"]),
)
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env("DEBUG")
# Production sets SECRET_KEY; the fallback exists for development (``make run``
# turns DEBUG on) and is refused with DEBUG off, so a server never signs
# sessions and password-reset links with a key published in this file. The
# tests set their own key (copp/test_settings.py).
SECRET_KEY_DEV = "django-insecure-development-only-key"
SECRET_KEY = env("SECRET_KEY", default=SECRET_KEY_DEV)
if not DEBUG and SECRET_KEY.strip() in ("", SECRET_KEY_DEV):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG off, set the SECRET_KEY environment variable to a long random "
        "string (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'), or set DEBUG=1 for development."
    )
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
# The key of the participant lists' person hashes (roadmap/events/participants.py).
# Production sets it (and keeps it: a new key makes old and new lists of the
# same people unmatchable); the fallback exists for ``make run`` and the
# tests, and ``manage.py check --deploy`` flags it like SECRET_KEY.
PARTICIPANT_HASH_KEY_DEV = "development-only-participant-hash-key"
# In production without PARTICIPANT_HASH_KEY the key is derived from SECRET_KEY;
# set it explicitly before SECRET_KEY is ever rotated (README, "Participant data").
PARTICIPANT_HASH_KEY = env(
    "PARTICIPANT_HASH_KEY",
    default=PARTICIPANT_HASH_KEY_DEV
    if DEBUG
    else hmac.new(SECRET_KEY.encode(), b"copp participant hash key", hashlib.sha256).hexdigest(),
)
# Years after a plan's last year for which the person keys stay matchable.
PARTICIPANT_KEYS_KEPT_YEARS = env.int("PARTICIPANT_KEYS_KEPT_YEARS", default=1)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "django_filters",
    "roadmap",
    "indicators",
    "reports",
    # The shared template tags ({% load ui %}) and the generate_demo command; no models.
    "copp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "copp.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "copp.urls"
WSGI_APPLICATION = "copp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, the in-process scheduler and
    # a management command share the file without "database is locked".
    # IMMEDIATE: every transaction takes the write lock when it begins, so two
    # writers queue on the busy timeout instead of both reading first and one
    # failing at once when it tries to write (SQLite cannot wait to upgrade a
    # read lock: it answers SQLITE_BUSY straight away). Reads outside
    # transactions are unaffected.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Optional read replica (docs/deploy.md, "Read replica"): a streaming-replication
# standby of the default database. Only reads inside copp.db_router.replica_reads()
# (report builds, dashboard refreshes, the federal figures) go to it; writes and
# every other read stay on default. Without DATABASE_REPLICA_URL there is no
# replica alias and no router.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    # The tests read the test database through this alias instead of creating one on the standby.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["copp.db_router.ReplicaRouter"]
# PostgreSQL compiles a query with JIT once its estimated cost passes jit_above_cost:
# a region's count of overdue reports (30,000 events, 40 ms) spent another 43 ms
# compiling at the national scale (BENCHMARKS.md). Web requests and figure builds are
# short queries, so JIT is off on every connection unless DATABASE_JIT=1.
if not env.bool("DATABASE_JIT", default=False):
    for _database in DATABASES.values():
        if _database["ENGINE"].startswith("django.db.backends.postgresql"):
            _options = _database.setdefault("OPTIONS", {})
            _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "roadmap.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ru"
FORM_RENDERER = "copp.renderers.WidgetRenderer"  # Django's, with the plain widgets written directly (copp/renderers.py)
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files are linked at /files/<name> (copp.files.ProtectedStorage), a
# view that checks who may read them; nothing serves MEDIA_ROOT directly.
MEDIA_URL = "/files/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Behind nginx: the prefix of its `internal` location over MEDIA_ROOT (e.g.
# "/protected-media/"); the view then answers with X-Accel-Redirect and nginx
# sends the file. Empty: the view sends the file itself.
MEDIA_ACCEL_REDIRECT = env("MEDIA_ACCEL_REDIRECT", default="")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# E-mail: SMTP from the environment; the console backend by default so a
# fresh ``make run`` prints the mail it would send.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="copp-tracker@localhost")

# Celery. With REDIS_URL: a real broker and worker. Without it: tasks run
# eagerly in the calling process (the embedded default).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# The cache holds the dashboard snapshot (reports.dashboard.snapshot). The default is
# per process; with several server processes set CACHE_URL (e.g.
# redis://127.0.0.1:6379/1) so that all of them share one snapshot.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# How the dashboard snapshot is recomputed after a write: "celery" (a task on
# the broker), "thread" (a background thread of the web process: the embedded
# default) or "inline" (in the request that finds it stale, as the tests do).
DASHBOARD_REFRESH = env("DASHBOARD_REFRESH", default="celery" if REDIS_URL else "thread")

# How long a plan's indicator figures are served again while nothing they read has
# changed (indicators.memo; seconds, 0 turns it off): the most a time-driven change lags.
FIGURES_MEMO_SECONDS = env.int("FIGURES_MEMO_SECONDS", default=60)

# The region (its key) of regional staff bound to no organisation of a region, and of
# organisations of no region: a single-region deployment never has to set regions by hand.
COPP_DEFAULT_REGION = env("COPP_DEFAULT_REGION", default="tula")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes "not signed in" a 401,
        # as the schema says, instead of the 403 a session-first list gives.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "copp.rest.ErrorDocumentingAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "copp.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "copp.rest.exception_handler",
    "PAGE_SIZE": 100,
    # ISO 8601 via date.isoformat(): strftime("%Y") drops the leading zeros of
    # a year before 1000 ("127-12-28"), which is not a date to any client.
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ЦОПП: дорожная карта и целевые показатели",
    "DESCRIPTION": "API of the roadmap & KPI tracker (order No 2714 of 16.12.2022).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: read-only fields are not asked
    # for, and required text is "minLength: 1", as the serializers validate.
    "COMPONENT_SPLIT_REQUEST": True,
    # The API is documented as JSON (evidence uploads declare multipart
    # themselves); the form parsers stay for the browsable API and old clients.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "EvidenceKindEnum": "roadmap.models.EvidenceFile.Kind",
        "ReviewStatusEnum": "roadmap.models.EventReport.Status",
        "ParticipantCategoryEnum": "roadmap.models.ReportParticipant.Category",
    },
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Text typed by users (an agreement number "=cmd|...") must reach admin exports as text, never as a live
# formula. The library switch covers any tablib format; it strips only one "=" and stringifies every cell,
# so admin exports are offered in one format that stores all text as text (copp/admin_exports.py).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
EXPORT_FORMATS = [SafeXLSX]

# LOG_FORMAT=json writes one JSON object per line (for a log collector).
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Status of an indicator against expected progress (indicators.selectors):
# actual / expected >= on_track -> "on track", >= behind -> "behind", else
# "at risk"; actual >= target -> "achieved".
INDICATOR_STATUS_THRESHOLDS = {
    "on_track": env.float("INDICATOR_ON_TRACK_RATIO", default=0.9),
    "behind": env.float("INDICATOR_BEHIND_RATIO", default=0.7),
}

# --- Issue 16: sign-in throttling, stuck report builds, evidence checks -------
# django-axes: after 10 wrong passwords for one login from one address, that
# pair is refused for 15 minutes (a Russian page, HTTP 429); administrators
# unlock it by deleting the attempt in the admin ("Axes: попытки доступа").
# Covers every password door: the web login and the admin login (API tokens
# are not one). Retrying during the lock does not extend it. Behind a reverse
# proxy REMOTE_ADDR must be the client's address (set it in the proxy/WSGI).
# django-axes with a Russian heading in the admin (copp/axes_app.py).
INSTALLED_APPS += ["copp.axes_app.AxesConfig"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60  # a float is hours to axes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "copp.signin.lockout_response"
# A build still "running" this long after it started lost its worker (Celery
# kills a live one at CELERY_TASK_TIME_LIMIT); it is marked failed. Seconds.
REPORT_BUILD_STUCK_AFTER = env.int("REPORT_BUILD_STUCK_AFTER", default=CELERY_TASK_TIME_LIMIT + 5 * 60)
# «Export to Excel» of a list page: a list longer than this is built in the background (a report file).
LIST_EXPORT_BACKGROUND_ROWS = env.int("LIST_EXPORT_BACKGROUND_ROWS", default=5000)
# Evidence images above this many pixels are refused as decompression bombs.
EVIDENCE_MAX_IMAGE_PIXELS = env.int("EVIDENCE_MAX_IMAGE_PIXELS", default=50_000_000)

# --- Production profile --------------------------------------------------------
# With DEBUG off every transport setting is secure by default; each one can be
# overridden from the environment (README, "Production settings"). The app sits
# behind nginx, which terminates TLS and sets X-Forwarded-Proto.
_PRODUCTION = not DEBUG
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if env.bool("SECURE_PROXY_SSL_HEADER", default=_PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=_PRODUCTION)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_PRODUCTION)
# The health endpoint answers plain HTTP probes from the host itself.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# Static files: whitenoise serves the collected, compressed and hashed files
# (``collectstatic``); in development runserver serves them from the apps.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
STORAGES = {
    "default": {"BACKEND": "copp.files.ProtectedStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Content Security Policy (django-csp): nothing from outside the app, and no
# inline scripts. Inline style attributes (progress bars) are allowed.
MIDDLEWARE.append("csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# API docs in a closed network: Swagger UI and Redoc from the app's own static files.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
SPECTACULAR_SETTINGS |= {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
