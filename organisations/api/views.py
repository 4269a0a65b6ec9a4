from django.contrib.gis.geos import Point
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from organisations import selectors, services
from organisations.api.permissions import IsMemberOrPlatformStaff
from organisations.models import CoverageArea, Facility, FacilityKind, Membership, Organisation, ServiceType
from organisations.permissions import (
    CHANGE_ORGANISATION,
    MANAGE_DIRECTORY,
    MANAGE_MEMBERS,
    VIEW_CONFIDENTIAL_LOCATIONS,
    is_platform_admin,
)

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


def require_organisation_permission(request, codename: str, organisation_id, message: str) -> None:
    if not selectors.has_organisation_permission(request.user, codename, organisation_id):
        raise PermissionDenied(message)


class OrganisationFilterSet(filters.FilterSet):
    country = filters.CharFilter(lookup_expr="iexact", max_length=2)
    name = filters.CharFilter(lookup_expr="icontains", max_length=200)

    class Meta:
        model = Organisation
        fields = ["kind", "country", "verified", "name"]


@extend_schema(tags=["organisations"])
class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The directory of organisations. Every member reads it; platform administrators create and
    verify organisations; an organisation's admins edit its own entry."""

    serializer_class = OrganisationSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        return selectors.organisation_list()

    def create(self, request, *args, **kwargs):
        if not is_platform_admin(request.user):
            raise PermissionDenied("Only platform administrators may register organisations.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_create(data=serializer.validated_data)
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        organisation = self.get_object()
        admin = is_platform_admin(request.user)
        if not admin:
            require_organisation_permission(
                request, CHANGE_ORGANISATION, organisation.pk,
                "Only the organisation's admins may edit it.",
            )
        serializer = self.get_serializer(organisation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not admin and "verified" in data and data["verified"] != organisation.verified:
            raise PermissionDenied("Only platform administrators may verify an organisation.")
        organisation = services.organisation_update(organisation=organisation, data=data)
        return Response(self.get_serializer(organisation).data)


@extend_schema(tags=["organisations"])
@extend_schema_view(partial_update=extend_schema(request=MemberUpdateSerializer))
class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    mixins.DestroyModelMixin, viewsets.GenericViewSet,
):
    """Members of an organisation. Its members read the list; its admins add members, change
    roles and remove members. Other organisations' member lists do not exist for you (404)."""

    serializer_class = MemberSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_organisation(self) -> Organisation:
        """The organisation in the URL: your own, or any for a platform administrator (who onboards
        organisations and their first admins). Any other is answered 404, as if it had no members,
        and so is an id that is not even a UUID (DRF's get_object_or_404, not Django's, which
        would let the malformed id surface as a validation error)."""
        if not hasattr(self, "_organisation"):
            organisation_pk = str(self.kwargs["organisation_pk"])
            if is_platform_admin(self.request.user):
                self._organisation = get_object_or_404(selectors.organisation_list(), pk=organisation_pk)
            else:
                membership = selectors.membership_of(self.request.user)
                if membership is None or str(membership.organisation_id) != organisation_pk:
                    raise NotFound()
                self._organisation = membership.organisation
        return self._organisation

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        organisation = self.get_organisation()
        if request.method not in SAFE_METHODS and not is_platform_admin(request.user):
            require_organisation_permission(
                request, MANAGE_MEMBERS, organisation.pk, "Only the organisation's admins may manage its members."
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return Membership.objects.filter(organisation=self.get_organisation()).select_related("user")

    def get_serializer_class(self):
        return MemberUpdateSerializer if self.action == "partial_update" else MemberSerializer

    def create(self, request, *args, **kwargs):
        serializer = MemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        membership = services.member_add(
            organisation=self.get_organisation(),
            username=data["user"]["username"],
            email=data["user"].get("email", ""),
            password=data["password"],
            role=data["role"],
        )
        return Response(MemberSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MemberUpdateSerializer(membership, data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.member_change_role(membership=membership, role=serializer.validated_data["role"])
        return Response(MemberSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        if membership.user_id == request.user.pk:
            raise PermissionDenied("You cannot remove yourself; ask another admin.")
        services.member_remove(membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["directory"])
class ServiceTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The service taxonomy. Managed by platform administrators in the admin site."""

    queryset = ServiceType.objects.all()
    serializer_class = ServiceTypeSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    lookup_field = "code"
    # Codes are slugs: anything else (a NUL byte would reach PostgreSQL and fail there) is no route.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"


class DirectoryWriteMixin:
    """Facilities and coverage: every member reads them; only the owning organisation's admins and
    caseworkers write them."""

    permission_classes = [IsMemberOrPlatformStaff]
    write_message = "Only the owning organisation's admins and caseworkers may change this."

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS:
            require_organisation_permission(request, MANAGE_DIRECTORY, obj.organisation_id, self.write_message)

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method == "POST" and not selectors.organisation_ids_with_permission(
            request.user, MANAGE_DIRECTORY
        ):
            raise PermissionDenied(self.write_message)


class FacilityFilterSet(filters.FilterSet):
    service = filters.CharFilter(field_name="services", lookup_expr="contains", method="filter_service",
                                 max_length=40, help_text="Facilities offering this service code.")
    country = filters.CharFilter(field_name="area__country", lookup_expr="iexact", max_length=2)
    kind = filters.ChoiceFilter(choices=FacilityKind.choices)

    class Meta:
        model = Facility
        fields = ["organisation", "kind", "area", "country", "service"]

    def filter_service(self, queryset, name, value):
        return queryset.filter(services__contains=[value])


@extend_schema(tags=["directory"])
class FacilityViewSet(DirectoryWriteMixin, viewsets.ModelViewSet):
    """Shelters, service points and offices. A shelter's exact location is confidential to its
    operator: others see a point rounded to 0.1 degree and its administrative area."""

    serializer_class = FacilitySerializer
    filterset_class = FacilityFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.facility_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.facility_create(organisation=data.pop("organisation"), data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        serializer.instance = services.facility_update(facility=serializer.instance, data=data)


class CoverageAreaFilterSet(filters.FilterSet):
    service = filters.CharFilter(method="filter_service", max_length=40)

    class Meta:
        model = CoverageArea
        fields = ["organisation", "service"]

    def filter_service(self, queryset, name, value):
        return queryset.filter(services__contains=[value])


@extend_schema(tags=["directory"])
class CoverageAreaViewSet(DirectoryWriteMixin, viewsets.ModelViewSet):
    """Where an organisation offers which services: administrative areas and/or a drawn polygon."""

    serializer_class = CoverageAreaSerializer
    filterset_class = CoverageAreaFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.coverage_list()

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.coverage_create(organisation=data.pop("organisation"), data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        serializer.instance = services.coverage_update(coverage=serializer.instance, data=data)


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
            exact_locations_of=selectors.organisation_ids_with_permission(request.user, VIEW_CONFIDENTIAL_LOCATIONS),
            limit=criteria["limit"],
        )
        context = {**self.get_serializer_context(), "criteria": criteria}
        return Response(ProviderMatchSerializer(matches, many=True, context=context).data)
