"""GET /api/v1/geo/areas/: the administrative areas, filtered, with their boundary only on request."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo.models import AdministrativeArea
from geo.services import AreaRecord, area_pieces_rebuild, area_upsert
from tests.conftest import BALI_PROCESS_MEMBER_COUNT, client_for
from tests.organisations.factories import member, staff_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/geo/areas/"
FIELDS = {"id", "code", "name", "country", "level", "parent"}
BANGKOK_SQUARE = MultiPolygon(
    Polygon([(100.3, 13.5), (100.9, 13.5), (100.9, 14.0), (100.3, 14.0), (100.3, 13.5)]), srid=4326
)


@pytest.fixture
def user(ngo):
    return member(ngo, "viewer")


@pytest.fixture
def province(reference_data):
    area, _ = area_upsert(
        record=AreaRecord(country="TH", level=1, code="TH-10", name="Bangkok", geometry=BANGKOK_SQUARE)
    )
    area_pieces_rebuild(area_ids=[area.pk])
    return area


def test_lists_the_member_states_without_geometry(user):
    response = client_for(user).get(URL, {"page_size": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == BALI_PROCESS_MEMBER_COUNT
    for row in body["results"]:
        assert set(row) == FIELDS
        assert row["level"] == 0
        assert row["parent"] is None
    assert {"TH", "LA", "ID", "AU", "NZ", "US"} <= {row["country"] for row in body["results"]}


@pytest.mark.parametrize("country", ["TH", "th"])
def test_filter_by_country(user, area, country):
    response = client_for(user).get(URL, {"country": country})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": area("TH").pk, "code": "TH", "name": "Thailand", "country": "TH", "level": 0, "parent": None}
    ]


def test_filter_by_level_and_parent(user, area, province):
    client = client_for(user)
    provinces = client.get(URL, {"level": 1}).json()["results"]
    assert [row["id"] for row in provinces] == [province.pk]
    assert provinces[0]["parent"] == area("TH").pk

    children = client.get(URL, {"parent": area("TH").pk}).json()["results"]
    assert [row["code"] for row in children] == ["TH-10"]
    assert client.get(URL, {"parent": area("LA").pk}).json()["results"] == []

    thai = client.get(URL, {"country": "TH"}).json()["results"]
    assert [(row["level"], row["code"]) for row in thai] == [(0, "TH"), (1, "TH-10")]
    assert client.get(URL, {"country": "TH", "level": 0}).json()["count"] == 1


def test_geometry_only_on_request(user, area):
    client = client_for(user)
    without = client.get(URL, {"country": "LA"}).json()["results"][0]
    assert "geometry" not in without

    response = client.get(URL, {"country": "LA", "geometry": "true"})
    assert response.status_code == 200
    [with_geometry] = response.json()["results"]
    assert set(with_geometry) == FIELDS | {"geometry"}
    assert with_geometry["geometry"]["type"] == "MultiPolygon"
    assert len(with_geometry["geometry"]["coordinates"]) >= 1


def test_one_area(user, area):
    laos = area("LA")
    response = client_for(user).get(f"{URL}{laos.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": laos.pk, "code": "LA", "name": laos.name, "country": "LA", "level": 0, "parent": None
    }
    with_geometry = client_for(user).get(f"{URL}{laos.pk}/", {"geometry": "true"}).json()
    assert with_geometry["geometry"]["type"] == "MultiPolygon"


def test_unknown_area_is_404(user):
    response = client_for(user).get(f"{URL}999999999/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": 7}, "level"), ({"level": "x"}, "level"), ({"country": "THA"}, "country"), ({"parent": "x"}, "parent")],
)
def test_bad_filter_is_400(user, params, field):
    response = client_for(user).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}


def test_anonymous_is_401(api, area):
    for url in (URL, f"{URL}{area('TH').pk}/"):
        response = api.get(url)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"


def test_areas_are_read_only_even_for_platform_administrators(area):
    client = client_for(staff_user())
    thailand = area("TH")
    before = AdministrativeArea.objects.count()
    assert client.post(URL, {"code": "XX", "name": "Atlantis", "country": "XX", "level": 0}).status_code == 405
    assert client.patch(f"{URL}{thailand.pk}/", {"name": "Siam"}).status_code == 405
    assert client.delete(f"{URL}{thailand.pk}/").status_code == 405
    assert AdministrativeArea.objects.count() == before
    assert AdministrativeArea.objects.get(pk=thailand.pk).name == "Thailand"
