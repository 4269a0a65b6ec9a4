from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from rest_framework import serializers

from api.fields import AreaGeometryField, PointField, point_representation
from geo.models import AdministrativeArea
from organisations import permissions
from organisations.capacity import capacity_is_stale
from organisations.codes import COUNTRY_CHOICES, LANGUAGE_CHOICES
from organisations.models import (
    AgeGroup,
    CoverageArea,
    Facility,
    FacilityKind,
    Gender,
    Membership,
    Organisation,
    Role,
    ServiceType,
)
from organisations.selectors import facility_area_shown, facility_location_shown

User = get_user_model()


class ManagedOrganisationField(serializers.PrimaryKeyRelatedField):
    """An organisation whose directory the requesting user manages: the choices are
    `Organisation.objects.restrict(user, "manage_directory")`, not every organisation."""

    default_error_messages = {
        "does_not_exist": 'No organisation "{pk_value}" whose directory you manage: you may only register '
                          "your own organisation's facilities and coverage.",
    }

    def __init__(self, **kwargs):
        super().__init__(queryset=Organisation.objects.none(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Organisation.objects.none()
        return Organisation.objects.restrict(request.user, "manage_directory")


def service_codes_field(**kwargs):
    # At least one: a facility's and a coverage's services are required by the model and the
    # services, so the schema says so and an empty list is named here (minItems: 1).
    return serializers.ListField(
        child=serializers.SlugField(max_length=40),
        allow_empty=False,
        min_length=1,
        max_length=50,
        help_text="Service codes from the taxonomy (`/api/v1/services/`).",
        **kwargs,
    )


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, help_text="ISO 3166-1 alpha-2 code of the country it is based in."
    )
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "country", "verified", "identifies_victims", "focal_point", "description",
                  "website"]
        extra_kwargs = {
            "verified": {"required": False},
            "identifies_victims": {
                "required": False,
                "help_text": "Competent to identify victims (capability identify_victims); platform administrators "
                             "set it, anyone else changing it gets 403.",
            },
            "focal_point": {"required": False},
        }


class ServiceTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceType
        fields = ["code", "name", "description"]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=150, source="user.username",
        help_text="Letters, digits and @/./+/-/_ only.",
    )
    email = serializers.EmailField(source="user.email", required=False, allow_blank=True, max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"},
        help_text="Initial password; checked against the password rules. Never shown again.",
    )
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "password"]


class MemberUpdateSerializer(serializers.ModelSerializer):
    """A member's new role."""

    role = serializers.ChoiceField(choices=Role.choices)

    # A role change is never partial: `{}` is a 400 naming `role`. drf-spectacular documents a PATCH
    # body from a partial copy of the serializer (every field optional), so the serializer refuses
    # to become partial, and the schema says `role` is required, as the view does.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass

    class Meta:
        model = Membership
        fields = ["role"]


def _language_list(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), max_length=50,
        help_text="ISO 639-1 codes.", **kwargs,
    )


_TIMESTAMP = serializers.DateTimeField(read_only=True)  # DRF's own format, for the fast facility reads


class FacilitySerializer(serializers.ModelSerializer):
    organisation = ManagedOrganisationField()
    location = PointField(
        help_text="GeoJSON Point [lon, lat]. For shelters of other organisations: rounded to 0.1 degree."
    )
    location_exact = serializers.SerializerMethodField(
        help_text="False when `location` is generalised because the shelter's exact place is confidential."
    )
    services = service_codes_field()
    # Who a facility accepts and the languages it works in are required (the model refuses empty
    # lists), so the schema says so and a missing list is named here rather than by the model.
    # min_length=1 is what puts minItems: 1 in the schema; allow_empty=False names the error.
    accepts_genders = serializers.ListField(
        child=serializers.ChoiceField(choices=Gender.choices), min_length=1, max_length=3, allow_empty=False
    )
    accepts_age_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=AgeGroup.choices), min_length=1, max_length=2, allow_empty=False
    )
    languages = _language_list(allow_empty=False, min_length=1)
    capacity_total = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    capacity_available = serializers.IntegerField(min_value=0, max_value=100_000, required=False)
    capacity_updated = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When capacity_available was last reported or changed."
    )
    capacity_stale = serializers.SerializerMethodField(
        help_text="True when the figure is older than CAPACITY_STALE_HOURS (or was never reported): "
                  "its free beds count as unknown."
    )
    kind = serializers.ChoiceField(choices=FacilityKind.choices)

    class Meta:
        model = Facility
        fields = [
            "id", "organisation", "name", "kind", "location", "location_exact", "area", "services",
            "capacity_total", "capacity_available", "capacity_updated", "capacity_stale", "accepts_genders",
            "accepts_age_groups", "languages",
        ]
        read_only_fields = ["area"]

    def _viewer(self):
        request = self.context.get("request")
        return permissions.exact_locations_for(request.user) if request is not None else ()

    def _location_shown(self, facility: Facility):
        return facility_location_shown(facility, self._viewer())

    def get_capacity_stale(self, facility: Facility) -> bool:
        return capacity_is_stale(facility)

    def get_location_exact(self, facility: Facility) -> bool:
        return self._location_shown(facility)[1]

    def to_representation(self, facility):
        """What another organisation sees of a facility: its shelters' place no finer than the
        grid, and their area no finer than CONFIDENTIAL_AREA_LEVEL (the selectors decide).

        Built straight from the instance rather than field by field: for a read, DRF builds and
        deep-copies every declared field per serializer (the language choices alone are 180),
        which was most of the time of a page of matches. `declared_representation` is the
        field-by-field answer, and the tests hold the two equal for every kind of viewer."""
        viewer = self._viewer()
        location, exact = facility_location_shown(facility, viewer)
        area_id = facility.area_id if exact else getattr(facility_area_shown(facility, viewer), "pk", None)
        updated = facility.capacity_updated
        return {
            "id": facility.pk,
            "organisation": facility.organisation_id,
            "name": facility.name,
            "kind": facility.kind,
            "location": point_representation(location),
            "location_exact": exact,
            "area": area_id,
            "services": list(facility.services),
            "capacity_total": facility.capacity_total,
            "capacity_available": facility.capacity_available,
            "capacity_updated": None if updated is None else _TIMESTAMP.to_representation(updated),
            "capacity_stale": capacity_is_stale(facility),
            "accepts_genders": list(facility.accepts_genders),
            "accepts_age_groups": list(facility.accepts_age_groups),
            "languages": list(facility.languages),
        }

    def declared_representation(self, facility):
        """The same answer through the declared fields (what the schema describes)."""
        data = super().to_representation(facility)
        location, exact = self._location_shown(facility)
        if not exact:
            data["location"] = self.fields["location"].to_representation(location)
            area = facility_area_shown(facility, self._viewer())
            data["area"] = None if area is None else area.pk
        return data


