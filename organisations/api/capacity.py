"""Capacity: the one-call daily update of a facility's free beds, and free beds per country over
time for platform administrators and analysts (organisational data: exact figures)."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations import permissions
from organisations.capacity import free_beds_by_country
from organisations.codes import COUNTRY_CHOICES


class CapacityUpdateSerializer(serializers.Serializer):
    capacity_available = serializers.IntegerField(
        min_value=0, max_value=100_000, help_text="Free beds now; at most the facility's capacity_total."
    )


class CapacityStatisticsQuerySerializer(serializers.Serializer):
    country = serializers.ChoiceField(choices=COUNTRY_CHOICES, required=False,
                                      help_text="ISO 3166-1 alpha-2 code; every country without it.")
    month = serializers.RegexField(
        r"^[0-9]{4}-(0[1-9]|1[0-2])\Z", required=False, max_length=7,
        help_text="YYYY-MM (UTC): one figure per day of that month up to today. Default: the current month.",
    )

    def validate_month(self, value) -> date:
        year, month = int(value[:4]), int(value[5:7])
        if year < 2000:
            raise serializers.ValidationError(_("must be 2000-01 or later"))
        first = date(year, month, 1)
        if first > timezone.now().date().replace(day=1):
            raise serializers.ValidationError(_("must not be in the future"))
        return first


class CapacityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    free_beds = serializers.IntegerField(help_text="Free beds in shelters whose figure was fresh that day.")
    total_beds = serializers.IntegerField()
    shelters = serializers.IntegerField(help_text="Shelters with beds.")
    shelters_stale = serializers.IntegerField(
        help_text="Of those, shelters whose figure was older than CAPACITY_STALE_HOURS: their beds count as unknown."
    )


class CapacityCountrySerializer(serializers.Serializer):
    country = serializers.CharField()
    days = CapacityDaySerializer(many=True)


class CapacityStatisticsSerializer(serializers.Serializer):
    month = serializers.CharField()
    country = serializers.CharField(allow_null=True)
    countries = CapacityCountrySerializer(many=True)


@extend_schema(tags=["statistics"])
class CapacityStatisticsView(APIView):
    """Free beds per country, day by day through a month, from every capacity change kept: for
    platform administrators and analysts; anyone else 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="stats_capacity", parameters=[CapacityStatisticsQuerySerializer],
                   responses={200: CapacityStatisticsSerializer})
    def get(self, request):
        permissions.require_read_capacity_statistics(request.user)
        query = CapacityStatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data.get("month") or timezone.now().date().replace(day=1)
        country = query.validated_data.get("country")
        body = {
            "month": f"{month:%Y-%m}", "country": country,
            "countries": free_beds_by_country(month=month, country=country),
        }
        return Response(CapacityStatisticsSerializer(body).data)
