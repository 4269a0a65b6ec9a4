"""Facilities: who registers and changes them, how their location is stored and shown, and bad input."""

import json

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from organisations.models import Facility
from tests.conftest import client_for
from tests.helpers import assert_problem, error_fields

from .factories import CoverageAreaFactory, FacilityFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/facilities/"
FIELDS = {
    "id", "organisation", "name", "kind", "location", "location_exact", "area", "services",
    "capacity_total", "capacity_available", "capacity_updated", "capacity_stale", "accepts_genders",
    "accepts_age_groups", "languages",
}
# A shelter in Bangkok whose exact place must not leak: neither coordinate is on the 0.1 grid.
SECRET_LON, SECRET_LAT = 100.53317, 13.74629
COARSE = [100.5, 13.7]


def detail(facility) -> str:
    return f"{URL}{facility.pk}/"


def payload(organisation, /, **overrides) -> dict:
    return {
        "organisation": str(organisation.pk),
        "name": "Haven Pattaya Shelter",
        "kind": "shelter",
        "location": {"type": "Point", "coordinates": [100.8825, 12.9236]},
        "services": ["shelter", "psychosocial"],
        "capacity_total": 10,
        "capacity_available": 4,
        "accepts_genders": ["female"],
        "accepts_age_groups": ["adult"],
        "languages": ["th", "en"],
        **overrides,
    }


@pytest.fixture
def shelter(ngo):
    return FacilityFactory(
        organisation=ngo, name="Secret Shelter", kind="shelter", location=Point(SECRET_LON, SECRET_LAT, srid=4326)
    )


# Creating -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_register_a_facility(ngo, team, area, role):
    response = client_for(team[role]).post(URL, payload(ngo))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body["organisation"] == str(ngo.pk)
    assert body["location"] == {"type": "Point", "coordinates": [100.8825, 12.9236]}
    assert body["location_exact"] is True
    assert body["area"] == area("TH").pk
    assert body["services"] == ["shelter", "psychosocial"]
    assert (body["capacity_total"], body["capacity_available"]) == (10, 4)
    assert body["accepts_genders"] == ["female"]
    assert body["accepts_age_groups"] == ["adult"]
    assert body["languages"] == ["th", "en"]

    facility = Facility.objects.get(pk=body["id"])
    assert facility.organisation == ngo
    assert facility.location.coords == (100.8825, 12.9236)
    assert facility.location.srid == 4326
    assert facility.area == area("TH")


def test_area_is_read_only_and_follows_the_location(ngo, team, area):
    body = payload(ngo, area=area("LA").pk)  # a lie: the point is in Thailand
    response = client_for(team["admin"]).post(URL, body)
    assert response.status_code == 201
    assert response.json()["area"] == area("TH").pk


def test_area_is_the_country_containing_the_point_across_a_border(ngo, team, area):
    client = client_for(team["admin"])
    vientiane = client.post(URL, payload(ngo, location={"type": "Point", "coordinates": [102.6331, 17.9757]}))
    nong_khai = client.post(URL, payload(ngo, location={"type": "Point", "coordinates": [102.7420, 17.8783]}))
    assert vientiane.json()["area"] == area("LA").pk
    assert nong_khai.json()["area"] == area("TH").pk


def test_facility_at_sea_has_no_area(ngo, team):
    response = client_for(team["admin"]).post(URL, payload(ngo, location={"type": "Point", "coordinates": [-140, 0]}))
    assert response.status_code == 201
    assert response.json()["area"] is None


def test_repeated_codes_are_stored_once(ngo, team):
    response = client_for(team["admin"]).post(
        URL, payload(ngo, services=["shelter", "shelter", "medical"], languages=["th", "th"])
    )
    assert response.status_code == 201
    assert response.json()["services"] == ["shelter", "medical"]
    assert response.json()["languages"] == ["th"]


def test_viewer_may_not_register(ngo, team):
    before = Facility.objects.count()
    assert_problem(client_for(team["viewer"]).post(URL, payload(ngo)), 403)
    assert Facility.objects.count() == before


