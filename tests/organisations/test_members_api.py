"""Members of an organisation: its admins onboard, re-role and remove them; everyone else is refused."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from organisations.models import Membership, MembershipEvent
from organisations.selectors import has_organisation_permission
from tests.conftest import client_for
from tests.helpers import assert_problem, error_fields

from .factories import PASSWORD, member

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "tamarind-monsoon-lantern-42"


def members_url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/members/"


def member_url(organisation, user) -> str:
    return f"{members_url(organisation)}{user.membership.pk}/"


def new_member(**overrides) -> dict:
    return {
        "username": "siriporn.k",
        "password": NEW_PASSWORD,
        "email": "siriporn@example.org",
        "role": "caseworker",
        **overrides,
    }


def login_name(organisation, name: str = "siriporn.k") -> str:
    """The login of a member added through the API: the name in the organisation's namespace."""
    return f"{name}@{organisation.pk.hex[:8]}"


def token_for(username: str, password: str = PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


# Adding -------------------------------------------------------------------------------------------


def test_admin_adds_a_member_and_the_password_is_never_returned(ngo, team):
    response = client_for(team["admin"]).post(members_url(ngo), new_member())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email", "role"}
    assert body["username"] == login_name(ngo)
    assert body["email"] == "siriporn@example.org"
    assert body["role"] == "caseworker"
    assert NEW_PASSWORD not in response.content.decode()

    membership = Membership.objects.select_related("user").get(pk=body["id"])
    assert membership.organisation == ngo
    assert membership.role == "caseworker"
    assert membership.user.check_password(NEW_PASSWORD)
    assert membership.user.password != NEW_PASSWORD


def test_new_member_logs_in_and_holds_the_rights_of_the_role(ngo, team):
    added = client_for(team["admin"]).post(members_url(ngo), new_member(role="caseworker")).json()
    user = User.objects.get(username=added["username"])
    assert has_organisation_permission(user, "organisations.manage_directory", ngo.pk)
    assert not has_organisation_permission(user, "organisations.manage_members", ngo.pk)
    assert APIClient().post("/api/v1/auth/token/", {"username": "siriporn.k", "password": NEW_PASSWORD},
                            format="json").status_code == 400  # the bare name is nobody's login
    token = token_for(added["username"], NEW_PASSWORD)
    assert token_client(token).get(members_url(ngo)).status_code == 200


def test_email_is_optional(ngo, team):
    body = new_member()
    del body["email"]
    response = client_for(team["admin"]).post(members_url(ngo), body)
    assert response.status_code == 201
    assert response.json()["email"] == ""


def test_platform_admin_onboards_the_first_admin_of_any_organisation(staff, other_ngo):
    response = client_for(staff).post(members_url(other_ngo), new_member(role="admin"))
    assert response.status_code == 201
    membership = Membership.objects.get(pk=response.json()["id"])
    assert membership.organisation == other_ngo
    assert membership.role == "admin"
    assert has_organisation_permission(membership.user, "organisations.manage_members", other_ngo.pk)


def test_platform_admin_lists_any_organisations_members(staff, ngo, team):
    response = client_for(staff).get(members_url(ngo))
    assert response.status_code == 200
    assert {row["username"] for row in response.json()["results"]} == {u.username for u in team.values()}


def test_platform_admin_gets_404_for_an_unknown_organisation(staff):
    response = client_for(staff).get("/api/v1/organisations/00000000-0000-0000-0000-000000000000/members/")
    assert_problem(response, 404)


# Refusals when adding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("short1!", id="too-short"),
        pytest.param("password123", id="common"),
        pytest.param("12345678901234", id="numeric"),
        pytest.param("siriporn.k1", id="like-the-username"),
    ],
)
def test_weak_password_is_400_naming_password(ngo, team, password):
    before = User.objects.count()
    response = client_for(team["admin"]).post(members_url(ngo), new_member(password=password))
    body = assert_problem(response, 400)
    assert error_fields(response) == {"password"}
    assert password not in response.content.decode()
    assert "password" in body["detail"]
    assert User.objects.count() == before
    assert not User.objects.filter(username="siriporn.k").exists()


