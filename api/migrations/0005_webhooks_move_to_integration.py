"""Webhook subscriptions and deliveries now belong to the integration app. Only Django's state
changes here: the tables stay, and integration's first migration takes them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0004_idempotency_scope'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='WebhookDelivery'),
                migrations.DeleteModel(name='WebhookSubscription'),
            ],
            database_operations=[],
        ),
    ]
