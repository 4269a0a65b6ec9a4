from datetime import UTC

from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.response import Response

from api.errors import PROBLEM_CONTENT_TYPE, PreconditionRequired, problem_responses
from api.fields import UTCDateTimeFilter
from api.idempotency import idempotent
from api.pagination import PageNumberPagination
from api.viewsets import RestrictedViewSet
from organisations.api.permissions import IsMemberOrPlatformStaff
from organisations.api.serializers import ProviderMatchSerializer
from referrals import permissions, selectors, services
from referrals.models import (
    EventAction,
    ExploitationType,
    Offer,
    Outcome,
    Referral,
    Status,
    Urgency,
)

from .serializers import (
    AcceptSerializer,
    EventSerializer,
    OutcomeSerializer,
    ReasonSerializer,
    ReferOnwardSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    ReferralUpdateSerializer,
    RouteSerializer,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="Retry safely: a repeat with the same key and body returns the first response.",
)


class ReferralFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    urgency = filters.MultipleChoiceFilter(choices=Urgency.choices)
    need = filters.CharFilter(method="filter_need", max_length=40, help_text="Referrals needing this service.")
    exploitation_type = filters.ChoiceFilter(choices=ExploitationType.choices, method="filter_exploitation")
    area = filters.NumberFilter(field_name="area_id")
    created_after = UTCDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created", lookup_expr="lt")
    updated_after = UTCDateTimeFilter(
        field_name="updated", lookup_expr="gt",
        help_text="Change feed: referrals changed after this instant, oldest change first. Page with `next`.",
    )

    class Meta:
        model = Referral
        fields = [
            "status", "urgency", "need", "exploitation_type", "area", "created_after", "created_before",
            "updated_after",
        ]

    def filter_need(self, queryset, name, value):
        return queryset.filter(needs__contains=[value])

    def filter_exploitation(self, queryset, name, value):
        return queryset.filter(exploitation_types__contains=[value])


STATE_ERRORS = problem_responses(409)
# An acceptance into a shelter without a free bed is a 409 too, naming `capacity_available: 0`.
AcceptConflict = inline_serializer(name="AcceptConflictProblem", fields={
    "type": serializers.CharField(), "title": serializers.CharField(), "status": serializers.IntegerField(),
    "detail": serializers.CharField(),
    "current_status": serializers.CharField(required=False, help_text="When the referral's state refuses it."),
    "capacity_available": serializers.IntegerField(required=False, help_text="0: the shelter has no free bed."),
    "facility": serializers.IntegerField(required=False, help_text="The shelter that has no free bed."),
})
ACCEPT_ERRORS = {(409, PROBLEM_CONTENT_TYPE): OpenApiResponse(
    response=AcceptConflict,
    description="The state does not allow it (`current_status`), or the shelter has no free bed "
                "(`capacity_available`).",
)}


