from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from api.viewsets import RestrictedViewSet
from geo.models import AdministrativeArea
from organisations import permissions, selectors, services
from organisations.models import CoverageArea, Facility, FacilityKind, Membership, Organisation, ServiceType

from .capacity import CapacityUpdateSerializer
from .permissions import IsMemberOrPlatformStaff
from .serializers import (
    CoverageAreaSerializer,
    FacilitySerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    OrganisationSerializer,
    ProviderMatchSerializer,
    ProviderSearchQuerySerializer,
    ServiceTypeSerializer,
)


class OrganisationFilterSet(filters.FilterSet):
    country = filters.CharFilter(lookup_expr="iexact", max_length=2)
    name = filters.CharFilter(lookup_expr="icontains", max_length=200)

    class Meta:
        model = Organisation
        fields = ["kind", "country", "verified", "name"]


# RestrictedViewSet comes first in every viewset's bases: its perform_create and perform_update (the
# write, then the check that the saved object is still within reach) must win over DRF's mixins'.


@extend_schema(tags=["organisations"])
class OrganisationViewSet(
    RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """The directory of organisations. Every member reads it; platform administrators create and
    verify organisations; an organisation's admins edit its own entry."""

    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    filterset_class = OrganisationFilterSet
    denied_message = gettext_lazy("Only the organisation's admins may edit it.")

    def get_base_queryset(self):
        return selectors.organisation_list()

    def create(self, request, *args, **kwargs):
        permissions.require_register_organisation(request.user)  # before the body is looked at
        return super().create(request, *args, **kwargs)

    def create_object(self, serializer):
        serializer.instance = services.organisation_create(data=serializer.validated_data)

    def update_object(self, serializer):
        serializer.instance = services.organisation_update(
            organisation=serializer.instance, data=serializer.validated_data, by=self.request.user
        )


@extend_schema(tags=["organisations"])
@extend_schema_view(partial_update=extend_schema(request=MemberUpdateSerializer))
class MemberViewSet(
    RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin,
):
    """Members of an organisation. Its members read the list; its admins add members, change
    roles and remove members. Other organisations' member lists do not exist for you (404).
    A member added here logs in as `<username>@<first 8 hex digits of the organisation id>` (the
    `username` answered): names live in the organisation's namespace, so adding one never tells
    whether that name is taken in another organisation."""

    queryset = Membership.objects.all()
    serializer_class = MemberSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    denied_message = gettext_lazy("Only the organisation's admins may manage its members.")

    def get_organisation(self) -> Organisation:
        """The organisation in the URL, if its members are visible to the user (404 otherwise, as
        if it had none; DRF's get_object_or_404 so that an id that is not a UUID is 404 too)."""
        if not hasattr(self, "_organisation"):
            self._organisation = get_object_or_404(
                Organisation.objects.restrict(self.request.user, "view_members"), pk=str(self.kwargs["organisation_pk"])
            )
        return self._organisation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        organisation = self.get_organisation()
        if self.permission_action != "view":  # refused before any member is looked up
            permissions.require_manage_members(request.user, organisation)

    def get_base_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return Membership.objects.filter(organisation=self.get_organisation()).select_related("user")

    def get_serializer_class(self):
        return MemberUpdateSerializer if self.action == "partial_update" else MemberSerializer

    def create_object(self, serializer):
        data = serializer.validated_data
        # The login name is the chosen name in the organisation's namespace (services.member_onboard).
        serializer.instance = services.member_onboard(
            organisation=self.get_organisation(),
            name=data["user"]["username"],
            email=data["user"].get("email", ""),
            password=data["password"],
            role=data["role"],
            by=self.request.user,
        )

    def partial_update(self, request, *args, **kwargs):
        serializer = MemberUpdateSerializer(self.get_object(), data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return Response(MemberSerializer(serializer.instance).data)

    def update_object(self, serializer):
        serializer.instance = services.member_change_role(
            membership=serializer.instance, role=serializer.validated_data["role"], by=self.request.user
        )

    def perform_destroy(self, instance):
        services.member_remove(membership=instance, by=self.request.user)


@extend_schema(tags=["directory"])
class ServiceTypeViewSet(RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The service taxonomy. Managed by platform administrators in the admin site."""

    queryset = ServiceType.objects.all()
    serializer_class = ServiceTypeSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    lookup_field = "code"
    # Codes are slugs: anything else (a NUL byte would reach PostgreSQL and fail there) is no route.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


class DirectoryViewSet(
    RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin,
):
    """Facilities and coverage: every member reads them; only the owning organisation's admins and
    caseworkers write them."""

    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    denied_message = permissions.DIRECTORY_DENIED

    def create(self, request, *args, **kwargs):
        # A caller who manages no directory is refused (403) before the body is validated; one who
        # names an organisation other than theirs is told so about that field (400).
        permissions.require_manage_directory(request.user)
        return super().create(request, *args, **kwargs)


class FacilityFilterSet(filters.FilterSet):
    service = filters.CharFilter(field_name="services", lookup_expr="contains", method="filter_service",
                                 max_length=40, help_text="Facilities offering this service code.")
    country = filters.CharFilter(field_name="area__country", lookup_expr="iexact", max_length=2)
    kind = filters.ChoiceFilter(choices=FacilityKind.choices)
    area = filters.ModelChoiceFilter(queryset=AdministrativeArea.objects.defer("geometry"), method="filter_area",
                                     help_text="Facilities shown in this administrative area.")

    class Meta:
        model = Facility
        fields = ["organisation", "kind", "area", "country", "service"]

    def filter_service(self, queryset, name, value):
        return queryset.filter(services__contains=[value])

    def filter_area(self, queryset, name, value):
        # By the area each facility is shown in (a shelter's no finer than the province for others).
        viewer = permissions.exact_locations_for(self.request.user) if self.request is not None else ()
        return selectors.facilities_in_area_shown(queryset, value, viewer)


@extend_schema(tags=["directory"])
class FacilityViewSet(DirectoryViewSet):
    """Shelters, service points and offices. A shelter's exact location is confidential to its
    operator: others see a point rounded to 0.1 degree and its administrative area."""

    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilterSet
    restrict_actions = {"capacity": "update_capacity"}

    def get_base_queryset(self):
        return selectors.facility_list()

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.facility_create(organisation=data.pop("organisation"), data=data)

    def update_object(self, serializer):
        serializer.instance = services.facility_update(facility=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.facility_delete(facility=instance)

    @extend_schema(request=CapacityUpdateSerializer, responses={200: FacilitySerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def capacity(self, request, pk=None):
        """Today's free beds, in one call (the owning organisation's admins and caseworkers). Marks
        the figure fresh; above `capacity_total` is a 400."""
        facility = self.get_object()
        body = CapacityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        facility = services.facility_capacity_update(
            facility=facility, capacity_available=body.validated_data["capacity_available"]
        )
        return Response(self.get_serializer(facility).data)


class CoverageAreaFilterSet(filters.FilterSet):
    service = filters.CharFilter(method="filter_service", max_length=40)

    class Meta:
        model = CoverageArea
        fields = ["organisation", "service"]

    def filter_service(self, queryset, name, value):
        return queryset.filter(services__contains=[value])


@extend_schema(tags=["directory"])
class CoverageAreaViewSet(DirectoryViewSet):
    """Where an organisation offers which services: administrative areas and/or a drawn polygon."""

    queryset = CoverageArea.objects.all()
    serializer_class = CoverageAreaSerializer
    filterset_class = CoverageAreaFilterSet

    def get_base_queryset(self):
        return selectors.coverage_list()

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.coverage_create(organisation=data.pop("organisation"), data=data)

    def update_object(self, serializer):
        serializer.instance = services.coverage_update(coverage=serializer.instance, data=serializer.validated_data)


class ProviderSearchView(GenericAPIView):
    """Organisations and facilities that cover a point and offer the services asked for, ranked by
    services matched, then distance to their nearest suitable facility, then free capacity."""

    permission_classes = [IsMemberOrPlatformStaff]
    serializer_class = ProviderMatchSerializer
    pagination_class = None
    queryset = Organisation.objects.none()  # only for the schema generator

    @extend_schema(tags=["directory"], operation_id="providers_search",
                   parameters=[ProviderSearchQuerySerializer],
                   responses={200: ProviderMatchSerializer(many=True)})
    def get(self, request):
        query = ProviderSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        criteria = query.validated_data
        services.validate_service_codes(criteria.get("services", []))
        matches = selectors.provider_search(
            point=Point(criteria["lon"], criteria["lat"], srid=4326),
            services=criteria.get("services"),
            gender=criteria.get("gender"),
            age_group=criteria.get("age_group"),
            languages=[criteria["language"]] if criteria.get("language") else None,
            exact_locations_of=permissions.exact_locations_for(request.user),
            include_full=criteria["include_full"],
            limit=criteria["limit"],
        )
        context = {**self.get_serializer_context(), "criteria": criteria}
        return Response(ProviderMatchSerializer(matches, many=True, context=context).data)
