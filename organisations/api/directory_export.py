"""GET /api/v1/directory/export/: the open directory in the Open Referral HSDS 3.0 shape."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations import hsds
from organisations.api.permissions import IsMemberOrPlatformStaff

HSDS_SCHEMA = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


class DirectoryExportQuerySerializer(serializers.Serializer):
    """The HSDS API's paging parameters (`page`, `per_page`)."""

    page = serializers.IntegerField(
        min_value=1, max_value=1_000_000, default=1, help_text="Page number, from 1. A page past the last is empty."
    )
    per_page = serializers.IntegerField(
        min_value=1, max_value=1_000_000, default=hsds.DEFAULT_PAGE_SIZE,
        help_text=f"Organizations per page; at most {hsds.MAX_PAGE_SIZE} are returned.",
    )


HSDSOrganizationPage = inline_serializer(
    name="HSDSOrganizationPage",
    fields={
        "total_items": serializers.IntegerField(help_text="Verified organisations in the directory."),
        "total_pages": serializers.IntegerField(),
        "page_number": serializers.IntegerField(),
        "size": serializers.IntegerField(help_text="Organizations in this page."),
        "first_page": serializers.BooleanField(),
        "last_page": serializers.BooleanField(),
        "empty": serializers.BooleanField(help_text="True when this page has no organizations."),
        "contents": serializers.ListField(
            child=serializers.DictField(),
            help_text=f"Fully nested HSDS 3.0 organizations ({HSDS_SCHEMA}compiled/organization.json), "
            "each with its services (service_areas, service_at_locations, languages, and a taxonomy "
            "term per service code in attributes) and its facilities as locations.",
        ),
    },
)


class DirectoryExportView(APIView):
    """The non-confidential directory as Open Referral HSDS 3.0, so that HSDS tools can read it.

    The answer is what an HSDS API gives for `GET /organizations?full=true&full_service=true`: a
    page whose `contents` are verified organisations as fully nested HSDS organizations. Shelters
    appear as locations without coordinates (their place is confidential, to every reader);
    service points and offices carry their exact latitude and longitude."""

    permission_classes = [IsMemberOrPlatformStaff]

    @extend_schema(
        tags=["directory"],
        operation_id="directory_export",
        summary="Export the directory as Open Referral HSDS 3.0",
        parameters=[DirectoryExportQuerySerializer],
        responses={200: HSDSOrganizationPage},
    )
    def get(self, request):
        query = DirectoryExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        def area_uri(area) -> str:
            return request.build_absolute_uri(reverse("area-detail", args=[area.pk]))

        return Response(
            hsds.directory_export(
                page=query.validated_data["page"], per_page=query.validated_data["per_page"], area_uri=area_uri
            )
        )
