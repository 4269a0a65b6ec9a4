import csv
import io

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, renderers
from rest_framework.decorators import action
from rest_framework.response import Response

from activities import export, permissions, selectors, services
from activities.models import Activity, ActivityKind
from api.errors import PROBLEM_CONTENT_TYPE
from api.viewsets import RestrictedViewSet
from organisations.api.permissions import IsMemberOrPlatformStaff
from organisations.codes import COUNTRY_CHOICES
from organisations.models import Organisation

from .serializers import ActivitySerializer

COUNTRY_FILTER_CHOICES = [(code, code) for code in COUNTRY_CHOICES]


class ActivityFilterSet(filters.FilterSet):
    country = filters.ChoiceFilter(choices=COUNTRY_FILTER_CHOICES, method="filter_country", help_text=(
        "ISO 3166-1 alpha-2: activities in one of the country's areas (or, naming no area, run by an "
        "organisation of that country)."))
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    organisation = filters.ModelChoiceFilter(queryset=Organisation.objects.only("id"),
                                             help_text="Activities run by this organisation.")
    partner = filters.ModelChoiceFilter(
        queryset=Organisation.objects.only("id"), field_name="partners", method="filter_partner",
        help_text="Activities with this organisation as a partner.",
    )
    active_from = filters.DateFilter(method="filter_period", help_text=(
        "Activities still running on or after this date (their end is empty or not before it)."))
    active_to = filters.DateFilter(method="filter_period", help_text=(
        "Activities started on or before this date. With active_from: activities whose period overlaps "
        "[active_from, active_to]."))

    class Meta:
        model = Activity
        fields = ["country", "kind", "organisation", "partner", "active_from", "active_to"]

    def filter_country(self, queryset, name, value):
        return selectors.in_country(queryset, value)

    def filter_partner(self, queryset, name, value):
        return selectors.with_partner(queryset, value.pk)

    def filter_period(self, queryset, name, value):
        return selectors.running_between(queryset, value if name == "active_from" else None,
                                         value if name == "active_to" else None)


class HXLRenderer(renderers.BaseRenderer):
    """CSV with a second row of HXL hashtags."""

    media_type = "text/csv"
    format = "hxl"
    charset = "utf-8"
    with_hashtags = True

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(export.HEADERS)
        if self.with_hashtags:
            writer.writerow(export.HASHTAGS)
        writer.writerows([row[name] for name in export.HEADERS] for row in data["rows"])
        return buffer.getvalue().encode(self.charset)


class CSVRenderer(HXLRenderer):
    format = "csv"
    with_hashtags = False


class GeoJSONRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


FORMATS = {"hxl": "activities-3w.hxl.csv", "csv": "activities-3w.csv", "geojson": "activities.geojson"}


@extend_schema(tags=["directory"])
class ActivityViewSet(
    RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, mixins.DestroyModelMixin,
):
    """Who does what where against trafficking (Bali Process Action Item 8): every member of the
    network reads an organisation's activities; its admins and caseworkers record them. Another
    organisation's activity is readable, not writable (403)."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    denied_message = permissions.ACTIVITY_DENIED

    def get_base_queryset(self):
        return selectors.activity_list()

    def create(self, request, *args, **kwargs):
        # Refused (403) before the body is looked at when the caller records no organisation's activities.
        permissions.require_record_activities(request.user)
        return super().create(request, *args, **kwargs)

    def create_object(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.activity_create(organisation=data.pop("organisation"), data=data)

    def update_object(self, serializer):
        serializer.instance = services.activity_update(activity=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        services.activity_delete(activity=instance)

    def finalize_response(self, request, response, *args, **kwargs):
        # The export's renderers (whichever method was tried on its route: a 405 has no action), or
        # none yet (an unknown format: DRF would fall back to the first, HXL).
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is None or isinstance(renderer, HXLRenderer | GeoJSONRenderer):
            if response.status_code >= 400:  # errors are problem+json, whatever format was asked for
                request.accepted_renderer = renderers.JSONRenderer()
                request.accepted_media_type = PROBLEM_CONTENT_TYPE
            elif request.method == "OPTIONS":
                request.accepted_renderer = renderers.JSONRenderer()
                request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="activities_export",
        summary="Export the activities as a who-does-what-where (3W) table",
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description=(
            "`hxl` (default): CSV with a second row of HXL hashtags; `csv`: the same without them; "
            "`geojson`: a FeatureCollection."))],
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description=(
                "One row per activity and place. Columns (HXL hashtag):\n\n"
                + "\n".join(f"- {name} (`{tag}`): {text}" for name, tag, text in export.COLUMNS))),
            (200, "application/geo+json"): OpenApiResponse(response=OpenApiTypes.OBJECT, description=(
                "RFC 7946 FeatureCollection: one Feature per activity; geometry null when it names areas only.")),
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None,
            renderer_classes=[HXLRenderer, CSVRenderer, GeoJSONRenderer])
    def export(self, request):
        """The same activities as the list (same filters), in one file, unpaginated."""
        activities = self.filter_queryset(self.get_queryset()).order_by("organisation__name", "start", "id")
        chosen = getattr(request.accepted_renderer, "format", "hxl")
        if chosen == "geojson":
            response = Response(export.feature_collection(activities))
        else:
            response = Response({"rows": export.rows(activities)})
        response["Content-Disposition"] = f'attachment; filename="{FORMATS.get(chosen, FORMATS["hxl"])}"'
        return response
