"""OWASP API4 (resource consumption) and the authentication rules: every limit answers cleanly."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import PASSWORD, OrganisationFactory, member
from tests.referrals.factories import referral_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(reference_data):
    return member(OrganisationFactory(kind="government"), "caseworker")


@pytest.fixture
def tight_rates(monkeypatch):
    """DRF reads the rates once, at import: patch the class attribute, and start from a clean cache."""
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min", "ip": "8/min"}
    )
    yield
    cache.clear()


def test_a_body_over_the_limit_is_refused_with_413(caseworker, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps(referral_payload(notes="x" * 20_000))
    response = client_for(caseworker).post("/api/v1/referrals/", body, content_type="application/json")
    assert_problem(response, 413)


def test_requests_per_user_are_limited_with_retry_after(caseworker, tight_rates):
    client = client_for(caseworker)
    statuses = [client.get("/api/v1/services/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/v1/services/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_requests_per_address_are_limited_across_accounts(reference_data, tight_rates):
    organisation = OrganisationFactory()
    users = [member(organisation, "viewer") for _ in range(3)]
    statuses = [client_for(user).get("/api/v1/services/").status_code for user in users for _ in range(3)]
    assert statuses.count(429) == 1  # the ninth request from one address, though no user made more than 3


def test_password_guessing_locks_the_pair_not_the_address(caseworker, reference_data):
    """The old per-address login limit (10 a minute) locked everyone behind the guesser's address
    out, right passwords included. Guessing now locks the pair (username, address) (django-axes,
    tests/accounts); colleagues at that address sign in, far more than ten of them in a minute."""
    office = "203.0.113.10"
    client = APIClient(REMOTE_ADDR=office)
    attempts = [
        client.post("/api/v1/auth/token/", {"username": caseworker.username, "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert attempts == [400] * 4 + [429, 429]
    right = client.post("/api/v1/auth/token/", {"username": caseworker.username, "password": PASSWORD})
    assert_problem(right, 429)  # even the right password waits: guessing cannot continue by alternating
    assert int(right["Retry-After"]) > 0
    colleagues = [member(OrganisationFactory(), "caseworker") for _ in range(12)]
    statuses = [client.post("/api/v1/auth/token/", {"username": colleague.username, "password": PASSWORD}).status_code
                for colleague in colleagues]
    assert statuses == [200] * 12


def test_logins_stay_under_the_general_anonymous_ceiling(caseworker, tight_rates):
    """What remains per address is the API's ceiling for anonymous requests (THROTTLE_ANON,
    60 a minute by default): no office reaches it by signing in (a token lasts TOKEN_TTL_HOURS),
    while spraying one password over many usernames from one address is slowed down."""
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": caseworker.username, "password": PASSWORD}).status_code
        for _ in range(4)
    ]
    assert statuses == [200] * 3 + [429]
    assert_problem(client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}), 429)


@pytest.mark.parametrize(("field", "value"), [
    ("needs", ["shelter"] * 21),
    ("exploitation_types", ["labour"] * 9),
    ("indicators", ["deception"] * 21),
    ("profile", {"age_band": "18-20", "gender": "female", "languages": ["en"] * 21}),
])
def test_arrays_have_a_length_limit(caseworker, field, value):
    response = client_for(caseworker).post("/api/v1/referrals/", referral_payload(**{field: value}), format="json")
    assert_problem(response, 400, field)


def test_geometries_have_a_vertex_limit(reference_data):
    organisation = OrganisationFactory()
    user = member(organisation, "caseworker")
    ring = [[100 + i * 1e-5, 13.0] for i in range(25_000)] + [[100.5, 13.5], [100.0, 13.0]]
    response = client_for(user).post("/api/v1/coverage-areas/", {
        "organisation": str(organisation.pk), "services": ["shelter"],
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }, format="json")
    body = assert_problem(response, 400, "geometry")
    assert "vertices" in body["errors"][0]["message"]


def test_database_statements_have_a_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "15s"


def test_an_expired_token_is_refused(caseworker):
    instance, token = AuthToken.objects.create(caseworker, timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/services/").status_code == 401


def test_a_deactivated_user_loses_access_at_once(caseworker):
    _, token = AuthToken.objects.create(caseworker, timedelta(hours=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/services/").status_code == 200
    caseworker.is_active = False
    caseworker.save()
    assert client.get("/api/v1/services/").status_code == 401


def test_security_headers_and_a_strict_policy_on_the_docs(caseworker):
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    html = response.content.decode()
    assert "<script>" not in html.replace(" ", "")  # no inline script: the policy forbids it
    assert "cdn" not in html.lower()


def test_cross_origin_requests_are_closed_by_default_and_configurable(caseworker, settings):
    client = client_for(caseworker)
    origin = "https://partner.example.org"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/services/", HTTP_ORIGIN=origin)
    settings.CORS_ALLOWED_ORIGINS = [origin]
    assert client.get("/api/v1/services/", HTTP_ORIGIN=origin)["Access-Control-Allow-Origin"] == origin
