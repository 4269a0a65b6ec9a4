"""Which language a request is answered in. The API follows Accept-Language (Django's
LocaleMiddleware, which runs first); pages for people (the console) and e-mails follow the
signed-in user's own `language`, unless the person has just chosen another one with the switcher
(Django's language cookie). Unknown or unsupported languages fall back to English."""

from django.conf import settings
from django.utils import translation

API_PATH_PREFIX = "/api/"


def user_language(user) -> str | None:
    """The user's chosen language when it is one the site speaks, else None. Tolerates users
    with no profile (and deployments where profiles do not exist yet): the language may sit on
    the user itself or on a one-to-one `profile`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    language = getattr(user, "language", None)
    if not language:
        try:
            language = getattr(getattr(user, "profile", None), "language", None)
        except Exception:
            language = None
    if not language:
        return None
    supported = {code for code, _name in settings.LANGUAGES}
    language = str(language).lower()
    return language if language in supported else None


def activate_user_language(user) -> str:
    """Activate the user's language (or the default one) for the current thread, e.g. before
    rendering an e-mail to them; returns the code activated. Use translation.override in loops."""
    language = user_language(user) or settings.LANGUAGE_CODE
    translation.activate(language)
    return language


class UserLanguageMiddleware:
    """After authentication: a signed-in person's pages come in their own language, unless they
    switched explicitly (the language cookie). API paths keep the language of Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.path.startswith(API_PATH_PREFIX)
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            language = user_language(getattr(request, "user", None))
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
