from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "Screening and identification"

    def ready(self):
        from referrals.indicators import register_measure

        from .indicators import IDENTIFICATION_DECISION_SHARE

        register_measure(IDENTIFICATION_DECISION_SHARE)
