from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from .permissions import forget_permission_ids

        post_migrate.connect(forget_permission_ids, dispatch_uid="referrals.forget_permission_ids")