class ReferralCursorPagination(CursorPagination):
    """Newest first; with `updated_after`, oldest change first (the change feed). No COUNT(*):
    the list grows without bound, and a cursor does not skip or repeat rows as new ones arrive."""

    ordering = ("-access_created", "-id")  # access_created == created, read from the grants' index
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_ordering(self, request, queryset, view):
        if "updated_after" in request.query_params:
            return ("updated", "id")
        return self.ordering

    def decode_cursor(self, request):
        """The position in a cursor is an instant, and the cursor comes from the client: one this
        API did not give out (not an instant, an offset PostgreSQL refuses, out of range in UTC) is
        no page (404), as DRF answers for a cursor it cannot decode."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        try:
            instant = parse_datetime(cursor.position)
            if instant is None or instant.tzinfo is None:
                raise ValueError(cursor.position)
            position = instant.astimezone(UTC).isoformat()
        except (ValueError, OverflowError) as error:
            raise NotFound(self.invalid_cursor_message) from error
        return Cursor(offset=cursor.offset, reverse=cursor.reverse, position=position)


def etag_of(referral) -> str:
    return f'"{services.referral_version(referral)}"'


# The services check the capability an action needs under the row lock, after the state, so that
# the order of answers stays 404 (cannot see), 403 (a viewer), 409 (the state), 403 (another
# party): every action of this viewset narrows to what the caller may view, and no further.
SERVICE_CHECKED_ACTIONS = (
    "partial_update", "route", "accept", "decline", "withdraw", "withdraw_consent", "close", "outcomes",
    "refer_onward",
)


# Actions that read the referral to work on it but do not show it: they need none of what is
# fetched to serialise it (offers, outcomes, screenings, decisions, children, the duplicate hint).
READ_WITHOUT_SHOWING = ("matches",)


@extend_schema(tags=["referrals"])
class ReferralViewSet(RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin):
    """Anonymised referrals. You see a referral when your organisation submitted it, holds an open
    offer of it, or accepted it; any other referral answers 404, as if it did not exist."""

    serializer_class = ReferralSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    permission_classes = [IsMemberOrPlatformStaff]
    filterset_class = ReferralFilterSet
    pagination_class = ReferralCursorPagination
    restrict_actions = dict.fromkeys(SERVICE_CHECKED_ACTIONS, "view")
    # What the browsable API's forms are built from (api.renderers): the writable fields only.
    form_serializer_classes = {"POST": ReferralCreateSerializer, "PATCH": ReferralUpdateSerializer}

    def get_base_queryset(self):
        if self.action in READ_WITHOUT_SHOWING:
            return Referral.objects.defer("notes")
        return (
            Referral.objects.select_related("submitting_organisation", "accepted_by", "area", "parent")
            .defer("area__geometry")  # a country outline can hold tens of thousands of vertices
            .prefetch_related(
                Prefetch("offers", queryset=Offer.objects.select_related("organisation")),
                "outcomes__organisation",
                "screenings",  # the mechanism's steps (identification app), shown on the referral
                "identification_decisions__organisation",
                Prefetch("children", queryset=Referral.objects.select_related("accepted_by").prefetch_related(
                    Prefetch("outcomes", queryset=Outcome.objects.only("referral_id", "type", "date"))
                ).order_by("created", "id")),
            )
        )

    def get_queryset(self):
        if self.action in READ_WITHOUT_SHOWING:
            return super().get_queryset()
        return selectors.with_duplicate_hint(super().get_queryset())

    def get_serializer_context(self):
        organisation = selectors.acting_organisation(self.request.user)
        return {**super().get_serializer_context(), "organisation_id": organisation.pk if organisation else None}

    def idempotency_scope(self, request):
        """Idempotency keys are kept per organisation (api.idempotency)."""
        organisation = selectors.acting_organisation(request.user)
        return organisation.pk if organisation else None

    def check_idempotent_replay(self, request, *args, **kwargs):
        """Before a stored response is replayed: may the caller still submit, or record outcomes
        of this referral? (api.idempotency)"""
        if self.action == "create":
            permissions.require_may_submit(request.user)
        else:
            permissions.require_may_record(request.user, self.get_object())

    def _respond(self, referral, status_code=status.HTTP_200_OK):
        referral = self.get_queryset().get(pk=referral.pk)
        return Response(self.get_serializer(referral).data, status=status_code, headers={"ETag": etag_of(referral)})

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        services.referral_record_read(referrals=page, by=request.user, action=EventAction.LISTED)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        services.referral_record_read(referrals=[referral], by=request.user)
        return Response(self.get_serializer(referral).data, headers={"ETag": etag_of(referral)})

    @extend_schema(
        request=ReferralUpdateSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True,
                                     description="The ETag of the referral as you read it.")],
        responses={200: ReferralSerializer, **problem_responses(409, 412, 428)},
    )
    def partial_update(self, request, *args, **kwargs):
        """Correct needs, urgency or notes while the referral is `submitted` (submitter only)."""
        referral = self.get_object()
        if_match = request.headers.get("If-Match")
        if not if_match:
            raise PreconditionRequired()
        body = ReferralUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.referral_update(
            referral=referral, by=request.user, data=body.validated_data,
            expected_version=None if if_match.strip() == "*" else if_match.strip().removeprefix("W/").strip('"'),
        )
        return self._respond(referral)

    @extend_schema(request=ReferralCreateSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: ReferralSerializer, **problem_responses(409, 422)})
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_submit(by=request.user, data=serializer.validated_data)
        referral = selectors.as_just_submitted(referral)
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED,
                        headers={"ETag": etag_of(referral)})

    @extend_schema(responses={200: ProviderMatchSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def matches(self, request, pk=None):
        """Organisations that could take the referral, best first, with the reasons they match.
        Those whose shelters are all full come after everyone meeting as many needs (`no free beds`)."""
        referral = self.get_object()
        if not permissions.may_see_matches(request.user, referral):
            raise PermissionDenied(permissions.MATCHES_ARE_THE_SUBMITTERS)
        services.referral_record_read(referrals=[referral], by=request.user, action=EventAction.MATCHES_VIEWED)
        matches = selectors.referral_matches(referral)
        return Response(ProviderMatchSerializer(matches, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=RouteSerializer, responses={200: ReferralSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def route(self, request, pk=None):
        """Offer the referral to organisations you choose, or to the best match (`auto`). A referral
        needing shelter is never offered to an organisation whose shelters are all full (400 when
        you name one); when only such organisations match `auto`, it stays as it is and its
        timeline records `no_free_beds`."""
        referral = self.get_object()
        body = RouteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.referral_route(
            referral=referral, by=request.user, organisation_ids=body.validated_data.get("organisations"),
            auto=body.validated_data["auto"],
        )
        return self._respond(referral)

    @extend_schema(request=AcceptSerializer, responses={200: ReferralSerializer, **ACCEPT_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        """Accept your organisation's offer. The first acceptance wins; other offers lapse. With
        `facility` (one of your shelters), one of its beds is held for the person until the
        referral is closed or withdrawn."""
        referral = self.get_object()
        body = AcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.offer_accept(referral=referral, by=request.user,
                                         facility=body.validated_data.get("facility"))
        return self._respond(referral)

    @extend_schema(request=ReasonSerializer, responses={200: None, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def decline(self, request, pk=None):
        """Decline your organisation's offer; your organisation loses access to the referral."""
        referral = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.offer_decline(referral=referral, by=request.user, reason=body.validated_data.get("reason", ""))
        return Response({"status": "declined"})

    @extend_schema(request=None, responses={200: ReferralSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request, pk=None):
        """Withdraw the referral (submitter); open offers lapse."""
        referral = services.referral_withdraw(referral=self.get_object(), by=request.user)
        return self._respond(referral)

    @extend_schema(request=None, responses={200: ReferralSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, url_path="withdraw-consent")
    def withdraw_consent(self, request, pk=None):
        """The person withdrew consent (submitter): the referral is closed, every other organisation
        loses access at once, and its free text and case hash are erased."""
        referral = services.referral_withdraw_consent(referral=self.get_object(), by=request.user)
        return self._respond(referral)

    @extend_schema(request=ReasonSerializer, responses={200: ReferralSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        """Close the referral (accepting organisation)."""
        referral = self.get_object()
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        referral = services.referral_close(referral=referral, by=request.user,
                                           reason=body.validated_data.get("reason", ""))
        return self._respond(referral)

    @extend_schema(methods=["GET"], request=None, responses={200: OutcomeSerializer(many=True)})
    @extend_schema(methods=["POST"], request=OutcomeSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: OutcomeSerializer, **problem_responses(409, 422)})
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    @idempotent
    def outcomes(self, request, pk=None):
        """The assistance given and its results. The accepting organisation records them; the
        first outcome moves the referral to `in_progress`."""
        referral = self.get_object()
        if request.method == "GET":
            services.referral_record_read(referrals=[referral], by=request.user)
            return Response(OutcomeSerializer(referral.outcomes.all(), many=True).data)
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        outcome = services.outcome_record(referral=referral, by=request.user, **body.validated_data)
        return Response(OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReferOnwardSerializer, responses={201: ReferralSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, url_path="refer-onward")
    def refer_onward(self, request, pk=None):
        """Refer the person onward (the accepting organisation): a new referral for the needs you
        name, with the same profile, location and consent and `parent` set, offered to the
        organisations you name or else to the best match. You are its submitter."""
        referral = self.get_object()
        body = ReferOnwardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        child = services.referral_refer_onward(
            referral=referral, by=request.user, needs=body.validated_data["needs"],
            organisation_ids=body.validated_data.get("organisations"), notes=body.validated_data.get("notes", ""),
        )
        return self._respond(child, status.HTTP_201_CREATED)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=PageNumberPagination)
    def events(self, request, pk=None):
        """The audit timeline of the referral, as your organisation may read it."""
        referral = self.get_object()
        events = selectors.referral_events_for(request.user, referral)
        page = self.paginate_queryset(events)
        data = EventSerializer(page, many=True, context=self.get_serializer_context()).data
        services.referral_record_read(referrals=[referral], by=request.user)
        return self.get_paginated_response(data)
