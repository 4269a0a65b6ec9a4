from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    """Webhooks: subscriptions, the relay of the domain's outbox, signed deliveries. It sits above
    the domain apps and hears from them through signals only."""

    name = "integration"
    verbose_name = "Integration (webhooks)"

    def ready(self):
        from referrals.signals import outbox_event_written, referral_content_erased

        from .erasure import copies_erase_content
        from .tasks import relay_soon

        referral_content_erased.connect(copies_erase_content, dispatch_uid="integration.erase_copies")
        outbox_event_written.connect(relay_soon, dispatch_uid="integration.relay_soon")
