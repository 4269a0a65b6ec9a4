"""Production: everything secret comes from the environment, and the process refuses to start
without it rather than run with a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# --- issue 11: privacy ---
# The development default of REFERRAL_SUBJECT_KEY is derived from a secret published with the code:
# with it, anyone could test guessed case ids against the subject hashes. Production has its own.
REFERRAL_SUBJECT_KEY = env("REFERRAL_SUBJECT_KEY", default="")
_DEVELOPMENT_SUBJECT_KEYS = {"subject:insecure-development-key-do-not-use-in-production", SECRET_KEY}
if (len(REFERRAL_SUBJECT_KEY) < 32 or REFERRAL_SUBJECT_KEY in _DEVELOPMENT_SUBJECT_KEYS
        or "insecure" in REFERRAL_SUBJECT_KEY or len(set(REFERRAL_SUBJECT_KEY)) < 10):
    raise ImproperlyConfigured(
        "REFERRAL_SUBJECT_KEY must be set to its own random value of at least 32 characters (not the development "
        "default, not SECRET_KEY); generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'. "
        "It is set once per deployment: changing it unlinks earlier referrals of the same person from later ones."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
WHITENOISE_USE_FINDERS = False
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))  # noqa: F405
if env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False):
    raise ImproperlyConfigured("WEBHOOK_ALLOW_PRIVATE_URLS must stay off in production.")
WEBHOOK_ALLOW_PRIVATE_URLS = False

# --- issue 11: logins ---
# Two-factor is compulsory in production for everyone who sees referrals (accounts.permissions).
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
# Production runs behind one TLS-terminating proxy (SECURE_PROXY_SSL_HEADER above trusts it): the
# client is the address it saw, not the proxy's, for the throttles and the login lockout alike.
# Set NUM_PROXIES=0 only where clients reach gunicorn directly.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": env.int("NUM_PROXIES", default=1)}  # noqa: F405
