"""The returns app's progress indicator (Action Item 7), registered with referrals' registry from
ReturnsConfig.ready(): referrals does not know this app."""

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Exists, OuterRef, Value, When

from referrals.indicators import SHARE, Measure

from .models import FollowUp, ReturnCase

TWELVE_MONTHS = 12


def _followed_up_12_months(*, as_of):
    """Null for a referral with no return handed over at least 12 months before `as_of` (outside
    the base); true when such a return's 12-month follow-up has an outcome; false otherwise."""
    cutoff = as_of - relativedelta(months=TWELVE_MONTHS)
    due = ReturnCase.objects.filter(referral=OuterRef("pk"), handed_over_on__isnull=False, handed_over_on__lte=cutoff)
    followed = FollowUp.objects.filter(
        return_case__referral=OuterRef("pk"), return_case__handed_over_on__lte=cutoff,
        months=TWELVE_MONTHS, outcome__isnull=False,
    )
    return Case(
        When(Exists(followed), then=Value(True)),
        When(Exists(due), then=Value(False)),
        default=Value(None),
    )


RETURNS_FOLLOWED_UP_SHARE = Measure(
    "returns_followed_up_12_months_share", SHARE,
    "Among the referrals with a return handed over at least 12 months before (today, or the end of the year "
    "asked), the share whose 12-month follow-up has an outcome.",
    _followed_up_12_months, as_of=True,
)
