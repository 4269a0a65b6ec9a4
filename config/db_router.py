"""Reads that tolerate lag go to a streaming replica; everything else stays on the primary.

Only selectors that say so read from a replica (the directory, provider search, statistics): they
ask for `read_alias()` or run inside `reads_from_replica()`. Routing by model would also send
permission checks and the re-read after a write there, where a second of lag means a wrong answer.

Read-your-writes: a request that has written (any method but GET, HEAD and OPTIONS, or any ORM
write in the request, such as the audit row a GET of a referral adds) reads from the primary for
the rest of that request. Outside a request (Celery tasks, management commands) every read stays on
the primary: nothing there says when a task's own writes began.

With no replica configured (DATABASE_REPLICA_URLS empty, the default) none of this is installed and
`read_alias()` answers "default" without a query."""

import itertools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class _RequestState:
    replica: str  # the one replica this request reads from (its reads see one point in time)
    wrote: bool = False


_request: ContextVar[_RequestState | None] = ContextVar("replica_request_state", default=None)
_lag_tolerant: ContextVar[bool] = ContextVar("replica_lag_tolerant", default=False)
_cycles: dict[tuple, itertools.cycle] = {}  # configured replicas -> round robin over them


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


def _pick_replica() -> str | None:
    """Round robin over the configured replicas, per process."""
    aliases = tuple(replica_aliases())
    if not aliases:
        return None
    return next(_cycles.setdefault(aliases, itertools.cycle(aliases)))


def read_alias() -> str:
    """Where a lag-tolerant read of this moment goes: the request's replica, or the primary when
    there is none, the request has written, or this is not a request."""
    state = _request.get()
    if state is None or state.wrote:
        return DEFAULT_DB_ALIAS
    return state.replica


def mark_written() -> None:
    state = _request.get()
    if state is not None:
        state.wrote = True


@contextmanager
def request_scope(method: str = "GET"):
    """One request's routing state: which replica, and whether it has written yet."""
    replica = _pick_replica()
    if replica is None:
        yield
        return
    token = _request.set(_RequestState(replica=replica, wrote=method.upper() not in SAFE_METHODS))
    try:
        yield
    finally:
        _request.reset(token)


@contextmanager
def reads_from_replica():
    """ORM reads inside the block (and only those) may be served by the request's replica; yields
    the alias to use for raw SQL (`connections[alias].cursor()`)."""
    token = _lag_tolerant.set(True)
    try:
        yield read_alias()
    finally:
        _lag_tolerant.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS entry, installed only when replicas are configured."""

    def db_for_read(self, model, **hints):
        if _lag_tolerant.get():
            return read_alias()
        # Related objects of an instance a lag-tolerant read loaded come from the same copy (one
        # point in time), until the request writes.
        instance = hints.get("instance")
        if instance is not None and instance._state.db == read_alias():
            return instance._state.db
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Always the primary, even for an instance a replica read loaded (Django would otherwise
        # write back to where the instance came from).
        mark_written()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, several copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary's schema by streaming


class ReplicaRequestMiddleware:
    """Opens each request's routing scope (first in MIDDLEWARE when replicas are configured)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope(request.method):
            return self.get_response(request)
