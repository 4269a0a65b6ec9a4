"""Point-to-area lookup across levels, and coarsening of locations (tests/geo/test_locate.py covers
the endpoint on country boundaries)."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from geo.models import AreaPiece
from geo.selectors import areas_containing, coarsen_point, smallest_area_containing
from geo.services import AreaRecord, area_pieces_rebuild, area_upsert
from tests.conftest import client_for
from tests.organisations.factories import member

pytestmark = pytest.mark.django_db

BANGKOK = Point(100.5018, 13.7563, srid=4326)


def square(west, south, east, north) -> MultiPolygon:
    return MultiPolygon(Polygon([(west, south), (east, south), (east, north), (west, north), (west, south)]), srid=4326)


@pytest.fixture
def bangkok_districts(reference_data):
    """A province and a district inside it, loaded the way load_boundaries loads them."""
    province, _ = area_upsert(
        record=AreaRecord(
            country="TH", level=1, code="TH-10", name="Bangkok", geometry=square(100.3, 13.5, 100.9, 14.0)
        )
    )
    district, _ = area_upsert(
        record=AreaRecord(
            country="TH", level=2, code="TH-1001", name="Phra Nakhon", geometry=square(100.48, 13.74, 100.52, 13.77),
            parent_code="TH-10",
        )
    )
    area_pieces_rebuild(area_ids=[province.pk, district.pk])
    return province, district


def test_areas_containing_lists_the_smallest_first(area, bangkok_districts):
    province, district = bangkok_districts
    assert list(areas_containing(point=BANGKOK)) == [district, province, area("TH")]
    assert smallest_area_containing(point=BANGKOK) == district
    assert district.parent == province
    assert province.parent == area("TH")


def test_locate_lists_every_level_smallest_first(ngo, bangkok_districts):
    response = client_for(member(ngo, "viewer")).get("/api/v1/geo/locate/", {"lat": 13.7563, "lon": 100.5018})
    assert response.status_code == 200
    assert [(row["level"], row["code"]) for row in response.json()] == [(2, "TH-1001"), (1, "TH-10"), (0, "TH")]
    for row in response.json():
        assert "geometry" not in row


def test_a_point_on_the_edge_of_an_area_is_covered(area, bangkok_districts):
    province, _ = bangkok_districts
    assert province in areas_containing(point=Point(100.3, 13.75, srid=4326))


def test_outside_the_province_only_the_country(area, bangkok_districts):
    chiang_mai = Point(98.9853, 18.7883, srid=4326)
    assert list(areas_containing(point=chiang_mai)) == [area("TH")]


def test_every_loaded_area_has_pieces_of_bounded_size(area):
    thailand = area("TH")
    pieces = AreaPiece.objects.filter(area=thailand)
    assert pieces.count() > 1
    assert max(piece.geometry.num_coords for piece in pieces) <= 64 + 1
    # The pieces together are the country.
    union = pieces[0].geometry
    for piece in pieces[1:]:
        union = union.union(piece.geometry)
    assert abs(union.area - thailand.geometry.area) < 1e-6 * thailand.geometry.area + 1e-9


def test_rebuilding_pieces_is_idempotent(area, bangkok_districts):
    province, district = bangkok_districts
    before = AreaPiece.objects.filter(area__in=[province, district]).count()
    area_pieces_rebuild(area_ids=[province.pk, district.pk])
    assert AreaPiece.objects.filter(area__in=[province, district]).count() == before


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((100.53317, 13.74629), (100.5, 13.7)),
        ((100.56, 13.76), (100.6, 13.8)),
        ((-0.04, -0.06), (-0.0, -0.1)),
        ((179.99, 89.99), (180.0, 90.0)),
        ((102.6331, 17.9757), (102.6, 18.0)),
    ],
)
def test_coarsen_point_rounds_to_a_tenth_of_a_degree(point, expected):
    coarse = coarsen_point(Point(*point, srid=4326))
    assert coarse.coords == pytest.approx(expected)
    assert coarse.srid == 4326


def test_coarsen_point_with_another_grid():
    assert coarsen_point(Point(100.53317, 13.74629, srid=4326), grid=0.5).coords == (100.5, 13.5)
    assert coarsen_point(Point(100.53317, 13.74629, srid=4326), grid=1).coords == (101.0, 14.0)
