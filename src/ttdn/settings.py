"""One settings module: every knob comes from a TTDN_* environment variable with a safe default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"TTDN_{name}", default)


def _env_bool(name: str, default: bool = False) -> bool:
    raw = _env(name, "1" if default else "0").strip().lower()
    return raw in {"1", "true", "yes", "on"}


ROLE = _env("ROLE", "hub")
if ROLE not in {"hub", "edge"}:
    raise RuntimeError(f"TTDN_ROLE must be 'hub' or 'edge', not {ROLE!r}")

DATA_DIR = Path(_env("DATA_DIR", str(Path.home() / ".local" / "share" / "ttdn"))).expanduser().resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
BLOB_DIR = DATA_DIR / "blobs"
# Where stored files live: empty for BLOB_DIR, or an S3-compatible bucket, s3://bucket/prefix (content.files.blobs;
# credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the server from TTDN_BLOB_S3_ENDPOINT).
BLOB_STORE = _env("BLOB_STORE", "")
UPLOAD_STAGING_DIR = DATA_DIR / "staging"


def _secret_key() -> str:
    given = _env("SECRET_KEY")
    if given:
        return given
    # Generated once and kept beside the data, readable by the owner only.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # Before django.contrib.auth so that its audited createsuperuser takes precedence.
    "ttdn.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ttdn.core",
    "ttdn.places",
    "ttdn.content",
    "ttdn.search",
    "ttdn.sync",
    "ttdn.programme",
    "ttdn.documents",
    "ttdn.ops",
    "ttdn.notices",
    "ttdn.outreach",
    "ttdn.editorial",
    "ttdn.points",
    "ttdn.portal",
    "ttdn.monitoring",
    "ttdn.translation",
]

MIDDLEWARE = [
    # First, so that its timing covers every other middleware.
    "ttdn.ops.health.MetricsMiddleware",
    # Outside the session and everything that may write: it sees each write (read-your-writes).
    "ttdn.ops.replica.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ttdn.core.middleware.ContentSecurityPolicyMiddleware",
    "ttdn.core.middleware.StaticFilesMiddleware",  # WhiteNoise
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ttdn.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ttdn.accounts.middleware.TwoFactorMiddleware",
    # Edge nodes only (TTDN_ROLE=edge): a read-only replica, views and downloads counted.
    "ttdn.sync.middleware.EdgeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ttdn.urls"
WSGI_APPLICATION = "ttdn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ttdn.core.context_processors.ttdn",
                "ttdn.accounts.context_processors.roles",
                "ttdn.notices.context_processors.notices",
            ],
        },
    }
]

_default_db = f"sqlite:///{DATA_DIR / 'ttdn.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_env("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    if _env("TEST_SQLITE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": _env("TEST_SQLITE_NAME")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytic queries; for a search it adds 50–300 ms of compiling to
    # any statement the planner costs high (a common word over a million documents). The default 4 MB of
    # work_mem makes a common word's bitmap lossy (every row on those pages re-checked, its tsvector
    # decompressed) and spills the grouping of its matches to disk.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off -c work_mem=32MB").strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A persistent connection is checked before a request uses it: after the database restarted, the next request
    # opens a new one instead of failing on the dead one.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica of the PostgreSQL primary (ttdn.ops.replica): safe requests read from it while its replay lag
# is under DATABASE_REPLICA_MAX_LAG seconds, everything else (and whatever follows a write) uses the primary.
DATABASE_REPLICA_MAX_LAG = float(_env("DATABASE_REPLICA_MAX_LAG", "5"))
if _env("DATABASE_REPLICA_URL") and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["replica"] = dj_database_url.parse(_env("DATABASE_REPLICA_URL"), conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that went away must not hold a request for long: it is then left aside for a few seconds.
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ttdn.ops.replica.ReplicaRouter"]
# PostgreSQL's search impact index keeps its lexemes' arrays in each hub process, up to this many MB.
SEARCH_CACHE_MB = int(_env("SEARCH_CACHE_MB", "1024"))
# Machine translation for the translation desk's suggestions: a LibreTranslate-compatible server's URL (on the
# local network; empty: no machine suggestions, everything else works), its API key if it wants one.
MT_URL = _env("MT_URL", "")
MT_API_KEY = _env("MT_API_KEY", "")
MT_TIMEOUT_SECONDS = float(_env("MT_TIMEOUT_SECONDS", "3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
# A refused form (expired page, cookies off) is explained in the person's language, in the site's layout.
CSRF_FAILURE_VIEW = "ttdn.core.views.csrf_failure"
LOGIN_REDIRECT_URL = "content:my_work"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lock an account name out after this many failed logins within the window.
LOGIN_MAX_FAILURES = int(_env("LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(_env("LOGIN_LOCKOUT_MINUTES", "15"))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = _env("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
# dd/mm/yyyy and 24-hour time in both interface languages (ttdn/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["ttdn.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Static files are served from the app folders too, so pages work before collectstatic; `ttdn serve` runs it,
# and then pages name hashed, pre-compressed copies cached for years (ttdn.core.storage).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "ttdn.core.storage.StaticStorage"},
}

# Uploads: the whole request may not exceed the largest per-kind limit (in MB).
MAX_UPLOAD_MB = {
    "pdf": int(_env("MAX_PDF_MB", "100")),
    "docx": int(_env("MAX_DOCX_MB", "50")),
    "image": int(_env("MAX_IMAGE_MB", "25")),
    "audio": int(_env("MAX_AUDIO_MB", "200")),
    "video": int(_env("MAX_VIDEO_MB", "1024")),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(UPLOAD_STAGING_DIR)
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "ttdn.content.uploads.CappedTemporaryFileUploadHandler",
]
UPLOAD_STAGING_DIR.mkdir(parents=True, exist_ok=True)
# Border-site nodes: room for chunks in flight before they become stored files (MB).
SYNC_STAGING_MB = int(_env("SYNC_STAGING_MB", "2048"))
# The hub: feed pages built for one targeting, kept per process for the other nodes of that targeting (MB; 0: none).
SYNC_FEED_CACHE_MB = int(_env("SYNC_FEED_CACHE_MB", "64"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Scripts only from our own static files: no inline script, no eval (htmx runs with allowEval off).
# Inline styles stay allowed (a few style attributes; Swagger UI sets them), they cannot run code.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
SECURE_REFERRER_POLICY = "same-origin"

TASKS = {
    "default": {
        "BACKEND": _env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

EMAIL_BACKEND = _env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(_env("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = _env("FROM_EMAIL", "ttdn@localhost")
# A slow mail server must not hold a request for long (notices are mailed after the change commits).
EMAIL_TIMEOUT = int(_env("EMAIL_TIMEOUT", "10"))
# The address people reach the hub at, for the links in e-mails ("https://ttdn.example.gov.vn").
SITE_URL = _env("SITE_URL", "http://localhost:8000")
# The CAP <sender> of the hub's alerts: a name no other alerting system uses (CAP 1.2: no spaces or commas).
CAP_SENDER = _env("CAP_SENDER", "ttdn.gov.vn")
# Anonymous endpoints' limits per client: (requests per minute, burst). Beyond them: 429 with Retry-After.
TTDN_RATE_LIMITS = {"cap_import": (float(_env("CAP_IMPORT_PER_MINUTE", "30")), float(_env("CAP_IMPORT_BURST", "10")))}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ttdn.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             **({"formatter": "json"} if _env("LOG_FORMAT", "") == "json" else {})}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}

# Press monitoring (ttdn.monitoring): a proxy for hubs behind one ("http://proxy.local:3128"), the polite pause
# between two requests to one host, and the bounds of one fetch.
TTDN_MONITORING_PROXY = _env("MONITORING_PROXY", "")
TTDN_MONITORING_HOST_INTERVAL = float(_env("MONITORING_HOST_INTERVAL", "5"))
TTDN_MONITORING_MAX_BYTES = int(_env("MONITORING_MAX_MB", "5")) * 1024 * 1024
TTDN_MONITORING_TIMEOUT = float(_env("MONITORING_TIMEOUT", "20"))
