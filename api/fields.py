"""Fields shared by the apps' HTTP layers: validated GeoJSON geometries, and the instant filter
every datetime query parameter uses."""

from datetime import UTC

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext, gettext_lazy
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

MAX_GEOMETRY_VERTICES = 20_000
MAX_POLYGON_LONGITUDES = 180  # wider is a world-spanning band, or an antimeridian crossing misread


class _TypedGeometryField(GeometryField):
    allowed_types: tuple[type, ...] = ()
    type_names = ""

    def to_internal_value(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                gettext("Expected a GeoJSON %(types)s object.") % {"types": self.type_names})
        if "crs" in value:
            # Coordinates are WGS 84 (RFC 7946); a foreign spatial reference would also reach
            # GDAL's parser, which this GDAL version cannot sandbox.
            raise serializers.ValidationError(gettext("GeoJSON 'crs' is not accepted: coordinates are WGS 84."))
        try:
            geometry = super().to_internal_value(value)
        except serializers.ValidationError:
            raise
        except Exception as error:  # GEOS/GDAL raise several unrelated types on malformed input
            raise serializers.ValidationError(gettext("Invalid GeoJSON: %(error)s") % {"error": error}) from error
        if not isinstance(geometry, self.allowed_types):
            raise serializers.ValidationError(gettext("Expected a GeoJSON %(types)s, got %(got)s.") % {
                "types": self.type_names, "got": geometry.geom_type})
        if geometry.empty:
            # An empty geometry has no extent to check, and no place to be.
            raise serializers.ValidationError(gettext("The %(types)s is empty.") % {"types": self.type_names})
        if geometry.hasz:
            # The columns are two-dimensional: PostGIS would refuse a third coordinate on save.
            raise serializers.ValidationError(gettext("Coordinates must be two-dimensional: [longitude, latitude]."))
        if geometry.srid not in (None, 4326):
            geometry.transform(4326)
        geometry.srid = 4326
        if geometry.num_coords > MAX_GEOMETRY_VERTICES:
            raise serializers.ValidationError(
                gettext("Geometry has %(count)s vertices; at most %(limit)s are accepted.") % {
                    "count": geometry.num_coords, "limit": MAX_GEOMETRY_VERTICES}
            )
        extent = geometry.extent
        if extent[0] < -180 or extent[2] > 180 or extent[1] < -90 or extent[3] > 90:
            raise serializers.ValidationError(gettext("Coordinates must be longitude -180..180, latitude -90..90."))
        return self.validate_geometry(geometry)

    def validate_geometry(self, geometry):
        return geometry


def _geojson_schema(geometry_type: str, coordinates: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": [geometry_type]},
            "coordinates": coordinates,
        },
        "required": ["type", "coordinates"],
    }


# [longitude, latitude]: two-dimensional only (a third coordinate is refused), each within -180..180
# (OpenAPI 3.0 cannot give the two items different ranges; latitude is checked to -90..90).
POSITION = {
    "type": "array",
    "items": {"type": "number", "format": "float", "minimum": -180, "maximum": 180},
    "minItems": 2,
    "maxItems": 2,
    "example": [100.5, 13.75],
}
RING = {"type": "array", "items": POSITION, "minItems": 4}
POLYGON = {"type": "array", "items": RING, "minItems": 1}  # an empty geometry is refused


@extend_schema_field(_geojson_schema("Point", POSITION))
class PointField(_TypedGeometryField):
    allowed_types = (Point,)
    type_names = "Point"

    def validate_geometry(self, geometry):
        if geometry.empty:
            raise serializers.ValidationError(gettext("The point is empty."))
        return geometry

    def to_representation(self, value):
        return point_representation(value)


def point_representation(point: Point | None) -> dict | None:
    """A point as GeoJSON, straight from GEOS: the parent field goes through GDAL's GeoJSON writer
    and parses its output back, which was the largest part of serialising a page of facilities."""
    if point is None:
        return None
    return {"type": "Point", "coordinates": [point.x, point.y]}


@extend_schema_field({"oneOf": [
    _geojson_schema("Polygon", POLYGON),
    _geojson_schema("MultiPolygon", {"type": "array", "items": POLYGON, "minItems": 1}),
]})
class AreaGeometryField(_TypedGeometryField):
    """A Polygon or MultiPolygon, stored as a valid MultiPolygon."""

    allowed_types = (Polygon, MultiPolygon)
    type_names = "Polygon or MultiPolygon"

    def validate_geometry(self, geometry):
        if isinstance(geometry, Polygon):
            geometry = MultiPolygon(geometry, srid=4326)
        if geometry.empty:
            raise serializers.ValidationError(gettext("The polygon is empty."))
        if not geometry.valid:
            raise serializers.ValidationError(
                gettext("Invalid polygon: %(reason)s.") % {"reason": geometry.valid_reason})
        if geometry.area == 0:
            raise serializers.ValidationError(gettext("The polygon has no area."))
        for polygon in geometry:
            west, _, east, _ = polygon.extent
            if east - west > MAX_POLYGON_LONGITUDES:
                # GeoJSON edges are straight lines in longitude and latitude (RFC 7946): a ring from
                # 179 to -179 is read the long way round, as a band around the whole world.
                raise serializers.ValidationError(
                    gettext(
                        "A polygon spans %(degrees)s degrees of longitude: one that crosses the antimeridian "
                        "must be split there into a MultiPolygon (one part up to 180, one from -180)."
                    ) % {"degrees": f"{east - west:g}"}
                )
        return geometry


# --- instants in query parameters -------------------------------------------------------------


class UTCDateTimeFormField(filter_fields.IsoDateTimeField):
    """An ISO 8601 instant, converted to UTC as it is read. Python accepts UTC offsets up to 24
    hours, PostgreSQL refuses those past 15:59, and near the ends of the calendar the conversion
    itself leaves Python's range (0001-01-01T00:00+23:59 is in the year 0): such a value is out of
    range (400 naming the parameter), never an OverflowError (500)."""

    default_error_messages = {
        "overflow": gettext_lazy("Out of range: in UTC this instant falls outside the years 1 to 9999."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError as error:
            raise DjangoValidationError(self.error_messages["overflow"], code="overflow") from error


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    """The filter of every datetime query parameter: the instant reaches the database in UTC."""

    field_class = UTCDateTimeFormField


class CatalogueTextField(serializers.CharField):
    """Stored text that may be one of the catalogues' messages (a seeded form's questions, say):
    answered in the caller's language when the catalogue has it, else as stored. Written as given."""

    def to_representation(self, value):
        return gettext(super().to_representation(value))
