"""The benchmark's own database and the Django set-up around it.

Everything here runs before `django.setup()`: the environment decides which database the process
(and the gunicorn it starts) talks to, so it is set first."""

import os
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgis://postgres@127.0.0.1:5432/referral_network_bench"
# Redis databases of their own: the benchmark's throttling counters, idempotency locks and task
# nudges never mix with a demo or a test run on the same Redis.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/14"
SETTINGS_MODULE = "bench.settings"
ORIGINAL_STATEMENT_TIMEOUT: dict[str, str | None] = {}


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def environment(url: str) -> dict[str, str]:
    """The variables every benchmark process (this one and the web workers) runs with."""
    return {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE_URL),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER_URL),
        "DEBUG": "0",
    }


def _ensure_database(url: str) -> bool:
    """Create the database with PostGIS if it is missing; True when it was created."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    conninfo = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, ""))
    created = False
    with psycopg.connect(conninfo, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{name}"')
            created = True
    target = urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))
    with psycopg.connect(target, autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return created


def setup(url: str | None = None, *, log=print, prepare: bool = True) -> str:
    """Point this process at the benchmark database, set Django up, and (with `prepare`) create,
    migrate and load the boundaries as needed. Returns the database URL."""
    url = database_url(url)
    os.environ.update(environment(url))
    ORIGINAL_STATEMENT_TIMEOUT.setdefault("value", os.environ.get("DB_STATEMENT_TIMEOUT_MS"))
    # Bulk loads and whole-table statistics run longer than a request may; the web workers keep
    # the application's statement timeout (their environment does not carry this).
    os.environ["DB_STATEMENT_TIMEOUT_MS"] = "0"
    started = time.perf_counter()
    created = _ensure_database(url) if prepare else False

    import django

    django.setup()
    if not prepare:
        return url
    from django.core.management import call_command

    from geo.models import AdministrativeArea

    call_command("migrate", verbosity=0, interactive=False)
    if not AdministrativeArea.objects.filter(level=0).exists():
        log("Loading the Bali Process boundaries (Natural Earth, once per database)...")
        call_command("load_boundaries", verbosity=0)
    if created:
        log(f"Created {urlsplit(url).path.lstrip('/')} in {time.perf_counter() - started:.1f} s")
    return url


def redacted(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2 and ":" in netloc[0]:
        netloc[0] = netloc[0].split(":", 1)[0] + ":***"
    return urlunsplit((parts.scheme, "@".join(netloc), parts.path, "", ""))
