"""Lists are paginated: 25 by default, page_size up to 100 and never more."""

import pytest

from organisations.models import Organisation
from tests.conftest import client_for
from tests.organisations.factories import member

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations/"


@pytest.fixture
def viewer(ngo):
    Organisation.objects.bulk_create(
        Organisation(name=f"Org {i:03}", kind="ngo", country="TH", verified=True) for i in range(130)
    )
    return member(ngo, "viewer")


def test_default_page_is_25(viewer):
    body = client_for(viewer).get(URL).json()
    assert body["count"] == 131
    assert len(body["results"]) == 25
    assert body["next"].endswith("?page=2")
    assert body["previous"] is None


@pytest.mark.parametrize(("asked", "given"), [(1, 1), (50, 50), (100, 100), (101, 100), (10_000, 100)])
def test_page_size_is_capped_at_100(viewer, asked, given):
    body = client_for(viewer).get(URL, {"page_size": asked}).json()
    assert body["count"] == 131
    assert len(body["results"]) == given


@pytest.mark.parametrize("asked", [0, -1, "lots"])
def test_nonsense_page_size_falls_back_to_the_default(viewer, asked):
    response = client_for(viewer).get(URL, {"page_size": asked})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 25


def test_pages_do_not_overlap_and_cover_everything(viewer):
    client = client_for(viewer)
    ids = []
    for page in (1, 2):
        ids += [row["id"] for row in client.get(URL, {"page_size": 100, "page": page}).json()["results"]]
    assert len(ids) == len(set(ids)) == 131


@pytest.mark.parametrize("page", [99, 0, "x"])
def test_a_page_out_of_range_is_404_problem(viewer, page):
    response = client_for(viewer).get(URL, {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_geo_area_list_is_capped_too(viewer):
    body = client_for(viewer).get("/api/v1/geo/areas/", {"page_size": 1000}).json()
    assert len(body["results"]) == min(body["count"], 100)
