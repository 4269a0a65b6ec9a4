from django.db import migrations

from organisations.taxonomy import taxonomy_ensure


def add_services(apps, schema_editor):
    taxonomy_ensure(apps.get_model("organisations", "ServiceType"))


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(add_services, migrations.RunPython.noop)]
