"""List endpoints cost the same number of queries for a page of 5 as for a page of 50 (no N+1)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geo.models import AdministrativeArea
from organisations.models import CoverageArea, Facility, Membership, Organisation
from tests.conftest import client_for
from tests.organisations.factories import member

pytestmark = pytest.mark.django_db

User = get_user_model()
ROWS = 60


def query_count(user_pk: int, url: str, params: dict) -> tuple[int, int]:
    """(queries, rows) of one request, by a freshly loaded user, as a new request would have."""
    client = client_for(User.objects.get(pk=user_pk))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


def assert_constant_queries(user, url: str, **params) -> None:
    small, small_rows = query_count(user.pk, url, {**params, "page_size": 5})
    large, large_rows = query_count(user.pk, url, {**params, "page_size": 50})
    assert small_rows == 5
    assert large_rows > small_rows
    assert small == large, f"{url}: {small} queries for 5 rows, {large} for {large_rows}"


@pytest.fixture
def viewer(ngo):
    return member(ngo, "viewer")


def test_organisations(viewer):
    Organisation.objects.bulk_create(
        Organisation(name=f"Org {i:03}", kind="ngo", country="TH", verified=True) for i in range(ROWS)
    )
    assert_constant_queries(viewer, "/api/v1/organisations/")


def test_facilities(ngo, other_ngo, viewer, area):
    # Shelters of both organisations, so that the confidentiality decision is made for each row.
    Facility.objects.bulk_create(
        Facility(
            organisation=ngo if i % 2 else other_ngo, name=f"Facility {i:03}", kind="shelter",
            location=Point(100 + i / 100, 13 + i / 100, srid=4326), area=area("TH"), services=["shelter"],
            capacity_total=10, capacity_available=i % 10, accepts_genders=["female"], accepts_age_groups=["adult"],
            languages=["th"],
        )
        for i in range(ROWS)
    )
    assert_constant_queries(viewer, "/api/v1/facilities/")


def test_coverage_areas(ngo, viewer, area):
    coverages = CoverageArea.objects.bulk_create(
        CoverageArea(organisation=ngo, services=["shelter", "medical"]) for _ in range(ROWS)
    )
    through = CoverageArea.areas.through
    through.objects.bulk_create(
        through(coveragearea_id=coverage.pk, administrativearea_id=area(code).pk)
        for coverage in coverages for code in ("TH", "LA")
    )
    assert_constant_queries(viewer, "/api/v1/coverage-areas/")


def test_members(ngo, viewer):
    users = User.objects.bulk_create(
        User(username=f"bulk-{i:03}", email=f"bulk-{i:03}@example.org") for i in range(ROWS)
    )
    Membership.objects.bulk_create(Membership(user=user, organisation=ngo, role="viewer") for user in users)
    assert_constant_queries(viewer, f"/api/v1/organisations/{ngo.pk}/members/")


@pytest.mark.parametrize("geometry", [None, "true"])
def test_geo_areas(viewer, geometry):
    assert AdministrativeArea.objects.count() > 5
    params = {"geometry": geometry} if geometry else {}
    assert_constant_queries(viewer, "/api/v1/geo/areas/", **params)


def test_services(viewer):
    small, _ = query_count(viewer.pk, "/api/v1/services/", {"page_size": 5})
    large, rows = query_count(viewer.pk, "/api/v1/services/", {"page_size": 50})
    assert rows >= 10
    assert small == large
