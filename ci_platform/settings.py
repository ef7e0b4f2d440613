"""One settings module for every mode; only environment variables differ.

* embedded (`make run`): no DATABASE_URL -> SQLite file, no REDIS_URL -> Celery tasks run in-process.
* tests: DATABASE_URL / REDIS_URL point at real PostgreSQL and Redis (CI always sets them).
* production (docker compose): everything from the environment, see .env.example.
"""

from pathlib import Path
from typing import Literal

import environ
import plotly
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The default key is for the embedded mode only; `check --deploy` flags it (security.W009).
SECRET_KEY = env("SECRET_KEY", default="django-insecure-embedded-mode-only-do-not-deploy")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "bootstrap",
    "ci_platform",
    "initiatives",
    "agenda",
    "measurement",
    "workgroups",
    "communication",
    "backbone",
    "learning",
    "webhooks",
    "sso",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in the query is a 400, before any view filters by it (ci_platform/nul.py).
    "ci_platform.nul.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Marks the requests whose reads a read replica may serve (ci_platform/replica.py).
    "ci_platform.replica.ReplicaReadsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ci_platform.urls"
WSGI_APPLICATION = "ci_platform.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiles a query once its estimated cost passes jit_above_cost; our reads and
# the aggregates' INSERT … SELECTs cross that line at 10× the data and then spend more time
# compiling than running (the backbone's by-organisation table at 1,000 organisations: 1.5 of its
# 1.95 s; the full rebuild 14 % slower; docs/performance.md). Off on our connections unless
# DB_JIT=true.
DB_SESSION_OPTIONS = "" if env.bool("DB_JIT", default=False) else "-c jit=off"


def _with_session_options(database: dict) -> None:
    """Our session settings (DB_SESSION_OPTIONS) after any the URL gave a PostgreSQL connection."""
    if DB_SESSION_OPTIONS:
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} {DB_SESSION_OPTIONS}".strip()


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    _with_session_options(DATABASES["default"])
# An optional streaming replica of the primary (docs/deployment.md, "Scaling out"): dashboards, the
# public report card and the API's reads use it; writes, and any read inside a transaction, never
# do. ci_platform/replica.py is the one place that decides; without the URL every query goes to
# the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    _with_session_options(DATABASES["replica"])
    # Under test the replica is the test database itself (a mirror), never created on its own.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["ci_platform.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# The cache gets its own Redis database (REDIS_CACHE_URL): cache.clear() flushes its database, and
