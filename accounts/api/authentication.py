"""The API's authentication classes, with the enrolment gate: a user who must enrol in two-factor
authentication (accounts.permissions.must_enrol) is authenticated, but every view except those
marked `allowed_before_enrolment` (enrolment, confirmation, logout) answers 403 saying where to
enrol. At authentication, because every API view authenticates with these classes, whatever
permission classes it has."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication as DRFSessionAuthentication

from api.authentication import TokenAuthentication as ToolkitTokenAuthentication

from ..permissions import require_enrolled, require_verified_session


def _gate(request, user, *, session: bool) -> None:
    view = (getattr(request, "parser_context", None) or {}).get("view")
    try:
        if session:
            is_verified = getattr(user, "is_verified", None)
            require_verified_session(user, bool(is_verified and is_verified()))
        if not getattr(view, "allowed_before_enrolment", False):
            require_enrolled(user)
    except DjangoPermissionDenied as denied:
        raise exceptions.PermissionDenied(str(denied)) from None


class TokenAuthentication(ToolkitTokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _gate(request, result[0], session=False)
        return result


class SessionAuthentication(DRFSessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _gate(request, result[0], session=True)
        return result
