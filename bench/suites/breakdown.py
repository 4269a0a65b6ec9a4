"""Where a request's time goes: a sampling profiler (pyinstrument) over requests made in-process
(the whole middleware, authentication, throttling and view stack, without gunicorn and the
socket), its samples sorted into the parts the issue names.

Each sample is given to the first part (in the order of PARTS) that any frame on its stack
belongs to, so nested work is counted once: the broker nudge made while committing counts as the
nudge, a point drawn through GDAL while serialising counts as geometry."""

import json
import random

from django.test import Client

from bench.measure import Figure

from .common import LIST_PATH, PING_PATH, Account, Context

# (part, predicate on a frame's file path and function name)
PARTS = (
    ("broker nudge (Celery, kombu)", lambda path, fn: "/celery/" in path or "/kombu/" in path),
    ("throttles", lambda path, fn: "throttl" in path or fn == "check_throttles"),
    ("authentication (knox token)", lambda path, fn: "/knox/" in path or fn == "perform_authentication"),
    ("geometry (GEOS, GDAL)", lambda path, fn: "/django/contrib/gis/" in path or "/rest_framework_gis/" in path),
    ("validation (serializer, screening)", lambda path, fn: fn in ("is_valid", "run_validation")),
    ("audit rows", lambda path, fn: path.endswith("referrals/services/events.py")),
    ("re-read after the write", lambda path, fn: fn == "_respond"),
    ("serialising the response", lambda path, fn: fn in ("data", "to_representation", "render")),
    ("the write (service, SQL, commit)", lambda path, fn: "/referrals/services/" in path),
    ("the view's reads (selectors)", lambda path, fn: "/referrals/selectors" in path
        or "/organisations/selectors" in path),
    ("cache (Redis)", lambda path, fn: "/redis/" in path or "/django/core/cache/" in path),
    ("SQL driver (psycopg)", lambda path, fn: "/psycopg" in path),
    ("ORM (building queries, making objects)", lambda path, fn: "/django/db/" in path),
    ("Django request handling (middleware, routing)", lambda path, fn: "/django/" in path),
)
OTHER = "other (Python, the test client)"


def _breakdown(root) -> dict[str, float]:
    """Seconds per part over a pyinstrument frame tree."""
    totals: dict[str, float] = {}

    def walk(frame, owner):
        path, function = frame.file_path or "", frame.function or ""
        for rank, (name, belongs) in enumerate(PARTS):
            if belongs(path, function) and (owner is None or rank < owner[0]):
                owner = (rank, name)
                break
        part = owner[1] if owner else OTHER
        own = frame.time - sum(child.time for child in frame.children)
        totals[part] = totals.get(part, 0.0) + own
        for child in frame.children:
            walk(child, owner)

    walk(root, None)
    return totals


def profile(requests) -> dict:
    """Profile a sequence of zero-argument callables; the breakdown in seconds and shares."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    for send in requests:
        send()
    session = profiler.stop()
    totals = _breakdown(session.root_frame(trim_stem=False))
    whole = sum(totals.values()) or 1.0
    return {"seconds": whole, "requests": len(requests),
            "parts": sorted(((name, seconds, seconds / whole) for name, seconds in totals.items()),
                            key=lambda part: -part[1])}


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")


def _expect(response, status: int, what: str):
    assert response.status_code == status, f"{what}: HTTP {response.status_code} {response.content[:200]!r}"


def breakdown_suite(ctx: Context, accounts: dict) -> dict:
    from .submission import _submission

    agency: Account = accounts["submitters"][0]
    probe: Account = accounts["probes"][0]
    client, prober = _client(agency.token), _client(probe.token)
    rng = random.Random(11)
    count = max(20, ctx.repeat * 4)

    def submit(number):
        return lambda: _expect(client.post(LIST_PATH, data=json.dumps(_submission(agency, 10_000 + number, rng)),
                                           content_type="application/json"), 201, "submission")

    match_path = f"/api/v1/referrals/{probe.detail['referral']}/matches/"
    plans = {
        "submission": [submit(number) for number in range(count)],
        "matching": [lambda: _expect(prober.get(match_path), 200, "matching")] * count,
        "ping": [lambda: _expect(client.get(PING_PATH), 200, "ping")] * (count * 4),
    }
    for plan in plans.values():  # warm every path once before profiling it
        plan[0]()
    out = {}
    for name, plan in plans.items():
        out[name] = result = profile(plan)
        per_request = result["seconds"] / result["requests"] * 1000
        ctx.log(f"  {name}: {per_request:.1f} ms per request in-process ({result['requests']} requests)", flush=True)
        for part, seconds, share in result["parts"]:
            if share >= 0.01:
                ctx.log(f"    {share:5.0%}  {seconds / result['requests'] * 1000:6.2f} ms  {part}", flush=True)
    out["figures"] = ctx.show([
        Figure(f"in-process {name}, profiled", result["seconds"] / result["requests"] * 1000,
               samples=result["requests"])
        for name, result in out.items()
    ])
    return out
