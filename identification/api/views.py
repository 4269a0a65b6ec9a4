from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import problem_responses
from api.viewsets import RestrictedViewSet
from identification import permissions, selectors, services
from identification.models import ScreeningForm, ScreeningQuestion
from organisations.api.permissions import IsMemberOrPlatformStaff
from referrals.models import Referral
from referrals.selectors import acting_organisation

from .serializers import (
    CountrySerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    ScreeningCreateSerializer,
    ScreeningFormSerializer,
    ScreeningFormUpdateSerializer,
    ScreeningSerializer,
)

COUNTRY = OpenApiParameter(
    "country", str, OpenApiParameter.QUERY, required=False,
    description="ISO 3166-1 alpha-2: the forms that apply there (the regional ones and the country's own).",
)


@extend_schema(tags=["identification"])
class ScreeningFormViewSet(
    RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Versioned screening forms. Every member reads them; platform administrators create drafts,
    change them and publish them. A published form never changes (409): publish a new version."""

    queryset = ScreeningForm.objects.all()
    serializer_class = ScreeningFormSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "head", "options"]
    restrict_actions = {"publish": "publish"}
    denied_message = permissions.FORMS_ARE_THE_PLATFORMS

    def get_base_queryset(self):
        return ScreeningForm.objects.prefetch_related(
            Prefetch("questions", queryset=ScreeningQuestion.objects.order_by("order", "id"))
        )

    def filter_queryset(self, queryset):
        country = self.request.query_params.get("country")
        if self.action == "list" and country:
            return selectors.screening_forms_for(self.request.user, country=country[:2]).filter(
                pk__in=queryset.values("pk")
            )
        return queryset

    @extend_schema(parameters=[COUNTRY])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        permissions.require_manage_screening_forms(request.user)  # before the body is looked at
        return super().create(request, *args, **kwargs)

    def create_object(self, serializer):
        serializer.instance = services.screening_form_create(by=self.request.user, data=serializer.validated_data)

    @extend_schema(request=ScreeningFormUpdateSerializer,
                   responses={200: ScreeningFormSerializer, **problem_responses(409)})
    def partial_update(self, request, *args, **kwargs):
        form = self.get_object()
        serializer = ScreeningFormUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = services.screening_form_update(form=form, by=request.user, data=serializer.validated_data)
        return Response(ScreeningFormSerializer(self.get_base_queryset().get(pk=form.pk)).data)

    @extend_schema(request=None, responses={200: ScreeningFormSerializer, **problem_responses(409)})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Publish a draft: from now on it never changes, and screenings may use it."""
        form = services.screening_form_publish(form=self.get_object(), by=request.user)
        return Response(ScreeningFormSerializer(self.get_base_queryset().get(pk=form.pk)).data)


class ReferralScopedView(APIView):
    """A referral's sub-resource: 404 unless the caller's organisation sees the referral."""

    permission_classes = [IsMemberOrPlatformStaff]

    def referral(self) -> Referral:
        return get_object_or_404(
            Referral.objects.restrict(self.request.user, "view").select_related("area", "submitting_organisation"),
            pk=str(self.kwargs["pk"]),
        )

    def context(self) -> dict:
        organisation = acting_organisation(self.request.user)
        return {"organisation_id": organisation.pk if organisation else None}


@extend_schema(tags=["identification"])
class ScreeningListView(ReferralScopedView):
    @extend_schema(responses={200: ScreeningSerializer(many=True)}, operation_id="referrals_screenings_list")
    def get(self, request, pk):
        """The referral's screenings, oldest first; notes only of your organisation's own."""
        screenings = selectors.screenings_of(self.referral())
        return Response(ScreeningSerializer(screenings, many=True, context=self.context()).data)

    @extend_schema(request=ScreeningCreateSerializer, responses={201: ScreeningSerializer, **problem_responses(409)},
                   operation_id="referrals_screenings_create")
    def post(self, request, pk):
        """Screen the referred person with a published form (any party acting on the referral); the
        answer carries the form rule's assessment."""
        referral = self.referral()
        permissions.require_may_screen(request.user, referral)  # a viewer: 403 before the body
        serializer = ScreeningCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        screening = services.screening_record(referral=referral, by=request.user, **serializer.validated_data)
        return Response(ScreeningSerializer(screening, context=self.context()).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["identification"])
class IdentificationView(ReferralScopedView):
    @extend_schema(responses={200: DecisionSerializer(many=True)}, operation_id="referrals_identification_list")
    def get(self, request, pk):
        """Every identification decision on the referral, oldest first (the latest counts)."""
        decisions = selectors.decisions_of(self.referral())
        return Response(DecisionSerializer(decisions, many=True, context=self.context()).data)

    @extend_schema(request=DecisionCreateSerializer, responses={201: DecisionSerializer, **problem_responses(409)},
                   operation_id="referrals_identification_create")
    def post(self, request, pk):
        """Decide whether the person is a presumed or identified victim (organisations competent to
        identify victims, `identify_victims`). A presumed or identified decision opens the
        reflection and recovery period (the referral's `reflection_period_ends`)."""
        referral = self.referral()
        permissions.require_may_decide_identification(request.user)  # 403 before the body
        serializer = DecisionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = services.identification_decide(referral=referral, by=request.user, **serializer.validated_data)
        return Response(DecisionSerializer(decision, context=self.context()).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["identification"])
class CountryViewSet(viewsets.ViewSet):
    """The rules of the mechanism per member state: every member reads them; platform
    administrators set a country's reflection and recovery period (1 to 365 days)."""

    permission_classes = [IsMemberOrPlatformStaff]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    serializer_class = CountrySerializer

    def _rules(self, code: str):
        code = code.upper()
        if code not in selectors.member_countries():
            raise NotFound("No such member state.")
        return code

    @extend_schema(responses={200: CountrySerializer(many=True)})
    def list(self, request):
        return Response(CountrySerializer(selectors.country_rules_list(), many=True).data)

    @extend_schema(responses={200: CountrySerializer})
    def retrieve(self, request, code=None):
        return Response(CountrySerializer(selectors.country_rules(self._rules(code))).data)

    @extend_schema(request=CountrySerializer, responses={200: CountrySerializer})
    def partial_update(self, request, code=None):
        code = self._rules(code)
        permissions.require_change_country_settings(request.user)  # before the body
        serializer = CountrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.country_setting_update(
            country=code, by=request.user,
            reflection_period_days=serializer.validated_data["reflection_period_days"],
        )
        return Response(CountrySerializer(selectors.country_rules(code)).data)
