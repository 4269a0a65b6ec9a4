"""Coverage: the areas and services an organisation serves, as administrative areas and/or a drawn polygon."""

import math

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from organisations.models import CoverageArea
from tests.conftest import client_for
from tests.helpers import assert_problem, error_fields

from .factories import CoverageAreaFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage-areas/"
FIELDS = {"id", "organisation", "services", "areas", "geometry"}
# A square east of Mae Sot, up to the Thai-Myanmar border (the Moei river): 3% of it lies past the
# simplified border, within the tolerance.
MAE_SOT_RING = [[98.6, 16.4], [98.9, 16.4], [98.9, 17.0], [98.6, 17.0], [98.6, 16.4]]
MAE_SOT = {"type": "Polygon", "coordinates": [MAE_SOT_RING]}
BOWTIE = {"type": "Polygon", "coordinates": [[[100, 13], [101, 14], [101, 13], [100, 14], [100, 13]]]}


def detail(coverage) -> str:
    return f"{URL}{coverage.pk}/"


@pytest.fixture
def coverage(ngo, area):
    return CoverageAreaFactory(organisation=ngo, services=["shelter", "medical"], areas=[area("TH")])


def snapshot(coverage) -> tuple:
    fresh = CoverageArea.objects.get(pk=coverage.pk)
    return (
        fresh.services,
        sorted(fresh.areas.values_list("pk", flat=True)),
        None if fresh.geometry is None else fresh.geometry.wkt,
    )


