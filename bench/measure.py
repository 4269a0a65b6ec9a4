"""Timing: medians of repetitions, subject and baseline interleaved so that drift in the machine's
load (a shared machine, other processes) hits both alike."""

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


def interleaved(subjects: dict[str, Callable[[], object]], *, repeat: int, warmup: int = 2) -> dict[str, list[float]]:
    """Run each callable `warmup` times, then `repeat` rounds of all of them in turn; returns the
    seconds of every timed call per name."""
    for _ in range(warmup):
        for function in subjects.values():
            function()
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(repeat):
        for name, function in subjects.items():
            began = time.perf_counter()
            function()
            samples[name].append(time.perf_counter() - began)
    return samples


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of the values (0 < fraction <= 1)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Figure:
    """One measured figure, with its ratio to the baseline measured alongside it."""

    name: str
    value: float  # milliseconds (or the unit below)
    baseline_name: str | None = None
    baseline: float | None = None
    target: str | None = None  # e.g. "<= 2x"
    unit: str = "ms"
    note: str = ""
    samples: int = 0

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the target holds: "<= Nx" bounds the ratio from above, ">= Nx" from below."""
        if not self.target or self.ratio is None:
            return None
        operator, _, number = self.target.partition(" ")
        bound = float(number.rstrip("x"))
        return self.ratio <= bound if operator == "<=" else self.ratio >= bound

    def line(self) -> str:
        text = f"  {self.name:<58} {self.value:10.2f} {self.unit}"
        if self.ratio is not None:
            text += f"   {self.ratio:6.2f}x {self.baseline_name}"
        if self.target:
            text += f"   [target {self.target}: {'met' if self.met else 'NOT met'}]"
        return text

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "met": self.met}
