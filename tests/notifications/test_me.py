"""GET/PATCH /api/v1/me/ for every kind of caller, and its refusals."""

import pytest

from accounts.models import Profile
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import staff_user
from tests.referrals.factories import analyst

pytestmark = pytest.mark.django_db

ADMIN_CAPABILITIES = [
    "organisations.act_for_organisation", "organisations.change_organisation", "organisations.manage_directory",
    "organisations.manage_members", "organisations.manage_webhooks", "organisations.view_confidential_locations",
]


@pytest.mark.parametrize(("who", "role", "capabilities"), [
    ("police_admin", "admin", ADMIN_CAPABILITIES),
    ("police_caseworker", "caseworker", ["organisations.act_for_organisation", "organisations.manage_directory",
                                         "organisations.view_confidential_locations"]),
    ("police_viewer", "viewer", ["organisations.view_confidential_locations"]),
])
def test_a_member_sees_their_organisation_role_and_capabilities(parties, who, role, capabilities):
    user = parties[who]
    response = client_for(user).get("/api/v1/me/")
    assert response.status_code == 200
    police = parties["police"]
    assert response.json() == {
        "id": user.pk, "username": user.username, "email": user.email, "language": "en", "time_zone": "UTC",
        "organisation": {"id": str(police.pk), "name": police.name, "kind": "government", "country": "TH"},
        "role": role, "capabilities": capabilities,
    }


def test_platform_staff_belong_to_no_organisation(reference_data):
    user = staff_user()
    body = client_for(user).get("/api/v1/me/").json()
    assert (body["organisation"], body["role"], body["capabilities"]) == (None, None, ["platform.administer_network"])


def test_an_analyst_holds_the_network_statistics(reference_data):
    body = client_for(analyst()).get("/api/v1/me/").json()
    assert (body["organisation"], body["role"]) == (None, None)
    assert body["capabilities"] == ["referrals.view_all_statistics"]


def test_no_credentials_is_401(api):
    assert_problem(api.get("/api/v1/me/"), 401)
    assert_problem(api.patch("/api/v1/me/", {"language": "th"}, format="json"), 401)


def test_patch_changes_language_time_zone_and_email(parties):
    user = parties["shelter_caseworker"]
    response = client_for(user).patch(
        "/api/v1/me/", {"language": "km", "time_zone": "Asia/Phnom_Penh", "email": "new.address@example.org"},
        format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["language"], body["time_zone"], body["email"]) == ("km", "Asia/Phnom_Penh", "new.address@example.org")
    user.refresh_from_db()
    assert user.email == "new.address@example.org"
    assert Profile.objects.get(user=user).language == "km"
    assert client_for(user).get("/api/v1/me/").json()["language"] == "km"


@pytest.mark.parametrize(("body", "field"), [
    ({"language": "xx"}, "language"),
    ({"language": "EN"}, "language"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"time_zone": "../../etc/passwd"}, "time_zone"),
    ({"time_zone": ""}, "time_zone"),
    ({"email": "not an address"}, "email"),
    ({"email": "a" * 300 + "@example.org"}, "email"),
    ({"language": 7}, "language"),
])
def test_patch_refuses_what_is_not_valid_and_changes_nothing(parties, body, field):
    user = parties["shelter_caseworker"]
    response = client_for(user).patch("/api/v1/me/", {**body, "language": body.get("language", "th")}
                                      if field != "language" else body, format="json")
    assert_problem(response, 400, field)
    user.refresh_from_db()
    assert user.email.endswith("@example.org")
    assert "not an address" not in user.email
    assert not Profile.objects.filter(user=user).exists()  # nothing half-written: not even the valid language


def test_username_organisation_and_role_cannot_be_patched(parties):
    user = parties["police_viewer"]
    response = client_for(user).patch("/api/v1/me/", {"username": "boss", "role": "admin"}, format="json")
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["role"]) == (user.username, "viewer")
