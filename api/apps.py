from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "HTTP API"

    def ready(self):
        from referrals.signals import referral_content_erased

        from .erasure import copies_erase_content

        referral_content_erased.connect(copies_erase_content, dispatch_uid="api.erase_copies")
