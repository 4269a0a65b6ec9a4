"""Signing in as the tests' attackers and users do: real requests, from chosen addresses, with
codes computed from the enrolled secret."""

import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

TOKEN_URL = "/api/v1/auth/token/"
ENROL_URL = "/api/v1/auth/mfa/totp/"
CONFIRM_URL = "/api/v1/auth/mfa/totp/confirm/"
OFFICE = "203.0.113.10"  # an NGO office: everyone behind one NAT address
ELSEWHERE = "198.51.100.77"


def token_login(username: str, password: str, *, address: str = OFFICE, forwarded_for: str | None = None,
                **fields):
    meta = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **fields},
                            format="json", REMOTE_ADDR=address, **meta)


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def code_for(secret: str, *, step: int = 30, digits: int = 6, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows, from the base32 secret the API handed out."""
    totp = TOTP(b32decode(secret), step=step, digits=digits)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():0{digits}d}"


def next_code(user) -> str:
    """A code of a time step the user's device has not accepted yet (codes are single-use), and
    that it accepts now (within its tolerance of one step)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    now = TOTP(device.bin_key, device.step, device.t0, device.digits).t()
    target = max(device.last_t + 1, now)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = device.t0 + target * device.step + 1
    return f"{totp.token():0{device.digits}d}"


def enrol(user, client: APIClient | None = None) -> str:
    """Turn two-factor on for the user through the API; returns the secret."""
    if client is None:
        client = APIClient()
        client.force_authenticate(user)
    secret = client.post(ENROL_URL).json()["secret"]
    response = client.post(CONFIRM_URL, {"otp": code_for(secret)}, format="json")
    assert response.status_code == 200, response.content
    return secret


def wrong_code(user) -> str:
    """A code the user's device refuses now: none of those of the steps it would accept."""
    device = TOTPDevice.objects.get(user=user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = totp.t()
    accepted = set()
    for t in range(now - device.tolerance - 1, now + device.tolerance + 2):
        totp.time = device.t0 + t * device.step + 1
        accepted.add(f"{totp.token():0{device.digits}d}")
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in accepted)