# Creating -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_register_coverage_by_areas(ngo, team, area, role):
    body = {"organisation": str(ngo.pk), "services": ["shelter"], "areas": [area("TH").pk, area("LA").pk]}
    response = client_for(team[role]).post(URL, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == FIELDS
    assert data["organisation"] == str(ngo.pk)
    assert data["services"] == ["shelter"]
    assert sorted(data["areas"]) == sorted([area("TH").pk, area("LA").pk])
    assert data["geometry"] is None
    coverage = CoverageArea.objects.get(pk=data["id"])
    assert set(coverage.areas.all()) == {area("TH"), area("LA")}


def test_drawn_polygon_is_stored_as_a_multipolygon(ngo, team):
    response = client_for(team["admin"]).post(
        URL, {"organisation": str(ngo.pk), "services": ["medical"], "geometry": MAE_SOT}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["areas"] == []
    assert data["geometry"]["type"] == "MultiPolygon"
    assert data["geometry"]["coordinates"] == [[MAE_SOT_RING]]
    stored = CoverageArea.objects.get(pk=data["id"]).geometry
    assert isinstance(stored, MultiPolygon)
    assert stored.srid == 4326
    assert stored.equals(MultiPolygon(Polygon(MAE_SOT_RING), srid=4326))


def test_multipolygon_and_areas_together(ngo, team, area):
    triangle = [[100.5, 14], [101, 14], [101, 14.5], [100.5, 14]]  # north-east of Bangkok
    multi = {"type": "MultiPolygon", "coordinates": [[MAE_SOT_RING], [triangle]]}
    response = client_for(team["admin"]).post(
        URL, {"organisation": str(ngo.pk), "services": ["medical"], "geometry": multi, "areas": [area("KH").pk]}
    )
    assert response.status_code == 201, response.content
    assert response.json()["areas"] == [area("KH").pk]
    assert len(response.json()["geometry"]["coordinates"]) == 2


def test_viewer_may_not_register(ngo, team, area):
    before = CoverageArea.objects.count()
    response = client_for(team["viewer"]).post(
        URL, {"organisation": str(ngo.pk), "services": ["shelter"], "areas": [area("TH").pk]}
    )
    assert_problem(response, 403)
    assert CoverageArea.objects.count() == before


def test_registering_for_another_organisation_is_400_naming_organisation(other_ngo, team, area):
    before = CoverageArea.objects.count()
    response = client_for(team["admin"]).post(
        URL, {"organisation": str(other_ngo.pk), "services": ["shelter"], "areas": [area("TH").pk]}
    )
    assert_problem(response, 400)
    assert error_fields(response) == {"organisation"}
    assert CoverageArea.objects.count() == before


def test_anonymous_is_401(api, ngo, coverage, area):
    before = CoverageArea.objects.count()
    assert_problem(api.get(URL), 401)
    assert_problem(api.post(URL, {"organisation": str(ngo.pk), "services": ["shelter"], "areas": [area("TH").pk]}), 401)
    assert_problem(api.patch(detail(coverage), {"services": ["legal_aid"]}), 401)
    assert_problem(api.delete(detail(coverage)), 401)
    assert CoverageArea.objects.count() == before


# Reading ------------------------------------------------------------------------------------------


def test_every_member_reads_every_coverage(ngo, other_team, coverage, area):
    response = client_for(other_team["viewer"]).get(URL)
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row == {
        "id": coverage.pk, "organisation": str(ngo.pk), "services": ["shelter", "medical"],
        "areas": [area("TH").pk], "geometry": None,
    }
    assert client_for(other_team["viewer"]).get(detail(coverage)).json() == row


def test_coverage_filters(ngo, other_ngo, team, coverage, area):
    theirs = CoverageAreaFactory(organisation=other_ngo, services=["legal_aid"], areas=[area("LA")])
    client = client_for(team["viewer"])
    by_org = client.get(URL, {"organisation": str(other_ngo.pk)}).json()["results"]
    assert [row["id"] for row in by_org] == [theirs.pk]
    by_service = client.get(URL, {"service": "medical"}).json()["results"]
    assert [row["id"] for row in by_service] == [coverage.pk]


# Changing and deleting ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_change_coverage(team, coverage, area, role):
    response = client_for(team[role]).patch(
        detail(coverage), {"services": ["legal_aid"], "areas": [area("LA").pk], "geometry": MAE_SOT}
    )
    assert response.status_code == 200, response.content
    assert snapshot(coverage)[:2] == (["legal_aid"], [area("LA").pk])
    assert CoverageArea.objects.get(pk=coverage.pk).geometry is not None


def test_replacing_areas_with_a_polygon(team, coverage):
    response = client_for(team["admin"]).patch(detail(coverage), {"areas": [], "geometry": MAE_SOT})
    assert response.status_code == 200, response.content
    assert response.json()["areas"] == []
    assert response.json()["geometry"]["type"] == "MultiPolygon"


def test_removing_every_area_without_a_polygon_is_400_and_changes_nothing(team, coverage):
    before = snapshot(coverage)
    response = client_for(team["admin"]).patch(detail(coverage), {"areas": []})
    assert_problem(response, 400)
    assert "areas" in error_fields(response)
    assert snapshot(coverage) == before


def test_removing_the_polygon_of_a_drawn_only_coverage_is_400(ngo, team):
    drawn = CoverageAreaFactory(organisation=ngo, geometry=MultiPolygon(Polygon(MAE_SOT_RING), srid=4326))
    before = snapshot(drawn)
    response = client_for(team["admin"]).patch(detail(drawn), {"geometry": None})
    assert_problem(response, 400)
    assert snapshot(drawn) == before


@pytest.mark.parametrize("role", ["admin", "caseworker"])
def test_admin_and_caseworker_delete(team, coverage, role):
    assert client_for(team[role]).delete(detail(coverage)).status_code == 204
    assert not CoverageArea.objects.filter(pk=coverage.pk).exists()


def test_viewer_may_not_change_or_delete(team, coverage):
    before = snapshot(coverage)
    client = client_for(team["viewer"])
    assert_problem(client.patch(detail(coverage), {"services": ["legal_aid"]}), 403)
    assert_problem(client.delete(detail(coverage)), 403)
    assert snapshot(coverage) == before


@pytest.mark.parametrize("role", ["admin", "caseworker", "viewer"])
def test_another_organisation_may_not_change_or_delete(other_team, coverage, role):
    before = snapshot(coverage)
    client = client_for(other_team[role])
    assert_problem(client.patch(detail(coverage), {"services": ["legal_aid"]}), 403)
    assert_problem(client.delete(detail(coverage)), 403)
    assert snapshot(coverage) == before


def test_a_coverage_cannot_move_to_another_organisation(ngo, other_ngo, team, coverage):
    response = client_for(team["admin"]).patch(detail(coverage), {"organisation": str(other_ngo.pk)})
    assert_problem(response, 400)
    assert error_fields(response) == {"organisation"}
    assert CoverageArea.objects.get(pk=coverage.pk).organisation == ngo


# Bad input ----------------------------------------------------------------------------------------

BAD_COVERAGE_INPUT = [
    pytest.param({"services": ["teleportation"]}, "services", id="unknown-service"),
    pytest.param({"services": []}, "services", id="no-service"),
    pytest.param({"services": ["shelter\x00"]}, "services", id="nul-in-service"),
    pytest.param({"services": ["s" * 10_000]}, "services", id="10k-service"),
    pytest.param({"areas": [999_999_999]}, "areas", id="unknown-area"),
    pytest.param({"areas": ["TH"]}, "areas", id="area-code-instead-of-id"),
    pytest.param({"areas": "1"}, "areas", id="areas-not-a-list"),
    pytest.param({"areas": list(range(1, 502))}, "areas", id="501-areas"),
    pytest.param({"geometry": BOWTIE}, "geometry", id="self-intersecting"),
    pytest.param({"geometry": {"type": "Point", "coordinates": [100, 13]}}, "geometry", id="point"),
    pytest.param({"geometry": {"type": "LineString", "coordinates": [[100, 13], [101, 14]]}}, "geometry", id="line"),
    pytest.param(
        {"geometry": {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [101, 14], [100, 14]]]}},
        "geometry",
        id="unclosed-ring",
    ),
    pytest.param(
        {"geometry": {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [100, 13]]]}},
        "geometry",
        id="too-few-points",
    ),
    pytest.param(
        {"geometry": {"type": "Polygon", "coordinates": [[[100, 13], [101, 13], [102, 13], [100, 13]]]}},
        "geometry",
        id="no-area",
    ),
    pytest.param(
        {"geometry": {"type": "Polygon", "coordinates": [[[170, 10], [200, 10], [200, 20], [170, 20], [170, 10]]]}},
        "geometry",
        id="out-of-range",
    ),
    pytest.param({"geometry": {**MAE_SOT, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}},
                 "geometry", id="crs"),
    pytest.param({"geometry": {"type": "Polygon"}}, "geometry", id="no-coordinates"),
    pytest.param({"geometry": {"type": "Polygon", "coordinates": "x"}}, "geometry", id="text-coordinates"),
    pytest.param({"geometry": "POLYGON((100 13, 101 13, 101 14, 100 13))"}, "geometry", id="wkt"),
    pytest.param(
        {"geometry": {"type": "Polygon", "coordinates": [[[98.3, 16.4, 1], [98.9, 16.4, 1], [98.9, 17, 1],
                                                           [98.3, 16.4, 1]]]}},
        "geometry",
        id="three-dimensional",
    ),
]


