"""The progress indicators over the whole network, differentially private (the privacy unit is one
referral, which lies in exactly one row: its country and year).

Three measurements, composed:
1. which rows exist and how many referrals each holds: OpenDP's thresholded discrete Laplace over
   the (country, year) keys the data holds (as the referral counts), half the epsilon; a row is
   published only from the threshold up, so a row of one person's referrals is not (delta);
2. over the rows released (public by then), one discrete Laplace vector (OpenDP `make_laplace`)
   of every other count the measures need: per row, a count measure's count, a share's
   denominator and numerator, a median's population. One referral changes each of them by at most
   one, in its own row only: the L1 sensitivity is their number per row. A quarter of the epsilon
   (half when no measure is a median);
3. each median: OpenDP's private quantile over whole days clamped to INDICATOR_MEDIAN_MAX_DAYS,
   the last quarter shared among the median measures; rows are disjoint, so each costs its share
   once whatever the number of rows (parallel composition). Published only where the noisy
   population reaches k.
A share is the noisy numerator over the noisy denominator, clamped to [0, 1], published where the
noisy denominator reaches k. No noisy figure below k is published (value and base are null)."""

import opendp.prelude as dp
from django.conf import settings

from referrals.indicators import COUNT, MEDIAN, SHARE, definitions, indicator_rows, measures, published_cell
from referrals.statistics import Scope

from . import mechanisms
from .releases import Computed

VECTOR_MECHANISM = "discrete_laplace"


def _parts(measure) -> tuple[str, ...]:
    """The noisy counts a measure needs per row (beyond the row's own count)."""
    if measure.kind == COUNT:
        return () if measure.every_referral else ("count",)
    if measure.kind == SHARE:
        return ("base", "count")
    return ("base",)


def _part_value(measure, part: str, column: list) -> int:
    if measure.kind == COUNT or (measure.kind == SHARE and part == "count"):
        return sum(1 for value in column if value)
    return sum(1 for value in column if value is not None)


def _noisy_vector(values: list[int], *, sensitivity: int, epsilon: float) -> list[int]:
    if not values:
        return []
    domain, metric = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)

    def make(scale):
        return dp.m.make_laplace(domain, metric, scale=scale)

    measurement = make(dp.binary_search_param(make, d_in=sensitivity, d_out=epsilon))
    return [max(int(value), 0) for value in measurement(values)]


def indicators(*, country: str | None = None, year: int | None = None, epsilon: float) -> Computed:
    k = settings.STATS_MIN_CELL
    upper = settings.INDICATOR_MEDIAN_MAX_DAYS
    chosen = measures()
    medians = [measure for measure in chosen if measure.kind == MEDIAN]
    groups = indicator_rows(scope=Scope(), country=country, year=year)

    rows_noise = mechanisms.noisy_counts({key: len(values) for key, values in groups.items()}, contributions=1,
                                         epsilon=epsilon / 2, delta=settings.STATS_DELTA_PER_QUERY, minimum=k)
    released = sorted(rows_noise.released, key=lambda key: (str(key[0]), key[1]))
    slots = [(index, measure, part) for index, measure in enumerate(chosen) for part in _parts(measure)]
    exact = [
        _part_value(measure, part, [value[index] for value in groups.get(key, [])])
        for key in released for index, measure, part in slots
    ]
    vector_epsilon = epsilon / 4 if medians else epsilon / 2
    noisy = iter(_noisy_vector(exact, sensitivity=max(len(slots), 1), epsilon=vector_epsilon))

    rows = []
    for key in released:
        count = rows_noise.released[key]
        parts = {(index, part): next(noisy) for index, _, part in slots}
        cells = {}
        for index, measure in enumerate(chosen):
            if measure.kind == COUNT:
                value = count if measure.every_referral else parts[(index, "count")]
                cells[measure.name] = published_cell(value, value, value < k)
            elif measure.kind == SHARE:
                base = parts[(index, "base")]
                share = None if base < k else round(min(max(parts[(index, "count")] / base, 0.0), 1.0), 3)
                cells[measure.name] = published_cell(share, base, base < k)
            else:
                base = parts[(index, "base")]
                if base < k:
                    cells[measure.name] = published_cell(None, base, True)
                    continue
                days = [value[index] for value in groups.get(key, []) if value[index] is not None]
                value = mechanisms.private_median(days, epsilon=epsilon / 4 / len(medians), upper=upper)
                cells[measure.name] = published_cell(value, base, False)
        rows.append({"country": key[0], "year": key[1], "indicators": cells})

    body = {"k": k, "threshold": rows_noise.threshold, "median_max_days": upper, "country": country, "year": year,
            "measures": definitions(), "rows": rows}
    mechanism = f"{mechanisms.COUNTS_MECHANISM}+{VECTOR_MECHANISM}"
    if medians:
        mechanism += f"+{mechanisms.MEDIAN_MECHANISM}"
    return Computed(body=body, mechanism=mechanism, delta=rows_noise.delta)
