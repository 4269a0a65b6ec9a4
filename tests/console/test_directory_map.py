"""The directory map (/app/directory/): its data is the API's (a shelter of another organisation
at its 0.1 degree cell), its base layer the project's own boundaries, its filters by service and
country, and its page carries no inline script or style (the CSP)."""

import re

import pytest
from django.test import Client

from tests.network import SHELTER_COARSE, SHELTER_EXACT
from tests.organisations.factories import FacilityFactory, staff_user
from tests.referrals.factories import analyst, cover_country

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def directory(ngo, other_ngo, members):
    from django.contrib.gis.geos import Point

    shelter = FacilityFactory(organisation=ngo, name="Confidential shelter", location=Point(*SHELTER_EXACT, srid=4326))
    clinic = FacilityFactory(organisation=other_ngo, name="Legal aid office", kind="office", services=["legal_aid"],
                             location=Point(100.61, 13.81, srid=4326))
    cover_country(ngo)
    return {"shelter": shelter, "clinic": clinic, "operator": members(ngo)["viewer"],
            "outsider": members(other_ngo)["caseworker"]}


def facilities_of(data: dict) -> dict:
    return {f["properties"]["name"]: f for f in data["features"] if f["properties"]["layer"] == "facility"}


def test_a_shelter_is_exact_for_its_operator_and_at_its_cell_for_everyone_else(directory, reference_data):
    for user, exact in ((directory["operator"], True), (directory["outsider"], False), (staff_user(), False)):
        response = client_of(user).get("/app/directory/features.geojson")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/geo+json"
        shelter = facilities_of(response.json())["Confidential shelter"]
        assert shelter["geometry"]["coordinates"] == (list(SHELTER_EXACT) if exact else SHELTER_COARSE)
        assert shelter["properties"]["location_exact"] is exact
        if not exact:
            assert str(SHELTER_EXACT[0]) not in response.content.decode()
            page = client_of(user).get("/app/directory/").content.decode()
            assert str(SHELTER_EXACT[0]) not in page
            assert str(SHELTER_EXACT[1]) not in page


def test_coverage_and_facilities_are_filtered_by_service_and_country(directory):
    client = client_of(directory["outsider"])
    data = client.get("/app/directory/features.geojson").json()
    assert set(facilities_of(data)) == {"Confidential shelter", "Legal aid office"}
    assert [f for f in data["features"] if f["properties"]["layer"] == "coverage"]
    legal = client.get("/app/directory/features.geojson?service=legal_aid").json()
    assert set(facilities_of(legal)) == {"Legal aid office"}
    assert not [f for f in legal["features"] if f["properties"]["layer"] == "coverage"]
    assert client.get("/app/directory/features.geojson?country=ID").json()["features"] == []
    # unknown values filter nothing (and break nothing)
    assert len(client.get("/app/directory/features.geojson?service=%3Cscript%3E&country=XX").json()["features"]) \
        == len(data["features"])
    page = client.get("/app/directory/?service=legal_aid").content.decode()
    assert "Legal aid office" in page
    assert "Confidential shelter" not in page
    assert 'data-features-url="/app/directory/features.geojson?service=legal_aid"' in page


def test_the_base_layer_is_every_country_simplified(directory):
    response = client_of(directory["outsider"]).get("/app/directory/countries.geojson")
    assert response.status_code == 200
    features = response.json()["features"]
    assert len(features) == 45
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    assert {"TH", "ID", "PH"} <= {f["properties"]["code"] for f in features}
    assert len(response.content) < 1_500_000  # simplified: not the 10m outlines
    assert "max-age=86400" in response["Cache-Control"]


def test_the_map_page_uses_local_leaflet_and_no_inline_script_or_style(directory):
    page = client_of(directory["outsider"]).get("/app/directory/").content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    assert all("src=" in tag for tag in scripts)
    assert 'src="/static/leaflet/leaflet.js"' in page
    assert "unpkg" not in page
    assert "cdn" not in page.lower()
    assert " style=" not in page
    assert "<style" not in page
    assert 'data-countries-url="/app/directory/countries.geojson"' in page
    assert "data-tile-url" not in page
    assert '<label for="id_service">Service</label>' in page
    assert '<label for="id_country">Country</label>' in page


def test_a_tile_layer_is_added_when_configured(directory, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client_of(directory["outsider"]).get("/app/directory/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_leaflet_is_served_by_the_site(directory):
    response = Client().get("/static/leaflet/leaflet.js")
    assert response.status_code == 200
    assert b"Leaflet" in b"".join(response.streaming_content) if response.streaming else response.content


def test_the_directory_is_for_the_network(reference_data):
    assert Client().get("/app/directory/")["Location"].startswith("/app/login/")
    for url in ("/app/directory/", "/app/directory/features.geojson", "/app/directory/countries.geojson"):
        response = client_of(analyst()).get(url)
        assert response.status_code == 403
        assert "for members of the network" in response.content.decode()


def test_the_features_read_in_a_fixed_number_of_queries(ngo, members, django_assert_max_num_queries):
    for number in range(6):
        FacilityFactory(organisation=ngo, name=f"Shelter {number}")
        cover_country(ngo)
    client = client_of(members(ngo)["caseworker"])
    with django_assert_max_num_queries(12):
        assert client.get("/app/directory/features.geojson").status_code == 200
