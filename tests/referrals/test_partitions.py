"""The audit trail and the outbox are partitioned by month (referrals/partitions.py), against the
real database: partitions are there ahead of time, rows land in their month, the append-only
trigger holds on every partition, and retention drops whole months, never rows."""

from datetime import UTC, date, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from integration import webhooks
from integration.models import WebhookDelivery
from notifications.models import OutboxIntake
from referrals import partitions
from referrals.models import OutboxEvent, ReferralEvent
from referrals.partitions import AUDIT_TABLE, OUTBOX_TABLE, add_months, month_start, partition_name
from referrals.tasks import maintain_partitions
from tests.network import PUBLIC_WEBHOOK_URL

pytestmark = pytest.mark.django_db

THIS_MONTH = month_start(datetime.now(UTC))
SINCE_THIS_MONTH = datetime(THIS_MONTH.year, THIS_MONTH.month, 1, tzinfo=UTC)


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


def _event_at(referral, when: datetime) -> int:
    """An audit row dated in the past, as an old row would be (auto_now_add cannot be told)."""
    return _sql(
        f"INSERT INTO {AUDIT_TABLE} (referral_id, action, detail, created) VALUES (%s, 'viewed', '{{}}', %s) "  # noqa: S608 - constants
        "RETURNING id", [referral.pk, when],
    )[0][0]


def _outbox_at(referral, when: datetime, *, relayed: bool) -> OutboxEvent:
    event = OutboxEvent.objects.create(type="referral.submitted", referral=referral,
                                       relayed=timezone.now() if relayed else None)
    # The outbox carries no append-only trigger: moving the row to its month is an UPDATE of the key.
    OutboxEvent.objects.filter(pk=event.pk).update(created=when)
    return event


def _settle():
    """Run the deferred foreign-key checks of the rows this test wrote: PostgreSQL will not drop a
    table with pending trigger events, which retention never meets (its rows are months old)."""
    _sql("SET CONSTRAINTS ALL IMMEDIATE")


def _where(table: str, pk: int) -> str:
    return _sql(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])[0][0]  # noqa: S608 - our names


def _refused(statement):
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        _sql(statement)


def test_this_month_and_the_next_ones_have_their_partitions_and_a_default_catches_the_rest():
    for table in (AUDIT_TABLE, OUTBOX_TABLE):
        existing = partitions.partitions(table)
        assert existing[f"{table}_default"] is None
        for ahead in range(4):
            month = add_months(THIS_MONTH, ahead)
            assert existing[partition_name(table, month)] == month
    assert partitions.ensure_partitions(months_ahead=3) == []  # idempotent


def test_a_row_lands_in_its_month_and_one_beyond_every_month_in_the_default(offered_referral):
    event = ReferralEvent.objects.filter(referral=offered_referral).first()
    assert _where(AUDIT_TABLE, event.pk) == partition_name(AUDIT_TABLE, THIS_MONTH)
    outbox = OutboxEvent.objects.filter(referral=offered_referral).first()
    assert _where(OUTBOX_TABLE, outbox.pk) == partition_name(OUTBOX_TABLE, THIS_MONTH)

    partitions.ensure_partitions(since=date(2025, 3, 1))
    assert _where(AUDIT_TABLE, _event_at(offered_referral, datetime(2025, 3, 31, 23, 59, tzinfo=UTC))) \
        == f"{AUDIT_TABLE}_p2025_03"
    far = _event_at(offered_referral, datetime(2040, 1, 1, tzinfo=UTC))
    assert _where(AUDIT_TABLE, far) == f"{AUDIT_TABLE}_default"
    # The ORM reads across partitions as it read the one table, by id alone.
    assert ReferralEvent.objects.get(pk=far).created.year == 2040


def test_the_append_only_trigger_holds_on_the_parent_and_on_every_partition(offered_referral):
    created = partitions.ensure_partitions(since=date(2024, 1, 1), months_ahead=12)
    assert f"{AUDIT_TABLE}_p2024_01" in created
    protection = partitions.protected_partitions()
    assert set(protection) == set(partitions.partitions(AUDIT_TABLE))
    assert all(protection.values())

    event = ReferralEvent.objects.filter(referral=offered_referral).first()
    old = _event_at(offered_referral, datetime(2024, 1, 10, tzinfo=UTC))
    ahead = add_months(THIS_MONTH, 12)
    future = _event_at(offered_referral, datetime(ahead.year, ahead.month, 2, tzinfo=UTC))
    beyond = _event_at(offered_referral, datetime(2040, 1, 1, tzinfo=UTC))
    for table, pk in ((AUDIT_TABLE, event.pk), (partition_name(AUDIT_TABLE, THIS_MONTH), event.pk),
                      (f"{AUDIT_TABLE}_p2024_01", old), (partition_name(AUDIT_TABLE, ahead), future),
                      (f"{AUDIT_TABLE}_default", beyond)):
        _refused(f"UPDATE {table} SET action = 'closed' WHERE id = {pk}")  # noqa: S608 - our names and ids
        _refused(f"DELETE FROM {table} WHERE id = {pk}")  # noqa: S608 - our names and ids
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralEvent.objects.filter(pk=old).delete()
    assert ReferralEvent.objects.filter(pk__in=[event.pk, old, future, beyond]).count() == 4


