"""The privacy budget: each reader of network-wide statistics may spend STATS_EPSILON_BUDGET per
calendar month (UTC), STATS_EPSILON_PER_QUERY per new release. Spends are appended to a ledger
(PrivacySpend, which the database keeps append-only); the decision to spend is taken with the
reader's budget row locked, so two concurrent queries cannot both spend the same remainder."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.models import PrivacyBudget, PrivacySpend, StatisticsRelease


class BudgetExhausted(Exception):
    """The reader's budget for the month cannot pay for another release (HTTP 429)."""

    problem_status = 429

    def __init__(self, *, month: date, spent: Decimal, budget: Decimal, cost: Decimal):
        renews = next_month(month)
        self.problem_extra = {
            "title": _("Privacy budget spent"),
            "budget_spent": float(spent),
            "budget_remaining": float(max(budget - spent, Decimal(0))),
            "budget_renews": renews.isoformat(),
        }
        super().__init__(
            _("Your statistics privacy budget for %(month)s is spent (%(spent)s of %(budget)s; a new "
              "query costs %(cost)s). It renews on %(renews)s (UTC). Queries already answered this month "
              "are still returned, free of charge.") % {
                "month": f"{month:%Y-%m}", "spent": spent.normalize(), "budget": budget.normalize(),
                "cost": cost.normalize(), "renews": renews.isoformat()}
        )


def month_of(moment: datetime | None = None) -> date:
    moment = timezone.now() if moment is None else moment
    return moment.astimezone(UTC).date().replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def per_query() -> Decimal:
    return Decimal(str(settings.STATS_EPSILON_PER_QUERY))


def monthly_budget() -> Decimal:
    return Decimal(str(settings.STATS_EPSILON_BUDGET))


def spent(user, month: date) -> Decimal:
    total = PrivacySpend.objects.filter(budget__user=user, budget__month=month).aggregate(total=Sum("epsilon"))
    return total["total"] or Decimal(0)


def lock(user, month: date) -> PrivacyBudget:
    """The reader's budget row for the month, locked until the transaction ends (call inside one)."""
    PrivacyBudget.objects.get_or_create(user=user, month=month)
    return PrivacyBudget.objects.select_for_update().get(user=user, month=month)


def ensure_affordable(user, month: date) -> None:
    """Refuse before anything is computed or recorded (call with the budget row locked)."""
    already, budget, cost = spent(user, month), monthly_budget(), per_query()
    if already + cost > budget:
        raise BudgetExhausted(month=month, spent=already, budget=budget, cost=cost)


def charge(budget: PrivacyBudget, release: StatisticsRelease) -> PrivacySpend:
    return PrivacySpend.objects.create(budget=budget, release=release, epsilon=release.epsilon, delta=release.delta)


def summary(user, month: date) -> dict:
    already = spent(user, month)
    return {"budget_spent": float(already), "budget_remaining": float(max(monthly_budget() - already, Decimal(0)))}
