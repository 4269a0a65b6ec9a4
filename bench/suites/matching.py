"""Matching and provider search: GET /referrals/{id}/matches/ and GET /providers/search/ through
gunicorn, against the raw SQL of the same spatial query (the floor), per probe; the headline adds
the probes up."""

import json

from django.db import connection

from bench.measure import Figure, interleaved, median_ms

from .common import BARE_PATH, PING_PATH, Account, Context, capture, count_statements, get, replay, statement


def matching_suite(ctx: Context, accounts: dict) -> dict:
    probes: list[Account] = accounts["probes"]
    if not probes:
        raise AssertionError("no submitted referral of a government agency to probe")
    rows = []
    totals = {"match_floor": 0.0, "match_http": 0.0, "search_floor": 0.0, "search_http": 0.0, "ping": 0.0,
              "bare": 0.0}
    queries = {}
    explain_sql = None
    for probe in probes:
        detail = probe.detail
        match_path = f"/api/v1/referrals/{detail['referral']}/matches/"
        services = ",".join(detail["needs"][:2])
        search_path = (f"/api/v1/providers/search/?lat={detail['lat']}&lon={detail['lon']}&services={services}"
                       "&gender=female&age_group=adult")
        status, match_queries, body = capture(match_path, probe.token)
        assert status == 200, f"matches {detail['country']}: HTTP {status} {body[:200]!r}"
        matched = len(json.loads(body))
        status, search_queries, body = capture(search_path, probe.token)
        assert status == 200, f"search {detail['country']}: HTTP {status} {body[:200]!r}"
        found = len(json.loads(body))
        match_sql = statement(match_queries, contains="WITH point AS", where="matches")
        search_sql = statement(search_queries, contains="WITH point AS", where="search")
        explain_sql = explain_sql or match_sql
        queries[detail["country"]] = {"matches": count_statements(match_queries),
                                      "search": count_statements(search_queries)}
        port, token = ctx.port, probe.token
        samples = interleaved({
            "match_floor": replay(match_sql),
            "match_http": get(port, match_path, token),
            "search_floor": replay(search_sql),
            "search_http": get(port, search_path, token),
            "ping": get(port, PING_PATH, token),
            "bare": get(port, BARE_PATH, None),
        }, repeat=ctx.repeat)
        m = {name: median_ms(values) for name, values in samples.items()}
        for name in totals:
            totals[name] += m[name]
        rows.append({"country": detail["country"], "referral": detail["referral"], "matches": matched,
                     "search_results": found, **m,
                     "match_ratio": m["match_http"] / m["match_floor"],
                     "search_ratio": m["search_http"] / m["search_floor"]})
        ctx.log(f"  probe {detail['country']}: matches {m['match_http']:.1f} ms over a floor of "
                f"{m['match_floor']:.1f} ms ({matched} candidates); search {m['search_http']:.1f} ms over "
                f"{m['search_floor']:.1f} ms ({found} results)", flush=True)
    n = ctx.repeat
    figures = [
        Figure(f"matching: raw SQL of the spatial query ({len(probes)} probes)", totals["match_floor"], samples=n),
        Figure("matching: HTTP GET /referrals/{id}/matches/", totals["match_http"], "raw SQL",
               totals["match_floor"], "<= 1.5x", samples=n),
        Figure(f"provider search: raw SQL ({len(probes)} probes)", totals["search_floor"], samples=n),
        Figure("provider search: HTTP GET /providers/search/", totals["search_http"], "raw SQL",
               totals["search_floor"], "<= 1.5x", samples=n),
        Figure(f"HTTP GET /bench/bare/, a bare Django view ({len(probes)} requests)", totals["bare"], samples=n),
        Figure(f"HTTP GET /bench/ping/, the floor of any request ({len(probes)} requests)", totals["ping"],
               "bare Django view", totals["bare"], samples=n),
    ]
    return {"figures": ctx.show(figures), "probes": rows, "queries": queries, "explain_sql": explain_sql}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