@pytest.mark.parametrize(("change", "field"), BAD_COVERAGE_INPUT)
def test_registering_with_bad_input_is_400_and_writes_nothing(ngo, team, area, change, field):
    body = {"organisation": str(ngo.pk), "services": ["shelter"], "areas": [area("TH").pk], **change}
    before = CoverageArea.objects.count()
    response = client_for(team["admin"]).post(URL, body)
    assert_problem(response, 400)
    assert field in error_fields(response)
    assert CoverageArea.objects.count() == before


@pytest.mark.parametrize(("change", "field"), BAD_COVERAGE_INPUT)
def test_changing_with_bad_input_is_400_and_changes_nothing(team, coverage, change, field):
    before = snapshot(coverage)
    response = client_for(team["admin"]).patch(detail(coverage), change)
    assert_problem(response, 400)
    assert field in error_fields(response)
    assert snapshot(coverage) == before


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"services": ["shelter"]}, id="neither"),
        pytest.param({"services": ["shelter"], "areas": []}, id="empty-areas"),
        pytest.param({"services": ["shelter"], "areas": [], "geometry": None}, id="empty-areas-null-geometry"),
    ],
)
def test_coverage_without_areas_or_geometry_is_400(ngo, team, body):
    before = CoverageArea.objects.count()
    response = client_for(team["admin"]).post(URL, {"organisation": str(ngo.pk), **body})
    assert_problem(response, 400)
    assert "areas" in error_fields(response)
    assert CoverageArea.objects.count() == before


def test_polygon_with_too_many_vertices_is_400(ngo, team):
    """More vertices than api.fields accepts (20,000): refused with a message, nothing written."""
    ring = [[round(100 + math.cos(i / 20_500 * math.tau), 4), round(13 + math.sin(i / 20_500 * math.tau), 4)]
            for i in range(20_500)]
    ring.append(ring[0])
    before = CoverageArea.objects.count()
    geometry = {"type": "Polygon", "coordinates": [ring]}
    response = client_for(team["admin"]).post(
        URL, {"organisation": str(ngo.pk), "services": ["shelter"], "geometry": geometry}
    )
    body = assert_problem(response, 400)
    assert error_fields(response) == {"geometry"}
    assert "20000" in body["errors"][0]["message"]
    assert CoverageArea.objects.count() == before


