"""Events written before notifications existed are taken in as they are: nobody is e-mailed
today about an offer made last year."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_notifications_and_preferences")]

    operations = [
        migrations.RunSQL(
            "INSERT INTO notifications_outboxintake (event_id, taken) "
            "SELECT id, now() FROM referrals_outboxevent ON CONFLICT DO NOTHING",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
