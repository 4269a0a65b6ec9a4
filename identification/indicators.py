"""The identification app's progress indicator (Action Item 7), registered with referrals'
registry from IdentificationConfig.ready(): referrals does not know this app."""

from django.db.models import Exists, OuterRef

from referrals.indicators import SHARE, Measure

from .models import IdentificationDecision


def _has_decision():
    """True or false for every referral: each one is in the base."""
    return Exists(IdentificationDecision.objects.filter(referral=OuterRef("pk")))


IDENTIFICATION_DECISION_SHARE = Measure(
    "identification_decision_share", SHARE,
    "Share of the referrals with an identification decision (presumed, identified or not identified).",
    _has_decision,
)