class CoverageAreaSerializer(serializers.ModelSerializer):
    organisation = ManagedOrganisationField()
    services = service_codes_field()
    areas = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=AdministrativeArea.objects.only("id"),
        help_text="Ids of administrative areas (`/api/v1/geo/areas/`).",
    )
    geometry = AreaGeometryField(
        required=False, allow_null=True, help_text="Optional drawn Polygon or MultiPolygon (GeoJSON)."
    )

    class Meta:
        model = CoverageArea
        fields = ["id", "organisation", "services", "areas", "geometry"]

    def validate_areas(self, areas):
        if len(areas) > 500:
            raise serializers.ValidationError(gettext("At most 500 areas per coverage."))
        return areas


class ProviderSearchQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    services = serializers.CharField(
        required=False, max_length=2000, help_text="Comma-separated service codes, e.g. `shelter,medical`."
    )
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=100, default=25)
    include_full = serializers.BooleanField(
        required=False, default=False,
        help_text="With `shelter` among the services: also list organisations whose shelters have no free beds "
                  "(ranked below, with the reason). By default they are left out.",
    )

    def validate_services(self, value):
        codes = [code.strip() for code in value.split(",") if code.strip()]
        if len(codes) > 50:
            raise serializers.ValidationError(gettext("At most 50 services."))
        return codes


class ProviderMatchSerializer(serializers.Serializer):
    organisation = OrganisationSummarySerializer()
    facility = FacilitySerializer(allow_null=True)
    services_matched = serializers.ListField(child=serializers.CharField())
    distance_km = serializers.FloatField(allow_null=True, help_text="To the facility; null without one.")
    capacity_available = serializers.IntegerField(allow_null=True)
    capacity_stale = serializers.BooleanField(
        allow_null=True, help_text="The facility's figure is older than CAPACITY_STALE_HOURS; null without one."
    )
    beds = serializers.ChoiceField(
        choices=["free", "unknown", "full"], allow_null=True,
        help_text="When shelter is needed and offered: `free` (a suitable shelter reports a free bed), `unknown` "
                  "(stale figures or no shelter registered), `full` (does not meet the shelter need); else null.",
    )
    reasons = serializers.SerializerMethodField()

    def get_reasons(self, match) -> list[str]:
        reasons = []
        if match.covering_areas:
            reasons.append(f"covers {', '.join(sorted(match.covering_areas))}")
        if match.covered_by_drawn_area:
            reasons.append("covers this point with a drawn service area")
        if match.services_matched:
            reasons.append(f"offers {', '.join(match.services_matched)}")
        if match.beds == "full":
            reasons.append("no free beds")
        if match.facility is not None:
            reasons.append(f"nearest suitable facility {match.facility.name} at {match.distance_km:.1f} km")
            criteria = self.context.get("criteria", {})
            accepted = [criteria[key] for key in ("gender", "age_group") if criteria.get(key)]
            if accepted:
                reasons.append(f"accepts {' '.join(accepted)}")
            if criteria.get("language"):
                reasons.append(f"works in {criteria['language']}")
            if match.capacity_stale:
                hours = settings.CAPACITY_STALE_HOURS
                reasons.append(f"free beds unknown: capacity not updated for over {hours:g} hours")
            elif match.capacity_available:
                reasons.append(f"{match.capacity_available} places free")
        return reasons
