"""Referral counts and response times answered with differential privacy (see mechanisms).

What one referral contributes, which sets the noise: under single-valued fields it is in one cell,
one value of each margin and the total. A multi-valued field (exploitation_type, need, outcome)
puts it under up to m values, m = the smaller of the field's number of choices and
STATS_MAX_VALUES_PER_FIELD (a referral with more keeps m of them, a fixed pseudo-random choice);
two such fields multiply. So one referral adds one to at most
    cells:  product of m over the fields, margins: sum of m (with two or more fields), total: 1
keys, and that number is the sensitivity the noise is scaled to.
"""

from django.conf import settings

from referrals.models import ExploitationType, OutcomeType
from referrals.statistics import MULTI_VALUED, Scope, count_referrals, response_time_rows

from . import mechanisms
from .releases import Computed

# The values a multi-valued field can take, where the model fixes them (needs are free slugs).
CHOICES = {"exploitation_type": len(ExploitationType.choices), "outcome": len(OutcomeType.choices) + 1}  # + none


def values_per_referral(name: str) -> int:
    if name not in MULTI_VALUED:
        return 1
    limit = settings.STATS_MAX_VALUES_PER_FIELD
    return min(limit, CHOICES.get(name, limit))


def contributions(group_by: list[str]) -> int:
    per_field = [values_per_referral(name) for name in group_by]
    cells = 1
    for count in per_field:
        cells *= count
    margins = sum(per_field) if len(group_by) > 1 else 0
    return cells + margins + 1


def _published(count: int | None) -> dict:
    return {"count": count, "suppressed": count is None}


def referral_statistics(*, group_by: list[str], start=None, end=None, epsilon: float) -> Computed:
    k = settings.STATS_MIN_CELL
    counts = count_referrals(group_by=group_by, scope=Scope(), start=start, end=end,
                             limit=settings.STATS_MAX_VALUES_PER_FIELD)
    keyed = {("cell", *key): count for key, count in counts.cells.items()}
    for name, margin in counts.margins.items():
        keyed.update({("margin", name, value): count for value, count in margin.items()})
    keyed[("total",)] = counts.total
    noisy = mechanisms.noisy_counts(keyed, contributions=contributions(group_by), epsilon=epsilon,
                                    delta=settings.STATS_DELTA_PER_QUERY, minimum=k)
    released = noisy.released
    cells = [
        {**dict(zip(group_by, key[1:], strict=True)), **_published(count)}
        for key, count in released.items() if key[0] == "cell"
    ]
    margins = {
        name: sorted(({"value": key[2], **_published(count)} for key, count in released.items()
                      if key[0] == "margin" and key[1] == name), key=lambda item: str(item["value"]))
        for name in counts.margins
    }
    body = {
        "group_by": group_by,
        "k": k,
        "threshold": noisy.threshold,
        "cells": sorted(cells, key=lambda cell: [str(cell[name]) for name in group_by]),
        "margins": margins,
        "total": _published(released.get(("total",))),
    }
    return Computed(body=body, mechanism=mechanisms.COUNTS_MECHANISM, delta=noisy.delta)


def response_times(*, start=None, end=None, epsilon: float) -> Computed:
    """Half the epsilon for the counts (per group, of those accepted and of those with an outcome,
    and the total: four keys per referral), a quarter for each median. The groups are disjoint, so
    each median costs its quarter once whatever the number of groups (parallel composition). A
    median is published only where the noisy count of the times it is taken over reaches k."""
    k = settings.STATS_MIN_CELL
    upper = settings.STATS_MEDIAN_MAX_HOURS
    rows = response_time_rows(scope=Scope(), start=start, end=end)
    keyed: dict[tuple, int] = {("total",): len(rows)}
    times: dict[tuple, tuple[list, list]] = {}
    for country, urgency, to_acceptance, to_outcome in rows:
        group = (country, urgency)
        accepted, outcomes = times.setdefault(group, ([], []))
        keyed[("group", *group)] = keyed.get(("group", *group), 0) + 1
        if to_acceptance is not None:
            accepted.append(to_acceptance)
            keyed[("accepted", *group)] = keyed.get(("accepted", *group), 0) + 1
        if to_outcome is not None:
            outcomes.append(to_outcome)
            keyed[("outcome", *group)] = keyed.get(("outcome", *group), 0) + 1
    noisy = mechanisms.noisy_counts(keyed, contributions=4, epsilon=epsilon / 2,
                                    delta=settings.STATS_DELTA_PER_QUERY, minimum=k)
    released = noisy.released

    def median(kind: str, group: tuple, values: list) -> float | None:
        if (kind, *group) not in released:
            return None
        return mechanisms.private_median(values, epsilon=epsilon / 4, upper=upper)

    groups = []
    for key in sorted(key for key in released if key[0] == "group"):
        group = (key[1], key[2])
        accepted, outcomes = times.get(group, ([], []))
        groups.append({
            "country": group[0],
            "urgency": group[1],
            **_published(released[key]),
            "median_hours_to_acceptance": median("accepted", group, accepted),
            "median_hours_to_first_outcome": median("outcome", group, outcomes),
        })
    body = {"k": k, "threshold": noisy.threshold, "median_max_hours": upper, "groups": groups,
            "total": _published(released.get(("total",)))}
    mechanism = f"{mechanisms.COUNTS_MECHANISM}+{mechanisms.MEDIAN_MECHANISM}"
    return Computed(body=body, mechanism=mechanism, delta=noisy.delta)
