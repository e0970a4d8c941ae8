"""Django settings for zgcfund, all from the environment (README: Settings).

ZGCFUND_ENV=production turns on the production settings: DEBUG off, HTTPS only
(secure cookies, HSTS, SSL redirect), ALLOWED_HOSTS from ZGCFUND_ALLOWED_HOSTS,
and no start without ZGCFUND_SECRET_KEY. Anything else is a development setup
with a SQLite database under var/ at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/zgcfund
REPO_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ZGCFUND_VAR_DIR", REPO_DIR / "var"))


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


ENVIRONMENT = os.environ.get("ZGCFUND_ENV", "development").strip().lower()
PRODUCTION = ENVIRONMENT == "production"

DEV_SECRET_KEY = "django-insecure-zgcfund-development-only-never-use-in-production"
SECRET_KEY = os.environ.get("ZGCFUND_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ZGCFUND_ENV=production needs ZGCFUND_SECRET_KEY (at least 50 random characters).")
    SECRET_KEY = DEV_SECRET_KEY

DEBUG = not PRODUCTION and os.environ.get("ZGCFUND_DEBUG", "1") != "0"

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1", "testserver")
ALLOWED_HOSTS = env_list("ZGCFUND_ALLOWED_HOSTS")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ZGCFUND_ENV=production needs ZGCFUND_ALLOWED_HOSTS (comma-separated host names).")
if not PRODUCTION and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
# Fail closed: DEBUG pages show settings and tracebacks, so they are served to this machine only.
if DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "DEBUG is on but ZGCFUND_ALLOWED_HOSTS names a non-local host; set ZGCFUND_DEBUG=0 or ZGCFUND_ENV=production."
    )
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For (0: none).
ZGCFUND_TRUSTED_PROXIES = int(os.environ.get("ZGCFUND_TRUSTED_PROXIES", 0))

INSTALLED_APPS = [  # no django.contrib.admin: the office works in its own pages (/office/accounts/ etc.)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "zgcfund.web",
    "zgcfund.accounts",
    "zgcfund.programmes",
    "zgcfund.applications",
    "zgcfund.review",
    "zgcfund.implementation",
    "zgcfund.audit",
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
# Idle timeout (等保 2.0 login-failure/session handling): a session ends after this long without
# a request, or when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("ZGCFUND_SESSION_SECONDS", 2 * 3600))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PASSWORD_RESET_TIMEOUT = 2 * 3600

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zgcfund.web.middleware.QueryLanguageMiddleware",
    "zgcfund.web.middleware.RequestSizeLimitMiddleware",  # before anything reads request.POST (CSRF)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zgcfund.web.middleware.NoStoreMiddleware",  # personal data never cached
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zgcfund.web.middleware.HtmxLoginMiddleware",  # htmx without a session: 401 and a re-login dialog
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zgcfund.web.errors.ServerErrorMiddleware",  # last: sees the view's exception first
]

ROOT_URLCONF = "zgcfund.web.urls"
CSRF_FAILURE_VIEW = "zgcfund.web.errors.csrf_failure"
WSGI_APPLICATION = "zgcfund.web.wsgi.application"

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
                "zgcfund.web.context_processors.programme_clock",
                "zgcfund.web.context_processors.workspace",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://USER:PASSWORD@HOST:PORT/NAME), else SQLite under var/.
if not os.environ.get("DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'zgcfund.sqlite3'}",
        conn_max_age=60 if PRODUCTION else 0,
        conn_health_checks=PRODUCTION,
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database serves several users at once: WAL lets readers work beside one writer,
    # IMMEDIATE takes the write lock when a transaction starts (no deadlock when a reader upgrades),
    # and a writer waits up to 20 s for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("email", "full_name")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "zgcfund.accounts.passwords.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first; English for the interface (programme texts stay in the official Chinese).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
# Production serves collected files (`manage.py collectstatic`); elsewhere WhiteNoise finds them in the apps.
STATIC_ROOT = Path(os.environ.get("ZGCFUND_STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
# Evidence, commitment scans and PDFs: outside any web root, served only by access-checked views.
PRIVATE_FILES_DIR = Path(os.environ.get("ZGCFUND_PRIVATE_FILES_DIR", VAR_DIR / "private"))
EVIDENCE_MAX_BYTES = int(os.environ.get("ZGCFUND_EVIDENCE_MAX_MB", 20)) * 1024 * 1024
# A request body larger than this is refused (413) before it is read: one evidence file plus the form fields.
ZGCFUND_MAX_REQUEST_BYTES = (int(float(os.environ.get("ZGCFUND_MAX_REQUEST_MB", 0)) * 1024 * 1024)
                             or EVIDENCE_MAX_BYTES + 1024 * 1024)
# Stored evidence (files and commitment scans) per application.
ZGCFUND_APPLICATION_QUOTA_BYTES = int(os.environ.get("ZGCFUND_APPLICATION_QUOTA_MB", 500)) * 1024 * 1024
# The first handler stops a body that streams past ZGCFUND_MAX_REQUEST_BYTES before it reaches a temporary file.
FILE_UPLOAD_HANDLERS = [
    "zgcfund.web.uploads.RequestSizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # JSON imports and form posts
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_FILES_DIR), "base_url": None}},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_FILES_DIR), "base_url": None}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION  # no collectstatic needed outside production

# Demo/training installations only: the date the programme's rules see (zgcfund.programmes.domain.clock).
ZGCFUND_CLOCK_DATE = os.environ.get("ZGCFUND_CLOCK_DATE", "")
if PRODUCTION and ZGCFUND_CLOCK_DATE:
    raise ImproperlyConfigured("ZGCFUND_CLOCK_DATE is for demo installations, never production.")

# Who issues the public notice (公示) and where objections go; shown on the public 公示 page.
ZGCFUND_NOTICE_ISSUER = os.environ.get("ZGCFUND_NOTICE_ISSUER", "中关村科技园区管理委员会")
ZGCFUND_NOTICE_CONTACT = os.environ.get("ZGCFUND_NOTICE_CONTACT", "")

EMAIL_BACKEND = os.environ.get(
    "ZGCFUND_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
# Reset links and invitation tokens must never land in a log or a file in production.
if PRODUCTION and EMAIL_BACKEND.rsplit(".", 2)[-2] in {"console", "filebased", "locmem", "dummy"}:
    raise ImproperlyConfigured(f"ZGCFUND_EMAIL_BACKEND={EMAIL_BACKEND} would print or drop mail; production needs SMTP.")
DEFAULT_FROM_EMAIL = os.environ.get("ZGCFUND_FROM_EMAIL", "zgcfund@localhost")
# SMTP (with ZGCFUND_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend)
EMAIL_HOST = os.environ.get("ZGCFUND_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ZGCFUND_EMAIL_PORT", 587))
EMAIL_HOST_USER = os.environ.get("ZGCFUND_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ZGCFUND_EMAIL_PASSWORD", "")
EMAIL_USE_SSL = os.environ.get("ZGCFUND_EMAIL_SSL", "0") == "1"  # implicit TLS, port 465
EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("ZGCFUND_EMAIL_TLS", "1") == "1"  # STARTTLS, port 587
EMAIL_TIMEOUT = int(os.environ.get("ZGCFUND_EMAIL_TIMEOUT", 10))

# Shared between worker processes (the login throttle counts failures here).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": os.environ.get("ZGCFUND_CACHE_DIR", str(VAR_DIR / "cache"))}}

if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes over plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("ZGCFUND_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    if os.environ.get("ZGCFUND_TRUST_X_FORWARDED_PROTO") == "1":  # behind a TLS-terminating proxy
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs: every 5xx with its traceback (django.request), the security log (zgcfund.security) and the
# application's own warnings go to stderr, and to ZGCFUND_LOG_FILE when set (rotated daily, 190 days kept:
# 网络安全法 §21(3) asks for at least six months). The security log is also stored (audit.SecurityEvent).
LOG_FILE = os.environ.get("ZGCFUND_LOG_FILE", "")
SECURITY_LOG_RETENTION_DAYS = max(180, int(os.environ.get("ZGCFUND_SECURITY_LOG_DAYS", 190)))
LOG_LEVEL = os.environ.get("ZGCFUND_LOG_LEVEL", "INFO")
_log_handlers = ["stderr", *(["file"] if LOG_FILE else [])]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        **({"file": {"class": "logging.handlers.TimedRotatingFileHandler", "filename": LOG_FILE, "when": "midnight",
                     "backupCount": SECURITY_LOG_RETENTION_DAYS, "encoding": "utf-8", "formatter": "plain"}}
           if LOG_FILE else {}),
    },
    "loggers": {
        "django.request": {"handlers": _log_handlers, "level": "ERROR", "propagate": False},
        "django.security": {"handlers": _log_handlers, "level": "WARNING", "propagate": False},
        "zgcfund": {"handlers": _log_handlers, "level": LOG_LEVEL, "propagate": False},
    },
}
