"""Statistics and the data-sharing export: aggregate and k-anonymised, never a single case."""

import csv
import io
from datetime import UTC

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import PROBLEM_CONTENT_TYPE
from referrals.export import COLUMNS, FIELDNAMES, export_release
from referrals.statistics import DIMENSIONS, MAX_DIMENSIONS, referral_statistics, response_times, statistics_scope


class PeriodSerializer(serializers.Serializer):
    """A period of whole months. Periods that could differ by a single day would let a reader
    subtract two answers and isolate one referral; whole months (whole years for the row-level
    export) make such differences aggregates of their own."""

    granularity = "month"
    from_ = serializers.DateTimeField(required=False, help_text="Submitted at or after: the first instant of a month "
                                      "(UTC), e.g. 2026-01-01T00:00:00Z.")
    to = serializers.DateTimeField(required=False, help_text="Submitted before: the first instant of a month (UTC).")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def _check_boundary(self, name, value, errors):
        value = value.astimezone(UTC)
        starts_month = value.day == 1 and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        if not starts_month or (self.granularity == "year" and value.month != 1):
            errors[name] = f"must be the first instant of a {self.granularity} in UTC"

    def validate(self, attrs):
        errors = {}
        for name in ("from", "to"):
            if attrs.get(name):
                attrs[name] = attrs[name].astimezone(UTC)  # PostgreSQL refuses offsets past +-15:59
                self._check_boundary(name, attrs[name], errors)
        if not errors and attrs.get("from") and attrs.get("to") and attrs["from"] >= attrs["to"]:
            errors["to"] = "must be after from"
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class YearPeriodSerializer(PeriodSerializer):
    granularity = "year"
    from_ = serializers.DateTimeField(required=False, help_text="Registered at or after: 1 January 00:00 UTC.")
    to = serializers.DateTimeField(required=False, help_text="Registered before: 1 January 00:00 UTC.")


class StatisticsQuerySerializer(PeriodSerializer):
    group_by = serializers.CharField(
        max_length=200, help_text=f"Comma-separated, up to {MAX_DIMENSIONS} of: {', '.join(DIMENSIONS)}."
    )

    def validate_group_by(self, value):
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in DIMENSIONS]
        if unknown:
            raise serializers.ValidationError(f"unknown field(s): {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")
        if not 1 <= len(names) <= MAX_DIMENSIONS or len(set(names)) != len(names):
            raise serializers.ValidationError(f"give 1 to {MAX_DIMENSIONS} different fields")
        return names


COUNT_FIELDS = {
    "count": serializers.IntegerField(allow_null=True, help_text="null when suppressed"),
    "suppressed": serializers.BooleanField(),
}
StatisticsResponse = inline_serializer(
    name="ReferralStatistics",
    fields={
        "group_by": serializers.ListField(child=serializers.CharField()),
        "k": serializers.IntegerField(help_text="Smallest count published (STATS_MIN_CELL)."),
        "cells": serializers.ListField(child=serializers.DictField(), help_text=(
            "One per combination present: the group-by fields, `count` (null when suppressed) and `suppressed`."
        )),
        "margins": serializers.DictField(
            child=serializers.ListField(child=serializers.DictField()),
            help_text="Per field (with two or more fields): `value`, `count`, `suppressed`.",
        ),
        "total": inline_serializer(name="StatisticsTotal", fields=COUNT_FIELDS),
    },
)


@extend_schema(tags=["statistics"])
class ReferralStatisticsView(APIView):
    """Counts of referrals grouped by up to three fields. Every count below k (STATS_MIN_CELL,
    default 11) is suppressed, and so is any margin or cell that would let it be recomputed by
    subtraction. Multi-valued fields (exploitation_type, need, outcome) count a referral once per
    value, so their cells can add up to more than the total."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[StatisticsQuerySerializer], responses={200: StatisticsResponse})
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(referral_statistics(
            group_by=data["group_by"], scope=statistics_scope(request.user), start=data.get("from"), end=data.get("to"),
        ))


ResponseTimesResponse = inline_serializer(
    name="ResponseTimes",
    fields={
        "k": serializers.IntegerField(),
        "groups": serializers.ListField(child=inline_serializer(name="ResponseTimeGroup", fields={
            "country": serializers.CharField(),
            "urgency": serializers.CharField(),
            **COUNT_FIELDS,
            "median_hours_to_acceptance": serializers.FloatField(allow_null=True),
            "median_hours_to_first_outcome": serializers.FloatField(allow_null=True),
        })),
        "total": inline_serializer(name="ResponseTimesTotal", fields=COUNT_FIELDS),
    },
)


@extend_schema(tags=["statistics"])
class ResponseTimesView(APIView):
    """Median hours from submission to acceptance and to the first outcome, per country and
    urgency, with the same suppression as the counts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[PeriodSerializer], responses={200: ResponseTimesResponse})
    def get(self, request):
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        scope = statistics_scope(request.user)
        return Response(response_times(scope=scope, start=data.get("from"), end=data.get("to")))


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDNAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data["rows"])
        return buffer.getvalue().encode(self.charset)


@extend_schema(tags=["statistics"])
class ExportView(APIView):
    """One row per referral with only the fields safe to share, named as in the Counter
    Trafficking Data Collaborative codebook, generalised until every combination of values over
    all released columns occurs at least k times; rows that still would not are left out, and
    `suppressed` (CSV: the `X-Suppressed-Rows` header) says how many. `?format=csv` for CSV, JSON
    otherwise. Columns:\n\n"""

    permission_classes = [IsAuthenticated]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:  # errors are problem+json, whatever format was asked for
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = PROBLEM_CONTENT_TYPE
        elif request.method == "OPTIONS":  # the metadata is JSON, not export rows
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
    __doc__ += "\n".join(f"- `{name}`: {text}" for name, text in COLUMNS)

    @extend_schema(
        parameters=[YearPeriodSerializer, OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv"])],
        responses={200: inline_serializer(name="DataSharingExport", fields={
            "k": serializers.IntegerField(),
            "columns": serializers.ListField(child=serializers.CharField()),
            "rows": serializers.ListField(child=serializers.DictField()),
            "suppressed": serializers.IntegerField(help_text="Referrals left out to keep every class at k."),
        })},
    )
    def get(self, request, *args, **kwargs):
        query = YearPeriodSerializer(data={k: v for k, v in request.query_params.items() if k != "format"})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        referrals = statistics_scope(request.user).referrals()
        if data.get("from"):
            referrals = referrals.filter(created__gte=data["from"])
        if data.get("to"):
            referrals = referrals.filter(created__lt=data["to"])
        release = export_release(referrals)
        response = Response({"k": settings.STATS_MIN_CELL, "columns": FIELDNAMES, "rows": release.rows,
                             "suppressed": release.suppressed})
        if getattr(request.accepted_renderer, "format", "") == "csv":
            response["Content-Disposition"] = 'attachment; filename="referrals-ctdc.csv"'
            response["X-Suppressed-Rows"] = str(release.suppressed)
        return response
