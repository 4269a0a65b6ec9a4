"""Statistics and the data-sharing export: aggregate and k-anonymised, never a single case."""

import csv
import io
from datetime import UTC

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import PROBLEM_CONTENT_TYPE
from referrals.export import COLUMNS, FIELDNAMES, export_release
from referrals.privacy import answers
from referrals.statistics import DIMENSIONS, MAX_DIMENSIONS, statistics_scope


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
            errors[name] = (_("must be the first instant of a day in UTC") if self.granularity == "day"
                            else _("must be the first instant of a month in UTC"))

    def validate(self, attrs):
        errors = {}
        for name in ("from", "to"):
            if attrs.get(name):
                attrs[name] = attrs[name].astimezone(UTC)  # PostgreSQL refuses offsets past +-15:59
                self._check_boundary(name, attrs[name], errors)
        if not errors and attrs.get("from") and attrs.get("to") and attrs["from"] >= attrs["to"]:
            errors["to"] = _("must be after from")
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
            raise serializers.ValidationError(_("unknown field(s): %(unknown)s; use %(known)s") % {
                "unknown": ", ".join(unknown), "known": ", ".join(DIMENSIONS)})
        if not 1 <= len(names) <= MAX_DIMENSIONS or len(set(names)) != len(names):
            raise serializers.ValidationError(_("give 1 to %(count)s different fields") % {"count": MAX_DIMENSIONS})
        return names


COUNT_FIELDS = {
    "count": serializers.IntegerField(allow_null=True, help_text="null when suppressed"),
    "suppressed": serializers.BooleanField(),
}
PrivacySerializer = inline_serializer(
    name="StatisticsPrivacy",
    fields={
        "mechanism": serializers.CharField(help_text="How the noise was drawn (OpenDP measurements)."),
        "epsilon": serializers.FloatField(help_text="Privacy loss of this release (what it cost whoever released it)."),
        "delta": serializers.FloatField(help_text="Probability that a key held by one referral was published anyway."),
        "budget_spent": serializers.FloatField(help_text="Epsilon the caller has spent this calendar month (UTC)."),
        "budget_remaining": serializers.FloatField(help_text="Epsilon left to the caller this month."),
    },
    allow_null=True,
    help_text="Network-wide answers (analysts, staff) are differentially private and say so here; "
              "an organisation's exact answer over its own referrals has null.",
)
PRIVACY_FIELDS = {
    "threshold": serializers.IntegerField(required=False, help_text=(
        "Differentially private answers only: smallest noisy count published (at least k); keys below it "
        "are left out, not listed as suppressed."
    )),
    "privacy": PrivacySerializer,
}
BudgetProblem = inline_serializer(
    name="PrivacyBudgetProblem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "budget_spent": serializers.FloatField(required=False),
        "budget_remaining": serializers.FloatField(required=False),
        "budget_renews": serializers.DateField(required=False, help_text="When the monthly budget renews (UTC)."),
    },
)
BUDGET_SPENT = {(429, PROBLEM_CONTENT_TYPE): OpenApiResponse(response=BudgetProblem, description=(
    "Too many requests: the throttle (retry after the `Retry-After` header), or the caller's monthly "
    "privacy budget for new network-wide queries is spent (`budget_renews` says when it renews; queries "
    "already released this month are still answered)."
))}
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
        **PRIVACY_FIELDS,
    },
)


@extend_schema(tags=["statistics"])
class ReferralStatisticsView(APIView):
    """Counts of referrals grouped by up to three fields. Multi-valued fields (exploitation_type,
    need, outcome) count a referral once per value, so their cells can add up to more than the total.

    Over an organisation's own referrals (submitted or accepted) the counts are exact: every count
    below k (STATS_MIN_CELL, default 11) is suppressed, and so is any margin or cell that would let
    it be recomputed by subtraction. Over the whole network (analysts, staff) the answer is
    differentially private: noisy counts, margins and total, published only from `threshold` up,
    with a `privacy` block; a new query spends STATS_EPSILON_PER_QUERY of the caller's monthly
    budget, the same query again that month returns the same release and spends nothing, and once
    the budget is spent new queries answer 429."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[StatisticsQuerySerializer], responses={200: StatisticsResponse, **BUDGET_SPENT})
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(answers.referral_statistics(
            request.user, group_by=data["group_by"], start=data.get("from"), end=data.get("to"),
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
        "median_max_hours": serializers.IntegerField(required=False, help_text=(
            "Differentially private answers only: times are clamped to this many hours."
        )),
        **PRIVACY_FIELDS,
    },
)


@extend_schema(tags=["statistics"])
class ResponseTimesView(APIView):
    """Median hours from submission to acceptance and to the first outcome, per country and
    urgency, with the same suppression as the counts. Over the whole network the counts are noisy
    and the medians differentially private (OpenDP's quantile over whole hours, times clamped to
    `median_max_hours`), with the same `privacy` block and budget as the counts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[PeriodSerializer], responses={200: ResponseTimesResponse, **BUDGET_SPENT})
    def get(self, request):
        query = PeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(answers.response_times(request.user, start=data.get("from"), end=data.get("to")))


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
