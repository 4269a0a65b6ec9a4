"""The service taxonomy the network starts with; platform administrators extend it."""

SERVICES = [
    ("shelter", "Safe accommodation", "Emergency or longer-term safe shelter."),
    ("medical", "Medical care", "Physical and sexual health care."),
    ("psychosocial", "Psychosocial support", "Counselling, trauma care and mental health support."),
    ("legal_aid", "Legal aid", "Legal advice and representation, including immigration status."),
    ("interpretation", "Interpretation", "Interpreters and translation."),
    ("repatriation", "Repatriation or return", "Safe and voluntary return to the country of origin."),
    ("reintegration", "Reintegration and livelihood", "Education, training, work and income support."),
    ("compensation_support", "Compensation support", "Help claiming compensation or unpaid wages."),
    ("witness_support", "Witness support", "Support and protection while taking part in proceedings."),
    ("family_tracing", "Family tracing", "Tracing and reuniting family members."),
]


def taxonomy_ensure(service_type_model) -> None:
    """Create or refresh the starting services (used by the data migration and by tests that
    flush the database)."""
    for code, name, description in SERVICES:
        service_type_model.objects.update_or_create(
            code=code, defaults={"name": name, "description": description}
        )
