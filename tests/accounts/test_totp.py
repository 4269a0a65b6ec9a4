"""Two-factor authentication: enrolment and confirmation with a real code computed from the secret
the API hands out, then every login path asking for the code, single-use, counted by the lockout."""

from base64 import b32decode, b32encode
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.helpers import assert_problem
from tests.organisations.factories import PASSWORD, member, staff_user

from .helpers import (
    CONFIRM_URL,
    ENROL_URL,
    OFFICE,
    code_for,
    enrol,
    next_code,
    token_login,
    with_token,
    wrong_code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(ngo):
    return member(ngo, "caseworker", username="amara.caseworker")


@pytest.fixture
def signed_in(user):
    return with_token(token_login(user.username, PASSWORD).json()["token"])


def test_enrolment_hands_out_a_secret_and_its_otpauth_url(user, signed_in):
    response = signed_in.post(ENROL_URL)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"secret", "otpauth_url"}
    url = urlsplit(body["otpauth_url"])
    assert (url.scheme, url.netloc) == ("otpauth", "totp")
    assert parse_qs(url.query)["secret"] == [body["secret"]]
    assert len(b32decode(body["secret"])) >= 20  # 160 bits, from the operating system's generator
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # not on yet: logging in still needs no code
    assert token_login(user.username, PASSWORD).status_code == 200


def test_enrolling_again_replaces_the_unconfirmed_secret(user, signed_in):
    first = signed_in.post(ENROL_URL).json()["secret"]
    second = signed_in.post(ENROL_URL).json()["secret"]
    assert first != second
    assert TOTPDevice.objects.filter(user=user).count() == 1
    refused = signed_in.post(CONFIRM_URL, {"otp": code_for(first)}, format="json")
    assert_problem(refused, 400, "otp")
    assert signed_in.post(CONFIRM_URL, {"otp": code_for(second)}, format="json").json() == {"enabled": True}


def test_confirmation_with_a_wrong_or_missing_code_is_refused_naming_otp(user, signed_in):
    signed_in.post(ENROL_URL)
    assert_problem(signed_in.post(CONFIRM_URL, {"otp": wrong_code(user)}, format="json"), 400, "otp")
    assert_problem(signed_in.post(CONFIRM_URL, {"otp": "not a code"}, format="json"), 400, "otp")
    assert_problem(signed_in.post(CONFIRM_URL, {}, format="json"), 400, "otp")
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_confirming_without_enrolment_or_twice_is_a_conflict(user, signed_in):
    assert_problem(signed_in.post(CONFIRM_URL, {"otp": "123456"}, format="json"), 409)
    secret = signed_in.post(ENROL_URL).json()["secret"]
    assert signed_in.post(CONFIRM_URL, {"otp": code_for(secret)}, format="json").status_code == 200
    assert_problem(signed_in.post(CONFIRM_URL, {"otp": code_for(secret)}, format="json"), 409)


def test_once_on_the_second_factor_cannot_be_moved_by_enrolling_again(user, signed_in):
    """A stolen token must not let its thief put their own app in place of the owner's."""
    enrol(user, signed_in)
    assert_problem(signed_in.post(ENROL_URL), 409)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_needs_a_signed_in_user(db):
    assert_problem(APIClient().post(ENROL_URL), 401)
    assert_problem(APIClient().post(CONFIRM_URL, {"otp": "123456"}, format="json"), 401)


def test_confirming_revokes_the_other_tokens_but_not_the_one_used(user, signed_in):
    other = with_token(token_login(user.username, PASSWORD).json()["token"])
    enrol(user, signed_in)
    assert other.get("/api/v1/organisations/").status_code == 401
    assert signed_in.get("/api/v1/organisations/").status_code == 200


def test_token_login_needs_the_code_once_two_factor_is_on(user):
    enrol(user)
    missing = token_login(user.username, PASSWORD)
    body = assert_problem(missing, 400, "otp")
    assert body["errors"][0]["code"] == "required"
    wrong = token_login(user.username, PASSWORD, otp=wrong_code(user))
    assert_problem(wrong, 400, "otp")
    TOTPDevice.objects.get(user=user).throttle_reset()  # django-otp slows down guesses after a wrong code
    right = token_login(user.username, PASSWORD, otp=next_code(user))
    assert right.status_code == 200
    assert set(right.json()) == {"token", "expiry"}
    assert with_token(right.json()["token"]).get("/api/v1/organisations/").status_code == 200


