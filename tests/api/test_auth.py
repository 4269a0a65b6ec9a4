"""Token login and logout (knox), and what an unauthenticated caller gets."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.organisations.factories import PASSWORD, member

pytestmark = pytest.mark.django_db

User = get_user_model()
TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
PROTECTED_URL = "/api/v1/organisations/"


@pytest.fixture
def user(ngo):
    return member(ngo, "caseworker", username="amara.caseworker")


def login(username: str, password: str):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def client_with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_login_returns_a_token_and_its_expiry(user):
    before = timezone.now()
    response = login("amara.caseworker", PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    assert isinstance(body["token"], str)
    assert len(body["token"]) >= 32
    expiry = parse_datetime(body["expiry"])
    assert before + timedelta(hours=9) < expiry <= timezone.now() + timedelta(hours=10, minutes=1)
    assert AuthToken.objects.filter(user=user).count() == 1


def test_the_token_authenticates_requests(user):
    token = login("amara.caseworker", PASSWORD).json()["token"]
    response = client_with_token(token).get(PROTECTED_URL)
    assert response.status_code == 200
    assert "results" in response.json()


def test_the_token_is_not_stored_in_clear(user):
    token = login("amara.caseworker", PASSWORD).json()["token"]
    stored = AuthToken.objects.get(user=user)
    assert stored.digest != token
    assert token not in stored.digest


def test_wrong_password_and_unknown_user_get_the_same_answer(user):
    wrong_password = login("amara.caseworker", "not-the-password-at-all")
    unknown_user = login("nobody.at.all", "not-the-password-at-all")
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password["Content-Type"] == unknown_user["Content-Type"] == "application/problem+json"
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.json()["errors"][0]["message"] == "Unable to log in with the credentials provided."
    assert not AuthToken.objects.exists()


def test_inactive_user_cannot_log_in_and_learns_nothing_more(user):
    user.is_active = False
    user.save()
    refused = login("amara.caseworker", PASSWORD)
    unknown_user = login("nobody.at.all", PASSWORD)
    assert refused.status_code == 400
    assert refused.json() == unknown_user.json()
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "amara.caseworker"}, {"password": PASSWORD}, {"username": "", "password": ""}],
)
def test_login_with_missing_fields_is_a_problem(user, body):
    response = APIClient().post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]
    assert not AuthToken.objects.exists()


def test_logout_revokes_the_token_at_once(user):
    token = login("amara.caseworker", PASSWORD).json()["token"]
    client = client_with_token(token)
    assert client.get(PROTECTED_URL).status_code == 200

    response = client.post(LOGOUT_URL)
    assert response.status_code == 204
    assert not AuthToken.objects.filter(user=user).exists()

    after = client.get(PROTECTED_URL)
    assert after.status_code == 401
    assert after["Content-Type"] == "application/problem+json"


def test_logout_revokes_only_the_token_sent(user):
    first = login("amara.caseworker", PASSWORD).json()["token"]
    second = login("amara.caseworker", PASSWORD).json()["token"]
    assert client_with_token(first).post(LOGOUT_URL).status_code == 204
    assert client_with_token(first).get(PROTECTED_URL).status_code == 401
    assert client_with_token(second).get(PROTECTED_URL).status_code == 200


def test_logout_without_a_token_is_unauthorised():
    response = APIClient().post(LOGOUT_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_no_token_is_401_problem_json(reference_data):
    response = APIClient().get(PROTECTED_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "Unauthorized"
    assert body["detail"]
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-real-token",
        "Token",
        "Token a b",
        "Token \u00e9\u00e9\u00e9",
    ],
)
def test_bad_token_is_401_problem_json(user, header):
    login("amara.caseworker", PASSWORD)  # a real token exists; the forged ones must not match it
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PROTECTED_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_expired_token_is_refused(user):
    token = login("amara.caseworker", PASSWORD).json()["token"]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client_with_token(token).get(PROTECTED_URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_token_of_a_deactivated_user_stops_working(user):
    token = login("amara.caseworker", PASSWORD).json()["token"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client_with_token(token).get(PROTECTED_URL).status_code == 401


def test_authenticated_user_without_organisation_is_forbidden(reference_data):
    User.objects.create_user(username="drifter", password=PASSWORD)
    token = login("drifter", PASSWORD).json()["token"]
    response = client_with_token(token).get(PROTECTED_URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_login_opens_no_session(user):
    """Signing in for a token tells axes and Django it happened (last_login), and nothing more:
    no session, no cookie."""
    response = login("amara.caseworker", PASSWORD)
    assert response.status_code == 200
    assert not response.cookies
    user.refresh_from_db()
    assert user.last_login is not None


def test_the_login_body_may_carry_an_otp_that_is_not_needed(user):
    """Before two-factor is on, a client that always sends the field still signs in."""
    response = APIClient().post(TOKEN_URL, {"username": "amara.caseworker", "password": PASSWORD, "otp": ""},
                                format="json")
    assert response.status_code == 200
