"""bench/RESULTS.md, written from the results of a run (and only from them): the run and its
machine and data (`overview`), every figure of the largest size (`details`), where the time goes
and what bounds each unmet target (`findings`), how they grow with the data (`growth`), the
matching query's plan and the method (here)."""

from pathlib import Path

from . import details, findings, growth, overview
from .machine import machine, now

__all__ = ["machine", "now", "render", "write"]


def _plan(results: dict, largest: dict) -> list[str]:
    explain = results.get("explain")
    if not explain:
        return []
    return [
        "## Query plan of the matching query",
        "",
        f"`EXPLAIN (ANALYZE, BUFFERS)` of the statement `GET /referrals/{{id}}/matches/` ran for the first "
        f"probe ({explain.get('probe', '')}), at {largest['counts'].get('referrals', 0):,} referrals:",
        "",
        "```sql", explain["sql"].strip(), "```",
        "",
        "```text", explain["plan"], "```",
        "",
    ]


def _method(results: dict) -> list[str]:
    return [
        "## Method",
        "",
        f"- Every figure is the median of {results['repeat']} repetitions (statistics: "
        f"{max(3, results['repeat'] // 2)}), after warm-up; the figure and its baseline run interleaved, "
        "repetition by repetition, so that changes in the machine's load hit both.",
        "- HTTP: a real gunicorn (`bench.wsgi`: the project's settings and URLs plus two baseline routes) with 2 "
        "sync workers on 127.0.0.1, driven by Python client threads (`bench/server.py`); one new connection per "
        "request, as sync workers close it. Latency figures are single-client, one request at a time.",
        "- Baselines: the raw SQL is the very statement the endpoint ran, captured in-process and replayed on a "
        "cursor; \"the same page unfiltered\" is `/bench/referrals-unfiltered/`, a subclass of the referral list "
        "view that overrides only its access filter (every referral in place of `referral_list_for(user)`; same "
        "queryset, serializer, prefetches, pagination and audit of the read); the trivial endpoint is "
        "`/bench/ping/` (token authentication, throttling, JSON).",
        "- Throttling stays on, at a rate the load test cannot reach; the benchmark uses its own database "
        "(`referral_network_bench`) and its own Redis databases for the cache and the Celery broker.",
        "- Guardian: `get_objects_for_user(user, \"referrals.view_referral\", klass=Referral, "
        "accept_global_perms=False).order_by(\"-created\")[:25]` against "
        "`referral_list_for(user).order_by(\"-access_created\", \"-id\")[:25]`, both from a user as a new "
        "request has it, on the same direct foreign-key table; both return the same page.",
        "- Peak memory: VmHWM of each gunicorn worker from /proc, which covers the whole run so far.",
        "",
    ]


def _errors(results: dict) -> list[str]:
    if not results.get("errors"):
        return []
    out = ["## Errors", ""]
    for error in results["errors"]:
        out += ["```text", error, "```"]
    return [*out, ""]


def render(results: dict) -> str:
    sizes = results["sizes"]
    largest = sizes[-1] if sizes else {}
    out = [*overview.header(results), *overview.machine(results), *overview.data(sizes)]
    if largest:
        out += [*overview.targets(largest), *findings.unmet(largest, overview.HEADLINES), *details.details(largest),
                *findings.breakdown(largest)]
    out += [*growth.curve(sizes), *growth.queries(sizes), *_plan(results, largest), *_method(results),
            *_errors(results)]
    return "\n".join(out).rstrip() + "\n"


def write(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(results))
