"""Idempotency records are kept per scope (a UUID the view names) instead of per organisation, so
the HTTP toolkit refers to no domain model. The organisation ids become the scopes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0003_idempotency_path'),
    ]

    operations = [
        migrations.AddField(
            model_name='idempotencyrecord',
            name='scope',
            field=models.UUIDField(null=True, help_text="Whose key this is (the view's idempotency_scope: an organisation)."),
        ),
        migrations.RunSQL(
            "UPDATE api_idempotencyrecord SET scope = organisation_id",
            reverse_sql="UPDATE api_idempotencyrecord SET organisation_id = scope",
        ),
        migrations.RemoveConstraint(
            model_name='idempotencyrecord',
            name='one_record_per_key',
        ),
        migrations.RemoveField(
            model_name='idempotencyrecord',
            name='organisation',
        ),
        migrations.AlterField(
            model_name='idempotencyrecord',
            name='scope',
            field=models.UUIDField(help_text="Whose key this is (the view's idempotency_scope: an organisation)."),
        ),
        migrations.AddConstraint(
            model_name='idempotencyrecord',
            constraint=models.UniqueConstraint(fields=('scope', 'key'), name='one_record_per_key'),
        ),
    ]
