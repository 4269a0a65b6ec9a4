"""The project behind PgBouncer (Debian's package) in transaction pooling mode: a connection holds
no session state, so nothing may rely on one (no session-level advisory locks, no server-side
cursors, no startup options). Real flows run through it: a submission over HTTP, and two relays of
the outbox at once, each event relayed exactly once (the relay's lock is transaction-level)."""

import shutil
import threading
import time
import uuid

import pytest
from django.db import connection, connections

from integration.models import WebhookDelivery, WebhookSubscription
from integration.webhooks import outbox_relay
from referrals.models import OutboxEvent, Referral
from tests.conftest import client_for
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import referral_payload

from .servers import PgBouncer, server_dir

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def through_pgbouncer(reference_data, settings):
    """Every connection of this process (and every thread's) goes through PgBouncer, with what
    DATABASE_POOLER=pgbouncer changes in the settings (config/settings/base.py, issue 15)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    root = server_dir()
    database = connection.settings_dict
    saved = {key: database.get(key) for key in ("HOST", "PORT", "DISABLE_SERVER_SIDE_CURSORS")}
    saved_options = dict(database["OPTIONS"])
    # Two server connections for everyone: clients share them transaction by transaction.
    with PgBouncer(database=database, root=root, pool_size=2) as bouncer:
        connection.close()
        database.update(HOST="127.0.0.1", PORT=bouncer.port, DISABLE_SERVER_SIDE_CURSORS=True)
        database["OPTIONS"].pop("options", None)  # PgBouncer refuses startup options
        try:
            yield bouncer
        finally:
            connections.close_all()
            database.update(saved)
            database["OPTIONS"].clear()
            database["OPTIONS"].update(saved_options)
    shutil.rmtree(root, ignore_errors=True)


def transactions_through(bouncer: PgBouncer, database_name: str) -> int:
    """PgBouncer's own count of the transactions it pooled for the database."""
    header, *rows = [line.split("|") for line in bouncer.show("STATS").splitlines()]
    column = header.index("total_xact_count") if "total_xact_count" in header else 1
    return sum(int(row[column]) for row in rows if row[0] == database_name)


def test_a_submission_goes_through_pgbouncer(through_pgbouncer):
    government = OrganisationFactory(name="Police", kind="government")
    police = member(government, "admin")
    api = client_for(police)
    key, payload = str(uuid.uuid4()), referral_payload()

    first = api.post("/api/v1/referrals/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post("/api/v1/referrals/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == 201, first.json()
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]  # the idempotency record works between pooled transactions
    assert Referral.objects.count() == 1
    assert api.get(f"/api/v1/referrals/{first.json()['id']}/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SHOW port")
        assert cursor.fetchone()[0] == "5432"  # the server behind it
    assert connection.settings_dict["PORT"] == through_pgbouncer.port
    assert transactions_through(through_pgbouncer, connection.settings_dict["NAME"]) > 5


def test_two_relays_at_once_relay_every_event_once(through_pgbouncer, monkeypatch):
    monkeypatch.setattr("integration.webhooks.RELAY_BATCH", 5)  # several batches, taken in turns
    government = OrganisationFactory(name="Police", kind="government")
    police = member(government, "admin")
    WebhookSubscription.objects.create(organisation=government, url="http://127.0.0.1:9/hook",
                                       events=["referral.submitted"])
    api = client_for(police)
    for _ in range(30):
        assert api.post("/api/v1/referrals/", referral_payload(), format="json").status_code == 201
    assert OutboxEvent.objects.filter(relayed__isnull=True).count() == 30

    relayed: list[int] = []
    start = threading.Barrier(2)

    def relay():
        try:
            start.wait(timeout=10)
            for _ in range(500):  # each keeps trying until the outbox is empty
                count, _subscriptions = outbox_relay()
                relayed.append(count)
                if not OutboxEvent.objects.filter(relayed__isnull=True).exists():
                    return
                time.sleep(0.01)
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(relayed) == 30  # every event relayed by exactly one of them
    assert max(relayed) == 5
    assert not OutboxEvent.objects.filter(relayed__isnull=True).exists()
    assert WebhookDelivery.objects.count() == 30
    assert WebhookDelivery.objects.values("event").distinct().count() == 30
    # No advisory lock outlives its transaction on a pooled server connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        assert cursor.fetchone()[0] == 0
