from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.viewsets import RestrictedViewSet
from integration import webhooks
from integration.models import WebhookSubscription
from organisations.selectors import membership_of

from .permissions import MayManageWebhooks
from .serializers import WebhookDeliverySerializer, WebhookSerializer, WebhookWithSecretSerializer


@extend_schema(tags=["webhooks"])
class WebhookViewSet(RestrictedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     mixins.UpdateModelMixin, mixins.DestroyModelMixin):
    """Webhook subscriptions of your organisation, managed by its admins. Each delivery is a POST
    of `{"id", "type", "created", "data"}` signed with the subscription's secret, and only about
    referrals your organisation may see at that moment, as your organisation sees them."""

    queryset = WebhookSubscription.objects.all()
    serializer_class = WebhookSerializer
    permission_classes = [MayManageWebhooks]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    restrict_actions = {"rotate_secret": "change", "deliveries": "view"}
    denied_message = MayManageWebhooks.message

    @extend_schema(responses={201: WebhookWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(WebhookWithSecretSerializer(serializer.instance).data, status=status.HTTP_201_CREATED)

    def create_object(self, serializer):
        data = serializer.validated_data
        subscription = webhooks.webhook_create(
            organisation=membership_of(self.request.user).organisation, url=data["url"], events=data["events"]
        )
        if "active" in data:  # a subscription may be registered paused
            subscription = webhooks.webhook_update(subscription=subscription, data={"active": data["active"]})
        serializer.instance = subscription

    def update_object(self, serializer):
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
