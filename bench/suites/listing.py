"""The referral list: GET /api/v1/referrals/ (first page) against the same page without the
access filter, in SQL and through HTTP; the project's permission filter against guardian's
get_objects_for_user."""

from django.db import connection

from bench.measure import Figure, interleaved, median_ms

from .common import (
    LIST_PATH,
    UNFILTERED_LIST_PATH,
    Account,
    Context,
    User,
    capture,
    count_statements,
    get,
    replay,
    statement,
)

GRANTS_TABLE = "referrals_referralgroupobjectpermission"


def _composed(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return connection.ops.compose_sql(sql, params)


def list_suite(ctx: Context, accounts: dict) -> dict:
    return {key: _list_of(ctx, accounts[key], label)
            for key, label in (("ngo_typical", "typical NGO caseworker"), ("ngo_busiest", "busiest NGO caseworker"))}


def _list_of(ctx: Context, account: Account, label: str) -> dict:
    from guardian.shortcuts import get_objects_for_user

    from referrals.api.views import ReferralCursorPagination
    from referrals.models import Referral

    page = ReferralCursorPagination.page_size
    where = f"list ({label})"
    status, filtered_queries, body = capture(LIST_PATH, account.token)
    assert status == 200, f"{where}: HTTP {status} {body[:200]!r}"
    status, unfiltered_queries, unfiltered_body = capture(UNFILTERED_LIST_PATH, account.token)
    assert status == 200, f"{where} unfiltered: HTTP {status}"
    marker = f"LIMIT {page + 1}"
    filtered_sql = statement(filtered_queries, contains=marker, where=where)
    unfiltered_sql = statement(unfiltered_queries, contains=marker, where=where + " unfiltered")
    assert GRANTS_TABLE in filtered_sql, f"{where}: the page is not read through the grants"
    assert GRANTS_TABLE not in unfiltered_sql, (
        f"{where}: the unfiltered baseline still applies the access filter (bench.urls.UnfilteredReferralViewSet)")
    _, small_queries, _ = capture(f"{LIST_PATH}?page_size=5", account.token)
    _, large_queries, _ = capture(f"{LIST_PATH}?page_size=100", account.token)

    user = User.objects.get(pk=account.user_id)

    def ours_queryset():
        user.__dict__.pop("_referral_grant_key", None)  # as a new request: looked up again
        return Referral.objects.restrict(user, "view").order_by("-access_created", "-id")[:page]

    def theirs_queryset():
        return get_objects_for_user(
            user, "referrals.view_referral", klass=Referral, accept_global_perms=False,
        ).order_by("-created")[:page]

    def ours():
        return [r.pk for r in ours_queryset()]

    def theirs():
        return [r.pk for r in theirs_queryset()]

    same = set(ours()) == set(theirs())
    if not same:
        ctx.error(where, "referral_list_for and get_objects_for_user disagree on the first page")

    port, token = ctx.port, account.token
    samples = interleaved({
        "sql_unfiltered": replay(unfiltered_sql),
        "sql_filtered": replay(filtered_sql),
        "http_unfiltered": get(port, UNFILTERED_LIST_PATH, token),
        "http_filtered": get(port, LIST_PATH, token),
        "bare_sql": replay(_composed(Referral.objects.order_by("-created", "-id")[:page])),
        "ours_sql": replay(_composed(ours_queryset())),
        "guardian_sql": replay(_composed(theirs_queryset())),
        "ours": ours,
        "guardian": theirs,
    }, repeat=ctx.repeat)
    m = {name: median_ms(values) for name, values in samples.items()}
    n = ctx.repeat
    figures = [
        Figure(f"{label}: page SQL without the access filter", m["sql_unfiltered"], samples=n),
        Figure(f"{label}: page SQL of GET /api/v1/referrals/", m["sql_filtered"], "SQL unfiltered",
               m["sql_unfiltered"], "<= 3x", samples=n),
        Figure(f"{label}: HTTP, same page without the access filter", m["http_unfiltered"], samples=n),
        Figure(f"{label}: HTTP GET /api/v1/referrals/", m["http_filtered"], "HTTP unfiltered",
               m["http_unfiltered"], "<= 1.3x", samples=n),
        Figure(f"{label}: access path alone, newest {page} of all referrals (SQL)", m["bare_sql"], samples=n),
        Figure(f"{label}: access path alone, referral_list_for (SQL)", m["ours_sql"], "all referrals",
               m["bare_sql"], samples=n),
        Figure(f"{label}: referral_list_for(user), first {page}", m["ours"], samples=n),
        Figure(f"{label}: guardian get_objects_for_user, first {page}", m["guardian"], "referral_list_for",
               m["ours"], ">= 10x", samples=n),
        Figure(f"{label}: SQL of get_objects_for_user", m["guardian_sql"], "SQL of referral_list_for",
               m["ours_sql"], samples=n),
    ]
    return {
        "label": label,
        "visible": account.detail["visible"],
        "user": account.username,
        "figures": ctx.show(figures),
        "same_first_page": same,
        "queries": {"page of 5": count_statements(small_queries),
                    "page of 25": count_statements(filtered_queries),
                    "page of 100": count_statements(large_queries),
                    "unfiltered page of 25": count_statements(unfiltered_queries)},
        "count_queries": sum(1 for sql in filtered_queries if "COUNT(" in sql.upper()),
        "bytes": {"filtered": len(body), "unfiltered": len(unfiltered_body)},
        "sql": filtered_sql,
    }
