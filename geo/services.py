"""Writes to the geography: loading boundaries and keeping their subdivided pieces in step."""

from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction

from .models import AdministrativeArea

# Vertices per piece: small enough that a point test is cheap, large enough that a country
# is still a few hundred pieces.
PIECE_MAX_VERTICES = 64


@dataclass(frozen=True)
class AreaRecord:
    country: str
    level: int
    code: str
    name: str
    geometry: GEOSGeometry
    parent_code: str | None = None


def as_multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    if geometry.srid and geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon(geometry, srid=4326)
    if not isinstance(geometry, MultiPolygon):
        raise ValueError(f"expected a polygon or multipolygon, got {geometry.geom_type}")
    geometry.srid = 4326
    return geometry


def area_upsert(*, record: AreaRecord) -> tuple[AdministrativeArea, bool]:
    """Create the area or update the one with the same level and code; returns (area, created)."""
    parent = None
    if record.parent_code:
        parent = AdministrativeArea.objects.filter(
            level=record.level - 1, code=record.parent_code
        ).first()
    elif record.level > 0:
        parent = AdministrativeArea.objects.filter(level=0, country=record.country).first()
    return AdministrativeArea.objects.update_or_create(
        level=record.level,
        code=record.code,
        defaults={
            "country": record.country,
            "name": record.name,
            "parent": parent,
            "geometry": as_multipolygon(record.geometry),
        },
    )


@transaction.atomic
def area_pieces_rebuild(*, area_ids: list[int] | None = None) -> int:
    """Repair invalid boundaries and re-cut the pieces of the given areas (all when None)."""
    where = "" if area_ids is None else "WHERE id = ANY(%s)"
    params = [] if area_ids is None else [list(area_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE geo_administrativearea
                   SET geometry = ST_Multi(ST_CollectionExtract(ST_MakeValid(geometry), 3))
                 {where} {"AND" if where else "WHERE"} NOT ST_IsValid(geometry)""",  # noqa: S608
            params,
        )
        piece_filter = "" if area_ids is None else "WHERE area_id = ANY(%s)"
        cursor.execute(f"DELETE FROM geo_areapiece {piece_filter}", params)  # noqa: S608
        cursor.execute(
            f"""INSERT INTO geo_areapiece (area_id, geometry)
                SELECT id, ST_Subdivide(geometry, {PIECE_MAX_VERTICES})
                  FROM geo_administrativearea {where}""",  # noqa: S608
            params,
        )
        cursor.execute("SELECT count(*) FROM geo_areapiece")
        return cursor.fetchone()[0]