# must never take the task queue with it.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="")
if REDIS_CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL},
        # Rendered fragments ({% cache %}: the dashboards' cards): a miss, not an error, when Redis is down.
        "template_fragments": {
            "BACKEND": "ci_platform.cache.FragmentCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: a real broker when REDIS_URL is set, otherwise tasks run in-process (embedded mode).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
# Redis redelivers a message whose worker died without acknowledging it (kill -9, lost machine) only
# once it has been unacknowledged for this long, so it must exceed the longest task; a worker that
# merely loses its pool child requeues at once (reject_on_worker_lost). See docs/reliability.md.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 600)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# The digests' schedule lives with the communication app (daily and weekly); it imports only Celery.
from communication.schedule import BEAT_SCHEDULE as COMMUNICATION_BEAT_SCHEDULE  # noqa: E402

CATCH_UP_SECONDS = env.int("CATCH_UP_SECONDS", default=300)
CELERY_BEAT_SCHEDULE: dict = {
    "measurement-reminders": {"task": "measurement.tasks.reminders_send_task", "schedule": 6 * 3600},
    # Pending dirty marks whose update was never queued (the broker was down): docs/reliability.md.
    "measurement-aggregates-catch-up": {
        "task": "measurement.tasks.aggregates_catch_up_task",
        "schedule": env.int("AGGREGATES_CATCH_UP_SECONDS", default=300),
    },
    # Score runs, survey invitations, progress reports and network figures whose task could not be
    # queued (the broker was down): their rows say they are pending, and these queue them again.
    "backbone-catch-up": {"task": "backbone.tasks.backbone_catch_up_task", "schedule": CATCH_UP_SECONDS},
    "communication-reports-catch-up": {
        "task": "communication.tasks.reports_catch_up_task",
        "schedule": CATCH_UP_SECONDS,
    },
    "workgroups-network-metrics-catch-up": {
        "task": "workgroups.tasks.network_metrics_catch_up_task",
        "schedule": CATCH_UP_SECONDS,
    },
    "measurement-aggregates-nightly": {
        "task": "measurement.tasks.aggregates_rebuild_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "backbone-scores-nightly": {
        "task": "backbone.tasks.scores_recompute_all_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Risks whose review date has come: their owners and the backbone are told once per date.
    "learning-risk-reviews": {
        "task": "learning.tasks.risk_reviews_notify_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Webhook deliveries whose attempt is overdue (the broker was down when it was to be queued).
    "webhooks-catch-up": {"task": "webhooks.tasks.webhooks_catch_up_task", "schedule": CATCH_UP_SECONDS},
    **COMMUNICATION_BEAT_SCHEDULE,
}

# Argon2id first (memory-hard, OWASP's first choice; about 0.2 s a sign-in on one core, where
# Django's PBKDF2 default takes 0.9 s). Passwords stored with PBKDF2 still verify and are rehashed
# with Argon2 at their next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The username as typed, cut to the 255 characters django-axes stores (ci_platform/throttle.py).
AXES_USERNAME_CALLABLE = "ci_platform.throttle.username"
# Behind PROXY_COUNT reverse proxies, the client address is read from X-Forwarded-For (django-ipware),
# so that a lockout hits the client, not the proxy.
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE: Literal["Lax"] = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# /healthz/ answers load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# Content Security Policy (Django's own): no inline scripts anywhere (pages pass data to scripts in
# <script type="application/json">); inline styles are allowed because Plotly sets them.
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("he", _("Hebrew"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ci_platform.formats"]  # what Django's locales leave out (ci_platform/formats/)
TIME_ZONE = env("TIME_ZONE", default="Asia/Jerusalem")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list = [BASE_DIR / "static"]
# plotly.js, served locally (never from a CDN): npm's build of the trace types the charts draw
# (scatter and bar, in plotly.js-basic-dist-min, pinned in package.json: 1.2 MB against the full
# bundle's 4.8 MB, which every chart page loaded and parsed); without node_modules, the full bundle
# that the plotly package carries. Templates take it from PLOTLY_JS (`{% plotly_js %}`).
_PLOTLY_BASIC = BASE_DIR / "node_modules" / "plotly.js-basic-dist-min"
if (_PLOTLY_BASIC / "plotly-basic.min.js").is_file():
    PLOTLY_JS = "vendor/plotly/plotly-basic.min.js"
    STATICFILES_DIRS.append(("vendor/plotly", _PLOTLY_BASIC))
else:
    PLOTLY_JS = "vendor/plotly/plotly.min.js"
    STATICFILES_DIRS.append(("vendor/plotly", Path(plotly.__file__).parent / "package_data"))
# Workbox, for the grid's service worker (ci_platform/pwa.py): from npm (pinned in package.json and
# package-lock.json; `npm ci` by the Makefile, CI and the Dockerfile), served locally, never from a CDN.
# Without node_modules the grid works online as before; only its offline use is missing.
STATICFILES_DIRS += [
    ("vendor/workbox", BASE_DIR / "node_modules" / name / "build")
    for name in ("workbox-core", "workbox-routing", "workbox-strategies")
    if (BASE_DIR / "node_modules" / name / "build").is_dir()
]
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env.bool("PLAIN_STATIC", default=False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Without collectstatic (embedded mode) whitenoise serves straight from the finders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Uploaded files (documents, report PDFs) on the local disk under MEDIA_ROOT, which must then be a
# volume every web and worker container shares; or, with MEDIA_S3_BUCKET, in S3-compatible storage
# (AWS S3, MinIO, Ceph, Cloudflare R2...) through django-storages, and no container keeps any
# (docs/deployment.md, "Scaling out"). Files are served only through the permission-checked views,
# read from the storage: never from a public bucket URL.
if MEDIA_S3_BUCKET := env("MEDIA_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env("MEDIA_S3_REGION", default="") or None,
            "access_key": env("MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env("MEDIA_S3_PREFIX", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email (Django 6.1 MAILERS): console in the embedded mode, SMTP from EMAIL_URL in production
# (smtp://user:password@host:25, smtp+tls://… for STARTTLS, smtp+ssl://… for TLS), or a folder of
# .eml files (EMAIL_FILE_PATH). With DEBUG off, `check --deploy` refuses the console backend.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_file_path = env("EMAIL_FILE_PATH", default="")
if _email_file_path:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": _email_file_path},
        }
    }
elif _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS = {
        "default": {
            "BACKEND": _email["EMAIL_BACKEND"],
            "OPTIONS": {
                "host": _email.get("EMAIL_HOST", "localhost"),
                "port": _email.get("EMAIL_PORT", 25),
                "username": _email.get("EMAIL_HOST_USER", ""),
                "password": _email.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": bool(_email.get("EMAIL_USE_TLS", False)),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL", False)),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"]}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Collective Impact Platform <noreply@localhost>")

# Platform policy.
COMMUNICATION_MAX_UPLOAD_MB = env.int("COMMUNICATION_MAX_UPLOAD_MB", default=10)
ALLOW_USERS_TO_CREATE_INITIATIVES = env.bool("ALLOW_USERS_TO_CREATE_INITIATIVES", default=True)
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
# The address used in links inside invitation emails (password reset links use the request's host).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Webhooks (docs/webhooks.md). Receivers on private, loopback, link-local or reserved addresses are
# refused unless their network is listed here (comma-separated CIDRs, e.g. "10.1.0.0/16").
WEBHOOKS_ALLOWED_NETWORKS = env.list("WEBHOOKS_ALLOWED_NETWORKS", default=[])
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10)
# Attempts per delivery, the first wait (doubled after each failure: 1, 2, 4 … minutes, about 2 hours
# in all by default) and the failed attempts in a row that disable a subscription.
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)
WEBHOOKS_RETRY_BASE_SECONDS = env.int("WEBHOOKS_RETRY_BASE_SECONDS", default=60)
WEBHOOKS_DISABLE_AFTER = env.int("WEBHOOKS_DISABLE_AFTER", default=20)
WEBHOOKS_ROTATION_OVERLAP_HOURS = env.int("WEBHOOKS_ROTATION_OVERLAP_HOURS", default=24)
# Single sign-on with OpenID Connect (sso/, docs/sso.md), through mozilla-django-oidc: off unless an
# issuer is set. The endpoints come from the issuer's discovery document; ID tokens are RS256,
# checked against its JWKS (signature, issuer, audience, expiry, nonce), with PKCE.
SSO_OIDC_ISSUER = env("SSO_OIDC_ISSUER", default="")
SSO_OIDC_DISCOVERY_URL = env("SSO_OIDC_DISCOVERY_URL", default="")
SSO_PROVIDER_NAME = env("SSO_PROVIDER_NAME", default="")
SSO_ALLOWED_EMAIL_DOMAINS = env.list("SSO_ALLOWED_EMAIL_DOMAINS", default=[])
SSO_CREATE_USERS = env.bool("SSO_CREATE_USERS", default=True)
SSO_PASSWORD_SIGN_IN = env.bool("SSO_PASSWORD_SIGN_IN", default=True)
SSO_ASSUME_EMAIL_VERIFIED = env.bool("SSO_ASSUME_EMAIL_VERIFIED", default=False)
OIDC_RP_CLIENT_ID = env("SSO_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("SSO_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env("SSO_OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
OIDC_TIMEOUT = env.float("SSO_OIDC_TIMEOUT_SECONDS", default=10)
if SSO_OIDC_ISSUER:
    # The sign-in button's form is redirected to the provider, and CSP's form-action covers the
    # redirect: the issuer's origin is allowed (its authorization endpoint is there, docs/sso.md).
    SECURE_CSP["form-action"] = [
        *SECURE_CSP["form-action"],
        env.url("SSO_OIDC_ISSUER")._replace(path="", query="", fragment="").geturl(),
    ]

REST_FRAMEWORK = {
    # Tokens first: a caller without credentials is told 401 with a Bearer challenge.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ci_platform.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "ci_platform.api.errors.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "ci_platform.api.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["ci_platform.api.filters.ApiFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "ci_platform.api.pagination.StrictLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ci_platform.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "ci_platform.api.throttling.TokenRateThrottle",
        "ci_platform.api.throttling.UserRateThrottle",
        "ci_platform.api.throttling.AnonRateThrottle",
    ],
    # Requests per second, minute, hour or day ("1200/minute"); counted in the cache (Redis in production).
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_TOKEN", default="6000/hour"),
        "user": env("API_RATE_USER", default="3000/hour"),
        "anon": env("API_RATE_ANON", default="600/hour"),
    },
    # The client address for the anonymous rate, behind PROXY_COUNT proxies (as for sign-in throttling).
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
}
# The largest request body (bytes) read into memory, API included (413 above it). A bulk submission
# of 10,000 values is about 1.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Values accepted in one bulk submission, and how long an Idempotency-Key answer is kept.
API_BULK_MAX_VALUES = env.int("API_BULK_MAX_VALUES", default=10_000)
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "Collective Impact Platform API",
    "DESCRIPTION": (
        "Read and write an initiative's data. Authenticate with `Authorization: Bearer <token>` "
        "(tokens are issued by an initiative's backbone staff) or the browser session. Large "
        "collections use cursor pages (`next` links); errors are `{code, message, errors}`. "
        "v1 is stable: fields and endpoints may be added, never removed or changed in meaning. "
        "See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "initiatives.choices.Phase",
        "RoleEnum": "initiatives.choices.Role",
        "MilestoneStatusEnum": "initiatives.choices.MilestoneStatus",
        "SubmissionStatusEnum": "measurement.choices.SubmissionStatus",
        "AgendaKindEnum": "agenda.choices.AgendaKind",
        "FundingKindEnum": "backbone.choices.FundingKind",
        "BackboneKindEnum": "backbone.choices.BackboneKind",
        "PolicyKindEnum": "backbone.choices.PolicyKind",
        "WebhookEventTypeEnum": "webhooks.choices.EventType",
        "WebhookDeliveryStatusEnum": "webhooks.choices.DeliveryStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_in_one_line": {"()": "ci_platform.logging.ClientErrorsInOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"filters": ["client_errors_in_one_line"]},
        # In-process tasks (make run) succeed by the hundred while the demo loads: their failures
        # are still logged; a real worker logs each task as Celery does.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
        # In-process tasks have no broker to name: kombu's "No hostname was supplied" says nothing.
        **({"kombu.connection": {"level": "ERROR"}} if CELERY_TASK_ALWAYS_EAGER else {}),
        # WeasyPrint narrates each PDF in seven INFO lines ("Step 1 - Fetching and parsing HTML");
        # its warnings (a font or an image it could not load) still show.
        "weasyprint": {"level": "WARNING"},
    },
}
