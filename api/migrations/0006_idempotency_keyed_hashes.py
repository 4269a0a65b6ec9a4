"""Stored idempotency records keep the request and the caller's key only as HMACs with a server
secret. Records already written are converted in place (the new request hash is the HMAC of the old
plain SHA-256, so it can be computed from what is stored), and the plain hashes and keys are gone.
The purposes must stay those of api.idempotency (FINGERPRINT_PURPOSE, KEY_PURPOSE)."""

from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def _keyed(purpose, value):
    return salted_hmac(purpose, value, secret=settings.IDEMPOTENCY_KEY_SECRET, algorithm="sha256").hexdigest()


def key_the_hashes(apps, schema_editor):
    IdempotencyRecord = apps.get_model("api", "IdempotencyRecord")
    for record in IdempotencyRecord.objects.only("id", "key", "request_hash").iterator():
        record.key = _keyed("api.idempotency.key", record.key)
        record.request_hash = _keyed("api.idempotency.request_hash", record.request_hash)
        record.save(update_fields=["key", "request_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0005_webhooks_move_to_integration'),
    ]

    operations = [
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='key',
            field=models.CharField(help_text="HMAC of the caller's Idempotency-Key (never the key).", max_length=255),
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='request_hash',
            field=models.CharField(
                help_text='HMAC of the request (server secret): the body cannot be recovered by guessing.',
                max_length=64,
            ),
        ),
        # Not reversible: the plain hashes are what this removes.
        migrations.RunPython(key_the_hashes, migrations.RunPython.noop),
    ]
