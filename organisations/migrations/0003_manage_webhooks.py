"""Webhooks get a capability of their own (manage_webhooks, admins only) instead of reusing
manage_members: every existing organisation's admin group is granted it here; new organisations
get it from organisations.permissions.ROLE_CAPABILITIES."""

from django.db import migrations

CODENAME = "manage_webhooks"


def grant_to_admin_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    RoleGroup = apps.get_model("organisations", "RoleGroup")
    GroupPermission = apps.get_model("organisations", "OrganisationGroupObjectPermission")
    content_type, _ = ContentType.objects.get_or_create(app_label="organisations", model="organisation")
    # Permissions are otherwise created after migrate (post_migrate): this one is needed now.
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME,
        defaults={"name": "Subscribe the organisation's systems to its events (webhooks)"},
    )
    for role_group in RoleGroup.objects.filter(role="admin").only("organisation_id", "group_id"):
        GroupPermission.objects.get_or_create(
            content_object_id=role_group.organisation_id, group_id=role_group.group_id, permission=permission
        )


def revoke(apps, schema_editor):
    GroupPermission = apps.get_model("organisations", "OrganisationGroupObjectPermission")
    GroupPermission.objects.filter(
        permission__codename=CODENAME, permission__content_type__app_label="organisations"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0002_service_taxonomy"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": ["name", "id"],
                "permissions": [
                    ("manage_members", "Add, change and remove the organisation's members"),
                    ("manage_directory", "Register the organisation's facilities and coverage"),
                    ("view_confidential_locations", "See the exact location of the organisation's shelters"),
                    ("act_for_organisation", "Submit and handle referrals in the organisation's name"),
                    ("manage_webhooks", "Subscribe the organisation's systems to its events (webhooks)"),
                ],
            },
        ),
        migrations.RunPython(grant_to_admin_groups, revoke, elidable=False),
    ]
