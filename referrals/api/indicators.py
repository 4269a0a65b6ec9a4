"""GET /api/v1/stats/indicators/: progress indicators per country and year (Action Item 7)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organisations.codes import COUNTRY_CHOICES
from referrals.privacy import answers

from .statistics import BUDGET_SPENT, PRIVACY_FIELDS


class IndicatorQuerySerializer(serializers.Serializer):
    country = serializers.ChoiceField(choices=COUNTRY_CHOICES, required=False,
                                      help_text="ISO 3166-1 alpha-2 of the referrals' area; all countries if absent.")
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False,
                                    help_text="Year of submission (UTC); every year if absent.")


IndicatorCell = inline_serializer(name="IndicatorCell", fields={
    "value": serializers.FloatField(allow_null=True, help_text="A count, a share (0 to 1) or a median; null when "
                                                               "suppressed or when there is nothing to take it over."),
    "base": serializers.IntegerField(allow_null=True, help_text="Referrals it is taken over (a share's denominator, a "
                                                                "median's population); null when suppressed."),
    "suppressed": serializers.BooleanField(),
})
IndicatorsResponse = inline_serializer(name="ProgressIndicators", fields={
    "k": serializers.IntegerField(help_text="Smallest count published (STATS_MIN_CELL)."),
    "country": serializers.CharField(allow_null=True),
    "year": serializers.IntegerField(allow_null=True),
    "measures": serializers.ListField(child=inline_serializer(name="IndicatorMeasure", fields={
        "name": serializers.CharField(),
        "kind": serializers.ChoiceField(choices=["count", "share", "median"]),
        "description": serializers.CharField(),
        "unit": serializers.CharField(allow_null=True),
    }), help_text="The measures in each row's `indicators`, by name."),
    "rows": serializers.ListField(child=inline_serializer(name="IndicatorRow", fields={
        "country": serializers.CharField(help_text="Of the referrals' area (`unknown` without one)."),
        "year": serializers.IntegerField(),
        "indicators": serializers.DictField(child=IndicatorCell, help_text="Measure name -> its figure."),
    })),
    "median_max_days": serializers.IntegerField(required=False, help_text=(
        "Differentially private answers only: days are clamped to this many.")),
    **PRIVACY_FIELDS,
})


@extend_schema(tags=["statistics"])
class IndicatorsView(APIView):
    """Per country and year: referrals received, the share accepted within 72 hours, the median
    days to the first outcome (and the measures other apps register). Over an organisation's own
    referrals (submitted or accepted) the figures are exact, and a row, count, share or median over
    fewer than k referrals is suppressed. Over the whole network (analysts, staff) the answer is
    differentially private with a `privacy` block; a new query spends STATS_EPSILON_PER_QUERY of
    the caller's monthly budget, the same query again that month returns the same release, and
    once the budget is spent new queries answer 429. Anyone else: 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="stats_indicators", parameters=[IndicatorQuerySerializer],
                   responses={200: IndicatorsResponse, **BUDGET_SPENT})
    def get(self, request):
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(answers.indicators(request.user, country=data.get("country"), year=data.get("year")))
