"""Settings for the district city-management portal.

Everything comes from environment variables; the defaults are the embedded set-up (SQLite, local
files, no other service) and are secure: DEBUG is off unless ``DJANGO_DEBUG=1`` and a production
process refuses to start without ``DJANGO_SECRET_KEY``. See docs/configuration.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DEBUG off) needs a long random secret key "
            "in the environment; for local development set DJANGO_DEBUG=1."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
# Older secret keys that still verify signatures (sessions, signed links) while a new
# DJANGO_SECRET_KEY takes over; comma-separated (docs/deploy.md, "Key rotation").
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Behind a TLS-terminating proxy, HTTPS is on by default outside development.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)

INSTALLED_APPS = [
    "portal",
    "cms",
    "complaints",
    # Performance indicators and rankings: reads the case data (docs/indicators.md).
    "indicators",
    # Third-party inspections, their findings and scores (docs/inspections.md).
    "inspections",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    # Chinese and English content: locales, the editors' "Translate" action (docs/publishing.md).
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    # Staff sign-in: lock-out after failed attempts, and two-factor authentication (TOTP with
    # single-use recovery codes); docs/security.md.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    # Wagtail's PostgreSQL search backend needs its lookups; harmless on SQLite.
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage answers 503 with Retry-After, logged once per outage (portal/outage.py).
    "portal.outage.DatabaseOutageMiddleware",
    # NUL bytes and undecodable bodies answer 400 before anything reads them (portal/input_guard.py).
    "portal.input_guard.InputGuardMiddleware",
    # Anonymous visitors' copies of public pages; a hit skips everything below and the database
    # (portal/page_cache.py, docs/performance.md "Page cache").
    "portal.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.AdminContentSecurityPolicyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last: turns a locked-out sign-in into the lock-out page (portal.lockout.lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data stores ---------------------------------------------------------------------------
DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR", BASE_DIR / "var"))

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default keeps its file under var/, which a fresh checkout does not have.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write lock at BEGIN so
    # concurrent writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock; past it the intake answers 503 (nothing stored).
        "timeout": float(os.environ.get("PORTAL_SQLITE_TIMEOUT", "20")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis' RedisCache whose operations answer as misses while Redis is
            # unreachable (one warning per outage; rate limits fail open), and which skips Redis
            # for RETRY_SECONDS after a failure (docs/configuration.md, "When Redis is down").
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2, "RETRY_SECONDS": 5},
        }
    }
else:
    # The embedded default shares its cache between processes (app servers and worker) through
    # a SQLite file whose add/incr are single atomic statements, so rate-limit counters hold
    # across processes (Django's DatabaseCache increments in Python and can lose counts).
    CACHES = {
        "default": {
            "BACKEND": "portal.sqlite_cache.SQLiteCache",
            "LOCATION": str(DATA_DIR / "cache.sqlite3"),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "portal"),
        }
    }

# Page cache (portal/page_cache.py, docs/performance.md "Page cache"): published Wagtail pages
# are kept for PORTAL_PAGE_CACHE_SECONDS and purged on publish; the public lists below for
# PORTAL_PAGE_CACHE_LIST_SECONDS (not purged). Browsers may keep a page PORTAL_PAGE_CACHE_MAX_AGE
# seconds, a reverse proxy or CDN PORTAL_PAGE_CACHE_S_MAXAGE (raise it when
# PORTAL_FRONTEND_CACHE_URL lets the portal purge that proxy).
PORTAL_PAGE_CACHE = env_bool("PORTAL_PAGE_CACHE", True)
PORTAL_PAGE_CACHE_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_SECONDS", "600"))
PORTAL_PAGE_CACHE_LIST_SECONDS = int(os.environ.get("PORTAL_PAGE_CACHE_LIST_SECONDS", "60"))
PORTAL_PAGE_CACHE_MAX_AGE = int(os.environ.get("PORTAL_PAGE_CACHE_MAX_AGE", "60"))
PORTAL_PAGE_CACHE_S_MAXAGE = int(os.environ.get("PORTAL_PAGE_CACHE_S_MAXAGE", "60"))
PORTAL_PAGE_CACHE_LIST_VIEWS = [
    "complaints:report_list",
    "complaints:report_map_data",
    "complaints:grid_geojson",
    "complaints:reward_transparency",
    "indicators:performance",
]
# A reverse proxy or CDN in front that accepts HTTP PURGE (Varnish, nginx with a purge module):
# wagtail.contrib.frontend_cache sends it the URLs the page cache purges.
PORTAL_FRONTEND_CACHE_URL = os.environ.get("PORTAL_FRONTEND_CACHE_URL", "")
if PORTAL_FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": PORTAL_FRONTEND_CACHE_URL,
        }
    }

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
# Residents' and informants' photos: outside MEDIA_ROOT and never under a URL; only the
# permission-checked views serve them (docs/deploy-media.md).
PORTAL_PRIVATE_MEDIA_ROOT = Path(os.environ.get("PORTAL_PRIVATE_MEDIA_ROOT", DATA_DIR / "private"))
# "" (Django streams the file), "x-accel-redirect" (nginx) or "x-sendfile" (Apache, lighttpd).
PORTAL_PRIVATE_MEDIA_ACCEL = os.environ.get("PORTAL_PRIVATE_MEDIA_ACCEL", "").strip().lower()
PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get(
    "PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX", "/_private/"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Root: PORTAL_PRIVATE_MEDIA_ROOT (read when used, so tests can move it); url() raises.
    "private": {"BACKEND": "complaints.privacy.storage.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "DJANGO_STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Media on S3-compatible object storage, for several app machines (portal/storage_s3.py;
# docs/deploy.md, "Media on S3-compatible storage"): "local" (default) or "s3".
PORTAL_MEDIA_BACKEND = os.environ.get("PORTAL_MEDIA_BACKEND", "local").strip().lower() or "local"
PORTAL_S3_PUBLIC_ORIGINS: list[str] = []  # where public images load from (added to the CSP)
if PORTAL_MEDIA_BACKEND == "s3":
    _s3_buckets = {
        "public": os.environ.get("PORTAL_S3_BUCKET_PUBLIC", "").strip(),
        "private": os.environ.get("PORTAL_S3_BUCKET_PRIVATE", "").strip(),
    }
    if not all(_s3_buckets.values()) or _s3_buckets["public"] == _s3_buckets["private"]:
        raise ImproperlyConfigured(
            "PORTAL_MEDIA_BACKEND=s3 needs PORTAL_S3_BUCKET_PUBLIC and PORTAL_S3_BUCKET_PRIVATE, "
            "two different buckets: the private one is never readable without credentials."
        )
    if PORTAL_PRIVATE_MEDIA_ACCEL:
        raise ImproperlyConfigured(
            "PORTAL_PRIVATE_MEDIA_ACCEL must be empty with PORTAL_MEDIA_BACKEND=s3: the portal "
            "streams private photos from the bucket itself."
        )
    _s3 = {
        "endpoint_url": os.environ.get("PORTAL_S3_ENDPOINT_URL", "").strip() or None,
        "region_name": os.environ.get("PORTAL_S3_REGION", "").strip() or None,
        "access_key": os.environ.get("PORTAL_S3_ACCESS_KEY_ID", "") or None,
        "secret_key": os.environ.get("PORTAL_S3_SECRET_ACCESS_KEY", "") or None,
        "addressing_style": os.environ.get("PORTAL_S3_ADDRESSING_STYLE", "").strip() or None,
        "signature_version": "s3v4",
    }
    _s3_public_domain = os.environ.get("PORTAL_S3_PUBLIC_DOMAIN", "").strip().strip("/") or None
    STORAGES["default"] = {
        "BACKEND": "portal.storage_s3.PublicS3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": _s3_buckets["public"],
            "custom_domain": _s3_public_domain,
            # Empty: readable through the bucket policy; "public-read" for stores without one.
            "default_acl": os.environ.get("PORTAL_S3_PUBLIC_ACL", "").strip() or None,
        },
    }
    STORAGES["private"] = {
        "BACKEND": "portal.storage_s3.PrivateS3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": _s3_buckets["private"],
            # "private", or empty for a bucket whose ACLs are disabled (AWS "bucket owner
            # enforced"); never a public ACL.
            "default_acl": os.environ.get("PORTAL_S3_PRIVATE_ACL", "private").strip() or None,
        },
    }
    if STORAGES["private"]["OPTIONS"]["default_acl"] not in (None, "private"):
        raise ImproperlyConfigured('PORTAL_S3_PRIVATE_ACL must be "private" or empty.')
    # Documents go through Wagtail's view (collection privacy), never a redirect to the bucket.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"
    if _s3_public_domain:
        PORTAL_S3_PUBLIC_ORIGINS = [f"https://{_s3_public_domain.split('/')[0]}"]
    elif _s3["endpoint_url"]:
        from urllib.parse import urlsplit

        _endpoint = urlsplit(_s3["endpoint_url"])
        # Path-style (endpoint/bucket/key) or virtual-hosted (bucket.endpoint/key) addresses.
        PORTAL_S3_PUBLIC_ORIGINS = [
            f"{_endpoint.scheme}://{_endpoint.netloc}",
            f"{_endpoint.scheme}://{_s3_buckets['public']}.{_endpoint.netloc}",
        ]
    else:
        PORTAL_S3_PUBLIC_ORIGINS = ["https://*.amazonaws.com"]
elif PORTAL_MEDIA_BACKEND != "local":
    raise ImproperlyConfigured(
        f'PORTAL_MEDIA_BACKEND must be "local" or "s3", not {PORTAL_MEDIA_BACKEND!r}.'
    )
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Languages -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PORTAL_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# Wagtail's account page offers every file of the system's zoneinfo by default, "localtime"
# and "Factory" included, which browsers reject (RangeError when the page labels the zones).
WAGTAIL_USER_TIME_ZONES = sorted(
    {TIME_ZONE, "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC"}
)
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Page content per language: a Chinese tree (the default locale) and its English translations;
# an untranslated page is served in Chinese with a notice (cms/models/base.py).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Security ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The public site runs no inline script or style except with the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# Public images in the S3 bucket (PORTAL_MEDIA_BACKEND=s3) load from its address.
SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], *PORTAL_S3_PUBLIC_ORIGINS]
# The Wagtail admin writes inline scripts and styles without a nonce (editor widgets).
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "frame-ancestors": [CSP.SELF],
    "frame-src": [CSP.SELF],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# --- Mail ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
if DEBUG and not os.environ.get("EMAIL_HOST"):
    # Development prints mail to the console; production must name a real server.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 10,
            },
        }
    }

# --- Wagtail -------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = os.environ.get("PORTAL_SITE_NAME", "城市管理公众服务平台")
# The public address, for absolute links in SMS, e-mail, the case feed and Wagtail's e-mails.
# Unset, it follows the development server's PORT (`make run` sets both); `check --deploy`
# warns when production runs without it (portal/deploy_checks.py).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "").rstrip("/")
WAGTAILADMIN_BASE_URL = PORTAL_BASE_URL or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars fetched from gravatar.com: staff e-mail hashes stay here and the admin works offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "txt", "csv"]

# --- Staff sign-in: lock-out and two-factor authentication (docs/security.md) ------------------
AUTHENTICATION_BACKENDS = [
    # Refuses to check any password for a locked username or address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "portal.lockout.PortalAxesHandler"
# Failed sign-ins within the cool-off window: per username, and per client address (higher: an
# office may sign in from one address). The lock lifts PORTAL_LOGIN_COOLOFF_MINUTES after the
# last failure, or when a superuser unlocks it (Settings → Sign-in security).
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
PORTAL_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_IP_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PORTAL_LOGIN_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The same client address as the rate limits: X-Forwarded-For only through our trusted proxies.
AXES_CLIENT_IP_CALLABLE = "complaints.shared.ratelimits.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.lockout.lockout_response"
# A successful sign-in clears that username's failures, never its address's (PortalAxesHandler).
AXES_RESET_ON_SUCCESS = True
# Attempts during a lock-out do not extend it: "try again in 30 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Logged and stored attempts name the username and address; the password (and a wrong
# two-factor code) are masked.
AXES_SENSITIVE_PARAMETERS = ["code"]
# Whom the lock-out page tells people to ask, e.g. "信息科（电话 0510-12345678）".
PORTAL_LOCKOUT_CONTACT = os.environ.get("PORTAL_LOCKOUT_CONTACT", "")
# Two-factor authentication: superusers and portal.roles.TWO_FACTOR_ROLES must use it. Only the
# test suite turns enforcement off (tests/conftest.py); there is no environment switch.
PORTAL_2FA_ENFORCED = True
PORTAL_2FA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = WAGTAIL_SITE_NAME

# --- Logging -------------------------------------------------------------------------------
# Every handler redacts secrets (access codes, tokens, API keys) from what it writes, the
# development server's request lines included (portal/redaction.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "portal.redaction.RedactSecretsFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # django-axes: failed sign-ins and lock-outs are warnings; its routine notes are not.
        "axes": {"level": "WARNING"},
        "wagtail": {"level": os.environ.get("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}

# --- Complaints intake (issue 3) -----------------------------------------------------------
# Reporter contact details are encrypted at rest with Fernet keys from the environment:
# PORTAL_FIELD_KEYS is a comma-separated list, newest first (encrypts), older ones still decrypt
# (rotation). PORTAL_HASH_KEY keys the HMACs used to find a phone number or an access code
# without decrypting; it must not change once data exists. Generate keys with
#   python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
import base64  # noqa: E402
import hashlib  # noqa: E402
import warnings  # noqa: E402

from cryptography.fernet import Fernet  # noqa: E402

FIELD_ENCRYPTION_KEYS = env_list("PORTAL_FIELD_KEYS")
FIELD_HASH_KEY = os.environ.get("PORTAL_HASH_KEY", "")
if not FIELD_ENCRYPTION_KEYS or not FIELD_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PORTAL_FIELD_KEYS and PORTAL_HASH_KEY must be set in production: the first is a "
            "comma-separated list of Fernet keys (newest first) that encrypt personal data, the "
            "second a long random secret for keyed hashes. See docs/complaints-intake.md."
        )
    warnings.warn(
        "PORTAL_FIELD_KEYS / PORTAL_HASH_KEY not set: deriving development-only keys from "
        "SECRET_KEY. Never run production like this.",
        RuntimeWarning,
        stacklevel=1,
    )
    FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"field-key:" + SECRET_KEY.encode()).digest()
        ).decode()
    ]
    FIELD_HASH_KEY = (
        FIELD_HASH_KEY or hashlib.sha256(b"hash-key:" + SECRET_KEY.encode()).hexdigest()
    )
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "PORTAL_FIELD_KEYS holds a value that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc
if len(FIELD_HASH_KEY) < 32:
    raise ImproperlyConfigured("PORTAL_HASH_KEY must be at least 32 characters long.")

# Rate limits (django-ratelimit). Blocked requests get the Chinese 429 page.
RATELIMIT_VIEW = "complaints.intake.views.rate_limited"
RATELIMIT_IP_META_KEY = "complaints.shared.ratelimits.client_ip"
# How many reverse proxies we trust to append to X-Forwarded-For (0: use REMOTE_ADDR only).
PORTAL_TRUSTED_PROXIES = int(os.environ.get("PORTAL_TRUSTED_PROXIES", "0"))
COMPLAINTS_RATE_SUBMIT_IP = os.environ.get("COMPLAINTS_RATE_SUBMIT_IP", "20/h")
COMPLAINTS_RATE_SUBMIT_PHONE = os.environ.get("COMPLAINTS_RATE_SUBMIT_PHONE", "5/h")
COMPLAINTS_RATE_TRACK_IP = os.environ.get("COMPLAINTS_RATE_TRACK_IP", "30/h")
# Informant reports and receipt-code lookups: counted per keyed hash of the address (no raw IP).
COMPLAINTS_RATE_INFORMANT_IP = os.environ.get("COMPLAINTS_RATE_INFORMANT_IP", "20/h")
COMPLAINTS_RATE_INFORMANT_LOOKUP_IP = os.environ.get("COMPLAINTS_RATE_INFORMANT_LOOKUP_IP", "30/h")
if CACHES["default"]["BACKEND"] == "portal.sqlite_cache.SQLiteCache":
    # django-ratelimit only knows Redis and memcached as atomic (E003 error, W001 warning);
    # silencing is safe because this backend's add/incr are
    # single SQLite statements (see portal/sqlite_cache.py and its multi-process test).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
elif CACHES["default"]["BACKEND"] == "portal.resilient_cache.ResilientRedisCache":
    # A subclass of the supported django_redis.cache.RedisCache: the same atomic add/incr.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The "overdue now" index of indicators.RollupFootprint carries its group as non-key
    # columns (an index-only scan on PostgreSQL); SQLite builds the same partial index on the
    # deadline alone, which answers the same query, so its warning says nothing to act on.
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "models.W040"]
# While the cache is unreachable the rate limits let requests through (logged once per outage)
# rather than refusing everyone (docs/configuration.md, "When Redis is down").
RATELIMIT_FAIL_OPEN = True

# Photos: per photo and per report, and the pixel ceiling against decompression bombs.
COMPLAINTS_MAX_PHOTOS = 6
COMPLAINTS_PHOTO_MAX_BYTES = int(os.environ.get("COMPLAINTS_PHOTO_MAX_BYTES", 10 * 1024 * 1024))
COMPLAINTS_REPORT_MAX_BYTES = int(os.environ.get("COMPLAINTS_REPORT_MAX_BYTES", 30 * 1024 * 1024))
COMPLAINTS_PHOTO_MAX_PIXELS = 40_000_000
COMPLAINTS_PHOTO_MAX_SIDE = 2048
# Six photos of up to 10 MB each arrive in one request.
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# A handler's "due soon" cases: deadline within this many working hours (home panel, queue filter).
COMPLAINTS_DUE_SOON_WORKING_HOURS = int(os.environ.get("COMPLAINTS_DUE_SOON_WORKING_HOURS", "24"))


# Notifications: email through Django's mailers; SMS through a pluggable backend.
COMPLAINTS_SMS_BACKEND = os.environ.get(
    "COMPLAINTS_SMS_BACKEND", "complaints.notifications.sms.LoggingSmsBackend"
)
COMPLAINTS_SMS_GATEWAY_URL = os.environ.get("COMPLAINTS_SMS_GATEWAY_URL", "")
COMPLAINTS_SMS_GATEWAY_TOKEN = os.environ.get("COMPLAINTS_SMS_GATEWAY_TOKEN", "")
if COMPLAINTS_SMS_GATEWAY_URL and "COMPLAINTS_SMS_BACKEND" not in os.environ:
    COMPLAINTS_SMS_BACKEND = "complaints.notifications.sms.HttpGatewaySmsBackend"

# Map tiles: the map and the map picker appear only when a tile server is configured, e.g.
# COMPLAINTS_MAP_TILE_URL=https://tiles.example.org/{z}/{x}/{y}.png
COMPLAINTS_MAP_TILE_URL = os.environ.get("COMPLAINTS_MAP_TILE_URL", "")
COMPLAINTS_MAP_ATTRIBUTION = os.environ.get("COMPLAINTS_MAP_ATTRIBUTION", "")
if COMPLAINTS_MAP_TILE_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(COMPLAINTS_MAP_TILE_URL.replace("{s}.", ""))
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], f"{_tiles.scheme}://{_tiles.netloc}"]
    if "{s}." in COMPLAINTS_MAP_TILE_URL:
        SECURE_CSP["img-src"].append(f"{_tiles.scheme}://*.{_tiles.netloc}")
    # The staff case page shows the same tiles.
    ADMIN_CSP["img-src"] = SECURE_CSP["img-src"]
# Where the map centres when no report has a place (the demo district).
COMPLAINTS_MAP_CENTER = (31.55, 120.25)

# --- Hot spots (indicators/hotspots.py, docs/indicators.md "Hot spots") ---------------------
# A cell and category is a hot spot with at least MIN_REPORTS cases in the last WINDOW_DAYS,
# FACTOR times the district's per-cell average, and FACTOR times its own average over its
# HISTORY_WINDOWS previous windows (or that many cases in half of them); it recurs when a case
# comes back within RECURRENCE_WEEKS after all its cases were closed.
INDICATORS_HOTSPOT_WINDOW_DAYS = int(os.environ.get("INDICATORS_HOTSPOT_WINDOW_DAYS", "28"))
INDICATORS_HOTSPOT_HISTORY_WINDOWS = int(os.environ.get("INDICATORS_HOTSPOT_HISTORY_WINDOWS", "6"))
INDICATORS_HOTSPOT_MIN_REPORTS = int(os.environ.get("INDICATORS_HOTSPOT_MIN_REPORTS", "3"))
INDICATORS_HOTSPOT_FACTOR = float(os.environ.get("INDICATORS_HOTSPOT_FACTOR", "2"))
INDICATORS_HOTSPOT_RECURRENCE_WEEKS = int(
    os.environ.get("INDICATORS_HOTSPOT_RECURRENCE_WEEKS", "8")
)

# --- Case-system feed and Open311 (issue 5) -------------------------------------------------
# Open311 server (docs/open311.md): keys are issued per partner channel in the admin, each with
# its own rate; GET requests without a key are limited per client IP.
OPEN311_RATE_ANONYMOUS = os.environ.get("OPEN311_RATE_ANONYMOUS", "120/m")
OPEN311_CONTACT = os.environ.get("OPEN311_CONTACT", "")
OPEN311_KEY_SERVICE = os.environ.get("OPEN311_KEY_SERVICE", "")
# Case-system feed (docs/casefeed.md): retries with exponential back-off (capped) and jitter;
# a row is dead-lettered CASEFEED_DEAD_LETTER_AFTER hours after its first attempt (0 = never by
# age), or after CASEFEED_MAX_ATTEMPTS attempts when that is set (0 = no limit by count). Each
# delivery is claimed, sent and recorded under its own lease, after which another worker may
# retry it.
CASEFEED_MAX_ATTEMPTS = int(os.environ.get("CASEFEED_MAX_ATTEMPTS", "0"))
CASEFEED_DEAD_LETTER_AFTER = float(os.environ.get("CASEFEED_DEAD_LETTER_AFTER", "72"))
CASEFEED_BACKOFF_BASE = float(os.environ.get("CASEFEED_BACKOFF_BASE", "30"))
CASEFEED_BACKOFF_MAX = float(os.environ.get("CASEFEED_BACKOFF_MAX", "900"))
CASEFEED_LEASE_SECONDS = int(os.environ.get("CASEFEED_LEASE_SECONDS", "120"))
# Workers (run_worker, drain_casefeed) survive database and cache outages: they retry with
# back-off from WORKER_OUTAGE_BACKOFF_BASE up to WORKER_OUTAGE_BACKOFF_MAX seconds, and check
# in (a heartbeat file under HEALTH_HEARTBEAT_DIR) that /healthz reads (docs/operations.md).
WORKER_OUTAGE_BACKOFF_BASE = float(os.environ.get("WORKER_OUTAGE_BACKOFF_BASE", "1"))
WORKER_OUTAGE_BACKOFF_MAX = float(os.environ.get("WORKER_OUTAGE_BACKOFF_MAX", "30"))
HEALTH_HEARTBEAT_DIR = Path(os.environ.get("HEALTH_HEARTBEAT_DIR", DATA_DIR / "heartbeats"))
# /healthz: a worker kind without a heartbeat fresher than this is "not checked in" (0: no check).
HEALTH_WORKER_STALE_SECONDS = float(os.environ.get("HEALTH_WORKER_STALE_SECONDS", "300"))
# /healthz: a task ready, or a delivery due, for longer than this means a stalled queue.
HEALTH_QUEUE_STALL_SECONDS = float(os.environ.get("HEALTH_QUEUE_STALL_SECONDS", "600"))
# Inbound callbacks older or newer than this many seconds are refused (replay window).
CASEFEED_CALLBACK_WINDOW = int(os.environ.get("CASEFEED_CALLBACK_WINDOW", "300"))
# Photo links given to case systems (media_url) expire after this many seconds.
CASEFEED_MEDIA_LINK_SECONDS = int(os.environ.get("CASEFEED_MEDIA_LINK_SECONDS", str(7 * 86400)))

# --- Reward scheme (issue 6) ---------------------------------------------------------------
# An informant's sealed identity (name, phone, payment account, phone hash) is erased this many
# days after their claim was paid, found ineligible or cancelled; the claim and the ledger stay.
# `manage.py erase_informant_identities` does it (docs/rewards.md).
REWARD_IDENTITY_RETENTION_DAYS = int(os.environ.get("PORTAL_REWARD_IDENTITY_RETENTION_DAYS", "365"))
