"""The benchmarks. Each one measures a figure and the baseline it is judged against side by side,
interleaved, on the same data, and reports medians of the repetitions.

The floors are the very statements the application runs: each endpoint is first called once
in-process through Django's test client with the queries captured, and the statement doing the
work (the spatial search, the page of referrals, the GROUP BY) is then replayed raw on a cursor.
So "the raw SQL of the same spatial query" is not a hand-written approximation of it."""

import json
import random
import traceback
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.measure import Figure, interleaved, median_ms
from bench.server import checked, load

User = get_user_model()

LIST_PATH = "/api/v1/referrals/"
UNFILTERED_LIST_PATH = "/bench/referrals-unfiltered/"
WHAT_IF_LIST_PATH = "/bench/what-if/referrals/"
WHAT_IF_UNFILTERED_LIST_PATH = "/bench/what-if/referrals-unfiltered/"
PING_PATH = "/bench/ping/"
STATISTICS_GROUPINGS = ("country,status", "exploitation_type,gender", "month,urgency")


@dataclass
class Context:
    port: int
    repeat: int
    concurrency: int
    seconds: float
    quick: bool
    errors: list[str] = field(default_factory=list)
    log: object = print

    def error(self, where: str, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else "".join(traceback.format_exception(error)).strip()
        self.errors.append(f"{where}: {text}")
        self.log(f"  ERROR in {where}: {text.splitlines()[-1] if text else text}", flush=True)


@dataclass
class Account:
    user_id: int
    username: str
    token: str
    organisation_id: str
    detail: dict = field(default_factory=dict)


def _token(user_id: int) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user=User.objects.get(pk=user_id))[1]


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def capture(path: str, token: str, *, method: str = "GET", body=None) -> tuple[int, list[str], bytes]:
    """Call an endpoint in-process (the whole middleware, authentication and view stack) and
    return its status, the SQL statements it ran, and its body."""
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT="application/json")
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data=json.dumps(body), content_type="application/json")
    return response.status_code, [query["sql"] for query in queries.captured_queries], response.content


def _statement(queries: list[str], *, contains: str, where: str) -> str:
    for sql in queries:
        if contains in sql:
            return sql
    raise AssertionError(f"{where}: no statement containing {contains!r} among {len(queries)} queries")


def _replay(sql: str):
    """A callable running a captured (already interpolated) statement and fetching every row."""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return run


def _get(port: int, path: str, token: str):
    """A callable sending one GET through gunicorn and checking it answers 200."""
    return lambda: checked(port, "GET", path, token=token)


