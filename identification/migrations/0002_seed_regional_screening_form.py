"""Seed the regional screening form, version 1, published (identification.regional_form)."""

from django.db import migrations


def seed(apps, schema_editor):
    from identification.services import regional_form_seed

    regional_form_seed(apps.get_model("identification", "ScreeningForm"),
                       apps.get_model("identification", "ScreeningQuestion"))


class Migration(migrations.Migration):
    dependencies = [("identification", "0001_screening_and_identification")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
