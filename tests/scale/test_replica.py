"""A real streaming replica (pg_basebackup -R) of a throwaway primary: the directory, provider search
and statistics are served by the replica; writes, and reads after a write in the same request, by
the primary. The requests run in a process of their own, configured from the environment
(DATABASE_URL, DATABASE_REPLICA_URLS) as production is: tests/scale/replica_flow.py."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from django.db import connection

from tests.e2e.processes import ROOT

from .servers import PostgresServer, copy_database, server_dir

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def primary_and_replica(reference_data):
    root = server_dir()
    primary = replica = None
    try:
        primary = PostgresServer.primary(root)
        copy_database(source_url=connection.settings_dict, target=primary, name="rn")
        replica = primary.replica(root)
        yield primary, replica
    finally:
        for server in (replica, primary):
            if server is not None:
                server.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_lag_tolerant_reads_are_served_by_the_replica_and_writes_are_read_back_from_the_primary(
    primary_and_replica,
):
    primary, replica = primary_and_replica
    assert replica.psql("rn", "SELECT pg_is_in_recovery()") == "t"
    result = subprocess.run(
        [sys.executable, "-m", "tests.scale.replica_flow"], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": primary.url("rn"),
             "DATABASE_REPLICA_URLS": replica.url("rn")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["recovery"] == {"default": False, "replica_1": True}  # replica_1 is the standby
    # The replica's replay was paused before "Late NGO" was added on the primary: a directory that
    # lists only the early one was read from the replica, and its log says so.
    directory = seen["directory"]
    assert directory["status"] == 200
    assert "Early NGO" in directory["names"]
    assert "Late NGO" not in directory["names"]
    assert directory["organisation_reads"] == ["replica_1"]

    assert seen["provider_search"]["status"] == 200
    assert seen["provider_search"]["names"] == ["Early NGO"]
    assert seen["provider_search"]["search_reads"] == ["replica_1"]
    assert seen["statistics"]["status"] == 200
    assert seen["statistics"]["count_reads"] == ["replica_1"]

    # A write request touches only the primary, its re-reads included.
    assert seen["write"]["status"] == 200
    assert seen["write"]["aliases"] == ["default"]
    # Within one request: the directory from the replica, then a write, then from the primary.
    ryw = seen["read_your_writes"]
    assert (ryw["before"], ryw["after"]) == (False, True)
    assert ryw["aliases"] == ["replica_1", "default", "default"]
