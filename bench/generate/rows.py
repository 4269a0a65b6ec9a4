"""What every part of the generator shares: the scale, the organisations of the plan, random
choices, timestamps, and rows streamed with COPY."""

import random
import time
import uuid
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate

ROLES = ("admin", "caseworker", "viewer")  # the role groups of every organisation
YEARS = 3
DAY = 86_400.0
HOUR = 3_600.0


@dataclass(frozen=True)
class Scale:
    orgs: int
    referrals: int
    facilities: int | None = None
    seed: int = 2026

    @property
    def facility_count(self) -> int:
        return self.facilities if self.facilities is not None else 10 * self.orgs


@dataclass(eq=False)
class Org:
    index: int
    id: str
    country: str
    kind: str
    verified: bool
    weight: float
    services: tuple[str, ...] = ()
    covers: tuple[str, ...] = ()  # countries covered through their boundary
    drawn: bool = False  # has a drawn coverage polygon

    def user_id(self, role: str) -> int:
        """One user per role; the user's and the role group's ids are the same number."""
        return 3 * self.index + ROLES.index(role) + 1

    group_id = user_id


@dataclass
class Progress:
    log: object = print
    started: float = field(default_factory=time.perf_counter)
    timings: dict = field(default_factory=dict)
    _step: tuple[str, float] | None = None

    def step(self, name: str) -> None:
        self.done()
        self._step = (name, time.perf_counter())
        self.log(f"  {name}...", flush=True)

    def done(self, detail: str = "") -> None:
        if self._step is not None:
            name, began = self._step
            elapsed = time.perf_counter() - began
            self.timings[name] = elapsed
            self.log(f"    {elapsed:6.1f} s  {detail}".rstrip(), flush=True)
        self._step = None


def uuid_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_DAYS: dict[float, str] = {}


def iso(seconds: float) -> str:
    """A UTC timestamp PostgreSQL reads, several times faster than datetime.isoformat()."""
    day, rest = divmod(seconds, DAY)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d")
    hours, rest = divmod(rest, HOUR)
    minutes, rest = divmod(rest, 60.0)
    return f"{date} {int(hours):02d}:{int(minutes):02d}:{rest:09.6f}+00"


def array(values) -> str:
    return "{" + ",".join(values) + "}"


class Chooser:
    """Weighted choice with precomputed cumulative weights (random.choices without the set-up)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1] if self.cumulative else 0.0

    @classmethod
    def of(cls, shares: dict):
        return cls(shares, shares.values())

    def one(self, rng: random.Random):
        return self.items[bisect_left(self.cumulative, rng.random() * self.total)]

    def distinct(self, rng: random.Random, count: int, exclude=()) -> list:
        chosen: list = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.one(rng)
            if item not in chosen and item not in exclude:
                chosen.append(item)
        return chosen


def line(*values) -> str:
    """One row of COPY's text format."""
    return "\t".join("\\N" if value is None else str(value) for value in values) + "\n"


def copy_rows(cursor, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    if not lines:
        return
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FREEZE)"
    with cursor.copy(statement) as copy:
        for start in range(0, len(lines), 20_000):
            copy.write("".join(lines[start:start + 20_000]))
