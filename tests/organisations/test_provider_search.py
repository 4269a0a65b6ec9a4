"""Provider search on the real Natural Earth boundaries: who covers a point, ranked and explained."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from tests.conftest import client_for

from .factories import CoverageAreaFactory, FacilityFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db

URL = "/api/v1/providers/search/"
VIENTIANE = (17.9757, 102.6331)
NONG_KHAI = (17.8783, 102.7420)  # Thailand, across the Mekong from Vientiane
BANGKOK = (13.7563, 100.5018)
MAE_SOT = (16.7133, 98.5767)
# Around Mae Sot, up to the Myanmar border: a drawn coverage lies within the organisation's country.
MAE_SOT_SQUARE = MultiPolygon(
    Polygon([(98.55, 16.5), (98.9, 16.5), (98.9, 17.0), (98.55, 17.0), (98.55, 16.5)]), srid=4326
)
RESULT_FIELDS = {"organisation", "facility", "services_matched", "distance_km", "capacity_available",
                 "capacity_stale", "beds", "reasons"}


def search(user, point, **params):
    return client_for(user).get(URL, {"lat": point[0], "lon": point[1], **params})


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [match["organisation"]["name"] for match in response.json()]


@pytest.fixture
def searcher(government):
    return member(government, "caseworker")


@pytest.fixture
def thai_ngo(area):
    organisation = OrganisationFactory(name="Thai Shelter NGO", country="TH")
    CoverageAreaFactory(organisation=organisation, services=["shelter", "medical"], areas=[area("TH")])
    return organisation


@pytest.fixture
def lao_ngo(area):
    organisation = OrganisationFactory(name="Lao Shelter NGO", country="LA")
    CoverageAreaFactory(organisation=organisation, services=["shelter", "medical"], areas=[area("LA")])
    return organisation


# Borders ------------------------------------------------------------------------------------------


def test_a_point_in_laos_never_matches_coverage_of_thailand(searcher, thai_ngo, lao_ngo):
    assert names(search(searcher, VIENTIANE, services="shelter")) == ["Lao Shelter NGO"]


def test_a_point_in_thailand_across_the_mekong_never_matches_coverage_of_laos(searcher, thai_ngo, lao_ngo):
    assert names(search(searcher, NONG_KHAI, services="shelter")) == ["Thai Shelter NGO"]


def test_a_facility_just_across_the_border_does_not_pull_in_its_organisation(searcher, lao_ngo, area):
    """Coverage decides who serves a point; a nearby facility of an organisation covering only
    Thailand does not make it a candidate in Laos."""
    thai = OrganisationFactory(name="Thai Border NGO")
    CoverageAreaFactory(organisation=thai, services=["shelter"], areas=[area("TH")])
    FacilityFactory(organisation=thai, name="Nong Khai Shelter", location=Point(NONG_KHAI[1], NONG_KHAI[0], srid=4326))
    assert names(search(searcher, VIENTIANE, services="shelter")) == ["Lao Shelter NGO"]


def test_a_point_at_sea_matches_no_area_coverage(searcher, thai_ngo):
    assert names(search(searcher, (0, -140), services="shelter")) == []


def test_a_drawn_polygon_coverage_is_found(searcher, thai_ngo):
    outreach = OrganisationFactory(name="Border Clinic", kind="international")
    CoverageAreaFactory(organisation=outreach, services=["medical"], geometry=MAE_SOT_SQUARE)
    response = search(searcher, MAE_SOT, services="medical")
    # Both offer the one service asked for and neither has a facility: a tie, in either order.
    assert set(names(response)) == {"Border Clinic", "Thai Shelter NGO"}
    [clinic] = [m for m in response.json() if m["organisation"]["name"] == "Border Clinic"]
    assert "covers this point with a drawn service area" in clinic["reasons"]
    assert clinic["services_matched"] == ["medical"]


def test_a_drawn_polygon_does_not_cover_points_outside_it(searcher):
    outreach = OrganisationFactory(name="Border Clinic", kind="international")
    CoverageAreaFactory(organisation=outreach, services=["medical"], geometry=MAE_SOT_SQUARE)
    assert names(search(searcher, BANGKOK, services="medical")) == []


# Who appears --------------------------------------------------------------------------------------


def test_unverified_organisations_never_appear(searcher, area):
    pending = OrganisationFactory(name="Pending NGO", verified=False)
    CoverageAreaFactory(organisation=pending, services=["shelter"], areas=[area("TH")])
    FacilityFactory(organisation=pending)
    CoverageAreaFactory(organisation=pending, services=["shelter"], geometry=MAE_SOT_SQUARE)
    assert names(search(searcher, BANGKOK, services="shelter")) == []
    assert names(search(searcher, MAE_SOT)) == []


def test_organisations_not_offering_the_service_do_not_appear(searcher, thai_ngo, area):
    legal = OrganisationFactory(name="Legal Aid Only")
    CoverageAreaFactory(organisation=legal, services=["legal_aid"], areas=[area("TH")])
    assert names(search(searcher, BANGKOK, services="shelter")) == ["Thai Shelter NGO"]
    assert names(search(searcher, BANGKOK, services="legal_aid")) == ["Legal Aid Only"]


def test_without_services_every_covering_organisation_appears(searcher, thai_ngo, area):
    legal = OrganisationFactory(name="Legal Aid Only")
    CoverageAreaFactory(organisation=legal, services=["legal_aid"], areas=[area("TH")])
    response = search(searcher, BANGKOK)
    assert set(names(response)) == {"Thai Shelter NGO", "Legal Aid Only"}
    matched = {m["organisation"]["name"]: m["services_matched"] for m in response.json()}
    assert matched == {"Thai Shelter NGO": ["medical", "shelter"], "Legal Aid Only": ["legal_aid"]}


def test_an_organisation_with_two_coverages_appears_once(searcher, thai_ngo, area):
    CoverageAreaFactory(organisation=thai_ngo, services=["legal_aid"], areas=[area("TH")])
    CoverageAreaFactory(organisation=thai_ngo, services=["shelter"], geometry=MAE_SOT_SQUARE)
    response = search(searcher, MAE_SOT, services="shelter,legal_aid")
    assert names(response) == ["Thai Shelter NGO"]
    assert response.json()[0]["services_matched"] == ["legal_aid", "shelter"]


# Ranking ------------------------------------------------------------------------------------------


def test_ranked_by_services_matched_first(searcher, area):
    near_one = OrganisationFactory(name="Near, shelter only")
    CoverageAreaFactory(organisation=near_one, services=["shelter"], areas=[area("TH")])
    FacilityFactory(organisation=near_one, location=Point(100.5018, 13.7563, srid=4326))
    far_two = OrganisationFactory(name="Far, shelter and medical")
    CoverageAreaFactory(organisation=far_two, services=["shelter", "medical"], areas=[area("TH")])
    FacilityFactory(organisation=far_two, services=["shelter", "medical"], location=Point(98.9853, 18.7883, srid=4326))
    response = search(searcher, BANGKOK, services="shelter,medical")
    assert names(response) == ["Far, shelter and medical", "Near, shelter only"]
    assert [m["services_matched"] for m in response.json()] == [["medical", "shelter"], ["shelter"]]


def test_then_by_distance_to_the_nearest_suitable_facility(searcher, area):
    for name, lon, lat in [("Chiang Mai", 98.9853, 18.7883), ("Bangkok", 100.5231, 13.7367),
                           ("Pattaya", 100.8825, 12.9236), ("No facility", None, None)]:
        organisation = OrganisationFactory(name=name)
        CoverageAreaFactory(organisation=organisation, services=["shelter"], areas=[area("TH")])
        if lon is not None:
            # Service points: their place is public, so distances are exact.
            FacilityFactory(organisation=organisation, kind="service_point", location=Point(lon, lat, srid=4326))
    response = search(searcher, BANGKOK, services="shelter")
    assert names(response) == ["Bangkok", "Pattaya", "Chiang Mai", "No facility"]
    distances = [m["distance_km"] for m in response.json()]
    assert distances[:3] == sorted(distances[:3])
    assert 2 < distances[0] < 5  # Bangkok centre to the shelter: about 3 km
    assert 500 < distances[2] < 650  # Bangkok to Chiang Mai: about 580 km
    assert distances[3] is None


def test_then_by_free_capacity(searcher, area):
    for name, free in [("Two free", 2), ("Nine free", 9), ("None free", 0)]:
        organisation = OrganisationFactory(name=name)
        CoverageAreaFactory(organisation=organisation, services=["shelter"], areas=[area("TH")])
        FacilityFactory(organisation=organisation, capacity_total=10, capacity_available=free)
    # A shelter with no free beds does not meet the shelter need: left out by default, and last
    # with the reason when asked for (tests/organisations/test_capacity.py has the rest).
    response = search(searcher, BANGKOK, services="shelter")
    assert names(response) == ["Nine free", "Two free"]
    assert [m["capacity_available"] for m in response.json()] == [9, 2]
    response = search(searcher, BANGKOK, services="shelter", include_full="true")
    assert names(response) == ["Nine free", "Two free", "None free"]
    assert [m["capacity_available"] for m in response.json()] == [9, 2, 0]
    assert "no free beds" in response.json()[2]["reasons"]


def test_the_nearest_facility_offering_the_service_is_chosen(searcher, thai_ngo):
    FacilityFactory(organisation=thai_ngo, name="Near Clinic", services=["medical"],
                    location=Point(100.5018, 13.7563, srid=4326))
    FacilityFactory(organisation=thai_ngo, name="Far Shelter", services=["shelter"],
                    location=Point(98.9853, 18.7883, srid=4326))
    [match] = search(searcher, BANGKOK, services="shelter").json()
    assert match["facility"]["name"] == "Far Shelter"


def test_limit(searcher, area):
    for index in range(4):
        organisation = OrganisationFactory(name=f"NGO {index}")
        CoverageAreaFactory(organisation=organisation, services=["shelter"], areas=[area("TH")])
    assert len(search(searcher, BANGKOK, services="shelter", limit=2).json()) == 2
    assert len(search(searcher, BANGKOK, services="shelter").json()) == 4


# Profile filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "suitable"),
    [
        ({"gender": "female"}, True),
        ({"gender": "male"}, False),
        ({"age_group": "adult"}, True),
        ({"age_group": "child"}, False),
        ({"language": "th"}, True),
        ({"language": "my"}, False),
        ({"gender": "female", "age_group": "adult", "language": "en"}, True),
    ],
)
def test_facility_must_accept_the_person(searcher, thai_ngo, params, suitable):
    FacilityFactory(organisation=thai_ngo, name="Women's Shelter", accepts_genders=["female"],
                    accepts_age_groups=["adult"], languages=["th", "en"])
    [match] = search(searcher, BANGKOK, services="shelter", **params).json()
    # The organisation still covers the point; only a suitable facility is offered.
    assert match["organisation"]["name"] == "Thai Shelter NGO"
    if suitable:
        assert match["facility"]["name"] == "Women's Shelter"
    else:
        assert match["facility"] is None
        assert match["distance_km"] is None
        assert match["capacity_available"] is None


# Result shape and reasons -------------------------------------------------------------------------


def test_result_fields_and_reasons(searcher, thai_ngo):
    facility = FacilityFactory(organisation=thai_ngo, name="Bangkok Haven", kind="service_point",
                               location=Point(100.5018, 13.7563, srid=4326), capacity_total=10,
                               capacity_available=4, accepts_genders=["female"], accepts_age_groups=["adult"],
                               languages=["th"])
    response = search(searcher, BANGKOK, services="shelter", gender="female", age_group="adult", language="th")
    [match] = response.json()
    assert set(match) == RESULT_FIELDS
    assert match["organisation"] == {"id": str(thai_ngo.pk), "name": "Thai Shelter NGO", "kind": "ngo"}
    assert match["facility"]["id"] == facility.pk
    assert match["facility"]["location"] == {"type": "Point", "coordinates": [100.5018, 13.7563]}
    assert match["services_matched"] == ["shelter"]
    assert match["distance_km"] == 0.0
    assert match["capacity_available"] == 4
    assert match["capacity_stale"] is False
    assert match["beds"] == "unknown"  # a service point holds no beds: the organisation registered no shelter
    assert match["reasons"] == [
        "covers Thailand",
        "offers shelter",
        "nearest suitable facility Bangkok Haven at 0.0 km",
        "accepts female adult",
        "works in th",
        "4 places free",
    ]


def test_result_without_a_facility(searcher, thai_ngo):
    [match] = search(searcher, BANGKOK, services="shelter").json()
    assert set(match) == RESULT_FIELDS
    assert match["facility"] is None
    assert match["distance_km"] is None
    assert match["capacity_available"] is None
    assert match["capacity_stale"] is None
    assert match["beds"] == "unknown"
    assert match["reasons"] == ["covers Thailand", "offers shelter"]


# Refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 13.7, "lon": 100.5, "services": "teleportation"}, "services"),
        ({"lat": 13.7, "lon": 100.5, "services": "shelter,teleportation"}, "services"),
        ({"lat": 91, "lon": 100.5}, "lat"),
        ({"lat": 13.7, "lon": 181}, "lon"),
        ({"lat": "nan", "lon": 100.5}, "lat"),
        ({"lat": "x", "lon": 100.5}, "lat"),
        ({"lon": 100.5}, "lat"),
        ({"lat": 13.7}, "lon"),
        ({"lat": 13.7, "lon": 100.5, "gender": "alien"}, "gender"),
        ({"lat": 13.7, "lon": 100.5, "age_group": "elderly"}, "age_group"),
        ({"lat": 13.7, "lon": 100.5, "language": "xx"}, "language"),
        ({"lat": 13.7, "lon": 100.5, "limit": 0}, "limit"),
        ({"lat": 13.7, "lon": 100.5, "limit": 101}, "limit"),
        ({"lat": 13.7, "lon": 100.5, "services": ",".join(["shelter"] * 51)}, "services"),
        ({"lat": 13.7, "lon": 100.5, "services": "s" * 2001}, "services"),
        ({"lat": 13.7, "lon": 100.5, "services": "shel\x00ter"}, "services"),
    ],
)
def test_bad_query_is_400_naming_the_parameter(searcher, thai_ngo, params, field):
    response = client_for(searcher).get(URL, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}


def test_anonymous_is_401(api, thai_ngo):
    response = api.get(URL, {"lat": BANGKOK[0], "lon": BANGKOK[1]})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_platform_administrators_search_too(staff, thai_ngo):
    assert names(search(staff, BANGKOK, services="shelter")) == ["Thai Shelter NGO"]
