"""A shelter's area, as others see it: no finer than CONFIDENTIAL_AREA_LEVEL (default 1, the
province), wherever it is shown (the facility API and its filter, provider search, the HSDS
export). With districts loaded, a district can be smaller than the 0.1 degree cell the shelter's
point is shown in, so the area alone would narrow its place down."""

import json

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from geo.models import AdministrativeArea
from geo.services import AreaRecord, area_pieces_rebuild, area_upsert
from tests.conftest import client_for

from .factories import CoverageAreaFactory, FacilityFactory, OrganisationFactory, member, staff_user

pytestmark = pytest.mark.django_db

SHELTER = Point(100.501427, 13.752861, srid=4326)  # inside the district, inside the province


def square(west, south, east, north) -> MultiPolygon:
    return MultiPolygon(Polygon([(west, south), (east, south), (east, north), (west, north), (west, south)]), srid=4326)


@pytest.fixture
def districts(reference_data):
    """A province and a district inside it, loaded the way load_boundaries loads them. The district
    (0.04 x 0.03 degrees) is smaller than a grid cell."""
    province, _ = area_upsert(record=AreaRecord(
        country="TH", level=1, code="TH-10", name="Bangkok", geometry=square(100.3, 13.5, 100.9, 14.0)))
    district, _ = area_upsert(record=AreaRecord(
        country="TH", level=2, code="TH-1001", name="Phra Nakhon", geometry=square(100.48, 13.74, 100.52, 13.77),
        parent_code="TH-10"))
    area_pieces_rebuild(area_ids=[province.pk, district.pk])
    return province, district


@pytest.fixture
def shelter(districts):
    operator = OrganisationFactory(name="Phra Nakhon Shelter", country="TH")
    facility = FacilityFactory(organisation=operator, kind="shelter", location=SHELTER.clone(), name="Safe House")
    assert facility.area == districts[1]
    return facility


@pytest.fixture
def owner(shelter):
    return member(shelter.organisation, "viewer")


@pytest.fixture
def outsider(reference_data):
    return member(OrganisationFactory(name="Another NGO"), "caseworker")


def detail(user, facility):
    response = client_for(user).get(f"/api/v1/facilities/{facility.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_another_organisation_sees_the_province_and_the_owner_the_district(shelter, districts, owner, outsider):
    province, district = districts
    theirs = detail(outsider, shelter)
    assert theirs["area"] == province.pk
    assert theirs["location_exact"] is False
    ours = detail(owner, shelter)
    assert ours["area"] == district.pk
    assert ours["location_exact"] is True
    # The list says the same as the detail.
    listed = client_for(outsider).get("/api/v1/facilities/").json()["results"]
    assert [row["area"] for row in listed if str(row["id"]) == str(shelter.pk)] == [province.pk]
    assert district.pk not in {row["area"] for row in listed}


def test_platform_administrators_see_no_finer_than_the_province(shelter, districts):
    assert detail(staff_user(), shelter)["area"] == districts[0].pk


def test_the_level_follows_the_setting(shelter, districts, outsider, settings, area):
    settings.CONFIDENTIAL_AREA_LEVEL = 0
    assert detail(outsider, shelter)["area"] == area("TH").pk
    settings.CONFIDENTIAL_AREA_LEVEL = 2
    assert detail(outsider, shelter)["area"] == districts[1].pk


def test_public_facilities_keep_their_district(districts, outsider):
    office = FacilityFactory(organisation=OrganisationFactory(), kind="service_point", location=SHELTER.clone())
    assert detail(outsider, office)["area"] == districts[1].pk


def test_a_district_without_a_known_province_shows_what_is_coarse_enough(reference_data, outsider, area):
    orphan, _ = area_upsert(record=AreaRecord(
        country="TH", level=2, code="TH-9901", name="Orphan District", geometry=square(101.0, 14.0, 101.04, 14.03)))
    area_pieces_rebuild(area_ids=[orphan.pk])
    facility = FacilityFactory(organisation=OrganisationFactory(), location=Point(101.02, 14.01, srid=4326))
    assert facility.area == orphan
    if orphan.parent_id is not None:  # the loader hangs it under its country
        assert detail(outsider, facility)["area"] == area("TH").pk
    AdministrativeArea.objects.filter(pk=orphan.pk).update(parent=None)
    assert detail(outsider, facility)["area"] is None  # nothing known at the province level or above


def test_filtering_by_the_district_does_not_find_the_shelter_for_others(shelter, districts, owner, outsider):
    province, district = districts

    def found(user, area):
        response = client_for(user).get("/api/v1/facilities/", {"area": area.pk})
        assert response.status_code == 200, response.content
        return [str(row["id"]) for row in response.json()["results"]]

    assert found(outsider, district) == []
    assert found(outsider, province) == [str(shelter.pk)]
    assert found(owner, district) == [str(shelter.pk)]
    assert found(owner, province) == []  # the owner sees it in its district, and finds it there


def test_provider_search_shows_the_province(shelter, districts, outsider, owner):
    province, district = districts
    CoverageAreaFactory(organisation=shelter.organisation, areas=[province], services=["shelter"])
    params = {"lat": 13.75, "lon": 100.5, "services": "shelter"}

    def facility_area(user):
        response = client_for(user).get("/api/v1/providers/search/", params)
        assert response.status_code == 200, response.content
        (match,) = [m for m in response.json() if m["organisation"]["id"] == str(shelter.organisation.pk)]
        return match["facility"]["area"]

    assert facility_area(outsider) == province.pk
    assert facility_area(owner) == district.pk


def test_the_directory_export_names_the_province_only(shelter, districts, outsider):
    response = client_for(outsider).get("/api/v1/directory/export/")
    assert response.status_code == 200, response.content
    text = json.dumps(response.json())
    assert "Phra Nakhon" not in text.replace("Phra Nakhon Shelter", "")
    assert "TH-1001" not in text
    assert "Bangkok (province TH-10, TH)" in text
