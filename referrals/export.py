"""The data-sharing export: one row per referral, only fields safe to share, named as the Counter
Trafficking Data Collaborative (CTDC) global dataset's codebook names them where it has the field,
so that a country can contribute the file as it is.

Every released column is a quasi-identifier: a reader who knows one detail of a person (the outcome
recorded, an unusual need) must not be able to find that person's row. So the classes of rows
alike in *every* column (multi-valued columns as their sorted, ';'-joined value) must all hold at
least k rows. Rows in smaller classes are generalised, one step at a time and only those rows,
least useful detail first: needs withheld, outcomes withheld, forms of exploitation reduced to the
CTDC flags, ages to minor/adult, citizenship withheld, the flags withheld, gender withheld. Rows
still in a class below k are left out (suppressed), and the answer says how many."""

from collections import Counter
from dataclasses import dataclass

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
# A withheld list (needs, outcomes, forms of exploitation): distinct from "" (none recorded). A
# withheld 0/1 flag is null in JSON and empty in CSV.
WITHHELD = "*"
MULTI_VALUED = ("typeOfExploitConcatenated", "needs", "outcomes")

COLUMNS = [
    ("yearOfRegistration", "Year the referral was registered."),
    ("Datasource", "Always 'Case Management': referrals of identified people (CTDC term)."),
    ("gender", "Female, Male or Transgender/NonConforming; empty when unknown or withheld."),
    ("ageBroad", "CTDC age band (0--8 ... 48+), or 0--17 / 18+ where generalised; empty when unknown."),
    ("majorityStatus", "Minor or Adult; empty when unknown."),
    ("citizenship", "ISO 3166-1 alpha-2; empty when unknown or withheld."),
    ("CountryOfExploitation", "ISO 3166-1 alpha-2 of the place of identification; empty when unknown."),
    *[(flag, f"1 when the forms of exploitation include {', '.join(sorted(kinds))}, else 0; null (CSV: empty) "
             "when withheld.")
      for flag, kinds in EXPLOITATION_FLAGS.items()],
    ("isSexAndLabour", "1 when both sexual and labour exploitation, else 0; null (CSV: empty) when withheld."),
    (TYPE_OF_LABOUR_DOMESTIC, "1 when domestic servitude, else 0; null (CSV: empty) when withheld."),
    ("typeOfExploitConcatenated", f"The forms of exploitation, ';'-separated (this API's codes); '{WITHHELD}' "
                                  "when withheld."),
    ("needs", f"Services needed, ';'-separated (this API's taxonomy codes; not a CTDC field); '{WITHHELD}' when "
              "withheld."),
    ("outcomes", f"Outcome types recorded, ';'-separated (this API's codes; not a CTDC field); empty when none; "
                 f"'{WITHHELD}' when withheld."),
]
FIELDNAMES = [name for name, _ in COLUMNS]
# Every released column is a quasi-identifier: the classes are formed over all of them.
QUASI_IDENTIFIERS = FIELDNAMES


@dataclass(frozen=True)
class Release:
    rows: list[dict]
    suppressed: int  # referrals left out because no generalisation put them in a class of k


def _row(referral: Referral) -> dict:
    kinds = set(referral.exploitation_types)
    age = CTDC_AGE.get(referral.age_band, "")
    return {
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
        "needs": ";".join(sorted(set(referral.needs))),
        "outcomes": ";".join(sorted({o.type for o in referral.outcomes.all()} & set(OutcomeType.values))),
    }


def _withhold(*names: str, value=""):
    def step(row: dict) -> None:
        for name in names:
            row[name] = value
    return step


def _generalise_age(row: dict) -> None:
    if row["ageBroad"]:
        row["ageBroad"] = "0--17" if row["majorityStatus"] == "Minor" else "18+"


def _exploitation_to_flags(row: dict) -> None:
    row["typeOfExploitConcatenated"] = WITHHELD
    row["isSexAndLabour"] = row[TYPE_OF_LABOUR_DOMESTIC] = None


# Least useful detail first. The forms of exploitation go in two steps: first to the CTDC flags
# (the finer isSexAndLabour and typeOfLabourDomesticWork go with the list they are read from),
# then the flags as well. Year and country of exploitation are never generalised (the period
# filter is by whole years; the country is what a national contribution is about), and minors are
# never merged with adults.
GENERALISATION_STEPS = [
    _withhold("needs", value=WITHHELD),
    _withhold("outcomes", value=WITHHELD),
    _exploitation_to_flags,
    _generalise_age,
    _withhold("citizenship"),
    _withhold(*EXPLOITATION_FLAGS, value=None),
    _withhold("gender"),
]


def class_key(row: dict) -> tuple:
    """The row's equivalence class: its values in every released column (lists canonical)."""
    return tuple(
        ";".join(sorted(str(row[name]).split(";"))) if name in MULTI_VALUED else row[name]
        for name in QUASI_IDENTIFIERS
    )


def k_anonymise(rows: list[dict], k: int) -> Release:
    """Generalise the rows in classes smaller than k, step by step; leave out what is still too
    small. Generalising only moves rows out of small classes, so no class of k ever shrinks."""
    for step in GENERALISATION_STEPS:
        sizes = Counter(map(class_key, rows))
        small = [row for row in rows if sizes[class_key(row)] < k]
        if not small:
            break
        for row in small:
            step(row)
    sizes = Counter(map(class_key, rows))
    kept = [row for row in rows if sizes[class_key(row)] >= k]
    return Release(rows=kept, suppressed=len(rows) - len(kept))


def export_release(referrals, *, k: int | None = None) -> Release:
    k = settings.STATS_MIN_CELL if k is None else k
    queryset = referrals.select_related("area").defer("area__geometry").prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.only("referral_id", "type"))
    ).order_by("created", "id")
    release = k_anonymise([_row(referral) for referral in queryset.iterator(chunk_size=2000)], k)
    release.rows.sort(key=lambda row: [str(row[name]) for name in FIELDNAMES])  # no order that hints at time
    return release


def export_rows(referrals, *, k: int | None = None) -> list[dict]:
    return export_release(referrals, k=k).rows
