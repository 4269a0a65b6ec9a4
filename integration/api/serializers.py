from rest_framework import serializers

from integration.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from referrals.models import OutboxEventType


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.URLField(max_length=500, help_text="https URL on a public address.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=OutboxEventType.choices), min_length=1, max_length=20
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "organisation", "url", "events", "active", "created"]
        read_only_fields = ["id", "organisation", "created"]


class WebhookWithSecretSerializer(WebhookSerializer):
    """Shown once: when the subscription is created and when its secret is rotated."""

    secret = serializers.CharField(
        read_only=True,
        help_text="Signing secret. Verify `X-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">`.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    duration_ms = serializers.IntegerField()


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.public_id")
    event_type = serializers.ChoiceField(source="event.type", choices=OutboxEventType.choices)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = DeliveryAttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "next_attempt", "created", "delivered"]
