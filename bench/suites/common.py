"""What the benchmarks share: the run's context, the accounts they act as, and the ways they call
the application (in-process with the queries captured, raw SQL replayed, HTTP through gunicorn)."""

import json
import traceback
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.server import checked

User = get_user_model()

LIST_PATH = "/api/v1/referrals/"
UNFILTERED_LIST_PATH = "/bench/referrals-unfiltered/"
PING_PATH = "/bench/ping/"
BARE_PATH = "/bench/bare/"


@dataclass
class Context:
    port: int
    repeat: int
    concurrency: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    log: object = print

    def error(self, where: str, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else "".join(traceback.format_exception(error)).strip()
        self.errors.append(f"{where}: {text}")
        self.log(f"  ERROR in {where}: {text.splitlines()[-1] if text else text}", flush=True)

    def show(self, figures) -> list[dict]:
        """Print the figures; returns them as the results record them."""
        for figure in figures:
            self.log(figure.line(), flush=True)
        return [figure.as_dict() for figure in figures]


@dataclass
class Account:
    user_id: int
    username: str
    token: str
    detail: dict = field(default_factory=dict)


def token_of(user_id: int) -> str:
    from knox.models import AuthToken

    return AuthToken.objects.create(user=User.objects.get(pk=user_id))[1]


def rows(sql: str, params=None) -> list[tuple]:
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


def statement(queries: list[str], *, contains: str, where: str) -> str:
    for sql in queries:
        if contains in sql:
            return sql
    raise AssertionError(f"{where}: no statement containing {contains!r} among {len(queries)} queries")


def replay(sql: str):
    """A callable running a captured (already interpolated) statement and fetching every row."""

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return run


def get(port: int, path: str, token: str):
    """A callable sending one GET through gunicorn and checking it answers 200."""
    return lambda: checked(port, "GET", path, token=token)


def count_statements(queries: list[str]) -> int:
    return sum(1 for sql in queries if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))
