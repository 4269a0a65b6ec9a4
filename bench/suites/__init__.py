"""The benchmarks. Each one measures a figure and the baseline it is judged against side by side,
interleaved, on the same data, and reports medians of the repetitions: the referral list
(`listing`), matching and provider search (`matching`), statistics (`statistics`), submission
under load (`submission`), the console's pages against the API's (`console`), where a request's
time goes (`breakdown`), acting as accounts chosen from the data (`accounts`).

The floors are the very statements the application runs: each endpoint is first called once
in-process through Django's test client with the queries captured, and the statement doing the
work (the spatial search, the page of referrals, the GROUP BY) is then replayed raw on a cursor.
So "the raw SQL of the same spatial query" is not a hand-written approximation of it."""

from .accounts import pick_accounts
from .breakdown import breakdown_suite
from .common import Context
from .console import console_suite
from .listing import list_suite
from .matching import explain, matching_suite
from .statistics import statistics_suite
from .submission import submission_suite

__all__ = ["Context", "explain", "pick_accounts", "run_all"]

SUITES = (("list", list_suite), ("matching", matching_suite), ("statistics", statistics_suite),
          ("submission", submission_suite), ("console", console_suite),
          ("breakdown", breakdown_suite))


def run_all(ctx: Context, accounts: dict) -> dict:
    """Every suite, each guarded: an error is recorded (and fails the run) without stopping the rest."""
    out = {}
    for name, suite in SUITES:
        ctx.log(f"\n[{name}]", flush=True)
        try:
            out[name] = suite(ctx, accounts)
        except Exception as error:
            ctx.error(name, error)
    return out
