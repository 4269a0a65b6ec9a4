"""Build a realistic referral network directly in the benchmark database, fast.

    python -m bench.generate --orgs 10000 --referrals 1000000 [--facilities 100000] [--seed 2026]

Organisations are spread over the Bali Process member states (bench.regional), each with its
three role groups, members and organisation-level grants; NGOs and international organisations
publish facilities (shelters with capacities, service points, offices) and coverage over the real
country boundaries and over drawn polygons (`network`); referrals are in every state, with the
offers and outcomes (`referrals`), per-referral grants (`grants`) and audit events (`audit`) the
lifecycle would have left behind.

How it is fast: one transaction truncates what it generates (boundaries and the taxonomy stay),
drops the secondary indexes of the big tables, streams rows with COPY (FREEZE) from Python, derives
the grants and the audit trail from them in SQL (INSERT ... SELECT), then rebuilds the indexes
with a sort each instead of millions of inserts into them, and finally VACUUM ANALYZEs. Foreign
keys are not checked row by row during the load (session_replication_role = replica): the
generator writes consistent rows by construction. A failure rolls everything back."""

import json
import random
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings

from bench import regional
from referrals import partitions

from .audit import load_events
from .grants import load_grants
from .network import load_facilities, load_organisations, plan_organisations, point_pools
from .referrals import load_referrals
from .rows import YEARS, Progress, Scale

__all__ = ["Scale", "generate", "recorded"]

# Tables whose secondary indexes are dropped during the load and rebuilt after it.
BULK_TABLES = (
    "referrals_referral",
    "referrals_offer",
    "referrals_outcome",
    "referrals_referralevent",
    "referrals_referralgroupobjectpermission",
    "organisations_facility",
)
# Tables given explicit ids, whose identity sequences are moved past them afterwards.
EXPLICIT_ID_TABLES = (
    "auth_group", "auth_user", "auth_user_groups", "organisations_rolegroup", "organisations_membership",
    "organisations_coveragearea", "organisations_coveragearea_areas",
)


