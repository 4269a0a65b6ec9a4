from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("referrals", "0004_alter_referral_options_referral_consent_withdrawn_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="referralgroupobjectpermission",
            name="referral_created",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE referrals_referralgroupobjectpermission g SET referral_created = r.created "
            "FROM referrals_referral r WHERE r.id = g.content_object_id",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="referralgroupobjectpermission",
            name="referral_created",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="referralgroupobjectpermission",
            index=models.Index(fields=["group", "permission", "-referral_created"], name="referral_grant_newest_idx"),
        ),
    ]
