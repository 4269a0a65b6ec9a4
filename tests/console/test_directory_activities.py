"""The directory map's activities layer (/app/directory/activities.geojson): the activities the
API shows (every member of the network and platform staff read), drawn places as drawn, named
areas as outlines, filtered by country; analysts and anonymous callers get none."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from activities import services
from tests.organisations.factories import staff_user
from tests.referrals.factories import analyst

pytestmark = pytest.mark.django_db
URL = "/app/directory/activities.geojson"


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def activities(ngo, other_ngo, area):
    drawn = services.activity_create(organisation=ngo, data={
        "kind": "training", "title": "Frontline training", "start": date(2026, 2, 1),
        "geometry": Point(100.5, 13.75, srid=4326), "partners": [other_ngo]})
    named = services.activity_create(organisation=other_ngo, data={
        "kind": "awareness", "title": "Safe migration talks", "start": date(2026, 1, 1),
        "end": date(2026, 6, 30), "areas": [area("TH")]})
    return {"drawn": drawn, "named": named}


def by_title(response) -> dict:
    assert response["Content-Type"] == "application/geo+json"
    return {feature["properties"]["name"]: feature for feature in response.json()["features"]}


def test_every_member_reads_every_organisations_activities(activities, ngo, other_ngo, members):
    for user in (members(ngo)["viewer"], members(other_ngo)["caseworker"], staff_user()):
        features = by_title(client_of(user).get(URL))
        assert set(features) == {"Frontline training", "Safe migration talks"}
    drawn, named = features["Frontline training"], features["Safe migration talks"]
    assert drawn["geometry"]["geometries"] == [{"type": "Point", "coordinates": [100.5, 13.75]}]
    assert drawn["properties"]["partners"] == ["Mekong Legal Aid"]
    assert drawn["properties"]["end"] is None
    assert named["geometry"]["geometries"][0]["type"] in ("Polygon", "MultiPolygon")
    assert named["properties"]["organisation"] == "Mekong Legal Aid"


def test_the_country_filter_applies(activities, ngo, members):
    client = client_of(members(ngo)["viewer"])
    assert len(by_title(client.get(URL, {"country": "TH"}))) == 2
    assert by_title(client.get(URL, {"country": "VN"})) == {}


def test_the_layer_is_refused_outside_the_network(activities, client):
    assert client_of(analyst()).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/app/login/")


def test_the_map_page_links_the_layer_and_its_toggle(activities, ngo, members):
    body = client_of(members(ngo)["viewer"]).get("/app/directory/", {"country": "TH"}).content.decode()
    assert 'id="map-activities"' in body
    assert f'data-activities-url="{URL}?country=TH"' in body


def test_the_layer_reads_in_a_fixed_number_of_queries(ngo, area, members, django_assert_max_num_queries):
    user = members(ngo)["viewer"]
    client = client_of(user)
    for number in range(6):
        services.activity_create(organisation=ngo, data={
            "kind": "training", "title": f"Training {number}", "start": date(2026, 2, 1), "areas": [area("TH")],
            "geometry": Point(100.5 + number / 10, 13.75, srid=4326)})
    with django_assert_max_num_queries(12):
        assert len(by_title(client.get(URL))) == 6