@pytest.mark.parametrize("username", ["siriporn.k", "SIRIPORN.K"])
def test_a_name_taken_in_your_own_organisation_is_400(ngo, team, username):
    assert client_for(team["admin"]).post(members_url(ngo), new_member()).status_code == 201
    before = Membership.objects.count()
    again = new_member(username=username, password="x" + NEW_PASSWORD)
    response = client_for(team["admin"]).post(members_url(ngo), again)
    assert_problem(response, 400)
    assert error_fields(response) == {"username"}
    assert Membership.objects.count() == before
    assert User.objects.get(username=login_name(ngo)).check_password(NEW_PASSWORD)


def added_by(admin, organisation, name: str):
    with CaptureQueriesContext(connection) as queries:
        response = client_for(admin).post(members_url(organisation), new_member(username=name))
    return response, len(queries)


def test_adding_never_tells_whether_a_name_exists_in_another_organisation(ngo, other_ngo, team, other_team):
    """The finding: an admin probed usernames anywhere in the network through this path (a name
    taken elsewhere was refused, a free one accepted). A name in use in another organisation, as
    a login of its own and as a name in its namespace, and a name nobody has: the same answer."""
    member(other_ngo, "viewer", username="taken.user")
    client_for(other_team["admin"]).post(members_url(other_ngo), new_member(username="taken.elsewhere"))
    assert User.objects.filter(username=login_name(other_ngo, "taken.elsewhere")).exists()

    added_by(team["admin"], ngo, "warm.up")  # the first request of a test fills caches the others find full
    answers = {name: added_by(team["admin"], ngo, name) for name in ("taken.user", "taken.elsewhere", "ghost.user")}

    shapes = set()
    for name, (response, queries) in answers.items():
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["username"] == login_name(ngo, name)
        shapes.add((response.status_code, tuple(sorted(body)), body["role"], body["email"],
                    response["Content-Type"], queries))
    assert len(shapes) == 1, shapes  # same status, same body but for the name, same work
    # The other organisation's accounts are untouched and stay theirs.
    for login in ("taken.user", login_name(other_ngo, "taken.elsewhere")):
        existing = User.objects.get(username=login)
        assert existing.membership.organisation == other_ngo
    assert User.objects.get(username="taken.user").check_password(PASSWORD)


def test_a_bare_login_of_another_organisation_cannot_be_claimed(ngo, other_ngo, team):
    victim = member(other_ngo, "admin", username="victim.admin")
    response = client_for(team["admin"]).post(members_url(ngo), new_member(username="victim.admin", role="admin"))
    assert response.status_code == 201
    assert response.json()["username"] != "victim.admin"
    victim.refresh_from_db()
    assert victim.membership.organisation == other_ngo
    assert victim.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"role": "owner"}, "role", id="unknown-role"),
        pytest.param({"role": None}, "role", id="null-role"),
        pytest.param({"username": "has space"}, "username", id="space-in-username"),
        pytest.param({"username": "nul\x00byte"}, "username", id="nul-in-username"),
        pytest.param({"username": "u" * 10_000}, "username", id="10k-username"),
        pytest.param({"username": ""}, "username", id="empty-username"),
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
        pytest.param({"email": "a\x00@example.org"}, "email", id="nul-in-email"),
        pytest.param({"password": ""}, "password", id="empty-password"),
        pytest.param({"password": "p" * 10_000}, "password", id="10k-password"),
        pytest.param({"password": "nul\x00tamarind-monsoon"}, "password", id="nul-in-password"),
    ],
)
def test_bad_member_input_is_400_and_creates_nobody(ngo, team, change, field):
    before = User.objects.count()
    response = client_for(team["admin"]).post(members_url(ngo), new_member(**change))
    assert_problem(response, 400)
    assert field in error_fields(response)
    assert User.objects.count() == before


