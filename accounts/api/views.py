"""Token login and logout, and turning two-factor authentication on.

Tokens are knox tokens: stored hashed, expiring after TOKEN_TTL_HOURS, revocable one by one
(logout) or all at once. The login refusals (wrong credentials, wrong code, lockout) are answered
with a response rather than raised: raising rolls the request's transaction back, and with it the
failure django-axes has just recorded, which would make the lockout count nothing."""

from base64 import b32encode

from django.contrib.auth.signals import user_logged_in
from django_otp import login as otp_login
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import PROBLEM_CONTENT_TYPE, ProblemSerializer, problem, problem_responses

from .. import services
from .serializers import (
    CodeSerializer,
    LoginSerializer,
    TokenResponseSerializer,
    TotpConfirmedSerializer,
    TotpEnrolmentSerializer,
)

LOGIN_REFUSED = OpenApiResponse(
    ProblemSerializer,
    description="Invalid input, wrong credentials, or a code missing or wrong (`errors` names `otp`).",
)
LOCKED_OUT = OpenApiResponse(
    ProblemSerializer,
    description="Too many failed sign-ins for this username from this address: `detail` says when to try "
                "again, and so does the `Retry-After` header (seconds).",
)


def _refused(refused: services.LoginRefused) -> Response:
    errors = [{"field": refused.field, "message": str(refused), "code": refused.code}]
    detail = f"Invalid input: {refused.field}." if refused.field else str(refused)
    return Response(problem(400, detail, errors=errors), status=400, content_type=PROBLEM_CONTENT_TYPE)


def _locked_out(locked: services.LoginLockedOut) -> Response:
    return Response(problem(429, str(locked)), status=429, content_type=PROBLEM_CONTENT_TYPE,
                    headers={"Retry-After": str(locked.retry_after)})


class LoginView(APIView):
    """Exchange a username and password (and, once two-factor is on, a code) for an API token.

    A username is locked from one address after LOGIN_FAILURE_LIMIT failures (wrong passwords or
    codes) for LOGIN_LOCKOUT_MINUTES; others signing in from that address are not affected."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(tags=["auth"], operation_id="auth_token_create", request=LoginSerializer,
                   responses={200: TokenResponseSerializer, (400, PROBLEM_CONTENT_TYPE): LOGIN_REFUSED,
                              (429, PROBLEM_CONTENT_TYPE): LOCKED_OUT})
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            signed_in = services.login(request=request, username=data["username"], password=data["password"],
                                       otp=data.get("otp", ""))
        except services.LoginRefused as refused:
            return _refused(refused)
        except services.LoginLockedOut as locked:
            return _locked_out(locked)
        instance, token = AuthToken.objects.create(signed_in.user, knox_settings.TOKEN_TTL)
        # as a session login does: axes clears the pair's earlier failures, Django sets last_login
        user_logged_in.send(sender=type(signed_in.user), request=request, user=signed_in.user)
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """Revoke the token used for this request."""

    permission_classes = [IsAuthenticated]
    allowed_before_enrolment = True

    @extend_schema(tags=["auth"], operation_id="auth_logout", request=None,
                   responses={204: None, **problem_responses(401)})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpEnrolView(APIView):
    """Start enrolment in two-factor authentication: a new TOTP secret for an authenticator app.

    Calling again replaces a secret not yet confirmed. Refused with 409 once two-factor is on (a
    stolen session cannot move the second factor; turning it off is for an administrator)."""

    permission_classes = [IsAuthenticated]
    allowed_before_enrolment = True

    @extend_schema(tags=["auth"], operation_id="auth_mfa_totp_create", request=None,
                   responses={200: TotpEnrolmentSerializer, **problem_responses(409)})
    def post(self, request):
        device = services.totp_enrol(user=request.user)
        return Response({"secret": b32encode(device.bin_key).decode(), "otpauth_url": device.config_url})


class TotpConfirmView(APIView):
    """Turn two-factor authentication on with a code from the enrolled app. From then on every
    login needs a code, and the account's other tokens are revoked."""

    permission_classes = [IsAuthenticated]
    allowed_before_enrolment = True

    @extend_schema(tags=["auth"], operation_id="auth_mfa_totp_confirm", request=CodeSerializer,
                   responses={200: TotpConfirmedSerializer, **problem_responses(409)})
    def post(self, request):
        serializer = CodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        current = request.auth if isinstance(request.auth, AuthToken) else None
        device = services.totp_confirm(user=request.user, otp=serializer.validated_data["otp"], keep_token=current)
        if current is None:
            # a session: the person who opened it just proved the code, so it stays valid
            otp_login(request._request, device)
        return Response({"enabled": True})


