"""Referral submission under load: POST /api/v1/referrals/ by concurrent clients against an
authenticated trivial endpoint."""

import random

from bench.measure import Figure
from bench.server import load

from .common import LIST_PATH, PING_PATH, Account, Context, capture, count_statements


def _submission(agency: Account, number: int, rng: random.Random) -> dict:
    return {
        "case_reference": f"BENCH-{agency.user_id}-{number}-{rng.getrandbits(40):x}",
        "profile": {"age_band": rng.choice(["9-17", "18-20", "24-26", "30-38"]),
                    "gender": rng.choice(["female", "male"]), "nationality": "MM", "languages": ["my"]},
        "exploitation_types": [rng.choice(["labour", "sexual", "domestic_servitude"])],
        "indicators": ["deception", "withholding_of_wages"],
        "needs": rng.sample(["shelter", "medical", "psychosocial", "legal_aid"], 2),
        "urgency": rng.choice(["routine", "urgent"]),
        "location": {"lat": agency.detail["lat"], "lon": agency.detail["lon"]},
        "consent": {"given": True, "basis": "informed_consent"},
        "notes": "Identified during a labour inspection; wages withheld for months.",
    }


def submission_suite(ctx: Context, accounts: dict) -> dict:
    agencies: list[Account] = accounts["submitters"]
    if not agencies:
        raise AssertionError("no verified government agency to submit with")
    rng = random.Random(7)
    status, queries, body = capture(LIST_PATH, agencies[0].token, method="POST",
                                    body=_submission(agencies[0], -1, rng))
    assert status == 201, f"submission: HTTP {status} {body[:300]!r}"

    def ping(client: int, number: int):
        return "GET", PING_PATH, agencies[client % len(agencies)].token, None

    randoms = [random.Random(1000 + client) for client in range(ctx.concurrency)]

    def submit(client: int, number: int):
        agency = agencies[(client + number * ctx.concurrency) % len(agencies)]
        return "POST", LIST_PATH, agency.token, _submission(agency, number, randoms[client])

    load(ctx.port, ping, concurrency=ctx.concurrency, seconds=min(1.0, ctx.seconds), expect=200)  # warm-up
    load(ctx.port, submit, concurrency=ctx.concurrency, seconds=min(1.0, ctx.seconds), expect=201)
    results = {}
    for name, make, expect in (("ping", ping, 200), ("submit", submit, 201)):
        result = load(ctx.port, make, concurrency=ctx.concurrency, seconds=ctx.seconds, expect=expect)
        results[name] = result.summary()
        if result.errors:
            ctx.error(f"submission load ({name})", f"{len(result.errors)} failed requests, e.g. {result.errors[0]}")
    ping_s, submit_s = results["ping"], results["submit"]
    figures = ctx.show([
        Figure(f"GET /bench/ping/ (authenticated, trivial), {ctx.concurrency} clients", ping_s["rps"], unit="req/s",
               samples=ping_s["requests"]),
        Figure(f"POST /api/v1/referrals/, {ctx.concurrency} clients", submit_s["rps"], "ping throughput",
               ping_s["rps"], ">= 0.5x", unit="req/s", samples=submit_s["requests"]),
        Figure(f"POST /api/v1/referrals/ p99, {ctx.concurrency} clients", submit_s["p99_ms"], "its p50",
               submit_s["p50_ms"], "<= 2x", samples=submit_s["requests"]),
    ])
    for name, summary in results.items():
        ctx.log(f"  {name:<8} p50 {summary['p50_ms']:7.1f} ms   p95 {summary['p95_ms']:7.1f} ms   "
                f"p99 {summary['p99_ms']:7.1f} ms   ({summary['requests']} requests, {summary['errors']} errors)",
                flush=True)
    return {"figures": figures, "load": results, "concurrency": ctx.concurrency, "seconds": ctx.seconds,
            "queries": {"submission": count_statements(queries)}}
