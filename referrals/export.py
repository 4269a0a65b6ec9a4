"""The data-sharing export: one row per referral, only fields safe to share, named as the Counter
Trafficking Data Collaborative (CTDC) global dataset's codebook names them where it has the field,
so that a country can contribute the file as it is.

Quasi-identifiers (year, country of exploitation, gender, age, citizenship) are generalised until
every combination in the file occurs at least k times: first ages to minor/adult, then citizenship
withheld, then gender withheld; rows still in a class below k are left out."""

from collections import Counter

from django.conf import settings
from django.db.models import Prefetch

from .models import AgeBand, ExploitationType, Outcome, OutcomeType, ProfileGender, Referral

CTDC_AGE = {band.value: band.value.replace("-", "--") for band in AgeBand if band != AgeBand.UNKNOWN}
CTDC_GENDER = {ProfileGender.FEMALE: "Female", ProfileGender.MALE: "Male",
               ProfileGender.TRANSGENDER: "Transgender/NonConforming"}
MINOR_BANDS = {"0--8", "9--17"}
EXPLOITATION_FLAGS = {
    "isForcedLabour": {ExploitationType.LABOUR, ExploitationType.DOMESTIC_SERVITUDE},
    "isSexualExploit": {ExploitationType.SEXUAL},
    "isForcedMarriage": {ExploitationType.FORCED_MARRIAGE},
    "isOrganRemoval": {ExploitationType.ORGAN_REMOVAL},
    "isOtherExploit": {ExploitationType.FORCED_CRIMINALITY, ExploitationType.BEGGING, ExploitationType.OTHER},
}
TYPE_OF_LABOUR_DOMESTIC = "typeOfLabourDomesticWork"
QUASI_IDENTIFIERS = ["yearOfRegistration", "CountryOfExploitation", "gender", "ageBroad", "citizenship"]

COLUMNS = [
    ("yearOfRegistration", "Year the referral was registered."),
    ("Datasource", "Always 'Case Management': referrals of identified people (CTDC term)."),
    ("gender", "Female, Male or Transgender/NonConforming; empty when unknown or withheld."),
    ("ageBroad", "CTDC age band (0--8 ... 48+), or 0--17 / 18+ where generalised; empty when unknown."),
    ("majorityStatus", "Minor or Adult; empty when unknown."),
    ("citizenship", "ISO 3166-1 alpha-2; empty when unknown or withheld."),
    ("CountryOfExploitation", "ISO 3166-1 alpha-2 of the place of identification; empty when unknown."),
    *[(flag, f"1 when the forms of exploitation include {', '.join(sorted(kinds))}, else 0.")
      for flag, kinds in EXPLOITATION_FLAGS.items()],
    ("isSexAndLabour", "1 when both sexual and labour exploitation, else 0."),
    (TYPE_OF_LABOUR_DOMESTIC, "1 when domestic servitude, else 0."),
    ("typeOfExploitConcatenated", "The forms of exploitation, ';'-separated (this API's codes)."),
    ("needs", "Services needed, ';'-separated (this API's taxonomy codes; not a CTDC field)."),
    ("outcomes", "Outcome types recorded, ';'-separated (this API's codes; not a CTDC field)."),
]
FIELDNAMES = [name for name, _ in COLUMNS]


def _row(referral: Referral) -> dict:
    kinds = set(referral.exploitation_types)
    age = CTDC_AGE.get(referral.age_band, "")
    row = {
        "yearOfRegistration": referral.created.year,
        "Datasource": "Case Management",
        "gender": CTDC_GENDER.get(referral.gender, ""),
        "ageBroad": age,
        "majorityStatus": "" if not age else ("Minor" if age in MINOR_BANDS else "Adult"),
        "citizenship": referral.nationality or "",
        "CountryOfExploitation": referral.area.country if referral.area_id else "",
        **{flag: int(bool(kinds & flagged)) for flag, flagged in EXPLOITATION_FLAGS.items()},
        "isSexAndLabour": int(ExploitationType.SEXUAL in kinds and ExploitationType.LABOUR in kinds),
        TYPE_OF_LABOUR_DOMESTIC: int(ExploitationType.DOMESTIC_SERVITUDE in kinds),
        "typeOfExploitConcatenated": ";".join(sorted(kinds)),
        "needs": ";".join(sorted(referral.needs)),
        "outcomes": ";".join(sorted({o.type for o in referral.outcomes.all()} & set(OutcomeType.values))),
    }
    return row


def _generalise_age(row: dict) -> None:
    if row["ageBroad"]:
        row["ageBroad"] = "0--17" if row["ageBroad"] in MINOR_BANDS or row["ageBroad"] == "0--17" else "18+"


def _withhold(name: str):
    def step(row: dict) -> None:
        row[name] = ""
    return step


GENERALISATION_STEPS = [_generalise_age, _withhold("citizenship"), _withhold("gender")]


def k_anonymise(rows: list[dict], k: int) -> list[dict]:
    """Generalise rows in classes smaller than k, step by step; drop what is still too small."""

    def key(row):
        return tuple(row[name] for name in QUASI_IDENTIFIERS)

    for step in GENERALISATION_STEPS:
        sizes = Counter(key(row) for row in rows)
        small = [row for row in rows if sizes[key(row)] < k]
        if not small:
            break
        for row in small:
            step(row)
    sizes = Counter(key(row) for row in rows)
    return [row for row in rows if sizes[key(row)] >= k]


def export_rows(referrals, *, k: int | None = None) -> list[dict]:
    k = settings.STATS_MIN_CELL if k is None else k
    queryset = referrals.select_related("area").defer("area__geometry").prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.only("referral_id", "type"))
    ).order_by("created", "id")
    rows = [_row(referral) for referral in queryset.iterator(chunk_size=2000)]
    anonymised = k_anonymise(rows, k)
    anonymised.sort(key=lambda row: [str(row[name]) for name in FIELDNAMES])  # no order that hints at time
    return anonymised
