from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from geo.models import AdministrativeArea


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeArea
        fields = ["id", "code", "name", "country", "level", "parent"]


class AreaWithGeometrySerializer(AreaSerializer):
    geometry = GeometryField(help_text="MultiPolygon in EPSG:4326 (GeoJSON).")

    class Meta(AreaSerializer.Meta):
        fields = [*AreaSerializer.Meta.fields, "geometry"]


class LocateQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