def _set_indexes_aside(cursor, tables) -> list[str]:
    """Drop the secondary indexes and the unique/primary constraints no foreign key depends on;
    returns the statements that rebuild them."""
    rebuild: list[str] = []
    for table in tables:
        cursor.execute(
            """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u')
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = %s::regclass
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            # A partitioned table's index reads "ON ONLY parent": rebuilt that way it would cover
            # no partition; without ONLY it is built on each partition and attached.
            rebuild.append(definition.replace(" ON ONLY ", " ON ", 1))
    return rebuild


def _reference(cursor) -> dict:
    """What the generated rows point at: country areas by code, service codes, permission ids."""
    cursor.execute("SELECT code, id FROM geo_administrativearea WHERE level = 0")
    areas = dict(cursor.fetchall())
    cursor.execute("SELECT code FROM organisations_servicetype ORDER BY code")
    services = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """SELECT ct.app_label || '.' || p.codename, p.id FROM auth_permission p
             JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE ct.app_label IN ('organisations', 'referrals')"""
    )
    permissions = dict(cursor.fetchall())
    return {"areas": areas, "services": services, "permissions": permissions}


def generate(scale: Scale, *, log=print) -> dict:
    """Replace the generated data with a network of the given scale; returns counts and timings."""
    from django.db import connection, transaction

    progress = Progress(log=log)
    rng = random.Random(scale.seed)
    now = time.time()
    log(f"Generating {scale.orgs:,} organisations, {scale.facility_count:,} facilities, "
        f"{scale.referrals:,} referrals (seed {scale.seed})", flush=True)
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '1GB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        progress.step("truncating generated tables (boundaries and taxonomy stay)")
        cursor.execute(
            # The intake points at outbox events without a database foreign key (the outbox is
            # partitioned), so CASCADE no longer reaches it: named, lest stale rows hide new events.
            "TRUNCATE organisations_organisation, auth_group, auth_user, referrals_referral, "
            "notifications_outboxintake RESTART IDENTITY CASCADE"
        )
        rebuild = _set_indexes_aside(cursor, BULK_TABLES)
        progress.done(f"{len(rebuild)} indexes and constraints of the big tables set aside")
        # The audit trail and the outbox are partitioned by month: every month the referrals span
        # gets its partition before the load (the DEFAULT one is only a net).
        progress.step("monthly partitions of the audit trail and the outbox")
        oldest = datetime.fromtimestamp(now, UTC) - timedelta(days=366 * YEARS + 31)
        made = partitions.ensure_partitions(since=oldest, months_ahead=settings.PARTITION_MONTHS_AHEAD)
        progress.done(f"{len(made)} created")

        reference = _reference(cursor)
        countries = sorted(code for code in reference["areas"] if code in regional.ORGANISATION_SHARE)
        progress.step("points on land (clustered around towns) per country")
        pools = point_pools(cursor, countries, per_hub=60 if scale.referrals > 50_000 else 25, seed=scale.seed)
        progress.done(f"{sum(map(len, pools.values())):,} points in {len(pools)} countries")

        progress.step("organisations, role groups, members and their grants")
        orgs = plan_organisations(scale, set(countries), reference["services"], rng)
        counts = load_organisations(cursor, orgs, reference, now, progress)
        progress.step("facilities and coverage")
        counts.update(load_facilities(cursor, orgs, reference, pools, scale, rng, now, progress))

        progress.step("referrals, offers and outcomes (COPY)")
        counts.update(load_referrals(cursor, orgs, reference, pools, scale, rng, now, progress))
        # The grants and the audit trail are derived by joins over what was just loaded: without
        # statistics the planner takes those tables for empty and picks nested loops (at 1M
        # referrals the audit trail took 270 s instead of 20).
        progress.step("ANALYZE of the loaded tables")
        for table in ("organisations_membership", "organisations_rolegroup", "referrals_referral",
                      "referrals_offer", "referrals_outcome"):
            cursor.execute(f"ANALYZE {table}")
        progress.step("per-referral grants (guardian's direct foreign-key table)")
        counts["referral_grants"] = load_grants(cursor, reference, progress)
        progress.step("audit trail")
        counts["events"] = load_events(cursor, progress)

        progress.step(f"rebuilding {len(rebuild)} indexes and constraints")
        for number, statement in enumerate(rebuild, start=1):
            began = time.perf_counter()
            cursor.execute(statement)
            if time.perf_counter() - began > 10:  # name the slow ones, so a long wait shows progress
                name = statement.split('"')[1] if '"' in statement else statement[:60]
                progress.log(f"    {number}/{len(rebuild)} {name}: {time.perf_counter() - began:.0f} s", flush=True)
        for table in EXPLICIT_ID_TABLES:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        progress.done()
    progress.step("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        for table in (*BULK_TABLES, *EXPLICIT_ID_TABLES, "organisations_organisation",
                      "organisations_organisationgroupobjectpermission"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    progress.done()
    total = time.perf_counter() - progress.started
    _record(scale, total, progress.timings)
    log(f"Generated in {total:.1f} s", flush=True)
    return {"counts": counts, "timings": progress.timings, "seconds": total, "scale": scale}


RECORD_TABLE = "bench_generation"  # the benchmark's own note of how its data was made


def _record(scale: Scale, seconds: float, timings: dict) -> None:
    """Keep how this data was generated and how long it took, so that a later `bench.run
    --no-generate` over it reports the generation too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (orgs integer, referrals integer, "
                       "facilities integer, seed integer, seconds double precision, timings jsonb, "
                       "finished timestamptz DEFAULT now())")
        cursor.execute(f"TRUNCATE {RECORD_TABLE}")
        cursor.execute(f"INSERT INTO {RECORD_TABLE} (orgs, referrals, facilities, seed, seconds, timings) "
                       "VALUES (%s, %s, %s, %s, %s, %s)",
                       [scale.orgs, scale.referrals, scale.facility_count, scale.seed, seconds, json.dumps(timings)])


def recorded() -> dict | None:
    """The record of the data in the database, or None (made before records were kept)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [RECORD_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT referrals, seconds FROM {RECORD_TABLE}")
        row = cursor.fetchone()
    return None if row is None else {"referrals": row[0], "seconds": row[1]}
