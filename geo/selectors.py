"""Reads of the geography: which areas contain a point, and how a point is generalised."""

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db.models import Exists, OuterRef, QuerySet

from .models import AdministrativeArea, AreaPiece


def areas_containing(*, point: Point) -> QuerySet[AdministrativeArea]:
    """Every area whose boundary covers the point, smallest (deepest level) first.

    Tested against the subdivided pieces, whose GiST index narrows the test to a handful of
    small polygons."""
    pieces = AreaPiece.objects.filter(area=OuterRef("pk"), geometry__covers=point)
    return AdministrativeArea.objects.filter(Exists(pieces)).order_by("-level", "name")


def smallest_area_containing(*, point: Point) -> AdministrativeArea | None:
    return areas_containing(point=point).defer("geometry").first()


def representative_point(*, area: AdministrativeArea) -> Point:
    """A point inside the area, computed by PostGIS (the outline itself is not loaded)."""
    return AdministrativeArea.objects.filter(pk=area.pk).annotate(inside=PointOnSurface("geometry")).values_list(
        "inside", flat=True
    ).get()


def coarsen_point(point: Point, *, grid: float | None = None) -> Point:
    """Round a point to the coarse grid, so that an exact location cannot be read back from it."""
    grid = grid or settings.COARSE_GRID_DEGREES
    return Point(round(round(point.x / grid) * grid, 6), round(round(point.y / grid) * grid, 6), srid=4326)