def test_registering_for_another_organisation_is_400_naming_organisation(ngo, other_ngo, team):
    before = Facility.objects.count()
    response = client_for(team["admin"]).post(URL, payload(other_ngo))
    assert_problem(response, 400)
    assert error_fields(response) == {"organisation"}
    assert Facility.objects.count() == before
    assert not other_ngo.facilities.exists()


def test_anonymous_is_401(api, ngo, shelter):
    before = Facility.objects.count()
    assert_problem(api.get(URL), 401)
    assert_problem(api.get(detail(shelter)), 401)
    assert_problem(api.post(URL, payload(ngo)), 401)
    assert_problem(api.patch(detail(shelter), {"name": "x"}), 401)
    assert_problem(api.delete(detail(shelter)), 401)
    assert Facility.objects.count() == before
    shelter.refresh_from_db()
    assert shelter.name == "Secret Shelter"


# Changing and deleting ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_update_capacity(ngo, team, shelter, role):
    response = client_for(team[role]).patch(detail(shelter), {"capacity_available": 2})
    assert response.status_code == 200
    assert response.json()["capacity_available"] == 2
    shelter.refresh_from_db()
    assert shelter.capacity_available == 2


def test_moving_a_facility_recomputes_its_area(ngo, team, shelter, area):
    response = client_for(team["admin"]).patch(
        detail(shelter), {"location": {"type": "Point", "coordinates": [102.6331, 17.9757]}}
    )
    assert response.status_code == 200
    assert response.json()["area"] == area("LA").pk
    shelter.refresh_from_db()
    assert shelter.area == area("LA")
    assert shelter.location.coords == (102.6331, 17.9757)


def test_a_facility_cannot_move_to_another_organisation(ngo, other_ngo, team, shelter):
    response = client_for(team["admin"]).patch(detail(shelter), {"organisation": str(other_ngo.pk)})
    assert_problem(response, 400)
    assert error_fields(response) == {"organisation"}
    shelter.refresh_from_db()
    assert shelter.organisation == ngo


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_delete(team, shelter, role):
    response = client_for(team[role]).delete(detail(shelter))
    assert response.status_code == 204
    assert not Facility.objects.filter(pk=shelter.pk).exists()


def test_viewer_may_not_change_or_delete(team, shelter):
    client = client_for(team["viewer"])
    assert_problem(client.patch(detail(shelter), {"capacity_available": 0}), 403)
    assert_problem(client.delete(detail(shelter)), 403)
    shelter.refresh_from_db()
    assert shelter.capacity_available == 5


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_another_organisation_may_not_change_or_delete(other_team, shelter, role):
    client = client_for(other_team[role])
    assert_problem(client.patch(detail(shelter), {"capacity_available": 0, "name": "Taken"}), 403)
    assert_problem(client.delete(detail(shelter)), 403)
    shelter.refresh_from_db()
    assert (shelter.name, shelter.capacity_available) == ("Secret Shelter", 5)


def test_put_is_not_allowed(ngo, team, shelter):
    assert_problem(client_for(team["admin"]).put(detail(shelter), payload(ngo)), 405)
    shelter.refresh_from_db()
    assert shelter.name == "Secret Shelter"


# Reading and confidentiality ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_own_organisation_sees_the_exact_location(team, shelter, role):
    response = client_for(team[role]).get(detail(shelter))
    assert response.status_code == 200
    assert response.json()["location"] == {"type": "Point", "coordinates": [SECRET_LON, SECRET_LAT]}
    assert response.json()["location_exact"] is True


def assert_no_secret(content: bytes) -> None:
    text = content.decode()
    assert "100.53317" not in text
    assert "13.74629" not in text
    assert "100.533" not in text
    assert "13.746" not in text


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_others_see_a_shelter_rounded_to_a_tenth_of_a_degree(other_team, shelter, area, role):
    response = client_for(other_team[role]).get(detail(shelter))
    assert response.status_code == 200
    body = response.json()
    assert body["location"] == {"type": "Point", "coordinates": COARSE}
    assert body["location_exact"] is False
    assert body["area"] == area("TH").pk
    assert_no_secret(response.content)


