from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """E-mail to people: what waits for them, never what the case is. It sits above the domain
    apps beside the integration app, reads the domain's outbox and hears from it through signals."""

    name = "notifications"
    verbose_name = _("Notifications (e-mail)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from referrals.signals import outbox_event_written

        from .tasks import intake_soon

        outbox_event_written.connect(intake_soon, dispatch_uid="notifications.intake_soon")
