"""The directory of organisations: who reads, who registers, who edits, who verifies."""

import pytest
from django.contrib.auth import get_user_model

from organisations.models import Organisation
from tests.conftest import client_for
from tests.helpers import assert_problem, error_fields

from .factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = "/api/v1/organisations/"
FIELDS = {"id", "name", "kind", "country", "verified", "identifies_victims", "focal_point", "description", "website"}


def detail(organisation) -> str:
    return f"{URL}{organisation.pk}/"


# Reading ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_every_member_lists_the_directory(ngo, other_ngo, government, team, role):
    response = client_for(team[role]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert {row["name"] for row in body["results"]} == {ngo.name, other_ngo.name, government.name}
    for row in body["results"]:
        assert set(row) == FIELDS


def test_member_reads_another_organisation(other_ngo, team):
    response = client_for(team["viewer"]).get(detail(other_ngo))
    assert response.status_code == 200
    assert response.json() == {
        "id": str(other_ngo.pk),
        "name": "Mekong Legal Aid",
        "kind": "ngo",
        "country": "TH",
        "verified": True,
        "identifies_victims": False,
        "description": "",
        "website": "",
        "focal_point": False,
    }


def test_platform_admin_reads_the_directory(ngo, staff):
    response = client_for(staff).get(URL)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(ngo.pk)]


def test_unknown_organisation_is_404(team):
    response = client_for(team["viewer"]).get(f"{URL}00000000-0000-0000-0000-000000000000/")
    assert_problem(response, 404)


def test_malformed_id_is_404(team):
    assert_problem(client_for(team["viewer"]).get(f"{URL}not-a-uuid/"), 404)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "government"}, {"Royal Thai Police ATHD"}),
        ({"country": "id"}, {"Jakarta Legal Aid"}),
        ({"verified": "false"}, {"Unvetted Outreach"}),
        ({"name": "mekong"}, {"Mekong Legal Aid"}),
    ],
)
def test_directory_filters(ngo, other_ngo, government, team, params, expected):
    OrganisationFactory(name="Jakarta Legal Aid", country="ID")
    OrganisationFactory(name="Unvetted Outreach", country="KH", verified=False)
    response = client_for(team["viewer"]).get(URL, params)
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == expected


def test_unknown_kind_filter_is_400(team):
    response = client_for(team["viewer"]).get(URL, {"kind": "cartel"})
    assert_problem(response, 400)
    assert "kind" in error_fields(response)


def test_anonymous_is_401(api, ngo):
    assert_problem(api.get(URL), 401)
    assert_problem(api.get(detail(ngo)), 401)
    assert_problem(api.post(URL, {"name": "X", "kind": "ngo", "country": "TH"}), 401)
    assert_problem(api.patch(detail(ngo), {"name": "Hijacked"}), 401)
    ngo.refresh_from_db()
    assert ngo.name == "Bangkok Shelter Network"


def test_user_without_organisation_is_403(ngo):
    drifter = User.objects.create_user(username="drifter", password="x-long-password-1")
    assert_problem(client_for(drifter).get(URL), 403)


# Registering --------------------------------------------------------------------------------------

NEW_ORGANISATION = {
    "name": "Lao Women's Union Shelter",
    "kind": "ngo",
    "country": "LA",
    "description": "Shelter and reintegration in Vientiane.",
    "website": "https://shelter.example.org",
}


def test_platform_admin_registers_an_organisation(staff):
    response = client_for(staff).post(URL, NEW_ORGANISATION)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS
    assert {k: body[k] for k in NEW_ORGANISATION} == NEW_ORGANISATION
    assert body["verified"] is False
    organisation = Organisation.objects.get(pk=body["id"])
    assert organisation.name == NEW_ORGANISATION["name"]
    # The role groups exist, so its first admin can be onboarded and edit it.
    assert organisation.role_groups.count() == 3


def test_platform_admin_may_register_an_organisation_verified(staff):
    response = client_for(staff).post(URL, {**NEW_ORGANISATION, "verified": True})
    assert response.status_code == 201
    assert Organisation.objects.get(pk=response.json()["id"]).verified is True


def test_new_organisation_admin_can_edit_it(staff):
    organisation_id = client_for(staff).post(URL, NEW_ORGANISATION).json()["id"]
    admin = member(Organisation.objects.get(pk=organisation_id), "admin")
    response = client_for(admin).patch(f"{URL}{organisation_id}/", {"description": "Updated."})
    assert response.status_code == 200
    assert response.json()["description"] == "Updated."


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_members_may_not_register_organisations(team, role):
    before = Organisation.objects.count()
    response = client_for(team[role]).post(URL, NEW_ORGANISATION)
    assert_problem(response, 403)
    assert Organisation.objects.count() == before


def test_organisations_cannot_be_deleted(ngo, staff):
    response = client_for(staff).delete(detail(ngo))
    assert_problem(response, 405)
    assert Organisation.objects.filter(pk=ngo.pk).exists()


# Editing ------------------------------------------------------------------------------------------


