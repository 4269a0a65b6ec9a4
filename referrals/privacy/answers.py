"""What the statistics views call. An organisation's statistics over its own referrals (what it
submitted or accepted) are exact and k-anonymised, as they always were: it knows those referrals
anyway. Readers of the whole network (referrals.permissions.reads_all_statistics) get the month's
differentially private release of their query, paid from their privacy budget."""

from datetime import UTC, datetime

from referrals import indicators as exact
from referrals import statistics
from referrals.statistics import DIMENSIONS

from . import budget, releases, tables
from . import indicators as private


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime]:
    """The period as the release key sees it: an end after the current month (or none) is the end
    of the current month, so that `to=2100-01-01` and no `to` are the same query, not two noises."""
    month = budget.month_of()
    current_end = datetime(*budget.next_month(month).timetuple()[:3], tzinfo=UTC)
    end = current_end if end is None or end > current_end else end
    return start, end


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def referral_statistics(user, *, group_by: list[str], start=None, end=None) -> dict:
    scope = statistics.statistics_scope(user)
    if scope.organisation_id is not None:
        return statistics.referral_statistics(group_by=group_by, scope=scope, start=start, end=end)
    # The order of the fields changes nothing in the answer: one release per set of fields.
    group_by = sorted(group_by, key=list(DIMENSIONS).index)
    start, end = _window(start, end)
    return releases.obtain(
        user, kind="referral_counts",
        parameters={"group_by": group_by, "from": _iso(start), "to": _iso(end)},
        compute=lambda epsilon: tables.referral_statistics(group_by=group_by, start=start, end=end, epsilon=epsilon),
    )


def response_times(user, *, start=None, end=None) -> dict:
    scope = statistics.statistics_scope(user)
    if scope.organisation_id is not None:
        return statistics.response_times(scope=scope, start=start, end=end)
    start, end = _window(start, end)
    return releases.obtain(
        user, kind="response_times", parameters={"from": _iso(start), "to": _iso(end)},
        compute=lambda epsilon: tables.response_times(start=start, end=end, epsilon=epsilon),
    )


def indicators(user, *, country: str | None = None, year: int | None = None) -> dict:
    """The progress indicators: exact over an organisation's own referrals; for readers of the
    whole network the month's private release of (country, year, the measures registered)."""
    scope = statistics.statistics_scope(user)
    if scope.organisation_id is not None:
        return exact.indicators(scope=scope, country=country, year=year)
    names = [measure.name for measure in exact.measures()]
    return releases.obtain(
        user, kind="indicators", parameters={"country": country, "year": year, "measures": names},
        compute=lambda epsilon: private.indicators(country=country, year=year, epsilon=epsilon),
    )