@pytest.mark.parametrize("missing", ["username", "password", "role"])
def test_missing_member_field_is_400(ngo, team, missing):
    body = new_member()
    del body[missing]
    response = client_for(team["admin"]).post(members_url(ngo), body)
    assert_problem(response, 400)
    assert error_fields(response) == {missing}


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_caseworker_and_viewer_list_but_may_not_add(ngo, team, role):
    client = client_for(team[role])
    listing = client.get(members_url(ngo))
    assert listing.status_code == 200
    assert listing.json()["count"] == 3

    before = User.objects.count()
    assert_problem(client.post(members_url(ngo), new_member()), 403)
    assert User.objects.count() == before


def test_another_organisations_members_do_not_exist_for_you(ngo, other_ngo, team, other_team):
    client = client_for(team["admin"])
    assert_problem(client.get(members_url(other_ngo)), 404)
    assert_problem(client.get(member_url(other_ngo, other_team["viewer"])), 404)
    before = User.objects.count()
    assert_problem(client.post(members_url(other_ngo), new_member()), 404)
    assert User.objects.count() == before


def test_another_organisations_member_is_not_reachable_through_your_own_url(ngo, team, other_team):
    """A membership id of another organisation under your organisation's URL is 404 too."""
    victim = other_team["caseworker"]
    url = f"{members_url(ngo)}{victim.membership.pk}/"
    client = client_for(team["admin"])
    assert_problem(client.get(url), 404)
    assert_problem(client.patch(url, {"role": "viewer"}), 404)
    assert_problem(client.delete(url), 404)
    victim.refresh_from_db()
    assert victim.is_active
    assert victim.membership.role == "caseworker"


def test_anonymous_is_401(api, ngo, team):
    assert_problem(api.get(members_url(ngo)), 401)
    assert_problem(api.post(members_url(ngo), new_member()), 401)
    assert_problem(api.delete(member_url(ngo, team["viewer"])), 401)
    assert not User.objects.filter(username="siriporn.k").exists()
    assert Membership.objects.filter(pk=team["viewer"].membership.pk).exists()


# Listing ------------------------------------------------------------------------------------------


def test_list_shows_every_member_and_no_password(ngo, team, other_team):
    response = client_for(team["viewer"]).get(members_url(ngo))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["username"]: row["role"] for row in rows} == {
        team["admin"].username: "admin",
        team["caseworker"].username: "caseworker",
        team["viewer"].username: "viewer",
    }
    for row in rows:
        assert set(row) == {"id", "username", "email", "role"}


def test_member_detail(ngo, team):
    response = client_for(team["viewer"]).get(member_url(ngo, team["caseworker"]))
    assert response.status_code == 200
    assert response.json()["username"] == team["caseworker"].username
    assert response.json()["role"] == "caseworker"


# Changing roles -----------------------------------------------------------------------------------


def test_admin_changes_a_role_and_the_rights_follow(ngo, team):
    caseworker = team["caseworker"]
    assert has_organisation_permission(caseworker, "organisations.manage_directory", ngo.pk)
    response = client_for(team["admin"]).patch(member_url(ngo, caseworker), {"role": "viewer"})
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"
    fresh = User.objects.get(pk=caseworker.pk)
    assert fresh.membership.role == "viewer"
    assert not has_organisation_permission(fresh, "organisations.manage_directory", ngo.pk)
    assert has_organisation_permission(fresh, "organisations.view_confidential_locations", ngo.pk)


def test_promoted_viewer_may_then_manage_members(ngo, team):
    viewer = team["viewer"]
    assert client_for(team["admin"]).patch(member_url(ngo, viewer), {"role": "admin"}).status_code == 200
    fresh = User.objects.get(pk=viewer.pk)
    response = client_for(fresh).post(members_url(ngo), new_member())
    assert response.status_code == 201


@pytest.mark.parametrize("body", [{"role": "owner"}, {"role": ""}, {}, {"role": "admin\x00"}])
def test_bad_role_change_is_400(ngo, team, body):
    response = client_for(team["admin"]).patch(member_url(ngo, team["viewer"]), body)
    assert_problem(response, 400)
    assert "role" in error_fields(response)
    assert Membership.objects.get(user=team["viewer"]).role == "viewer"


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_caseworker_and_viewer_may_not_change_roles(ngo, team, role):
    response = client_for(team[role]).patch(member_url(ngo, team["viewer"]), {"role": "admin"})
    assert_problem(response, 403)
    assert Membership.objects.get(user=team["viewer"]).role == "viewer"


