from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

OTP_HELP = "The 6-digit code your authenticator app shows now."


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=16, required=False, allow_blank=True,
        help_text=f"{OTP_HELP} Required once two-factor authentication is on for the account.",
    )


class CodeSerializer(serializers.Serializer):
    otp = serializers.CharField(max_length=16, help_text=OTP_HELP)


TokenResponseSerializer = inline_serializer(
    name="Token",
    fields={
        "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(allow_null=True),
    },
)

TotpEnrolmentSerializer = inline_serializer(
    name="TotpEnrolment",
    fields={
        "secret": serializers.CharField(help_text="The shared secret (base32), to type into the app."),
        "otpauth_url": serializers.CharField(help_text="The same as an `otpauth://` URL, for a QR code."),
    },
)

TotpConfirmedSerializer = inline_serializer(
    name="TotpConfirmed", fields={"enabled": serializers.BooleanField()},
)
