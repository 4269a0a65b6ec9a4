"""The grant table's own indexes on the group and on the permission go: both the unique (group,
permission, referral) index and the newest-first one lead with the group.

Only the indexes are dropped. Django's AlterField would also drop and re-add both foreign keys,
and re-adding one checks every grant row under a lock: at 10M referrals, 94M rows."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("referrals_referralgroupobjectpermission_group_id_f4a032e1", "group_id"),
    ("referrals_referralgroupobjectpermission_permission_id_ef378bf7", "permission_id"),
)


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("referrals", "0014_partition_audit_trail_and_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" '
                                f'ON "referrals_referralgroupobjectpermission" ("{column}")',
                )
                for name, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="referralgroupobjectpermission",
                    name="group",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            to="auth.group"),
                ),
                migrations.AlterField(
                    model_name="referralgroupobjectpermission",
                    name="permission",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            to="auth.permission"),
                ),
            ],
        ),
    ]
