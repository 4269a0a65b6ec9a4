"""GET/PUT /api/v1/me/notification-preferences/: how the signed-in user is told of each kind of
event (at once, in the daily digest, or not at all) and when their digest comes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import problem_responses

from .. import services
from ..models import NotificationKind
from ..selectors import preferences_of

CHOICES_HELP = _(
    "Every kind of event (%(kinds)s), each `immediate`, `digest` or `off`. Defaults: offers and "
    "expiries at once, the rest in the daily digest."
)


class ChoicesField(serializers.DictField):
    """A JSON object {kind: delivery}; which kinds and values are valid, the service decides (and
    names the one it refuses)."""

    child = serializers.CharField(max_length=16)


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "08:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time answered as HH:MM (not an RFC 3339 time, which would need an offset)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class NotificationPreferencesSerializer(serializers.Serializer):
    choices = ChoicesField(help_text=CHOICES_HELP % {"kinds": ", ".join(NotificationKind.values)})
    digest_time = LocalTimeField(
        help_text=_("The local time (in your profile's time zone) of the daily digest, HH:MM."))


def _data(user) -> dict:
    return NotificationPreferencesSerializer(preferences_of(user)).data


class NotificationPreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["me"], operation_id="me_notification_preferences_retrieve",
                   responses={200: NotificationPreferencesSerializer, **problem_responses(401)})
    def get(self, request):
        return Response(_data(request.user))

    @extend_schema(tags=["me"], operation_id="me_notification_preferences_update",
                   request=NotificationPreferencesSerializer,
                   responses={200: NotificationPreferencesSerializer, **problem_responses(400, 401)})
    def put(self, request):
        serializer = NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, choices=serializer.validated_data["choices"],
                                 digest_time=serializer.validated_data["digest_time"])
        return Response(_data(request.user))



