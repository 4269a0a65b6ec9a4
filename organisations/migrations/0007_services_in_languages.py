from django.db import migrations

from organisations.taxonomy import taxonomy_ensure


def fill_languages(apps, schema_editor):
    """English columns from the existing text; the starting services in every language."""
    organisation_model = apps.get_model("organisations", "Organisation")
    for organisation in organisation_model.objects.exclude(description=""):
        organisation_model.objects.filter(pk=organisation.pk).update(description_en=organisation.description)
    service_type_model = apps.get_model("organisations", "ServiceType")
    for service in service_type_model.objects.all():
        service_type_model.objects.filter(pk=service.pk).update(
            name_en=service.name, description_en=service.description
        )
    taxonomy_ensure(service_type_model)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0006_translatable_labels")]
    operations = [migrations.RunPython(fill_languages, migrations.RunPython.noop)]
