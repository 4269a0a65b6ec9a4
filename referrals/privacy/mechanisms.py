"""The OpenDP measurements behind every network-wide answer.

Counts: the discrete Laplace mechanism with a threshold (OpenDP `make_laplace_threshold`, the
"unknown domain" histogram). The keys released are the ones the data holds (combinations of a
country, a nationality, ...), so a key seen only because one person has it would give that person
away: a key is released only if its noisy count reaches the threshold, which is chosen so that a
key held by the few referrals one person could be is released with probability at most delta. The
threshold is never below STATS_MIN_CELL, so no published count is under it.

The privacy unit is one referral. `contributions` is how many keys one referral can add one to
(its cell, its value in each margin, the total, more under multi-valued fields); the noise scale
is contributions / epsilon, and OpenDP's privacy map checks the (epsilon, delta) actually reached.

Medians: OpenDP's `make_private_quantile` (the exponential mechanism over candidate values) on
hours clamped to [0, STATS_MEDIAN_MAX_HOURS], candidates every whole hour.
"""

import json
from dataclasses import dataclass
from functools import cache

import opendp.prelude as dp

dp.enable_features("contrib")

# As named in the `privacy` block: OpenDP's make_laplace_threshold and make_private_quantile.
COUNTS_MECHANISM = "discrete_laplace_threshold"
MEDIAN_MECHANISM = "exponential_quantile"


@dataclass(frozen=True)
class NoisyCounts:
    released: dict[tuple, int]  # only keys whose noisy count reached the threshold
    threshold: int
    scale: float
    epsilon: float  # what OpenDP's privacy map says the release costs
    delta: float


def _count_measurement(scale: float, threshold: int):
    domain = dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=int))
    metric = dp.l01inf_distance(dp.absolute_distance(T=int))
    return dp.m.make_laplace_threshold(domain, metric, scale=scale, threshold=threshold)


@cache
def calibrate(contributions: int, epsilon: float, delta: float, minimum: int) -> tuple[float, int]:
    """The smallest noise scale reaching `epsilon` and then the smallest threshold (at least
    `minimum`) reaching `delta`, when one referral adds one to at most `contributions` keys."""
    d_in = (contributions, contributions, 1)
    scale = contributions / epsilon
    while _count_measurement(scale, minimum).map(d_in)[0] > epsilon:  # float rounding in the map
        scale *= 1 + 1e-9
    low, high = minimum, max(minimum, 1) * 2
    while _count_measurement(scale, high).map(d_in)[1] > delta:
        low, high = high, high * 2
    if _count_measurement(scale, low).map(d_in)[1] <= delta:
        return scale, low
    while high - low > 1:  # delta falls as the threshold rises: the first threshold that holds
        middle = (low + high) // 2
        if _count_measurement(scale, middle).map(d_in)[1] <= delta:
            high = middle
        else:
            low = middle
    return scale, high


def noisy_counts(counts: dict[tuple, int], *, contributions: int, epsilon: float, delta: float,
                 minimum: int) -> NoisyCounts:
    scale, threshold = calibrate(contributions, epsilon, delta, minimum)
    measurement = _count_measurement(scale, threshold)
    reached = measurement.map((contributions, contributions, 1))
    encoded = {json.dumps(list(key), default=str): int(count) for key, count in counts.items() if count > 0}
    noisy = measurement(encoded)
    released = {tuple(json.loads(key)): int(value) for key, value in noisy.items()}
    return NoisyCounts(released=released, threshold=threshold, scale=scale, epsilon=reached[0], delta=reached[1])


@cache
def _median_measurement(epsilon: float, upper: int):
    candidates = [float(hour) for hour in range(upper + 1)]
    domain = dp.vector_domain(dp.atom_domain(T=float, nan=False))

    def make(scale):
        return dp.m.make_private_quantile(domain, dp.symmetric_distance(), dp.max_divergence(),
                                          candidates=candidates, alpha=0.5, scale=scale)

    # Adding or removing one referral changes the data set by one (symmetric distance 1).
    return make(dp.binary_search_param(make, d_in=1, d_out=epsilon))


def private_median(hours: list[float], *, epsilon: float, upper: int) -> float:
    """A median of `hours`, clamped to [0, upper], differentially private at `epsilon`."""
    clamped = [min(max(float(value), 0.0), float(upper)) for value in hours]
    return float(_median_measurement(epsilon, upper)(clamped))
