"""Webhook subscriptions and deliveries move here from the api app without touching their rows:
Django's state takes over the existing api_* tables (api 0005 dropped them from its state), then
the tables are renamed to integration_*."""

import django.contrib.postgres.fields
import django.db.models.deletion
import uuid
from django.db import migrations, models

import integration.models

EVENT_CHOICES = [
    ('referral.submitted', 'Submitted'), ('referral.offered', 'Offered'), ('referral.accepted', 'Accepted'),
    ('referral.declined', 'Declined'), ('referral.withdrawn', 'Withdrawn'),
    ('referral.outcome_recorded', 'Outcome Recorded'), ('referral.closed', 'Closed'),
    ('offer.expired', 'Offer Expired'),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('api', '0005_webhooks_move_to_integration'),
        ('organisations', '0002_service_taxonomy'),
        ('referrals', '0002_outboxevent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WebhookSubscription',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('url', models.URLField(max_length=500)),
                        ('events', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=EVENT_CHOICES, max_length=32), size=20)),
                        ('secret', models.CharField(default=integration.models.new_signing_secret, max_length=100)),
                        ('active', models.BooleanField(default=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhooks', to='organisations.organisation')),
                    ],
                    options={
                        'ordering': ['created', 'id'],
                        'db_table': 'api_webhooksubscription',
                    },
                ),
                migrations.CreateModel(
                    name='WebhookDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('body', models.JSONField()),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'failed (retries exhausted)'), ('cancelled', 'cancelled (the organisation can no longer see the referral)')], default='pending', max_length=10)),
                        ('attempts', models.JSONField(default=list, help_text='[{at, status_code, error, duration_ms}]')),
                        ('next_attempt', models.DateTimeField(blank=True, null=True)),
                        ('created', models.DateTimeField(auto_now_add=True)),
                        ('delivered', models.DateTimeField(blank=True, null=True)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='referrals.outboxevent')),
                        ('subscription', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='integration.webhooksubscription')),
                    ],
                    options={
                        'ordering': ['event_id', 'id'],
                        'db_table': 'api_webhookdelivery',
                        'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['subscription', 'event'], name='delivery_pending_idx')],
                        'constraints': [models.UniqueConstraint(fields=('subscription', 'event'), name='one_delivery_per_event')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='webhooksubscription', table=None),
        migrations.AlterModelTable(name='webhookdelivery', table=None),
    ]
