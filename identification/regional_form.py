"""The regional screening form, version 1: the ILO's eleven indicators of forced labour as the
means (and signs of the purpose) of the Palermo Protocol's definition, with questions on the act.
The wording is this project's own. Used by the data migration that seeds it, and by tests.

The texts are stored in English and marked for the catalogues (gettext_noop), so the API answers
them in the caller's language (identification.api.serializers: CatalogueTextField)."""

from django.utils.translation import gettext_noop

REGIONAL_CODE = "regional"
REGIONAL_TITLE = gettext_noop("Regional screening for indicators of trafficking in persons")

# (code, element, strength, indicator, text)
QUESTIONS = (
    ("act_recruited", "act", "strong", "",
     gettext_noop("Was the person recruited, or offered work or marriage, by someone who arranged what followed?")),
    ("act_transported", "act", "strong", "",
     gettext_noop("Was the person moved or transported, within the country or across a border, by others?")),
    ("act_transferred", "act", "strong", "",
     gettext_noop("Was the person handed over or sold from one person or employer to another?")),
    ("act_harboured", "act", "strong", "",
     gettext_noop("Was the person kept or accommodated by those who controlled their work?")),
    ("act_received", "act", "strong", "",
     gettext_noop("Was the person received on arrival by someone connected to those who moved them?")),
    ("abuse_of_vulnerability", "means", "medium", "abuse_of_vulnerability",
     gettext_noop("Did someone take advantage of the person's situation (irregular status, poverty, age, "
     "disability, dependency) to make them work or stay?")),
    ("deception", "means", "strong", "deception",
     gettext_noop("Was the person lied to about the job, the pay, the conditions or the place of work?")),
    ("restriction_of_movement", "means", "strong", "restriction_of_movement",
     gettext_noop("Was the person locked in, watched, or otherwise prevented from leaving freely?")),
    ("isolation", "means", "medium", "isolation",
     gettext_noop("Was the person cut off from family, the community or help, for instance kept in a remote place "
     "or without a way to communicate?")),
    ("physical_sexual_violence", "means", "strong", "physical_sexual_violence",
     gettext_noop("Was the person hit, injured, sexually abused or forced to take drugs or alcohol?")),
    ("intimidation_threats", "means", "strong", "intimidation_threats",
     gettext_noop("Was the person threatened (with violence, denunciation to the authorities, harm to family)?")),
    ("retention_of_identity_documents", "means", "medium", "retention_of_identity_documents",
     gettext_noop("Did someone else keep the person's passport or identity papers against their will?")),
    ("withholding_of_wages", "means", "medium", "withholding_of_wages",
     gettext_noop("Were wages held back, delayed or never paid, so that leaving meant losing them?")),
    ("debt_bondage", "means", "strong", "debt_bondage",
     gettext_noop("Did the person owe a debt (recruitment fees, travel, lodging) that grew or could never be "
                  "paid off?")),
    ("abusive_working_and_living_conditions", "purpose", "medium", "abusive_working_and_living_conditions",
     gettext_noop("Were the working or living conditions degrading, dangerous or far below what was agreed?")),
    ("excessive_overtime", "purpose", "medium", "excessive_overtime",
     gettext_noop("Was the person made to work far longer hours or days than the law or the agreement allow?")),
    ("purpose_exploitation", "purpose", "strong", "",
     gettext_noop("Was the person made to work, provide sexual services, marry, beg, commit crimes or give an organ "
     "for the benefit of others?")),
)
