import pytest

from tests.conftest import client_for
from tests.organisations.factories import member

pytestmark = pytest.mark.django_db

# Points well inside one member state, and one just across a border from its neighbour.
BANGKOK = (13.7563, 100.5018)
VIENTIANE = (17.9757, 102.6331)
NONG_KHAI = (17.8783, 102.7420)  # Thailand, across the Mekong from Vientiane


@pytest.fixture
def user(ngo):
    return member(ngo, "viewer")


@pytest.mark.parametrize(
    ("point", "country"), [(BANGKOK, "TH"), (VIENTIANE, "LA"), (NONG_KHAI, "TH")]
)
def test_locate_finds_the_country_containing_the_point(user, point, country):
    response = client_for(user).get("/api/v1/geo/locate/", {"lat": point[0], "lon": point[1]})
    assert response.status_code == 200
    assert [area["country"] for area in response.json()] == [country]


def test_locate_in_the_open_sea_finds_nothing(user):
    response = client_for(user).get("/api/v1/geo/locate/", {"lat": 0, "lon": -140})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    "params",
    [{"lat": 91, "lon": 0}, {"lat": 0, "lon": 181}, {"lat": "x", "lon": 0}, {"lon": 0}, {"lat": "nan", "lon": 0}],
)
def test_locate_refuses_bad_coordinates(user, params):
    response = client_for(user).get("/api/v1/geo/locate/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]


def test_locate_requires_authentication(api):
    response = api.get("/api/v1/geo/locate/", {"lat": 13.7, "lon": 100.5})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
