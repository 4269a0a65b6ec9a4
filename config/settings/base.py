"""Settings shared by every environment. Everything that differs between machines comes from the
environment (twelve-factor); the defaults suit a developer machine with PostgreSQL and Redis on
localhost."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "corsheaders",
    "csp",
    "rest_framework",
    "rest_framework_gis",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "geo",
    "organisations",
    "referrals",
    "api",
    "integration",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "api.middleware.RequestSizeLimitMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default="postgis://postgres@127.0.0.1:5432/referral_network"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A runaway query must not hold a connection (and the locks it took) for ever.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c statement_timeout={env.int('DB_STATEMENT_TIMEOUT_MS', default=15000)}"
)
# gis.W001: Debian's GDAL (3.6) cannot block file and network access from spatial reference
# strings. No user input reaches GDAL as a spatial reference: geometries are GeoJSON in WGS 84 and
# a 'crs' member is refused (api.fields); boundaries are loaded only by administrators.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Cross-origin browser access is closed unless origins are listed.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key", "if-match"]
CORS_EXPOSE_HEADERS = ["etag", "retry-after"]

# Content security policy: scripts only from this site (the docs page runs no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # Swagger UI sets style attributes
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Shared by every web process: throttling counters and idempotency locks must be global.
CACHES = {"default": env.cache("CACHE_URL", default="redis://127.0.0.1:6379/1")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# guardian: no anonymous user object; anonymous callers never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_GROUP_OBJ_PERMS_MODEL = "guardian.GroupObjectPermission"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Collected static files (production: `collectstatic`); elsewhere served straight from the apps.
STATIC_ROOT = env("STATIC_ROOT", default=None)
# The Swagger UI assets (drf-spectacular-sidecar) are served by the app itself, never from a CDN.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# Request size: referrals and geometries are small; anything larger is refused with 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "api.throttling.IPRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="60/min"),
        "user": env("THROTTLE_USER", default="600/min"),
        "ip": env("THROTTLE_IP", default="1200/min"),
    },
    # Clients behind a proxy are told apart by X-Forwarded-For only when there is a proxy to trust.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- issue 11: robust ---
# How deep arrays and objects may nest in a JSON body (api.parsers): deeper bodies are refused
# with 400 before they are decoded, as Python's recursive decoder would exhaust its stack.
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
# Client errors Django renders itself under /api/ (its HTML debug 404 when DEBUG is on, a CSRF
# failure page) leave as problem+json like every other error: just inside SecurityMiddleware, so
# it sees the response every inner layer produced.
MIDDLEWARE.insert(MIDDLEWARE.index("api.middleware.RequestSizeLimitMiddleware"),
                  "api.errors.DjangoErrorsAsProblemsMiddleware")

REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "NGO engagement and referral network API",
    "DESCRIPTION": (
        "Anonymised referrals of people identified as possible victims of trafficking, "
        "routed between government agencies and the NGOs, shelters and international organisations "
        "of the Bali Process region. Authenticate with `POST /api/v1/auth/token/` and send "
        "`Authorization: Token <token>`. Errors are `application/problem+json` (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "organisations.models.OrganisationKind",
        "FacilityKindEnum": "organisations.models.FacilityKind",
        "CountryCodeEnum": "organisations.codes.COUNTRY_CHOICES",
        "LanguageCodeEnum": "organisations.codes.LANGUAGE_CHOICES",
        "WebhookEventTypeEnum": "referrals.models.OutboxEventType",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}

# --- issue 11: logins ---
# Every login path (the token endpoint, the browsable API's and the admin's forms) is watched by
# django-axes and takes a TOTP code once two-factor is on (django-otp). See accounts/ and the
# README, "Signing in".
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "accounts"]
# django-otp marks the request's user verified (after authentication); axes answers a locked-out
# form with its lockout page (last, so that it sees what the view did).
MIDDLEWARE += ["django_otp.middleware.OTPMiddleware", "axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
# The same token and session authentication, with the gate that keeps a user who must enrol in
# two-factor to the enrolment endpoints.
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "accounts.api.authentication.TokenAuthentication",
    "accounts.api.authentication.SessionAuthentication",
]
# The lockout is per pair (username, client address): guessing one account's password from one
# place stops, while everyone else behind the same address (an office behind one NAT) signs in.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Attempts during a lockout are refused but not counted: the lockout ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a few typos before the right password do not carry over
# Axes keeps only the counted failures (deleted once they no longer count), no record of every
# successful sign-in with its address: that would be a log of who worked from where, kept for ever.
AXES_DISABLE_ACCESS_LOG = True
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"  # the throttles' rule (NUM_PROXIES)
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp"]  # masked in what axes keeps
AXES_VERBOSE = False  # no banner on every start of a process or management command
# Two-factor is compulsory for those who see referrals (accounts.permissions.mfa_required_for).
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="NGO referral network")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# Publishing must fail fast when the broker is down: the write has committed and the outbox holds
# the event; the periodic sweep relays it once the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY = False
OUTBOX_SWEEP_SECONDS = env.float("OUTBOX_SWEEP_SECONDS", default=30)
OFFER_EXPIRY_CHECK_SECONDS = env.float("OFFER_EXPIRY_CHECK_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "integration.tasks.sweep", "schedule": OUTBOX_SWEEP_SECONDS},
    "expire-offers": {"task": "referrals.tasks.expire_offers", "schedule": OFFER_EXPIRY_CHECK_SECONDS},
    "retention": {"task": "referrals.tasks.apply_retention", "schedule": 3600},
    "expired-tokens": {"task": "accounts.tasks.purge_expired_tokens", "schedule": 3600},
}

# Webhooks: https to public addresses only, unless this is on (development, the demo, tests that
# run a receiver on loopback). Never on in production.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30)

# How long an offer stands before it expires, per urgency of the referral.
REFERRAL_OFFER_TTL = {
    "emergency": timedelta(hours=env.float("REFERRAL_OFFER_TTL_EMERGENCY_HOURS", default=2)),
    "urgent": timedelta(hours=env.float("REFERRAL_OFFER_TTL_URGENT_HOURS", default=24)),
    "routine": timedelta(hours=env.float("REFERRAL_OFFER_TTL_ROUTINE_HOURS", default=72)),
}

# Key of the HMAC that turns a submitter's case id into a subject hash. Changing it unlinks every
# earlier referral from later ones, so it is set once per deployment.
REFERRAL_SUBJECT_KEY = env("REFERRAL_SUBJECT_KEY", default=f"subject:{SECRET_KEY}")

# Closed and withdrawn referrals are reduced to what statistics need after this many days.
REFERRAL_RETENTION_DAYS = env.int("REFERRAL_RETENTION_DAYS", default=730)
# Statistics: every published count is at least this (k-anonymity), as the CTDC publishes.
STATS_MIN_CELL = env.int("STATS_MIN_CELL", default=11)
# --- issue 11: dp ---
# Network-wide statistics (analysts, staff) are differentially private (referrals.privacy, README
# "Statistics for analysts"): each new query costs STATS_EPSILON_PER_QUERY of the reader's
# STATS_EPSILON_BUDGET for the calendar month (UTC), and may fail with probability at most
# STATS_DELTA_PER_QUERY (a cell of one person surviving the publication threshold).
STATS_EPSILON_PER_QUERY = env.float("STATS_EPSILON_PER_QUERY", default=1.0)
STATS_EPSILON_BUDGET = env.float("STATS_EPSILON_BUDGET", default=10.0)
STATS_DELTA_PER_QUERY = env.float("STATS_DELTA_PER_QUERY", default=1e-6)
# A referral counts under at most this many values of a multi-valued field (exploitation types,
# needs, outcomes); the noise is scaled to it.
STATS_MAX_VALUES_PER_FIELD = env.int("STATS_MAX_VALUES_PER_FIELD", default=3)
# Private medians choose among whole hours from 0 to this; longer times count as this.
STATS_MEDIAN_MAX_HOURS = env.int("STATS_MEDIAN_MAX_HOURS", default=720)

# --- issue 16: capacity ---
# A facility's capacity figure older than this counts as unknown, not as free: it ranks below fresh
# figures in matching and is shown with capacity_stale: true.
CAPACITY_STALE_HOURS = env.float("CAPACITY_STALE_HOURS", default=72)

# Exact coordinates are generalised to this grid (degrees) wherever they are shown to someone who
# may not see them exactly (shelters of other organisations, referral locations).
COARSE_GRID_DEGREES = 0.1

# --- issue 11: privacy ---
# Secret of the HMACs that stored idempotency records keep of a request and of its key (a plain
# hash of a body with a case reference in it can be reversed by guessing). Defaults to SECRET_KEY;
# api.idempotency derives its own key from it with a purpose string, so the two never coincide.
IDEMPOTENCY_KEY_SECRET = env("IDEMPOTENCY_KEY_SECRET", default=SECRET_KEY)
# The finest administrative level (0 country, 1 province, 2 district) at which a shelter's area is
# shown to other organisations: with districts loaded, a district can be smaller than the 0.1
# degree cell its point is shown in.
CONFIDENTIAL_AREA_LEVEL = env.int("CONFIDENTIAL_AREA_LEVEL", default=1)

# --- issue 12: console ---
# Server-rendered pages for people under /app/ (console/). htmx (django-htmx) enhances forms that
# work without it; Leaflet (django-leaflet's copy) is served locally, never from a CDN.
INSTALLED_APPS += ["django_htmx", "console"]
MIDDLEWARE += ["django_htmx.middleware.HtmxMiddleware"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("console.context.console_nav")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- issue 15: past one machine ---
# Streaming replicas (README "Production"): each URL becomes the alias replica_N, which only the
# lag-tolerant selectors read from (config.db_router: the directory, provider search, statistics);
# a request that has written reads from the primary to its end. None configured: nothing installed.
DATABASE_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
# Behind PgBouncer in transaction mode (DATABASE_POOLER=pgbouncer) a connection holds no session
# state: no server-side cursors (they live across transactions of one session), and no startup
# `options` (PgBouncer refuses them): set statement_timeout on the role instead
# (ALTER ROLE ... SET statement_timeout = '15s').
DATABASE_POOLER = env("DATABASE_POOLER", default="")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = env.db_url_config(_url)
    _replica.update(
        ENGINE=DATABASES["default"]["ENGINE"],
        ATOMIC_REQUESTS=False,  # reads only: a transaction per request would buy nothing
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        OPTIONS={**DATABASES["default"]["OPTIONS"], **_replica.get("OPTIONS", {})},
        TEST={"MIRROR": "default"},  # the test runner creates no database of its own for it
    )
    DATABASES[f"replica_{_number}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    # Outermost, so that everything the request does is inside its routing scope.
    MIDDLEWARE.insert(0, "config.db_router.ReplicaRequestMiddleware")
if DATABASE_POOLER == "pgbouncer":
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database["OPTIONS"].pop("options", None)
# --- issue 14: activities and indicators ---
# Who does what where (activities/): above organisations and geo.
INSTALLED_APPS += ["activities"]
# Progress indicators (GET /api/v1/stats/indicators/): "accepted within" this many hours of submission.
INDICATOR_ACCEPTED_WITHIN_HOURS = env.int("INDICATOR_ACCEPTED_WITHIN_HOURS", default=72)
# Private medians of days to the first outcome choose among whole days from 0 to this.
INDICATOR_MEDIAN_MAX_DAYS = env.int("INDICATOR_MEDIAN_MAX_DAYS", default=365)
# --- issue 13: notifications ---
# E-mail to people (notifications/): what waits for them, never what the case is. EMAIL_URL is
# django-environ's email URL: smtp://user:pass@host:port, smtp+tls://... (STARTTLS), smtp+ssl://;
# unset, messages are printed (consolemail://); the demo writes them to files under var/mail/
# (filemail:///var/mail, relative to the project: scripts/run-demo.sh).
INSTALLED_APPS += ["notifications"]
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# A URL without host, port or credentials (consolemail://, filemail:///...) leaves Django's own defaults.
EMAIL_HOST = EMAIL_HOST or "localhost"  # noqa: F821 (set by the line above)
EMAIL_PORT = EMAIL_PORT or 25  # noqa: F821
EMAIL_HOST_USER = EMAIL_HOST_USER or ""  # noqa: F821
EMAIL_HOST_PASSWORD = EMAIL_HOST_PASSWORD or ""  # noqa: F821
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Referral network <no-reply@referral-network.invalid>")
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
# Where the links in messages point: the console's pages (/app/referrals/<id>/, /app/inbox/).
CONSOLE_BASE_URL = env("CONSOLE_BASE_URL", default="http://127.0.0.1:8000")
# A reminder goes out once per offer when it has this long left.
NOTIFY_BEFORE_EXPIRY = timedelta(minutes=env.float("NOTIFY_BEFORE_EXPIRY_MINUTES", default=120))
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=8)
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=30)
NOTIFY_SWEEP_SECONDS = env.float("NOTIFY_SWEEP_SECONDS", default=30)
NOTIFY_DIGEST_CHECK_SECONDS = env.float("NOTIFY_DIGEST_CHECK_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["notifications-sweep"] = {"task": "notifications.tasks.sweep", "schedule": NOTIFY_SWEEP_SECONDS}
CELERY_BEAT_SCHEDULE["notifications-digests"] = {
    "task": "notifications.tasks.send_digests", "schedule": NOTIFY_DIGEST_CHECK_SECONDS}
# --- issue 13: languages ---
# The API answers in the language of Accept-Language (LocaleMiddleware); the console and e-mails
# in the signed-in user's own language (api.i18n.UserLanguageMiddleware / activate_user_language).
# Anything else falls back to English. Codes and enum values stay English; labels and messages
# are translated (locale/<lang>/LC_MESSAGES/django.po).
import django.conf.locale  # noqa: E402  (Django lacks Filipino and Lao in its language table)

django.conf.locale.LANG_INFO.update({
    "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
    "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ພາສາລາວ"},
})
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("th", "ภาษาไทย"),
    ("id", "Bahasa Indonesia"),
    ("vi", "Tiếng Việt"),
    ("ms", "Bahasa Melayu"),
    ("fil", "Filipino"),
    ("my", "မြန်မာဘာသာ"),
    ("km", "ភាសាខ្មែរ"),
    ("lo", "ພາສາລາວ"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
INSTALLED_APPS.insert(0, "modeltranslation")  # before the admin, as modeltranslation requires
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                  "django.middleware.locale.LocaleMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "api.i18n.UserLanguageMiddleware")
# Stored text kept in several languages (organisations.translation): empty translations show English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# --- issue 14: identification ---
# Screening forms, identification decisions and the reflection and recovery period (README
# "Screening and identification"). A presumed or identified victim's period lasts the country's
# setting (GET/PATCH /api/v1/countries/{code}/), else this regional default; the submitter and
# the accepting organisation are reminded REFLECTION_REMINDER_DAYS before it ends.
INSTALLED_APPS += ["identification"]
REFLECTION_PERIOD_DAYS = env.int("REFLECTION_PERIOD_DAYS", default=30)
REFLECTION_REMINDER_DAYS = env.int("REFLECTION_REMINDER_DAYS", default=7)
REFLECTION_REMINDER_CHECK_SECONDS = env.int("REFLECTION_REMINDER_CHECK_SECONDS", default=3600)
CELERY_BEAT_SCHEDULE["reflection-reminders"] = {
    "task": "identification.tasks.remind_reflection_periods", "schedule": REFLECTION_REMINDER_CHECK_SECONDS,
}
# --- issue 12: console admin pages ---
# django-leaflet ships Leaflet and Leaflet.draw: served from this site (no CDN), by whitenoise.
INSTALLED_APPS += ["leaflet"]
# The directory map's base layer is the project's own boundaries (works offline); a deployment
# with a tile server adds its tiles under them, e.g. https://tiles.example.org/{z}/{x}/{y}.png
# (its origin is then allowed in the CSP's img-src).
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
if MAP_TILE_URL:
    _tiles = MAP_TILE_URL.split("/")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("/".join(_tiles[:3]).replace("{s}.", "*."))

# The browsable API (issue 12, part 10): pre-fills only writable fields; logs out with a POST form.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    "rest_framework.renderers.JSONRenderer", "api.renderers.BrowsableAPIRenderer",
]
# --- issue 14: onward referral and returns ---
# Cross-border returns (returns/): an app above referrals and organisations.
INSTALLED_APPS += ["returns"]
# A reminder (timeline and webhook) is recorded once for each follow-up of a return due within this
# many days and not recorded yet.
RETURN_FOLLOW_UP_REMINDER_DAYS = env.int("RETURN_FOLLOW_UP_REMINDER_DAYS", default=14)
CELERY_BEAT_SCHEDULE["return-follow-up-reminders"] = {"task": "returns.tasks.remind_follow_ups", "schedule": 3600}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReturnStatusEnum"] = "returns.models.ReturnStatus"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReferralStatusEnum"] = "referrals.models.Status"
# --- issue 15: partitioning ---
# The audit trail and the outbox are partitioned by month (referrals/partitions.py). Beat creates
# the partitions of the coming months ahead of time; retention drops whole months, never rows.
PARTITION_MONTHS_AHEAD = env.int("PARTITION_MONTHS_AHEAD", default=3)
# Months of audit trail kept (the current one counts); unset = kept for ever. Whole months past it
# are dropped, which is the only way an audit row ever leaves (the trail refuses UPDATE and DELETE).
AUDIT_RETENTION_MONTHS = env.int("AUDIT_RETENTION_MONTHS", default=None)
# Months of outbox kept; a month still holding an unrelayed event stays whatever its age.
OUTBOX_RETENTION_MONTHS = env.int("OUTBOX_RETENTION_MONTHS", default=None)
CELERY_BEAT_SCHEDULE["partitions"] = {"task": "referrals.tasks.maintain_partitions", "schedule": 86400}
