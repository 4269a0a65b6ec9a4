"""Statistics over every referral (an analyst): GET /stats/referrals/, its SQL and
referral_statistics() against the raw GROUP BY the statistics rest on.

An analyst's answer is a differentially private release, stored: the same query again that month
returns it without computing anything. So every HTTP repetition asks a new query (a `from` month
one earlier, before any referral, which selects the same rows) and pays for the whole
computation, the noise and the stored release; bench.settings gives the analyst the budget. Each
run starts its `from` months at a random one of the ten centuries before 2000 (a later `to`
would not do: the release key cuts it at the current month), so that a run over data an earlier
run measured (`--no-generate`) finds none of that run's releases."""

import itertools
import random

from bench.measure import Figure, interleaved, median_ms
from bench.server import checked

from .common import Account, Context, capture, count_statements, replay, statement

GROUPINGS = ("country,status", "exploitation_type,gender", "month,urgency")
# exploitation_type is an array: its cells unnest every referral, so it is allowed more.
TARGETS = {"exploitation_type,gender": "<= 2x"}
DEFAULT_TARGET = "<= 1.3x"


def _plain_group_by(group_by: list[str]) -> str:
    """The raw GROUP BY the statistics rest on: the cells only, count(*), no margins, no clamping."""
    from referrals.statistics import DIMENSIONS, JOINS

    expressions = [DIMENSIONS[name][0] for name in group_by]
    joins = []
    for name in group_by:
        join = DIMENSIONS[name][1]
        if join and JOINS[join] not in joins:
            joins.append(JOINS[join])
    columns = ", ".join(expressions)
    return f"SELECT {columns}, count(*) FROM referrals_referral r {' '.join(joins)} GROUP BY {columns}"


def _month(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}-01T00:00:00Z"


def _new_query(port: int, path: str, token: str, months: itertools.count):
    """A callable asking, through gunicorn, a query not released yet (see the module's docstring)."""

    def ask():
        return checked(port, "GET", f"{path}&from={_month(2000 * 12 - next(months))}", token=token)

    return ask


def statistics_suite(ctx: Context, accounts: dict) -> dict:
    from referrals.statistics import Scope, referral_statistics

    analyst: Account = accounts["analyst"]
    repeat = max(3, ctx.repeat // 2)
    out = {"groupings": [], "figures": []}
    months = itertools.count(random.SystemRandom().randrange(1, 11_000))  # this run's own (see above)
    for grouping in GROUPINGS:
        path = f"/api/v1/stats/referrals/?group_by={grouping}"
        status, queries, body = capture(f"{path}&from={_month(2000 * 12 - next(months))}", analyst.token)
        assert status == 200, f"statistics {grouping}: HTTP {status} {body[:200]!r}"
        its_sql = statement(queries, contains="referral statistics", where=f"statistics {grouping}")
        group_by = grouping.split(",")
        samples = interleaved({
            "raw_group_by": replay(_plain_group_by(group_by)),
            "its_sql": replay(its_sql),
            "function": lambda group_by=group_by: referral_statistics(group_by=group_by, scope=Scope()),
            "http": _new_query(ctx.port, path, analyst.token, months),
        }, repeat=repeat, warmup=1)
        m = {name: median_ms(values) for name, values in samples.items()}
        out["figures"] += ctx.show([
            Figure(f"statistics {grouping}: raw GROUP BY", m["raw_group_by"], samples=repeat),
            Figure(f"statistics {grouping}: its SQL (cells, margins, clamped)", m["its_sql"], "raw GROUP BY",
                   m["raw_group_by"], samples=repeat),
            Figure(f"statistics {grouping}: referral_statistics()", m["function"], "raw GROUP BY", m["raw_group_by"],
                   samples=repeat),
            Figure(f"statistics {grouping}: HTTP GET /stats/referrals/", m["http"], "raw GROUP BY", m["raw_group_by"],
                   TARGETS.get(grouping, DEFAULT_TARGET), samples=repeat),
        ])
        out["groupings"].append({"group_by": grouping, "queries": count_statements(queries), **m})
    return out
