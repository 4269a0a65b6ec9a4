"""Token login and logout. Tokens are knox tokens: stored hashed, expiring after TOKEN_TTL_HOURS,
revocable one by one (logout) or all at once."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .errors import problem_responses


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        user = authenticate(
            request=self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        # One message for a wrong name, a wrong password and a disabled account: no enumeration.
        if user is None or not user.is_active:
            raise serializers.ValidationError("Unable to log in with the credentials provided.", code="authorization")
        attrs["user"] = user
        return attrs


TokenResponseSerializer = inline_serializer(
    name="Token",
    fields={
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(allow_null=True),
    },
)


class LoginView(APIView):
    """Exchange a username and password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(tags=["auth"], operation_id="auth_token_create", request=LoginSerializer,
                   responses={200: TokenResponseSerializer})
    def post(self, request):
        serializer = LoginSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        instance, token = AuthToken.objects.create(serializer.validated_data["user"], knox_settings.TOKEN_TTL)
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class LogoutView(APIView):
    """Revoke the token used for this request."""

    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["auth"], operation_id="auth_logout", request=None,
                   responses={204: None, **problem_responses(401)})
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