def test_a_wrong_password_with_a_right_code_says_nothing_about_the_code(user):
    enrol(user)
    response = token_login(user.username, "not-the-password-at-all", otp=next_code(user))
    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] is None
    assert body["detail"] == "Unable to log in with the credentials provided."


def test_a_code_is_single_use(user):
    enrol(user)
    code = next_code(user)
    assert token_login(user.username, PASSWORD, otp=code).status_code == 200
    replayed = token_login(user.username, PASSWORD, otp=code)
    assert_problem(replayed, 400, "otp")
    assert AuthToken.objects.filter(user=user).count() == 1


def test_wrong_codes_count_for_the_lockout(user):
    """With the password known, the code is the last defence: guessing it locks the pair too."""
    enrol(user)
    for _ in range(4):
        assert token_login(user.username, PASSWORD, otp=wrong_code(user)).status_code == 400
        TOTPDevice.objects.get(user=user).throttle_reset()
    assert_problem(token_login(user.username, PASSWORD, otp=wrong_code(user)), 429)
    TOTPDevice.objects.get(user=user).throttle_reset()
    locked = token_login(user.username, PASSWORD, otp=next_code(user))
    assert_problem(locked, 429)
    assert int(locked["Retry-After"]) > 0


def test_django_otp_throttles_guesses_across_addresses(user):
    """Locking pairs gives an attacker five guesses per address; the device itself slows guessing
    down whatever the address (django-otp's throttling)."""
    enrol(user)
    assert token_login(user.username, PASSWORD, otp=wrong_code(user), address="192.0.2.1").status_code == 400
    # right at once, from elsewhere: still refused while the device's back-off lasts
    assert_problem(token_login(user.username, PASSWORD, otp=next_code(user), address="192.0.2.2"), 400, "otp")


@pytest.mark.parametrize("url", ["/api-auth/login/", "/admin/login/"])
def test_the_session_logins_need_the_code_too(reference_data, url):
    user = staff_user("platform.admin")
    enrol(user)
    client = Client(REMOTE_ADDR=OFFICE)
    without = client.post(url, {"username": user.username, "password": PASSWORD})
    assert without.status_code == 200
    assert without.context["form"].errors["otp"]
    assert "_auth_user_id" not in client.session
    signed_in = client.post(url, {"username": user.username, "password": PASSWORD, "otp": next_code(user)})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # the session was opened with a code, so it counts on the API
    assert client.get("/api/v1/organisations/").status_code == 200


def test_a_session_opened_before_enrolment_stops_working(user):
    client = APIClient()
    client.force_login(user)
    assert client.get("/api/v1/organisations/").status_code == 200
    enrol(user)
    response = client.get("/api/v1/organisations/")
    body = assert_problem(response, 403)
    assert "Sign in again" in body["detail"]


def test_confirming_in_a_session_keeps_that_session(user):
    client = APIClient()
    client.force_login(user)
    secret = client.post(ENROL_URL).json()["secret"]
    assert client.post(CONFIRM_URL, {"otp": code_for(secret)}, format="json").status_code == 200
    assert client.get("/api/v1/organisations/").status_code == 200


def test_codes_and_secrets_are_not_logged(user, caplog):
    caplog.set_level("DEBUG")
    client = with_token(token_login(user.username, PASSWORD).json()["token"])
    secret = client.post(ENROL_URL).json()["secret"]
    code = code_for(secret)
    client.post(CONFIRM_URL, {"otp": code}, format="json")
    token_login(user.username, PASSWORD, otp=wrong_code(user))
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert secret not in logged
    assert code not in logged
    assert PASSWORD not in logged


def test_the_admin_never_shows_a_device_secret(user, django_user_model):
    enrol(user)
    device = TOTPDevice.objects.get(user=user)
    superuser = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(superuser)
    for url in (f"/admin/otp_totp/totpdevice/{device.pk}/change/", "/admin/otp_totp/totpdevice/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert device.key not in page
        assert b32encode(device.bin_key).decode() not in page
        assert "qrcode" not in page
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
    # removing a lost phone's device is what an administrator can do
    assert client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
