from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import POLYGON, POSITION, AreaGeometryField
from geo.models import AdministrativeArea
from organisations.api.serializers import ManagedOrganisationField, OrganisationSummarySerializer
from organisations.models import Organisation

from ..models import Activity, ActivityKind, TargetGroup


def _geometry(kind: str, coordinates: dict) -> dict:
    return {"type": "object", "required": ["type", "coordinates"],
            "properties": {"type": {"type": "string", "enum": [kind]}, "coordinates": coordinates}}


class ActivityOrganisationField(ManagedOrganisationField):
    default_error_messages = {
        "does_not_exist": 'No organisation "{pk_value}" whose activities you record: you may only record '
                          "your own organisation's activities.",
    }


@extend_schema_field({"oneOf": [
    _geometry("Point", POSITION),
    _geometry("Polygon", POLYGON),
    _geometry("MultiPolygon", {"type": "array", "items": POLYGON, "minItems": 1}),
]})
class ActivityGeometryField(AreaGeometryField):
    """A Point (a venue) or a Polygon/MultiPolygon (a drawn area), stored as Point or MultiPolygon."""

    allowed_types = (Point, Polygon, MultiPolygon)
    type_names = "Point, Polygon or MultiPolygon"

    def validate_geometry(self, geometry):
        if isinstance(geometry, Point):
            return geometry
        return super().validate_geometry(geometry)


class ActivitySerializer(serializers.ModelSerializer):
    organisation = ActivityOrganisationField(help_text="Your own organisation (admins and caseworkers).")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True,
                                        help_text="Public directory text (at most 5000 characters).")
    areas = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=AdministrativeArea.objects.only("id"),
        help_text="Ids of administrative areas (`/api/v1/geo/areas/`). Give areas, a geometry, or both.",
    )
    geometry = ActivityGeometryField(
        required=False, allow_null=True,
        help_text="A Point or a (Multi)Polygon within the member states the organisation works in.",
    )
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, help_text="On or after start; null: ongoing.")
    target_groups = serializers.ListField(child=serializers.ChoiceField(choices=TargetGroup.choices),
                                          required=False, max_length=len(TargetGroup.choices))
    partners = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Organisation.objects.only("id"),
        help_text="Ids of partner organisations in the network.",
    )
    partner_summaries = OrganisationSummarySerializer(source="partners", many=True, read_only=True)
    partner_names = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=20,
        help_text="Partners outside the network, by name.",
    )

    class Meta:
        model = Activity
        fields = [
            "id", "organisation", "organisation_name", "kind", "title", "description", "areas", "geometry",
            "start", "end", "target_groups", "partners", "partner_summaries", "partner_names", "created", "updated",
        ]
        read_only_fields = ["created", "updated"]

    def validate_areas(self, areas):
        if len(areas) > 500:
            raise serializers.ValidationError(_("At most 500 areas per activity."))
        return areas

    def validate_partners(self, partners):
        if len(partners) > 100:
            raise serializers.ValidationError(_("At most 100 partners per activity."))
        return partners

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"end": _("must be on or after start (%(start)s)")
                    % {"start": start.isoformat()}})
        return attrs
