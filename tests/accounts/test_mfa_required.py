"""MFA_REQUIRED (on in production): everyone who sees referrals must turn two-factor on, and until
then reaches only the enrolment endpoints, whichever way they signed in."""

import pytest
from django.test import Client

from accounts.permissions import mfa_required_for
from tests.helpers import assert_problem
from tests.organisations.factories import PASSWORD, member, staff_user
from tests.referrals.factories import analyst

from .helpers import CONFIRM_URL, ENROL_URL, OFFICE, code_for, enrol, next_code, token_login, with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def caseworker(ngo):
    return member(ngo, "caseworker", username="amara.caseworker")


def signed_in(user):
    response = token_login(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return with_token(response.json()["token"])


def test_an_unenrolled_caseworker_reaches_only_the_enrolment(required, caseworker):
    client = signed_in(caseworker)
    for url in ("/api/v1/referrals/", "/api/v1/organisations/", "/api/v1/services/"):
        body = assert_problem(client.get(url), 403)
        assert "/api/v1/auth/mfa/totp/" in body["detail"]
    assert_problem(client.post("/api/v1/referrals/", {}, format="json"), 403)
    secret = client.post(ENROL_URL).json()["secret"]
    assert client.post(CONFIRM_URL, {"otp": code_for(secret)}, format="json").status_code == 200
    # the token that confirmed is now a full one; the next login needs the code
    assert client.get("/api/v1/referrals/").status_code == 200
    assert_problem(token_login(caseworker.username, PASSWORD), 400, "otp")
    fresh = token_login(caseworker.username, PASSWORD, otp=next_code(caseworker))
    assert with_token(fresh.json()["token"]).get("/api/v1/referrals/").status_code == 200


def test_an_unenrolled_user_may_still_sign_out(required, caseworker):
    client = signed_in(caseworker)
    assert client.post("/api/v1/auth/logout/").status_code == 204


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_every_role_of_an_organisation_must_enrol(required, ngo, role):
    user = member(ngo, role)
    assert mfa_required_for(user)
    assert_problem(signed_in(user).get("/api/v1/organisations/"), 403)


def test_platform_administrators_must_enrol(required, reference_data):
    """They onboard members into any organisation: a way to its referrals."""
    staff = staff_user()
    assert mfa_required_for(staff)
    assert_problem(signed_in(staff).get("/api/v1/organisations/"), 403)
    enrol(staff)
    fresh = token_login(staff.username, PASSWORD, otp=next_code(staff))
    assert with_token(fresh.json()["token"]).get("/api/v1/organisations/").status_code == 200


def test_analysts_need_not_enrol(required, reference_data):
    """Noisy network-wide statistics, no referral content."""
    reader = analyst()
    assert not mfa_required_for(reader)
    assert signed_in(reader).get("/api/v1/stats/referrals/?group_by=urgency").status_code == 200


def test_off_by_default_outside_production(caseworker):
    assert not mfa_required_for(caseworker)
    assert signed_in(caseworker).get("/api/v1/referrals/").status_code == 200


@pytest.mark.parametrize("url", ["/api-auth/login/", "/admin/login/"])
def test_a_session_is_no_way_around_enrolment(required, reference_data, url):
    staff = staff_user("platform.admin")
    client = Client(REMOTE_ADDR=OFFICE)
    refused = client.post(url, {"username": staff.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "/api/v1/auth/mfa/totp/" in " ".join(refused.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    enrol(staff)
    assert client.post(url, {"username": staff.username, "password": PASSWORD,
                             "otp": next_code(staff)}).status_code == 302


def test_a_session_of_an_unenrolled_user_is_gated_like_a_token(required, caseworker):
    client = Client()
    client.force_login(caseworker)
    assert_problem(client.get("/api/v1/referrals/"), 403)
    assert client.post(ENROL_URL).status_code == 200