def test_dropping_old_months_removes_their_rows_only_and_rows_stay_undeletable(offered_referral):
    partitions.ensure_partitions(since=date(2024, 1, 1))
    january = _event_at(offered_referral, datetime(2024, 1, 15, tzinfo=UTC))
    february = _event_at(offered_referral, datetime(2024, 2, 15, tzinfo=UTC))
    recent = ReferralEvent.objects.filter(referral=offered_referral).count()
    _settle()

    assert partitions.drop_partitions_before(date(2024, 2, 1), table=AUDIT_TABLE) == [f"{AUDIT_TABLE}_p2024_01"]
    assert f"{AUDIT_TABLE}_p2024_01" not in partitions.partitions(AUDIT_TABLE)
    assert not ReferralEvent.objects.filter(pk=january).exists()
    assert ReferralEvent.objects.filter(pk=february).exists()
    assert ReferralEvent.objects.filter(referral=offered_referral).count() == recent - 1
    _refused(f"DELETE FROM {AUDIT_TABLE}_p2024_02 WHERE id = {february}")  # noqa: S608 - our names and ids
    with pytest.raises(ValueError, match="not a partitioned table"):
        partitions.drop_partitions_before(date(2024, 2, 1), table="referrals_referral")


def test_retention_keeps_the_configured_months_and_nothing_without_a_setting(offered_referral, settings):
    partitions.ensure_partitions(since=add_months(THIS_MONTH, -30))
    old = _event_at(offered_referral, datetime.combine(add_months(THIS_MONTH, -24), datetime.min.time(), UTC))
    kept = _event_at(offered_referral, datetime.combine(add_months(THIS_MONTH, -23), datetime.min.time(), UTC))
    _settle()
    settings.AUDIT_RETENTION_MONTHS = settings.OUTBOX_RETENTION_MONTHS = None
    assert partitions.partitions_apply_retention() == {}
    assert ReferralEvent.objects.filter(pk=old).exists()

    settings.AUDIT_RETENTION_MONTHS = 24
    report = partitions.partitions_apply_retention()
    assert partition_name(AUDIT_TABLE, add_months(THIS_MONTH, -24)) in report[AUDIT_TABLE]
    assert partition_name(AUDIT_TABLE, add_months(THIS_MONTH, -23)) not in report[AUDIT_TABLE]
    assert not ReferralEvent.objects.filter(pk=old).exists()
    assert ReferralEvent.objects.filter(pk=kept).exists()


def test_an_outbox_month_goes_once_relayed_with_what_referred_to_its_events(cast, offered_referral):
    partitions.ensure_partitions(since=date(2024, 1, 1))
    subscription = webhooks.webhook_create(organisation=cast.government, url=PUBLIC_WEBHOOK_URL,
                                           events=["referral.submitted"])
    sent = _outbox_at(offered_referral, datetime(2024, 1, 5, tzinfo=UTC), relayed=True)
    waiting = _outbox_at(offered_referral, datetime(2024, 2, 5, tzinfo=UTC), relayed=False)
    for event in (sent, waiting):
        WebhookDelivery.objects.create(subscription=subscription, event=event, body={}, status="succeeded")
        OutboxIntake.objects.create(event=event)
    current = OutboxEvent.objects.filter(referral=offered_referral, created__gte=SINCE_THIS_MONTH).count()
    _settle()

    dropped = partitions.drop_partitions_before(date(2024, 3, 1), table=OUTBOX_TABLE)
    assert dropped == [f"{OUTBOX_TABLE}_p2024_01"]  # February still has an event to relay
    assert not OutboxEvent.objects.filter(pk=sent.pk).exists()
    assert OutboxEvent.objects.filter(pk=waiting.pk).exists()
    assert OutboxEvent.objects.filter(referral=offered_referral, created__gte=SINCE_THIS_MONTH).count() == current
    # What pointed at the dropped events went as the ORM's on_delete would have had it.
    assert list(WebhookDelivery.objects.filter(event_id__in=[sent.pk, waiting.pk]).values_list("event_id", flat=True)) \
        == [waiting.pk]
    assert list(OutboxIntake.objects.filter(event_id__in=[sent.pk, waiting.pk]).values_list("event_id", flat=True)) \
        == [waiting.pk]


def test_rows_already_in_the_default_keep_their_month_from_being_created(offered_referral):
    stray = _event_at(offered_referral, datetime(2023, 6, 1, tzinfo=UTC))
    assert _where(AUDIT_TABLE, stray) == f"{AUDIT_TABLE}_default"
    created = partitions.ensure_partitions(since=date(2023, 5, 1))
    assert f"{AUDIT_TABLE}_p2023_05" in created
    assert f"{AUDIT_TABLE}_p2023_06" not in created
    assert _where(AUDIT_TABLE, stray) == f"{AUDIT_TABLE}_default"


def test_the_daily_task_makes_the_months_ahead_and_drops_only_what_a_setting_asks(offered_referral, settings):
    settings.PARTITION_MONTHS_AHEAD = 6
    settings.AUDIT_RETENTION_MONTHS = settings.OUTBOX_RETENTION_MONTHS = None
    report = maintain_partitions()
    assert report["created"] == [partition_name(table, add_months(THIS_MONTH, ahead))
                                 for table in (AUDIT_TABLE, OUTBOX_TABLE) for ahead in (4, 5, 6)]
    assert report["dropped"] == {}
    assert maintain_partitions() == {"created": [], "dropped": {}}
