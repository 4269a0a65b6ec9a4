from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from organisations.permissions import MANAGE_MEMBERS
from organisations.selectors import membership_of, organisation_ids_with_permission

from . import webhooks
from .models import WebhookSubscription
from .permissions import IsMemberOrPlatformStaff
from .serializers import WebhookDeliverySerializer, WebhookSerializer, WebhookWithSecretSerializer


@extend_schema(tags=["webhooks"])
class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions of your organisation, managed by its admins. Each delivery is a POST
    of `{"id", "type", "created", "data"}` signed with the subscription's secret, and only about
    referrals your organisation may see at that moment, as your organisation sees them."""

    serializer_class = WebhookSerializer
    permission_classes = [IsMemberOrPlatformStaff]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        membership = membership_of(self.request.user)
        if membership is None:
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(organisation_id=membership.organisation_id)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        membership = membership_of(request.user)
        admin_of = organisation_ids_with_permission(request.user, MANAGE_MEMBERS)
        if membership is None or membership.organisation_id not in admin_of:
            raise PermissionDenied("Only an organisation's admins manage its webhooks.")

    @extend_schema(responses={201: WebhookWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription = webhooks.webhook_create(
            organisation=membership_of(request.user).organisation, url=data["url"], events=data["events"]
        )
        if "active" in data:  # a subscription may be registered paused
            subscription = webhooks.webhook_update(subscription=subscription, data={"active": data["active"]})
        return Response(WebhookWithSecretSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        serializer.instance = webhooks.webhook_update(subscription=serializer.instance, data=serializer.validated_data)

    @extend_schema(request=None, responses={200: WebhookWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """Replace the signing secret; the new one is shown once, here."""
        subscription = webhooks.webhook_rotate_secret(subscription=self.get_object())
        return Response(WebhookWithSecretSerializer(subscription).data)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """Deliveries to this subscription, newest first, with every attempt's status code and time."""
        deliveries = self.get_object().deliveries.select_related("event").order_by("-event_id")
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