def test_others_see_rounded_shelters_in_the_list_too(ngo, team, other_team, shelter):
    response = client_for(other_team["viewer"]).get(URL)
    assert response.status_code == 200
    [row] = [row for row in response.json()["results"] if row["id"] == shelter.pk]
    assert row["location"]["coordinates"] == COARSE
    assert row["location_exact"] is False
    assert_no_secret(response.content)

    own = client_for(team["viewer"]).get(URL).json()["results"]
    [own_row] = [row for row in own if row["id"] == shelter.pk]
    assert own_row["location"]["coordinates"] == [SECRET_LON, SECRET_LAT]


def test_platform_admin_sees_shelters_rounded(staff, shelter):
    response = client_for(staff).get(detail(shelter))
    assert response.status_code == 200
    assert response.json()["location_exact"] is False
    assert_no_secret(response.content)


def test_others_see_rounded_shelters_in_provider_search(ngo, other_team, shelter, area):
    CoverageAreaFactory(organisation=ngo, services=["shelter"], areas=[area("TH")])
    response = client_for(other_team["caseworker"]).get(
        "/api/v1/providers/search/", {"lat": 13.75, "lon": 100.53, "services": "shelter"}
    )
    assert response.status_code == 200
    [match] = response.json()
    assert match["facility"]["id"] == shelter.pk
    assert match["facility"]["location"]["coordinates"] == COARSE
    assert match["facility"]["location_exact"] is False
    assert_no_secret(response.content)


def geodesic_km(a: tuple, b: tuple) -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography,"
            " ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography) / 1000.0",
            [*a, *b],
        )
        return cursor.fetchone()[0]


def test_search_distances_do_not_give_a_shelter_away(ngo, team, other_team, shelter, area):
    """Searching from the shelter's own doorstep, another organisation learns the distance to the
    public (rounded) point, never 0 km: exact distances from three points would locate the shelter."""
    CoverageAreaFactory(organisation=ngo, services=["shelter"], areas=[area("TH")])
    params = {"lat": SECRET_LAT, "lon": SECRET_LON, "services": "shelter"}

    [theirs] = client_for(other_team["caseworker"]).get("/api/v1/providers/search/", params).json()
    assert theirs["distance_km"] == pytest.approx(geodesic_km((SECRET_LON, SECRET_LAT), tuple(COARSE)), abs=0.001)
    assert theirs["distance_km"] > 5
    assert not any("0.0 km" in reason for reason in theirs["reasons"])

    [ours] = client_for(team["caseworker"]).get("/api/v1/providers/search/", params).json()
    assert ours["distance_km"] == 0.0


def test_search_ranking_does_not_give_a_shelter_away(ngo, other_ngo, other_team, shelter, area):
    """Ranked against a facility of its own at a known place, the searcher must not learn that the
    shelter is nearer than the rounded point says."""
    CoverageAreaFactory(organisation=ngo, services=["shelter"], areas=[area("TH")])
    CoverageAreaFactory(organisation=other_ngo, services=["shelter"], areas=[area("TH")])
    # A shelter with free beds, as the other one has: beds rank before distance (test_capacity.py).
    FacilityFactory(organisation=other_ngo, kind="shelter", location=Point(SECRET_LON + 0.01, SECRET_LAT, srid=4326))
    response = client_for(other_team["caseworker"]).get(
        "/api/v1/providers/search/", {"lat": SECRET_LAT, "lon": SECRET_LON, "services": "shelter"}
    )
    assert [m["organisation"]["id"] for m in response.json()] == [str(other_ngo.pk), str(ngo.pk)]


def test_service_points_and_offices_are_public(ngo, other_team):
    office = FacilityFactory(
        organisation=ngo, kind="office", name="Head Office", location=Point(SECRET_LON, SECRET_LAT, srid=4326)
    )
    response = client_for(other_team["viewer"]).get(detail(office))
    assert response.json()["location"]["coordinates"] == [SECRET_LON, SECRET_LAT]
    assert response.json()["location_exact"] is True


def test_rounding_does_not_change_the_stored_location(other_team, shelter):
    client_for(other_team["viewer"]).get(detail(shelter))
    shelter.refresh_from_db()
    assert shelter.location.coords == (SECRET_LON, SECRET_LAT)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "office"}, {"Head Office"}),
        ({"service": "legal_aid"}, {"Head Office"}),
        ({"country": "la"}, {"Vientiane Point"}),
    ],
)
def test_facility_filters(ngo, team, params, expected):
    FacilityFactory(organisation=ngo, kind="shelter", name="Bangkok Shelter")
    FacilityFactory(organisation=ngo, kind="office", name="Head Office", services=["legal_aid"])
    FacilityFactory(
        organisation=ngo, kind="service_point", name="Vientiane Point", location=Point(102.6331, 17.9757, srid=4326)
    )
    response = client_for(team["viewer"]).get(URL, params)
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == expected