def test_body_over_the_upload_limit_is_413(ngo, team):
    ring = [[100 + i / 1e6, 13.123456789] for i in range(60_000)]
    before = CoverageArea.objects.count()
    geometry = {"type": "Polygon", "coordinates": [ring]}
    response = client_for(team["admin"]).post(
        URL, {"organisation": str(ngo.pk), "services": ["shelter"], "geometry": geometry}
    )
    assert_problem(response, 413)
    assert CoverageArea.objects.count() == before


# A drawn area lies within the member states the organisation declares -------------------------
# (its country, and the countries of the areas it covers), against the real Natural Earth boundaries.


def square(west, south, east, north) -> dict:
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


WORLD = square(-180, -90, 180, 90)
# Around Taveuni in Fiji, drawn naively across the antimeridian: read as straight lines in
# longitude, the ring runs the long way round the world, from 179.95 west to -179.95.
FIJI_ACROSS_THE_ANTIMERIDIAN = {"type": "Polygon", "coordinates": [[
    [179.95, -16.9], [-179.95, -16.9], [-179.95, -16.8], [179.95, -16.8], [179.95, -16.9],
]]}
# The same area, split at the antimeridian as RFC 7946 asks.
FIJI_SPLIT = {"type": "MultiPolygon", "coordinates": [
    [[[179.95, -16.9], [180, -16.9], [180, -16.8], [179.95, -16.8], [179.95, -16.9]]],
    [[[-180, -16.9], [-179.95, -16.9], [-179.95, -16.8], [-180, -16.8], [-180, -16.9]]],
]}
KUALA_LUMPUR = square(101.5, 3.0, 101.8, 3.3)  # in Malaysia
MAE_SOT_AND_MYAWADDY = square(98.3, 16.4, 98.9, 17.0)  # 39% of it in Myanmar
MAINLAND_SOUTH_EAST_ASIA = square(97, 5, 106, 21)  # Thailand and all its neighbours
GULF_OF_THAILAND = square(100.5, 10, 101.5, 11)  # open sea
BANGKOK_LAND = square(100.3, 13.6, 100.9, 14.2)


@pytest.fixture
def fiji_ngo(reference_data):
    return OrganisationFactory(name="Suva Women's Crisis Centre", kind="ngo", country="FJ")


def _post_drawn(user, organisation, geometry, areas=()):
    body = {"organisation": str(organisation.pk), "services": ["shelter"], "geometry": geometry}
    if areas:
        body["areas"] = list(areas)
    return client_for(user).post(URL, body)


@pytest.mark.parametrize("geometry", [
    pytest.param(WORLD, id="world"),
    pytest.param(KUALA_LUMPUR, id="another-country"),
    pytest.param(MAE_SOT_AND_MYAWADDY, id="across-the-border"),
    pytest.param(MAINLAND_SOUTH_EAST_ASIA, id="larger-than-the-country"),
    pytest.param(GULF_OF_THAILAND, id="open-sea"),
    pytest.param({"type": "MultiPolygon", "coordinates": [BANGKOK_LAND["coordinates"], KUALA_LUMPUR["coordinates"]]},
                 id="one-part-outside"),
])
def test_a_drawn_area_outside_the_declared_countries_is_400_naming_geometry(ngo, team, geometry):
    before = CoverageArea.objects.count()
    response = _post_drawn(team["admin"], ngo, geometry)
    body = assert_problem(response, 400, "geometry")
    assert error_fields(response) == {"geometry"}
    message = body["errors"][0]["message"]
    assert ("TH" in message) or ("degrees of longitude" in message), message
    assert CoverageArea.objects.count() == before


def test_a_drawn_area_within_the_country_is_accepted(ngo, team):
    response = _post_drawn(team["admin"], ngo, BANGKOK_LAND)
    assert response.status_code == 201, response.content


def test_a_shape_a_little_past_the_simplified_border_is_within_the_tolerance(ngo, team):
    response = _post_drawn(team["admin"], ngo, {"type": "Polygon", "coordinates": [MAE_SOT_RING]})
    assert response.status_code == 201, response.content


