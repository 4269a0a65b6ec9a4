"""Reads of the geography: which areas contain a point, how a point is generalised, and outlines
simple enough for a map."""

import json

from django.conf import settings
from django.contrib.gis.db.models import MultiPolygonField
from django.contrib.gis.db.models.functions import AsGeoJSON, PointOnSurface
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, QuerySet, Value

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


def simplified_outlines(*, area_ids=None, level: int | None = None, tolerance: float = 0.05,
                        precision: int = 3) -> dict:
    """{area id: (name, country, GeoJSON geometry dict)} of areas outlined coarsely enough for a
    map's base layer (a slow connection downloads them): simplified in the database, topology
    kept, coordinates rounded to `precision` decimals."""
    queryset = AdministrativeArea.objects.all()
    if area_ids is not None:
        queryset = queryset.filter(pk__in=list(area_ids))
    if level is not None:
        queryset = queryset.filter(level=level)
    simplified = Func(F("geometry"), Value(tolerance), function="ST_SimplifyPreserveTopology",
                      output_field=MultiPolygonField(srid=4326))
    rows = queryset.annotate(outline=AsGeoJSON(simplified, precision=precision)).values_list(
        "pk", "name", "country", "outline")
    return {pk: (name, country, json.loads(outline)) for pk, name, country, outline in rows if outline}
