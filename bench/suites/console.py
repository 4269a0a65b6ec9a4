"""The console's pages against the API on the same data, as the same person: the inbox
(`/app/inbox/`) against the referral list (`GET /api/v1/referrals/`), and the referral page
(`/app/referrals/{id}/`) against its detail (`GET /api/v1/referrals/{id}/`). Both sides go
through the same gunicorn, interleaved; the console signs in with a session cookie, the API with
a token. Target: a page costs the server at most twice the API's answer (templates over the same
selectors, not extra queries)."""

import http.client
import json

from django.conf import settings
from django.test import Client

from bench.measure import Figure, interleaved, median_ms
from bench.server import HOST, HTTPError

from .common import LIST_PATH, Account, Context, User, capture, get


def session_cookie(account: Account) -> str:
    """A console session for the account (stored where gunicorn's workers read sessions)."""
    client = Client()
    client.force_login(User.objects.get(pk=account.user_id))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def page(port: int, path: str, cookie: str):
    """A callable fetching a console page through gunicorn and checking it answers 200."""

    def run() -> bytes:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html"})
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise HTTPError(f"GET {path}: HTTP {response.status} (expected 200)")
        return content

    return run


def console_suite(ctx: Context, accounts: dict) -> dict:
    account = accounts["ngo_typical"]
    status, _queries, body = capture(LIST_PATH, account.token)
    assert status == 200, f"console: the API list answers {status}"
    results = json.loads(body).get("results") or []
    assert results, "console: the typical NGO caseworker sees no referral"
    referral = results[0]["id"]
    cookie = session_cookie(account)
    port, token = ctx.port, account.token
    samples = interleaved({
        "api_list": get(port, LIST_PATH, token),
        "inbox": page(port, "/app/inbox/", cookie),
        "api_detail": get(port, f"{LIST_PATH}{referral}/", token),
        "referral_page": page(port, f"/app/referrals/{referral}/", cookie),
    }, repeat=ctx.repeat)
    m = {name: median_ms(values) for name, values in samples.items()}
    n = ctx.repeat
    figures = [
        Figure("console: HTTP GET /api/v1/referrals/ (the API's list)", m["api_list"], samples=n),
        Figure("console: HTTP GET /app/inbox/", m["inbox"], "API list", m["api_list"], "<= 2x", samples=n),
        Figure("console: HTTP GET /api/v1/referrals/{id}/ (the API's detail)", m["api_detail"], samples=n),
        Figure("console: HTTP GET /app/referrals/{id}/", m["referral_page"], "API detail", m["api_detail"],
               "<= 2x", samples=n),
    ]
    return {"user": account.username, "referral": str(referral), "figures": ctx.show(figures)}
