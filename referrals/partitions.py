"""Monthly partitions of the audit trail and the outbox (PostgreSQL declarative partitioning).

Both tables are `PARTITION BY RANGE (created)`, one partition per calendar month (UTC) named
`<table>_pYYYY_MM`, plus a DEFAULT partition so that a row outside every month still has somewhere
to go (an insert must never fail because the beat task was late). Retention then drops whole
months: `DETACH` and `DROP TABLE` remove a partition without a row-level DELETE, so the audit
trail's append-only trigger keeps refusing every UPDATE and DELETE of a row while whole months
past their retention can still go. Row triggers of the parent are cloned by PostgreSQL onto every
partition (also those attached later and the DEFAULT one); `protected_partitions` lets the tests
and the operator verify it.

All functions take names from PARTITIONED only, never from the caller, since they end in DDL."""

import logging
import re
from datetime import UTC, date, datetime

from django.conf import settings
from django.db import connection, transaction

logger = logging.getLogger(__name__)

AUDIT_TABLE = "referrals_referralevent"
OUTBOX_TABLE = "referrals_outboxevent"
PARTITIONED = (AUDIT_TABLE, OUTBOX_TABLE)
APPEND_ONLY_TRIGGER = "pgtrigger_append_only_d0304"

_MONTH = re.compile(r"_p(\d{4})_(\d{2})$")


def month_start(value: date | datetime) -> date:
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)  # partitions are UTC months
    return date(value.year, value.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def _bound(month: date) -> str:
    # Bounds are instants in UTC, so a month's partition does not move with the session time zone.
    return f"'{month.isoformat()} 00:00:00+00'"


def _check(table: str) -> None:
    if table not in PARTITIONED:
        raise ValueError(f"{table} is not a partitioned table of this app")


def partitions(table: str, cursor=None) -> dict[str, date | None]:
    """The partitions of a table: {name: first day of its month, None for the DEFAULT one}."""
    _check(table)
    cursor = cursor or connection.cursor()
    cursor.execute(
        """SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname""",
        [table],
    )
    found = {}
    for name, is_default in cursor.fetchall():
        match = _MONTH.search(name)
        found[name] = None if is_default or not match else date(int(match[1]), int(match[2]), 1)
    return found


def _default_has_rows(cursor, table: str, month: date) -> bool:
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table}_default WHERE created >= {_bound(month)} "  # noqa: S608 (names from PARTITIONED)
        f"AND created < {_bound(add_months(month, 1))})"
    )
    return cursor.fetchone()[0]


def ensure_partitions(*, months_ahead: int = 3, since: date | datetime | None = None,
                      tables=PARTITIONED, cursor=None) -> list[str]:
    """Create the missing monthly partitions from `since` (default: the current month) to
    `months_ahead` months after the current one, and the DEFAULT partition. Idempotent; returns
    the partitions created. A month whose rows already went to the DEFAULT partition is skipped and
    logged: attaching it would need moving those rows, i.e. deleting from the append-only trail."""
    current = month_start(datetime.now(UTC))
    first = month_start(since) if since is not None else current
    last = add_months(current, months_ahead)
    created = []
    cursor = cursor or connection.cursor()
    with transaction.atomic():
        for table in tables:
            existing = partitions(table, cursor)
            if f"{table}_default" not in existing:
                cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
                created.append(f"{table}_default")
            month = first
            while month <= last:
                name = partition_name(table, month)
                if name not in existing:
                    if _default_has_rows(cursor, table, month):
                        logger.warning("partitions: %s has rows of %s in DEFAULT; not created", table, month)
                    else:
                        cursor.execute(
                            f"CREATE TABLE {name} PARTITION OF {table} "
                            f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(add_months(month, 1))})"
                        )
                        created.append(name)
                month = add_months(month, 1)
    if created:
        logger.info("partitions: created %s", ", ".join(created))
    return created


def _references(model):
    # include_hidden: these relations are related_name="+", which Meta.related_objects leaves out.
    return [field for field in model._meta.get_fields(include_hidden=True)
            if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)]


def _cascade_outbox_references(cursor, name: str) -> None:
    """Foreign keys into the outbox are Django-level only (no database constraint can point into a
    partitioned table by id alone): apply their on_delete here, as the ORM would have, for the
    events of a partition about to be dropped. Generic over the reverse relations, so this app
    needs no import of the apps above it."""
    from django.db import models

    from .models import OutboxEvent

    cursor.execute(f"SELECT id FROM {name}")  # noqa: S608 (name from partitions())
    ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        for relation in _references(OutboxEvent):
            related = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": chunk})
            if relation.on_delete is models.SET_NULL:
                related.update(**{relation.field.name: None})
            elif relation.on_delete is models.CASCADE:  # these rows have nothing to be about any more
                related.delete()
            else:  # PROTECT and the like: a new reference must decide what becomes of it first
                raise NotImplementedError(f"{relation.related_model.__name__}.{relation.field.name}")


def drop_partitions_before(month: date, *, table: str, cursor=None) -> list[str]:
    """Detach and drop the monthly partitions of `table` that end on or before `month` (the DEFAULT
    one never). Outbox months still holding an event the relay has not sent are kept. Returns the
    partitions dropped."""
    _check(table)
    month = month_start(month)
    cursor = cursor or connection.cursor()
    dropped = []
    for name, first in partitions(table, cursor).items():
        if first is None or add_months(first, 1) > month:
            continue
        with transaction.atomic():
            if table == OUTBOX_TABLE:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name} WHERE relayed IS NULL)")  # noqa: S608
                if cursor.fetchone()[0]:
                    logger.warning("partitions: %s still has unrelayed events; kept", name)
                    continue
                _cascade_outbox_references(cursor, name)
            cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {name}")
            cursor.execute(f"DROP TABLE {name}")
        dropped.append(name)
    if dropped:
        logger.info("partitions: dropped %s", ", ".join(dropped))
    return dropped


def protected_partitions(cursor=None) -> dict[str, bool]:
    """For every partition of the audit trail: does it carry the append-only trigger?"""
    cursor = cursor or connection.cursor()
    cursor.execute(
        """SELECT c.relname, EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = %s
                                      AND t.tgenabled <> 'D')
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname""",
        [APPEND_ONLY_TRIGGER, AUDIT_TABLE],
    )
    return dict(cursor.fetchall())


def partitions_apply_retention(*, today: date | None = None) -> dict[str, list[str]]:
    """Drop the months past AUDIT_RETENTION_MONTHS (audit trail) and OUTBOX_RETENTION_MONTHS
    (relayed outbox events); a setting left at None keeps that table whole. The current month
    counts as one: with 24, the 24 latest months stay."""
    current = month_start(today or datetime.now(UTC))
    report = {}
    for table, months in ((AUDIT_TABLE, settings.AUDIT_RETENTION_MONTHS),
                          (OUTBOX_TABLE, settings.OUTBOX_RETENTION_MONTHS)):
        if months is not None:
            report[table] = drop_partitions_before(add_months(current, 1 - months), table=table)
    return report
