from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from api.errors import problem_responses
from api.viewsets import RestrictedViewSet
from organisations.api.permissions import IsMemberOrPlatformStaff
from referrals.models import Referral
from referrals.selectors import acting_organisation
from returns import selectors, services
from returns.models import FOLLOW_UP_MONTHS, ReturnCase, ReturnStatus

from .serializers import (
    FollowUpRecordSerializer,
    FollowUpSerializer,
    ReturnCaseSerializer,
    ReturnOpenSerializer,
    TransitionSerializer,
)

STATE_ERRORS = problem_responses(409)


def _context(request) -> dict:
    organisation = acting_organisation(request.user)
    return {"request": request, "organisation_id": organisation.pk if organisation else None}


def _shown(request, case: ReturnCase, status_code=status.HTTP_200_OK) -> Response:
    case = selectors.return_list(request.user).get(pk=case.pk)
    return Response(ReturnCaseSerializer(case, context=_context(request)).data, status=status_code)


class ReturnFilterSet(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ReturnStatus.choices)

    class Meta:
        model = ReturnCase
        fields = ["status"]


@extend_schema(tags=["returns"])
class ReturnViewSet(RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Returns across a border: those your organisation opened, and, for a national focal point,
    those to its country. Any other return answers 404."""

    serializer_class = ReturnCaseSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    filterset_class = ReturnFilterSet
    restrict_actions = {"transition": "view", "follow_up": "view"}  # the services check the party

    def get_base_queryset(self):
        return selectors.returns_with_details()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **_context(self.request)}

    @extend_schema(request=TransitionSerializer, responses={200: ReturnCaseSerializer, **STATE_ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None)
    def transition(self, request, pk=None):
        """Take the next step (a destination focal point), or cancel (either party). 409 with
        `current_status` for a step the return's status does not allow."""
        case = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.return_transition(case=case, by=request.user, to=body.validated_data["to"],
                                          note=body.validated_data.get("note", ""))
        return _shown(request, case)

    @extend_schema(
        request=FollowUpRecordSerializer,
        parameters=[OpenApiParameter("months", int, OpenApiParameter.PATH, enum=list(FOLLOW_UP_MONTHS))],
        responses={200: FollowUpSerializer, **STATE_ERRORS},
    )
    @action(detail=True, methods=["post"], filterset_class=None, url_path=r"follow-ups/(?P<months>[0-9]{1,2})")
    def follow_up(self, request, pk=None, months=None):
        """Record how the person is, 3, 6 or 12 months after the hand-over (a destination focal
        point); 409 before the hand-over."""
        case = self.get_object()
        if int(months) not in FOLLOW_UP_MONTHS:
            raise NotFound("Follow-ups are at 3, 6 and 12 months.")
        body = FollowUpRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        follow_up = services.follow_up_record(case=case, by=request.user, months=int(months),
                                              outcome=body.validated_data["outcome"],
                                              note=body.validated_data.get("note", ""))
        return Response(FollowUpSerializer(follow_up).data)


@extend_schema(tags=["returns"])
class ReferralReturnView(GenericAPIView):
    """Open a return of the referral's person to another member state (the submitting or the
    accepting organisation): offered to the destination's national focal points."""

    permission_classes = [IsMemberOrPlatformStaff]
    serializer_class = ReturnOpenSerializer

    def get_queryset(self):
        return Referral.objects.restrict(self.request.user, "view")

    @extend_schema(request=ReturnOpenSerializer, responses={201: ReturnCaseSerializer, **STATE_ERRORS},
                   operation_id="referrals_return_create")
    def post(self, request, pk=None):
        referral = self.get_object()  # 404 unless the caller's organisation sees the referral
        body = ReturnOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.return_open(referral=referral, by=request.user, **body.validated_data)
        return _shown(request, case, status.HTTP_201_CREATED)
