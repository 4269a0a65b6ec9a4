"""The language switcher on every console page: Django's own set_language (the cookie, and back
to the page the person was on), and for a signed-in person the choice kept in their profile too,
so that their e-mails and their next session come in it. Anyone may switch: nothing to decide."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.views import View
from django.views.i18n import set_language

from accounts.services import profile_update

from .base import strict_csp


class LanguageView(View):
    http_method_names = ["post", "options"]

    def post(self, request):
        response = set_language(request)  # validates the code itself; a bad one changes nothing
        language = request.POST.get("language", "")
        if request.user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
            try:
                profile_update(user=request.user, data={"language": language})
            except ValidationError:  # the same check as set_language's: cannot happen, never a 500
                pass
        return response


language_view = strict_csp(LanguageView.as_view())
