"""The routing rules of config.db_router, without a replica server (test_replica.py runs one): which
alias a lag-tolerant read gets, when it falls back to the primary, and that nothing changes when no
replica is configured."""

import pytest
from django.conf import settings

from config import db_router
from config.db_router import ReplicaRouter, read_alias, reads_from_replica, request_scope
from organisations.models import Organisation
from organisations.selectors import coverage_list, facility_list, organisation_list
from referrals.statistics import Scope


@pytest.fixture
def replicas(monkeypatch):
    def configure(*aliases):
        monkeypatch.setattr(db_router, "replica_aliases", lambda: list(aliases))
    configure("replica_1")
    return configure


@pytest.mark.skipif(bool(settings.DATABASE_REPLICA_URLS), reason="replicas are configured here")
def test_without_replicas_nothing_is_installed_and_everything_reads_the_primary():
    assert [alias for alias in settings.DATABASES if alias != "default"] == []
    assert getattr(settings, "DATABASE_ROUTERS", []) == []
    assert "config.db_router.ReplicaRequestMiddleware" not in settings.MIDDLEWARE
    with request_scope("GET"), reads_from_replica() as alias:
        assert alias == "default"
        assert organisation_list().db == "default"


@pytest.mark.django_db
def test_without_replicas_the_directory_costs_no_extra_query(django_assert_num_queries, ngo):
    with django_assert_num_queries(1), request_scope("GET"):
        assert [o.name for o in organisation_list()] == ["Bangkok Shelter Network"]


def test_a_read_only_request_reads_lag_tolerant_selectors_from_its_replica(replicas):
    with request_scope("GET"):
        assert read_alias() == "replica_1"
        assert {organisation_list().db, facility_list().db, coverage_list().db} == {"replica_1"}
        assert Scope().referrals().db == "replica_1"  # the statistics export
        with reads_from_replica() as alias:
            assert alias == "replica_1"
            assert ReplicaRouter().db_for_read(Organisation) == "replica_1"
        # Everything else (permission checks, the referral itself) stays on the primary.
        assert ReplicaRouter().db_for_read(Organisation) == "default"
        assert Organisation.objects.all().db == "default"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_a_request_that_may_write_reads_from_the_primary(replicas, method):
    with request_scope(method), reads_from_replica() as alias:
        assert alias == "default"
        assert organisation_list().db == "default"


def test_after_a_write_the_same_request_reads_from_the_primary(replicas):
    router = ReplicaRouter()
    with request_scope("GET"):
        assert organisation_list().db == "replica_1"
        assert router.db_for_write(Organisation) == "default"
        assert organisation_list().db == "default"
        with reads_from_replica():
            assert router.db_for_read(Organisation) == "default"
    with request_scope("GET"):  # the next request starts afresh
        assert organisation_list().db == "replica_1"


def test_outside_a_request_everything_reads_from_the_primary(replicas):
    """A task or a command: nothing says when its own writes began."""
    with reads_from_replica() as alias:
        assert alias == "default"
        assert ReplicaRouter().db_for_read(Organisation) == "default"


def test_writes_always_go_to_the_primary_even_for_an_instance_read_from_a_replica(replicas):
    instance = Organisation(name="Read from a replica")
    instance._state.db = "replica_1"
    router = ReplicaRouter()
    with request_scope("GET"):
        # Its related objects come from the same copy while the request has not written...
        assert router.db_for_read(Organisation, instance=instance) == "replica_1"
        assert router.db_for_write(Organisation, instance=instance) == "default"
        # ...and from the primary once it has.
        assert router.db_for_read(Organisation, instance=instance) == "default"


def test_requests_take_turns_over_several_replicas(replicas):
    replicas("replica_1", "replica_2")
    chosen = set()
    for _ in range(4):
        with request_scope("GET"):
            chosen.add(read_alias())
    assert chosen == {"replica_1", "replica_2"}


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "referrals") is True
    assert router.allow_migrate("replica_1", "referrals") is False
    assert router.allow_relation(Organisation(), Organisation()) is True