def test_put_is_not_allowed(ngo, team):
    response = client_for(team["admin"]).put(member_url(ngo, team["viewer"]), new_member(role="admin"))
    assert_problem(response, 405)
    assert Membership.objects.get(user=team["viewer"]).role == "viewer"


# Removing -----------------------------------------------------------------------------------------


def test_admin_removes_a_member_whose_token_stops_working_at_once(ngo, team):
    caseworker = team["caseworker"]
    token = token_for(caseworker.username)
    victim_client = token_client(token)
    assert victim_client.get(members_url(ngo)).status_code == 200

    response = client_for(team["admin"]).delete(member_url(ngo, caseworker))
    assert response.status_code == 204
    assert response.content == b""

    assert_problem(victim_client.get(members_url(ngo)), 401)
    assert_problem(victim_client.get("/api/v1/organisations/"), 401)
    caseworker.refresh_from_db()
    assert caseworker.is_active is False
    assert not Membership.objects.filter(user=caseworker).exists()
    assert not AuthToken.objects.filter(user=caseworker).exists()
    assert not caseworker.groups.exists()
    # Nor can they log in again.
    login = APIClient().post(
        "/api/v1/auth/token/", {"username": caseworker.username, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 400


def test_removed_member_is_gone_from_the_list(ngo, team):
    client = client_for(team["admin"])
    client.delete(member_url(ngo, team["viewer"]))
    usernames = {row["username"] for row in client.get(members_url(ngo)).json()["results"]}
    assert usernames == {team["admin"].username, team["caseworker"].username}


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_caseworker_and_viewer_may_not_remove(ngo, team, role):
    target = team["admin"]
    assert_problem(client_for(team[role]).delete(member_url(ngo, target)), 403)
    target.refresh_from_db()
    assert target.is_active
    assert Membership.objects.filter(user=target).exists()


def test_admin_may_not_remove_themselves(ngo, team):
    admin = team["admin"]
    assert_problem(client_for(admin).delete(member_url(ngo, admin)), 403)
    admin.refresh_from_db()
    assert admin.is_active
    assert Membership.objects.filter(user=admin).exists()


def test_platform_admin_removes_a_member_of_any_organisation(staff, ngo, team):
    response = client_for(staff).delete(member_url(ngo, team["viewer"]))
    assert response.status_code == 204
    assert not Membership.objects.filter(user=team["viewer"]).exists()


def test_every_membership_change_is_kept_with_whose_hand_it_was(ngo, team):
    """Membership opens referrals: joining, a new role and leaving are each recorded, by whom,
    and the database refuses to rewrite the record."""
    admin = team["admin"]
    client = client_for(admin)
    created = client.post(members_url(ngo), new_member(), format="json")
    assert created.status_code == 201, created.content
    joined = User.objects.get(username=created.json()["username"])
    client.patch(member_url(ngo, joined), {"role": "viewer"}, format="json")
    client.patch(member_url(ngo, joined), {"role": "viewer"}, format="json")  # no change, no record
    assert client.delete(member_url(ngo, joined)).status_code == 204

    trail = list(MembershipEvent.objects.filter(member=joined).values_list("action", "role", "by", "organisation"))
    assert trail == [("added", "caseworker", admin.pk, ngo.pk), ("role_changed", "viewer", admin.pk, ngo.pk),
                     ("removed", "viewer", admin.pk, ngo.pk)]
    with pytest.raises(DatabaseError), transaction.atomic():
        MembershipEvent.objects.filter(member=joined).update(role="admin")
    with pytest.raises(DatabaseError), transaction.atomic():
        MembershipEvent.objects.filter(member=joined).delete()


def test_a_refused_change_leaves_no_record(ngo, team):
    before = MembershipEvent.objects.count()
    response = client_for(team["caseworker"]).post(members_url(ngo), new_member(), format="json")
    assert response.status_code == 403
    weak = client_for(team["admin"]).post(members_url(ngo), new_member(password="short"), format="json")
    assert weak.status_code == 400
    assert MembershipEvent.objects.count() == before
