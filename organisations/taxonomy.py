"""The service taxonomy the network starts with; platform administrators extend it. Names and
descriptions are stored in every language of settings.LANGUAGES (organisations.translation),
taken from the gettext catalogues when the starting services are created or refreshed."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop as _

SERVICES = [
    ("shelter", _("Safe accommodation"), _("Emergency or longer-term safe shelter.")),
    ("medical", _("Medical care"), _("Physical and sexual health care.")),
    ("psychosocial", _("Psychosocial support"), _("Counselling, trauma care and mental health support.")),
    ("legal_aid", _("Legal aid"), _("Legal advice and representation, including immigration status.")),
    ("interpretation", _("Interpretation"), _("Interpreters and translation.")),
    ("repatriation", _("Repatriation or return"), _("Safe and voluntary return to the country of origin.")),
    ("reintegration", _("Reintegration and livelihood"), _("Education, training, work and income support.")),
    ("compensation_support", _("Compensation support"), _("Help claiming compensation or unpaid wages.")),
    ("witness_support", _("Witness support"), _("Support and protection while taking part in proceedings.")),
    ("family_tracing", _("Family tracing"), _("Tracing and reuniting family members.")),
]


def _column(language: str, field: str) -> str:
    # modeltranslation's column names: "zh-hans" -> "zh_hans", and "id" (Indonesian) -> "ind".
    code = "ind" if language == "id" else language.replace("-", "_")
    return f"{field}_{code}"


def taxonomy_ensure(service_type_model) -> None:
    """Create or refresh the starting services (used by the data migrations and by tests that
    flush the database). Models without the per-language columns (an early migration's state)
    get English only."""
    columns = {field.name for field in service_type_model._meta.get_fields()}
    for code, name, description in SERVICES:
        defaults = {"name": name, "description": description}
        for language, _label in settings.LANGUAGES:
            if _column(language, "name") not in columns:
                continue
            with translation.override(language):
                defaults[_column(language, "name")] = translation.gettext(name)
                defaults[_column(language, "description")] = translation.gettext(description)
        service_type_model.objects.update_or_create(code=code, defaults=defaults)
