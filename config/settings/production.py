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