def test_filter_by_organisation(ngo, other_ngo, team):
    FacilityFactory(organisation=ngo, name="Ours")
    FacilityFactory(organisation=other_ngo, name="Theirs")
    response = client_for(team["viewer"]).get(URL, {"organisation": str(other_ngo.pk)})
    assert [row["name"] for row in response.json()["results"]] == ["Theirs"]


# Bad input ----------------------------------------------------------------------------------------

BAD_FACILITY_INPUT = [
    pytest.param({"location": {"type": "Point"}}, "location", id="point-without-coordinates"),
    pytest.param({"location": {"type": "Point", "coordinates": []}}, "location", id="empty-coordinates"),
    pytest.param({"location": {"type": "Point", "coordinates": [100.5]}}, "location", id="one-coordinate"),
    pytest.param({"location": {"type": "Point", "coordinates": ["a", "b"]}}, "location", id="text-coordinates"),
    pytest.param({"location": {"type": "Pointy", "coordinates": [100.5, 13.7]}}, "location", id="unknown-type"),
    pytest.param({"location": {"coordinates": [100.5, 13.7]}}, "location", id="no-type"),
    pytest.param({"location": "POINT(100.5 13.7)"}, "location", id="wkt-string"),
    pytest.param({"location": "{not json"}, "location", id="malformed-json-string"),
    pytest.param({"location": [100.5, 13.7]}, "location", id="bare-list"),
    pytest.param({"location": None}, "location", id="null"),
    pytest.param({"location": {}}, "location", id="empty-object"),
    pytest.param({"location": {"type": "Point", "coordinates": [[100.5, 13.7]]}}, "location", id="nested-coordinates"),
    pytest.param({"location": {"type": "Point", "coordinates": {"x": 1}}}, "location", id="coordinates-object"),
    pytest.param({"location": {"type": "Point", "coordinates": [True, False]}}, "location", id="boolean-coordinates"),
    pytest.param({"location": {"type": "Point", "coordinates": [None, None]}}, "location", id="null-coordinates"),
    pytest.param(
        {"location": {"type": "MultiPoint", "coordinates": [[100.5, 13.7]]}}, "location", id="multipoint"
    ),
    pytest.param(
        {"location": {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}]}},
        "location",
        id="geometry-collection",
    ),
    pytest.param(
        {"location": {"type": "Feature", "geometry": {"type": "Point", "coordinates": [100.5, 13.7]}}},
        "location",
        id="feature",
    ),
    pytest.param({"location": {"type": "Point", "coordinates": [100.5, 13.7] * 5000}}, "location", id="long-coords"),
    pytest.param(
        {"location": {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 13]]]}},
        "location",
        id="polygon-instead-of-point",
    ),
    pytest.param({"location": {"type": "Point", "coordinates": [200, 10]}}, "location", id="longitude-200"),
    pytest.param({"location": {"type": "Point", "coordinates": [100, 95]}}, "location", id="latitude-95"),
    pytest.param({"location": {"type": "Point", "coordinates": [-181, 0]}}, "location", id="longitude-minus-181"),
    pytest.param({"location": {"type": "Point", "coordinates": [1e308, 1e308]}}, "location", id="huge-number"),
    pytest.param(
        {"location": {"type": "Point", "coordinates": [100.5, 13.7],
                      "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}},
        "location",
        id="crs",
    ),
    pytest.param({"services": ["teleportation"]}, "services", id="unknown-service"),
    pytest.param({"services": ["shelter", "Shelter!"]}, "services", id="not-a-slug"),
    pytest.param({"services": "shelter"}, "services", id="services-not-a-list"),
    pytest.param({"services": ["shelter"] * 51}, "services", id="51-services"),
    pytest.param({"services": ["s\x00"]}, "services", id="nul-in-service"),
    pytest.param({"accepts_genders": ["alien"]}, "accepts_genders", id="unknown-gender"),
    pytest.param({"accepts_age_groups": ["elderly"]}, "accepts_age_groups", id="unknown-age-group"),
    pytest.param({"accepts_genders": []}, "accepts_genders", id="no-gender"),
    pytest.param({"accepts_age_groups": []}, "accepts_age_groups", id="no-age-group"),
    pytest.param({"languages": []}, "languages", id="no-language"),
    pytest.param({"languages": ["xx"]}, "languages", id="unknown-language"),
    pytest.param({"languages": ["eng"]}, "languages", id="alpha3-language"),
    pytest.param({"languages": ["TH"]}, "languages", id="uppercase-language"),
    pytest.param({"capacity_total": 3, "capacity_available": 4}, "capacity_available", id="available-above-total"),
    pytest.param({"capacity_total": -1, "capacity_available": 0}, "capacity_total", id="negative-total"),
    pytest.param({"capacity_available": -1}, "capacity_available", id="negative-available"),
    pytest.param({"capacity_total": 10**12}, "capacity_total", id="huge-capacity"),
    pytest.param({"capacity_total": "ten"}, "capacity_total", id="capacity-not-a-number"),
    pytest.param({"kind": "castle"}, "kind", id="unknown-kind"),
    pytest.param({"name": "Shel\x00ter"}, "name", id="nul-in-name"),
    pytest.param({"name": "n" * 10_000}, "name", id="10k-name"),
    pytest.param({"name": ""}, "name", id="empty-name"),
    pytest.param({"organisation": "not-a-uuid"}, "organisation", id="organisation-not-uuid"),
    pytest.param(
        {"organisation": "00000000-0000-0000-0000-000000000000"}, "organisation", id="unknown-organisation"
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_FACILITY_INPUT)
def test_registering_with_bad_input_is_400_and_writes_nothing(ngo, team, change, field):
    before = Facility.objects.count()
    response = client_for(team["admin"]).post(URL, payload(ngo, **change))
    body = assert_problem(response, 400)
    assert field in error_fields(response), body
    assert Facility.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [p for p in BAD_FACILITY_INPUT if "organisation" not in p.values[0]],
)
def test_changing_with_bad_input_is_400_and_changes_nothing(ngo, team, shelter, change, field):
    before = Facility.objects.values().get(pk=shelter.pk)
    response = client_for(team["admin"]).patch(detail(shelter), change)
    assert_problem(response, 400)
    assert field in error_fields(response)
    assert Facility.objects.values().get(pk=shelter.pk) == before


def test_raising_available_above_the_stored_total_is_400(team, shelter):
    response = client_for(team["admin"]).patch(detail(shelter), {"capacity_available": 21})
    assert_problem(response, 400)
    assert error_fields(response) == {"capacity_available"}
    shelter.refresh_from_db()
    assert shelter.capacity_available == 5


@pytest.mark.parametrize(
    "missing",
    ["organisation", "name", "kind", "location", "services", "accepts_genders", "accepts_age_groups", "languages"],
)
def test_missing_required_field_is_400(ngo, team, missing):
    body = payload(ngo)
    del body[missing]
    before = Facility.objects.count()
    response = client_for(team["admin"]).post(URL, body)
    assert_problem(response, 400)
    assert missing in error_fields(response)
    assert Facility.objects.count() == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_coordinates_in_raw_json_are_400(ngo, team, literal):
    body = json.dumps(payload(ngo)).replace("[100.8825, 12.9236]", f"[{literal}, 12.9236]")
    assert literal in body
    before = Facility.objects.count()
    response = client_for(team["admin"]).post(URL, body, content_type="application/json")
    assert_problem(response, 400)
    assert Facility.objects.count() == before


def test_three_dimensional_point_is_400_not_500(ngo, team):
    """The column is two-dimensional: a point with an altitude is refused as input, not by the database."""
    before = Facility.objects.count()
    response = client_for(team["admin"]).post(
        URL, payload(ngo, location={"type": "Point", "coordinates": [100.8825, 12.9236, 5.0]})
    )
    assert_problem(response, 400)
    assert error_fields(response) == {"location"}
    assert Facility.objects.count() == before
