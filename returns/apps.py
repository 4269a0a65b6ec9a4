from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """Cross-border return and reintegration (issue 14): above referrals and organisations."""

    name = "returns"
    verbose_name = "Returns"

    def ready(self):
        from referrals.indicators import register_measure
        from referrals.signals import referral_consent_withdrawn, referral_content_erased

        from .indicators import RETURNS_FOLLOWED_UP_SHARE
        from .services import returns_cancel_for_withdrawn_consent, returns_erase_notes

        register_measure(RETURNS_FOLLOWED_UP_SHARE)

        referral_consent_withdrawn.connect(returns_cancel_for_withdrawn_consent, dispatch_uid="returns.consent")
        referral_content_erased.connect(returns_erase_notes, dispatch_uid="returns.erase_notes")