def test_a_country_covered_by_area_is_declared(ngo, team, area):
    """Naming an area of Myanmar declares it: the border square is accepted, in the same coverage
    or once another coverage of the organisation names it."""
    same = _post_drawn(team["admin"], ngo, MAE_SOT_AND_MYAWADDY, areas=[area("MM").pk])
    assert same.status_code == 201, same.content
    assert _post_drawn(team["admin"], ngo, KUALA_LUMPUR).status_code == 400
    client_for(team["admin"]).post(URL, {"organisation": str(ngo.pk), "services": ["legal_aid"],
                                         "areas": [area("MY").pk]})
    later = _post_drawn(team["admin"], ngo, KUALA_LUMPUR)
    assert later.status_code == 201, later.content


def test_taking_away_the_area_that_declares_the_country_is_400(ngo, team, area):
    created = _post_drawn(team["admin"], ngo, MAE_SOT_AND_MYAWADDY, areas=[area("MM").pk]).json()
    coverage = CoverageArea.objects.get(pk=created["id"])
    before = snapshot(coverage)
    response = client_for(team["admin"]).patch(detail(coverage), {"areas": [area("LA").pk]})
    assert_problem(response, 400, "geometry")
    assert snapshot(coverage) == before


def test_moving_a_drawn_area_abroad_is_400_and_changes_nothing(ngo, team):
    coverage = CoverageArea.objects.get(pk=_post_drawn(team["admin"], ngo, BANGKOK_LAND).json()["id"])
    before = snapshot(coverage)
    response = client_for(team["admin"]).patch(detail(coverage), {"geometry": KUALA_LUMPUR})
    assert_problem(response, 400, "geometry")
    assert snapshot(coverage) == before


def test_a_polygon_across_the_antimeridian_is_400_saying_how_to_split_it(fiji_ngo, members):
    admin = members(fiji_ngo)["admin"]
    response = _post_drawn(admin, fiji_ngo, FIJI_ACROSS_THE_ANTIMERIDIAN)
    body = assert_problem(response, 400, "geometry")
    assert "antimeridian" in body["errors"][0]["message"]
    assert not CoverageArea.objects.filter(organisation=fiji_ngo).exists()


def test_a_polygon_split_at_the_antimeridian_is_accepted(fiji_ngo, members):
    response = _post_drawn(members(fiji_ngo)["admin"], fiji_ngo, FIJI_SPLIT)
    assert response.status_code == 201, response.content
    stored = CoverageArea.objects.get(pk=response.json()["id"]).geometry
    assert (stored.extent[0], stored.extent[2]) == (-180, 180)
    assert stored.area == pytest.approx(0.01)


@pytest.mark.parametrize("geometry", [
    pytest.param({"type": "Polygon", "coordinates": []}, id="empty"),
    pytest.param({"type": "MultiPolygon", "coordinates": []}, id="empty-multi"),
    pytest.param(BOWTIE, id="self-intersecting"),
    pytest.param(WORLD, id="world"),
])
def test_invalid_empty_or_world_spanning_shapes_are_400(ngo, team, geometry):
    assert_problem(_post_drawn(team["admin"], ngo, geometry), 400, "geometry")


def test_a_refused_shape_does_not_make_the_organisation_match_abroad(ngo, team, area):
    """The attack: a world-spanning shape would have made the organisation match a referral in
    Malaysia. Refused, the organisation matches nowhere outside the areas it declared."""
    client_for(team["admin"]).post(URL, {"organisation": str(ngo.pk), "services": ["shelter"],
                                         "areas": [area("TH").pk]})
    _post_drawn(team["admin"], ngo, WORLD)
    _post_drawn(team["admin"], ngo, FIJI_ACROSS_THE_ANTIMERIDIAN)
    ngo.verified = True
    ngo.save()
    for lat, lon in ((3.15, 101.7), (-16.85, 179.97), (0, -140)):  # Kuala Lumpur, Taveuni, the Pacific
        response = client_for(team["viewer"]).get("/api/v1/providers/search/", {"lat": lat, "lon": lon})
        assert response.status_code == 200, response.content
        assert str(ngo.pk) not in {row["organisation"]["id"] for row in response.json()}
    assert not CoverageArea.objects.filter(organisation=ngo, geometry__isnull=False).exists()
