"""GET/PATCH /api/v1/me/: who the signed-in user is, in which organisation and role, what they may
do, and the language, time zone and address the network writes to them in."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import problem_responses
from organisations.models import OrganisationKind, Role
from organisations.selectors import membership_of

from .. import services
from ..selectors import capabilities_of, profile_of


class MyOrganisationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    country = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(allow_blank=True)
    language = serializers.CharField(help_text=_("A language code of the network (en, th, id, vi, ...)."))
    time_zone = serializers.CharField(help_text=_("An IANA time zone name, such as Asia/Bangkok."))
    organisation = MyOrganisationSerializer(
        read_only=True, allow_null=True, help_text=_("Null for platform staff and analysts, members of none."))
    role = serializers.ChoiceField(choices=Role.choices, read_only=True, allow_null=True)
    capabilities = serializers.ListField(child=serializers.CharField(), read_only=True)


class MeUpdateSerializer(serializers.Serializer):
    """Shapes only; what a valid language, time zone and address is, accounts.services decides."""

    email = serializers.CharField(required=False, max_length=254)
    language = serializers.CharField(required=False, max_length=10)
    time_zone = serializers.CharField(required=False, max_length=64)


def me_data(user) -> dict:
    membership = membership_of(user)
    profile = profile_of(user)
    organisation = membership.organisation if membership else None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "language": profile.language,
        "time_zone": profile.time_zone,
        "organisation": None if organisation is None else {
            "id": organisation.pk, "name": organisation.name, "kind": organisation.kind,
            "country": organisation.country,
        },
        "role": membership.role if membership else None,
        "capabilities": capabilities_of(user),
    }


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["me"], operation_id="me_retrieve", responses={200: MeSerializer, **problem_responses(401)})
    def get(self, request):
        return Response(MeSerializer(me_data(request.user)).data)

    @extend_schema(tags=["me"], operation_id="me_partial_update", request=MeUpdateSerializer,
                   responses={200: MeSerializer, **problem_responses(400, 401)})
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.profile_update(user=request.user, data=serializer.validated_data)
        request.user.refresh_from_db()
        return Response(MeSerializer(me_data(request.user)).data)
