"""Reads of the geography: which areas contain a point, and how a point is generalised."""

import json

from django.conf import settings
from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db import connection
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


def area_outlines(*, level: int = 0, tolerance: float = 0.3, min_area: float = 0.5) -> list[dict]:
    """Simplified outlines of the areas of one level, light enough for a map on a slow connection
    (a few tens of kilobytes): each area's pieces larger than `min_area` square degrees, simplified
    to `tolerance` degrees, with one decimal. GeoJSON features with the area's id and name."""
    table = connection.ops.quote_name(AdministrativeArea._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, name, ST_AsGeoJSON(ST_Collect(piece), 1)
            FROM (
                SELECT a.id, a.name, (ST_Dump(ST_SimplifyPreserveTopology(a.geometry, %s))).geom AS piece
                FROM {table} a WHERE a.level = %s
            ) pieces
            WHERE ST_Area(piece) > %s
            GROUP BY id, name ORDER BY name
            """,  # noqa: S608 (the only text added is the model's table name)
            [tolerance, level, min_area],
        )
        return [
            {"type": "Feature", "id": pk, "properties": {"name": name}, "geometry": json.loads(geometry)}
            for pk, name, geometry in cursor.fetchall()
        ]
