"""What the integration app keeps: webhook subscriptions and their deliveries."""

import secrets
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models

from organisations.models import Organisation
from referrals.models import OutboxEvent, OutboxEventType


def new_signing_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookSubscriptionQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from . import permissions

        return permissions.restrict_subscriptions(self, user, action)


class WebhookSubscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = ArrayField(models.CharField(max_length=32, choices=OutboxEventType.choices), size=20)
    secret = models.CharField(max_length=100, default=new_signing_secret)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"webhook {self.url} of {self.organisation_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed", "failed (retries exhausted)"
    CANCELLED = "cancelled", "cancelled (the organisation can no longer see the referral)"


class WebhookDelivery(models.Model):
    """One event for one subscriber. The body is fixed when the event is relayed, so every retry
    sends the same bytes under a fresh signature."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    # No database constraint: the outbox is partitioned by month and its primary key is (id, created),
    # so no foreign key can reference id alone. Django still cascades an ORM delete, and dropping an
    # outbox month applies the same cascade first (referrals.partitions).
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    body = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.JSONField(default=list, help_text="[{at, status_code, error, duration_ms}]")
    next_attempt = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    delivered = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event"),
        ]
        indexes = [
            models.Index(fields=["subscription", "event"], condition=models.Q(status="pending"),
                         name="delivery_pending_idx"),
        ]

    def __str__(self):
        return f"delivery of {self.event_id} to {self.subscription_id} ({self.status})"