def test_organisation_admin_edits_its_own_organisation(ngo, team):
    response = client_for(team["admin"]).patch(
        detail(ngo), {"description": "Shelters in Bangkok.", "website": "https://bsn.example.org"}
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Shelters in Bangkok."
    ngo.refresh_from_db()
    assert ngo.description == "Shelters in Bangkok."
    assert ngo.website == "https://bsn.example.org"
    assert ngo.name == "Bangkok Shelter Network"


def test_organisation_admin_replaces_with_put(ngo, team):
    response = client_for(team["admin"]).put(
        detail(ngo), {"name": "Bangkok Shelter Network", "kind": "ngo", "country": "TH", "verified": True}
    )
    assert response.status_code == 200
    assert response.json()["verified"] is True


@pytest.mark.parametrize("role", ["caseworker", "viewer"])
def test_caseworker_and_viewer_may_not_edit(ngo, team, role):
    response = client_for(team[role]).patch(detail(ngo), {"name": "Renamed"})
    assert_problem(response, 403)
    ngo.refresh_from_db()
    assert ngo.name == "Bangkok Shelter Network"


def test_another_organisations_admin_may_not_edit(ngo, other_team):
    response = client_for(other_team["admin"]).patch(detail(ngo), {"name": "Renamed"})
    assert_problem(response, 403)
    ngo.refresh_from_db()
    assert ngo.name == "Bangkok Shelter Network"


def test_organisation_admin_may_not_verify_itself(reference_data):
    unverified = OrganisationFactory(name="Pending NGO", verified=False)
    admin = member(unverified, "admin")
    response = client_for(admin).patch(detail(unverified), {"verified": True})
    assert_problem(response, 403)
    unverified.refresh_from_db()
    assert unverified.verified is False


def test_organisation_admin_may_not_unverify_itself(ngo, team):
    response = client_for(team["admin"]).patch(detail(ngo), {"verified": False})
    assert_problem(response, 403)
    ngo.refresh_from_db()
    assert ngo.verified is True


def test_admin_sending_the_unchanged_verified_flag_is_fine(ngo, team):
    response = client_for(team["admin"]).patch(detail(ngo), {"verified": True, "description": "Same flag."})
    assert response.status_code == 200
    ngo.refresh_from_db()
    assert ngo.description == "Same flag."


def test_verify_refusal_changes_nothing_else(ngo, reference_data):
    unverified = OrganisationFactory(name="Pending NGO", verified=False)
    admin = member(unverified, "admin")
    response = client_for(admin).patch(detail(unverified), {"verified": True, "name": "Sneaky rename"})
    assert_problem(response, 403)
    unverified.refresh_from_db()
    assert (unverified.name, unverified.verified) == ("Pending NGO", False)


def test_platform_admin_verifies_an_organisation(staff):
    unverified = OrganisationFactory(name="Pending NGO", verified=False)
    response = client_for(staff).patch(detail(unverified), {"verified": True})
    assert response.status_code == 200
    assert response.json()["verified"] is True
    unverified.refresh_from_db()
    assert unverified.verified is True


def test_platform_admin_edits_any_organisation(ngo, staff):
    response = client_for(staff).patch(detail(ngo), {"country": "LA"})
    assert response.status_code == 200
    ngo.refresh_from_db()
    assert ngo.country == "LA"


# Bad input ----------------------------------------------------------------------------------------

BAD_ORGANISATION_INPUT = [
    pytest.param({"kind": "cartel"}, "kind", id="unknown-kind"),
    pytest.param({"country": "XX"}, "country", id="unknown-country"),
    pytest.param({"country": "th"}, "country", id="lowercase-country"),
    pytest.param({"country": "THA"}, "country", id="alpha3-country"),
    pytest.param({"name": "Bad\x00Name"}, "name", id="nul-in-name"),
    pytest.param({"name": "n" * 10_000}, "name", id="10k-name"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"description": "d" * 5001}, "description", id="long-description"),
    pytest.param({"description": "a\x00b"}, "description", id="nul-in-description"),
    pytest.param({"website": "javascript:alert(1)"}, "website", id="javascript-url"),
    pytest.param({"website": "not a url"}, "website", id="not-a-url"),
    pytest.param({"verified": "maybe"}, "verified", id="verified-not-boolean"),
    pytest.param({"name": ["a", "list"]}, "name", id="name-list"),
    pytest.param({"kind": None}, "kind", id="null-kind"),
]


@pytest.mark.parametrize(("change", "field"), BAD_ORGANISATION_INPUT)
def test_registering_with_bad_input_is_400_and_creates_nothing(staff, change, field):
    before = Organisation.objects.count()
    response = client_for(staff).post(URL, {**NEW_ORGANISATION, **change})
    body = assert_problem(response, 400)
    assert field in error_fields(response)
    assert field in body["detail"]
    assert Organisation.objects.count() == before


@pytest.mark.parametrize(("change", "field"), BAD_ORGANISATION_INPUT)
def test_editing_with_bad_input_is_400_and_changes_nothing(ngo, team, change, field):
    response = client_for(team["admin"]).patch(detail(ngo), change)
    assert_problem(response, 400)
    assert field in error_fields(response)
    fresh = Organisation.objects.get(pk=ngo.pk)
    assert (fresh.name, fresh.kind, fresh.country, fresh.description, fresh.website, fresh.verified) == (
        "Bangkok Shelter Network", "ngo", "TH", "", "", True,
    )


@pytest.mark.parametrize("missing", ["name", "kind", "country"])
def test_registering_without_a_required_field_is_400(staff, missing):
    body = {k: v for k, v in NEW_ORGANISATION.items() if k != missing}
    response = client_for(staff).post(URL, body)
    assert_problem(response, 400)
    assert error_fields(response) == {missing}
    assert not Organisation.objects.filter(name=NEW_ORGANISATION["name"]).exists()


def test_id_is_read_only(ngo, team):
    response = client_for(team["admin"]).patch(
        detail(ngo), {"id": "00000000-0000-0000-0000-000000000001", "description": "x"}
    )
    assert response.status_code == 200
    assert response.json()["id"] == str(ngo.pk)
    assert Organisation.objects.filter(pk=ngo.pk).exists()
