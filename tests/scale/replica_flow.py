"""Run by test_replica.py in a process of its own, configured from the environment as production
would be (DATABASE_URL: the primary, DATABASE_REPLICA_URLS: its streaming replica). Prints what
it saw as JSON: which connection served each request's queries, and what the requests answered.

The replica's replay is paused before an organisation is added on the primary, so that a read
served by the replica is visibly the older copy."""

import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()

from django.db import connections  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from config.db_router import ReplicaRequestMiddleware  # noqa: E402
from organisations.models import Organisation  # noqa: E402
from organisations.selectors import organisation_list  # noqa: E402
from tests.conftest import client_for  # noqa: E402
from tests.organisations.factories import OrganisationFactory, member  # noqa: E402
from tests.referrals.factories import cover_country  # noqa: E402

REPLICA = "replica_1"


class QueryLog:
    """Which alias ran which statement, for every connection."""

    def __init__(self):
        self.entries: list[tuple[str, str]] = []
        self._contexts = []

    def __enter__(self):
        for alias in ("default", REPLICA):
            def record(execute, sql, params, many, context, alias=alias):
                self.entries.append((alias, sql))
                return execute(sql, params, many, context)
            context = connections[alias].execute_wrapper(record)
            context.__enter__()
            self._contexts.append(context)
        return self

    def __exit__(self, *exc):
        for context in self._contexts:
            context.__exit__(*exc)

    def aliases(self, table: str) -> list[str]:
        return sorted({alias for alias, sql in self.entries if table in sql})


def replica_caught_up() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        primary_lsn = cursor.fetchone()[0]
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary_lsn])
        return cursor.fetchone()[0]


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def main() -> dict:
    setup_test_environment()
    ngo = OrganisationFactory(name="Early NGO", country="TH")
    cover_country(ngo)
    admin = member(ngo, "admin")
    deadline = time.monotonic() + 20
    while not replica_caught_up():
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    OrganisationFactory(name="Late NGO", country="TH")  # on the primary only, from now on
    seen = {"recovery": {alias: in_recovery(alias) for alias in ("default", REPLICA)}}
    api = client_for(admin)

    with QueryLog() as log:
        response = api.get("/api/v1/organisations/", {"page_size": 100})
    seen["directory"] = {"status": response.status_code, "names": [o["name"] for o in response.json()["results"]],
                         "organisation_reads": log.aliases('FROM "organisations_organisation"')}

    with QueryLog() as log:
        response = api.get("/api/v1/providers/search/", {"lat": 13.75, "lon": 100.5, "services": "shelter"})
    seen["provider_search"] = {"status": response.status_code, "names": [m["organisation"]["name"] for m in
                                                                           response.json()],
                               "search_reads": log.aliases("organisations_coveragearea")}

    with QueryLog() as log:
        response = api.get("/api/v1/stats/referrals/", {"group_by": "gender"})
    seen["statistics"] = {"status": response.status_code, "count_reads": log.aliases("referral statistics")}

    with QueryLog() as log:
        response = api.patch(f"/api/v1/organisations/{ngo.pk}/", {"description": "Shelter and care."}, format="json")
    seen["write"] = {"status": response.status_code, "aliases": sorted({alias for alias, _ in log.entries})}

    # One request that reads the directory, writes, then reads it again: the second read must see
    # the primary (read-your-writes), though the request is a GET.
    def view(request):
        before = set(organisation_list().values_list("name", flat=True))
        Organisation.objects.filter(pk=ngo.pk).update(description="Updated in a GET.")
        after = set(organisation_list().values_list("name", flat=True))
        return JsonResponse({"before": "Late NGO" in before, "after": "Late NGO" in after})

    with QueryLog() as log:
        response = ReplicaRequestMiddleware(view)(RequestFactory().get("/"))
    seen["read_your_writes"] = {**json.loads(response.content), "aliases": [alias for alias, _ in log.entries]}

    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    return seen


if __name__ == "__main__":
    print(json.dumps(main()))