def _count_statements(queries: list[str]) -> int:
    return sum(1 for sql in queries if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


# --- accounts and probes ------------------------------------------------------------------------


def pick_accounts(ctx: Context, *, probes: int, submitters: int) -> dict:
    """The people the benchmarks act as: NGO caseworkers with a typical and with the largest share
    of referrals, submitting agencies for matching probes and for the load test, an analyst."""
    from referrals.permissions import VIEW

    shares = _rows(
        """SELECT m.user_id, u.username, rg.organisation_id, count(g.id) AS visible
             FROM organisations_rolegroup rg
             JOIN organisations_organisation o ON o.id = rg.organisation_id AND o.kind = 'ngo' AND o.verified
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
             JOIN referrals_referralgroupobjectpermission g ON g.group_id = rg.group_id
              AND g.permission_id = (SELECT p.id FROM auth_permission p JOIN django_content_type ct
                                      ON ct.id = p.content_type_id
                                     WHERE ct.app_label = 'referrals' AND p.codename = %s)
            WHERE rg.role = 'caseworker'
            GROUP BY 1, 2, 3 ORDER BY 4, 1""",
        [VIEW],
    )
    if not shares:
        raise AssertionError("no NGO caseworker sees any referral: generate data first")
    typical = shares[len(shares) // 2]
    busiest = shares[-1]
    accounts = {
        "ngo_typical": Account(typical[0], typical[1], _token(typical[0]), str(typical[2]),
                               {"visible": typical[3], "ngo_caseworkers": len(shares)}),
        "ngo_busiest": Account(busiest[0], busiest[1], _token(busiest[0]), str(busiest[2]),
                               {"visible": busiest[3], "ngo_caseworkers": len(shares)}),
    }
    # Matching probes: open referrals of government agencies in the countries with the most
    # providers (the heaviest searches), at a point inside the country's boundary.
    countries = [code for (code,) in _rows(
        """SELECT a.code FROM organisations_coveragearea_areas ca
             JOIN geo_administrativearea a ON a.id = ca.administrativearea_id
            GROUP BY a.code ORDER BY count(*) DESC, a.code LIMIT %s""", [probes])]
    found = _rows(
        """SELECT DISTINCT ON (a.code) r.id, a.code, m.user_id, u.username, o.id, ST_X(r.location), ST_Y(r.location),
                  r.needs
             FROM referrals_referral r
             JOIN organisations_organisation o ON o.id = r.submitting_organisation_id
                  AND o.kind = 'government' AND o.verified
             JOIN geo_administrativearea a ON a.id = r.area_id
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
            WHERE r.status = 'submitted' AND a.code = ANY(%s)
              AND EXISTS (SELECT 1 FROM geo_areapiece p
                           WHERE p.area_id = r.area_id AND ST_Covers(p.geometry, r.location))
            ORDER BY a.code, r.created DESC""",
        [countries],
    )
    accounts["probes"] = [
        Account(user_id, username, _token(user_id), str(organisation_id),
                {"referral": str(referral_id), "country": code, "lon": x, "lat": y, "needs": list(needs)})
        for referral_id, code, user_id, username, organisation_id, x, y, needs in found
    ]
    # Submitting agencies for the load test, each with a point inside its country.
    agencies = _rows(
        """SELECT m.user_id, u.username, o.id, o.country,
                  (SELECT ST_X(ST_PointOnSurface(p.geometry)) || ' ' || ST_Y(ST_PointOnSurface(p.geometry))
                     FROM geo_areapiece p JOIN geo_administrativearea a ON a.id = p.area_id
                    WHERE a.level = 0 AND a.code = o.country ORDER BY ST_Area(p.geometry) DESC LIMIT 1)
             FROM organisations_organisation o
             JOIN organisations_membership m ON m.organisation_id = o.id AND m.role = 'caseworker'
             JOIN auth_user u ON u.id = m.user_id
            WHERE o.kind = 'government' AND o.verified
            ORDER BY o.id LIMIT %s""",
        [submitters],
    )
    accounts["submitters"] = [
        Account(user_id, username, _token(user_id), str(organisation_id),
                {"country": country, "lon": float(point.split()[0]), "lat": float(point.split()[1])})
        for user_id, username, organisation_id, country, point in agencies if point
    ]
    analyst = User.objects.get(username="bench.analyst")
    accounts["analyst"] = Account(analyst.pk, analyst.username, _token(analyst.pk), "")
    return accounts


# --- the referral list --------------------------------------------------------------------------


def list_suite(ctx: Context, accounts: dict) -> dict:
    """GET /api/v1/referrals/ (first page) against the same page without the access filter, in
    SQL and through HTTP; the project's permission filter against guardian's get_objects_for_user."""
    from guardian.shortcuts import get_objects_for_user

    from referrals.api.views import ReferralCursorPagination
    from referrals.models import Referral
    from referrals.selectors import referral_list_for

    out = {}
    page = ReferralCursorPagination.page_size
    for key, label in (("ngo_typical", "typical NGO caseworker"), ("ngo_busiest", "busiest NGO caseworker")):
        account: Account = accounts[key]
        where = f"list ({label})"
        status, filtered_queries, body = capture(LIST_PATH, account.token)
        assert status == 200, f"{where}: HTTP {status} {body[:200]!r}"
        status, unfiltered_queries, unfiltered_body = capture(UNFILTERED_LIST_PATH, account.token)
        assert status == 200, f"{where} unfiltered: HTTP {status}"
        marker = f"LIMIT {page + 1}"
        filtered_sql = _statement(filtered_queries, contains=marker, where=where)
        unfiltered_sql = _statement(unfiltered_queries, contains=marker, where=where + " unfiltered")
        _, small_queries, _ = capture(f"{LIST_PATH}?page_size=5", account.token)
        _, large_queries, _ = capture(f"{LIST_PATH}?page_size=100", account.token)

        user = User.objects.get(pk=account.user_id)

        def ours(user=user):
            user.__dict__.pop("_referral_view_grant_key", None)  # as a new request: looked up again
            return [r.pk for r in referral_list_for(user).order_by("-access_created", "-id")[:page]]

        def theirs(user=user):
            return [r.pk for r in get_objects_for_user(
                user, "referrals.view_referral", klass=Referral, accept_global_perms=False,
            ).order_by("-created")[:page]]

        same = set(ours()) == set(theirs())
        if not same:
            ctx.error(where, "referral_list_for and get_objects_for_user disagree on the first page")
        user.__dict__.pop("_referral_view_grant_key", None)
        ours_query = referral_list_for(user).order_by("-access_created", "-id")[:page].query
        ours_sql, ours_params = ours_query.sql_with_params()
        theirs_sql, theirs_params = get_objects_for_user(
            user, "referrals.view_referral", klass=Referral, accept_global_perms=False,
        ).order_by("-created")[:page].query.sql_with_params()
        ours_raw = connection.ops.compose_sql(ours_sql, ours_params)
        theirs_raw = connection.ops.compose_sql(theirs_sql, theirs_params)

        bare_sql, bare_params = Referral.objects.order_by("-created", "-id")[:page].query.sql_with_params()
        bare_raw = connection.ops.compose_sql(bare_sql, bare_params)
        for what_if in (WHAT_IF_LIST_PATH, WHAT_IF_UNFILTERED_LIST_PATH):
            status, _, _ = capture(what_if, account.token)
            assert status == 200, f"{where} {what_if}: HTTP {status}"

        port, token = ctx.port, account.token
        subjects = {
            "sql_unfiltered": _replay(unfiltered_sql),
            "sql_filtered": _replay(filtered_sql),
            "http_unfiltered": _get(port, UNFILTERED_LIST_PATH, token),
            "http_filtered": _get(port, LIST_PATH, token),
            "bare_sql": _replay(bare_raw),
            "ours_sql": _replay(ours_raw),
            "guardian_sql": _replay(theirs_raw),
            "ours": ours,
            "guardian": theirs,
            "what_if_unfiltered": _get(port, WHAT_IF_UNFILTERED_LIST_PATH, token),
            "what_if_filtered": _get(port, WHAT_IF_LIST_PATH, token),
        }
        samples = interleaved(subjects, repeat=ctx.repeat)
        m = {name: median_ms(values) for name, values in samples.items()}
        n = ctx.repeat
        figures = [
            Figure(f"{label}: page SQL without the access filter", m["sql_unfiltered"], samples=n),
            Figure(f"{label}: page SQL of GET /api/v1/referrals/", m["sql_filtered"], "SQL unfiltered",
                   m["sql_unfiltered"], "<= 3x", samples=n),
            Figure(f"{label}: HTTP, same page without the access filter", m["http_unfiltered"], samples=n),
            Figure(f"{label}: HTTP GET /api/v1/referrals/", m["http_filtered"], "HTTP unfiltered",
                   m["http_unfiltered"], "<= 1.5x", samples=n),
            Figure(f"{label}: access path alone, newest {page} of all referrals (SQL)", m["bare_sql"], samples=n),
            Figure(f"{label}: access path alone, referral_list_for (SQL)", m["ours_sql"], "all referrals",
                   m["bare_sql"], samples=n),
            Figure(f"{label}: referral_list_for(user), first {page}", m["ours"], samples=n),
            Figure(f"{label}: guardian get_objects_for_user, first {page}", m["guardian"], "referral_list_for",
                   m["ours"], ">= 10x", samples=n),
            Figure(f"{label}: SQL of get_objects_for_user", m["guardian_sql"], "SQL of referral_list_for",
                   m["ours_sql"], samples=n),
            Figure(f"{label}: what-if, HTTP unfiltered without area outlines", m["what_if_unfiltered"], samples=n),
            Figure(f"{label}: what-if, HTTP GET /referrals/ without area outlines", m["what_if_filtered"],
                   "what-if unfiltered", m["what_if_unfiltered"], "<= 1.5x", samples=n,
                   note="bench-only variant of the view: select_related area without its geometry"),
        ]
        for figure in figures:
            ctx.log(figure.line(), flush=True)
        out[key] = {
            "label": label,
            "visible": account.detail["visible"],
            "user": account.username,
            "figures": [figure.as_dict() for figure in figures],
            "same_first_page": same,
            "queries": {"page of 5": _count_statements(small_queries),
                        "page of 25": _count_statements(filtered_queries),
                        "page of 100": _count_statements(large_queries),
                        "unfiltered page of 25": _count_statements(unfiltered_queries)},
            "count_queries": sum(1 for sql in filtered_queries if "COUNT(" in sql.upper()),
            "bytes": {"filtered": len(body), "unfiltered": len(unfiltered_body)},
            "sql": filtered_sql,
        }
    return out


# --- matching and provider search ---------------------------------------------------------------


def matching_suite(ctx: Context, accounts: dict) -> dict:
    """GET /referrals/{id}/matches/ and GET /providers/search/ through gunicorn, against the raw
    SQL of the same spatial query (the floor), per probe; the headline adds the probes up."""
    probes: list[Account] = accounts["probes"]
    if not probes:
        raise AssertionError("no submitted referral of a government agency to probe")
    rows = []
    totals = {"match_floor": 0.0, "match_http": 0.0, "search_floor": 0.0, "search_http": 0.0, "match_what_if": 0.0,
              "ping": 0.0}
    queries = {}
    explain_sql = None
    for probe in probes:
        detail = probe.detail
        match_path = f"/api/v1/referrals/{detail['referral']}/matches/"
        what_if_path = f"/bench/what-if/referrals/{detail['referral']}/matches/"
        services = ",".join(detail["needs"][:2])
        search_path = (f"/api/v1/providers/search/?lat={detail['lat']}&lon={detail['lon']}&services={services}"
                       "&gender=female&age_group=adult")
        status, match_queries, body = capture(match_path, probe.token)
        assert status == 200, f"matches {detail['country']}: HTTP {status} {body[:200]!r}"
        matched = len(json.loads(body))
        status, _, _ = capture(what_if_path, probe.token)
        assert status == 200, f"what-if matches {detail['country']}: HTTP {status}"
        status, search_queries, body = capture(search_path, probe.token)
        assert status == 200, f"search {detail['country']}: HTTP {status} {body[:200]!r}"
        found = len(json.loads(body))
        match_sql = _statement(match_queries, contains="WITH point AS", where="matches")
        search_sql = _statement(search_queries, contains="WITH point AS", where="search")
        explain_sql = explain_sql or match_sql
        queries[detail["country"]] = {"matches": _count_statements(match_queries),
                                      "search": _count_statements(search_queries)}
        port, token = ctx.port, probe.token
        samples = interleaved({
            "match_floor": _replay(match_sql),
            "match_http": _get(port, match_path, token),
            "search_floor": _replay(search_sql),
            "search_http": _get(port, search_path, token),
            "match_what_if": _get(port, what_if_path, token),
            "ping": _get(port, PING_PATH, token),
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
               totals["match_floor"], "<= 2x", samples=n),
        Figure(f"provider search: raw SQL ({len(probes)} probes)", totals["search_floor"], samples=n),
        Figure("provider search: HTTP GET /providers/search/", totals["search_http"], "raw SQL",
               totals["search_floor"], "<= 2x", samples=n),
        Figure("matching: what-if, HTTP matches without the area outline", totals["match_what_if"], "raw SQL",
               totals["match_floor"], "<= 2x", samples=n,
               note="bench-only variant of the view: select_related area without its geometry"),
        Figure(f"HTTP GET /bench/ping/, the floor of any request ({len(probes)} requests)", totals["ping"],
               samples=n),
    ]
    for figure in figures:
        ctx.log(figure.line(), flush=True)
    return {"figures": [figure.as_dict() for figure in figures], "probes": rows, "queries": queries,
            "explain_sql": explain_sql}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


# --- statistics ---------------------------------------------------------------------------------


def _plain_group_by(group_by: list[str]) -> str:
    """The raw GROUP BY the statistics rest on: the cells only, count(*), no margins, no DISTINCT."""
    from referrals.statistics import DIMENSIONS, JOINS

    expressions = [DIMENSIONS[name][0] for name in group_by]
    joins = []
    for name in group_by:
        join = DIMENSIONS[name][1]
        if join and JOINS[join] not in joins:
            joins.append(JOINS[join])
    columns = ", ".join(expressions)
    return f"SELECT {columns}, count(*) FROM referrals_referral r {' '.join(joins)} GROUP BY {columns}"


def statistics_suite(ctx: Context, accounts: dict) -> dict:
    from referrals.statistics import Scope, referral_statistics

    analyst: Account = accounts["analyst"]
    repeat = max(3, ctx.repeat // 2)
    out = {"groupings": [], "figures": []}
    for grouping in STATISTICS_GROUPINGS:
        path = f"/api/v1/stats/referrals/?group_by={grouping}"
        status, queries, body = capture(path, analyst.token)
        assert status == 200, f"statistics {grouping}: HTTP {status} {body[:200]!r}"
        its_sql = _statement(queries, contains="GROUPING SETS", where=f"statistics {grouping}")
        group_by = grouping.split(",")
        port, token = ctx.port, analyst.token
        samples = interleaved({
            "raw_group_by": _replay(_plain_group_by(group_by)),
            "its_sql": _replay(its_sql),
            "function": lambda group_by=group_by: referral_statistics(group_by=group_by, scope=Scope()),
            "http": _get(port, path, token),
        }, repeat=repeat, warmup=1)
        m = {name: median_ms(values) for name, values in samples.items()}
        figures = [
            Figure(f"statistics {grouping}: raw GROUP BY", m["raw_group_by"], samples=repeat),
            Figure(f"statistics {grouping}: its SQL (GROUPING SETS, DISTINCT)", m["its_sql"], "raw GROUP BY",
                   m["raw_group_by"], samples=repeat),
            Figure(f"statistics {grouping}: referral_statistics()", m["function"], "raw GROUP BY", m["raw_group_by"],
                   samples=repeat),
            Figure(f"statistics {grouping}: HTTP GET /stats/referrals/", m["http"], "raw GROUP BY", m["raw_group_by"],
                   samples=repeat),
        ]
        for figure in figures:
            ctx.log(figure.line(), flush=True)
        out["figures"] += [figure.as_dict() for figure in figures]
        out["groupings"].append({"group_by": grouping, "queries": _count_statements(queries), **m})
    return out


# --- submission under load ----------------------------------------------------------------------


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
    """POST /api/v1/referrals/ by concurrent clients against an authenticated trivial endpoint."""
    agencies: list[Account] = accounts["submitters"]
    if not agencies:
        raise AssertionError("no verified government agency to submit with")
    rng = random.Random(7)
    status, queries, body = capture(LIST_PATH, agencies[0].token, method="POST",
                                    body=_submission(agencies[0], -1, rng))
    assert status == 201, f"submission: HTTP {status} {body[:300]!r}"
    submit_queries = _count_statements(queries)

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
    figures = [
        Figure(f"GET /bench/ping/ (authenticated, trivial), {ctx.concurrency} clients", ping_s["rps"], unit="req/s",
               samples=ping_s["requests"]),
        Figure(f"POST /api/v1/referrals/, {ctx.concurrency} clients", submit_s["rps"], "ping throughput",
               ping_s["rps"], unit="req/s", samples=submit_s["requests"]),
    ]
    for figure in figures:
        ctx.log(figure.line(), flush=True)
    for name, summary in results.items():
        ctx.log(f"  {name:<8} p50 {summary['p50_ms']:7.1f} ms   p95 {summary['p95_ms']:7.1f} ms   "
                f"p99 {summary['p99_ms']:7.1f} ms   ({summary['requests']} requests, {summary['errors']} errors)",
                flush=True)
    return {"figures": [figure.as_dict() for figure in figures], "load": results,
            "concurrency": ctx.concurrency, "seconds": ctx.seconds,
            "queries": {"submission": submit_queries}}


def run_all(ctx: Context, accounts: dict) -> dict:
    """Every suite, each guarded: an error is recorded (and fails the run) without stopping the rest."""
    out = {}
    for name, suite in (("list", list_suite), ("matching", matching_suite), ("statistics", statistics_suite),
                        ("submission", submission_suite)):
        ctx.log(f"\n[{name}]", flush=True)
        try:
            out[name] = suite(ctx, accounts)
        except Exception as error:
            ctx.error(name, error)
    return out

