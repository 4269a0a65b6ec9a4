import django_filters
from django.contrib.gis.geos import Point
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.viewsets import RestrictedViewSet
from geo.models import AdministrativeArea, AdministrativeLevel
from geo.selectors import areas_containing
from organisations.api.permissions import IsMemberOrPlatformStaff

from .serializers import AreaSerializer, AreaWithGeometrySerializer, LocateQuerySerializer


class AreaFilterSet(django_filters.FilterSet):
    country = django_filters.CharFilter(
        field_name="country", lookup_expr="iexact", max_length=2, help_text="ISO 3166-1 alpha-2."
    )
    level = django_filters.TypedChoiceFilter(choices=AdministrativeLevel.choices, coerce=int)

    class Meta:
        model = AdministrativeArea
        fields = ["country", "level", "parent"]


GEOMETRY_PARAMETER = OpenApiParameter(
    "geometry", OpenApiTypes.BOOL, description="Include the boundary (GeoJSON MultiPolygon)."
)


@extend_schema(tags=["geo"])
class AreaViewSet(RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Administrative areas (country, province, district) and their boundaries."""

    queryset = AdministrativeArea.objects.all()
    permission_classes = [IsMemberOrPlatformStaff]
    filterset_class = AreaFilterSet

    def wants_geometry(self) -> bool:
        return self.request.query_params.get("geometry", "").lower() in {"1", "true", "yes"}

    def get_base_queryset(self):
        queryset = AdministrativeArea.objects.all()
        return queryset if self.wants_geometry() else queryset.defer("geometry")

    def get_serializer_class(self):
        return AreaWithGeometrySerializer if self.wants_geometry() else AreaSerializer

    @extend_schema(parameters=[GEOMETRY_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[GEOMETRY_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class LocateView(GenericAPIView):
    """The areas whose boundary contains a point, smallest first."""

    permission_classes = [IsMemberOrPlatformStaff]
    serializer_class = AreaSerializer
    pagination_class = None
    queryset = AdministrativeArea.objects.none()  # only for the schema generator

    @extend_schema(
        tags=["geo"],
        operation_id="geo_locate",
        parameters=[LocateQuerySerializer],
        responses={200: AreaSerializer(many=True)},
    )
    def get(self, request):
        query = LocateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        point = Point(query.validated_data["lon"], query.validated_data["lat"], srid=4326)
        areas = areas_containing(point=point).restrict(request.user, "view").defer("geometry")
        return Response(AreaSerializer(areas, many=True).data)
