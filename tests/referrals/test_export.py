"""The data-sharing export (GET /api/v1/stats/export/): one row per referral, CTDC codebook names,
generalised until every combination of quasi-identifiers occurs at least k times."""

import csv
import io
import json
import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import Point

from geo.models import AdministrativeArea
from organisations.models import Organisation
from referrals.export import EXPLOITATION_FLAGS, FIELDNAMES, WITHHELD, Release, k_anonymise
from referrals.models import Offer, Outcome, Referral
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member, staff_user

from .factories import submit
from .seed import seed_referrals

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/export/"
K = 11
CTDC_COLUMNS = [
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "citizenship",
    "CountryOfExploitation", "isForcedLabour", "isSexualExploit", "isForcedMarriage", "isOrganRemoval",
    "isOtherExploit", "isSexAndLabour", "typeOfLabourDomesticWork", "typeOfExploitConcatenated",
]
CTDC_AGES = {"0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+"}
GENERALISED_AGES = {"0--17", "18+"}
MINOR_AGES = {"0--8", "9--17", "0--17"}
GENDERS = {"Female", "Male", "Transgender/NonConforming", ""}
FLAG_KINDS = {
    "isForcedLabour": {"labour", "domestic_servitude"},
    "isSexualExploit": {"sexual"},
    "isForcedMarriage": {"forced_marriage"},
    "isOrganRemoval": {"organ_removal"},
    "isOtherExploit": {"forced_criminality", "begging", "other"},
}


def analyst_user(django_user_model, username="analyst"):
    analysts, _ = Group.objects.get_or_create(name="platform analysts")
    analysts.permissions.add(Permission.objects.get(codename="view_all_statistics"))
    user = django_user_model.objects.create_user(username, password="x")
    user.groups.add(analysts)
    return user


@pytest.fixture
def seeded(reference_data, django_user_model):
    agency = OrganisationFactory(kind="government", name="Seeding Agency")
    ngo = OrganisationFactory(name="Seeded NGO")
    seed_referrals(agency, 600, accepted_by=ngo)
    other = OrganisationFactory(kind="government", name="Other Agency")
    seed_referrals(other, 150, seed=11)
    return {"agency": agency, "ngo": ngo, "other": other, "analyst": analyst_user(django_user_model),
            "agency_user": member(agency, "viewer"), "ngo_user": member(ngo, "caseworker")}


NEEDS = ["shelter", "medical", "psychosocial", "legal_aid", "interpretation", "repatriation"]
LISTS = {"typeOfExploitConcatenated", "needs", "outcomes"}


def canonical(name: str, value) -> str:
    """A released value as the reader of the file sees it: text, lists in sorted order (null and
    the empty CSV cell are the same)."""
    text = "" if value is None else str(value)
    return ";".join(sorted(text.split(";"))) if name in LISTS else text


def all_column_classes(rows, columns=None) -> Counter:
    """The equivalence classes of released rows over every column of the file."""
    columns = columns or FIELDNAMES
    return Counter(tuple(canonical(name, row[name]) for name in columns) for row in rows)


classes = all_column_classes


def export_json(user, **params) -> dict:
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def export_csv(user, **params) -> tuple[list[str], list[dict], str]:
    response = client_for(user).get(URL, {**params, "format": "csv"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return reader.fieldnames, rows, text


def clones(organisation, count: int, *, nationality: str = "MM", accepted_by=None, country: str = "TH"):
    """`count` referrals alike in every quasi-identifier, so that none of them is suppressed."""
    area = AdministrativeArea.objects.get(level=0, code=country)
    return Referral.objects.bulk_create([
        Referral(
            submitting_organisation=organisation, subject_hash=f"{i:064x}", age_band="21-23", gender="female",
            nationality=nationality, languages=[], exploitation_types=["labour"], needs=["shelter"],
            urgency="routine", area=area, location=Point(100.5, 13.7, srid=4326), consent_basis="informed_consent",
            notes="Cloned for the export.", status="accepted" if accepted_by else "submitted", accepted_by=accepted_by,
        )
        for i in range(count)
    ])


# --- k_anonymise, by hand -----------------------------------------------------------------------


def qi(age="18--20", citizenship="MM", gender="Female", year=2024, country="TH", kinds=("labour",),
       needs="shelter", outcomes="", **extra) -> dict:
    """A full export row, its derived columns consistent with the rest."""
    kinds = set(kinds)
    return {
        "yearOfRegistration": year, "Datasource": "Case Management", "gender": gender, "ageBroad": age,
        "majorityStatus": "" if not age else ("Minor" if age in MINOR_AGES else "Adult"),
        "citizenship": citizenship, "CountryOfExploitation": country,
        **{flag: int(bool(kinds & flagged)) for flag, flagged in FLAG_KINDS.items()},
        "isSexAndLabour": int({"sexual", "labour"} <= kinds),
        "typeOfLabourDomesticWork": int("domestic_servitude" in kinds),
        "typeOfExploitConcatenated": ";".join(sorted(kinds)), "needs": needs, "outcomes": outcomes, **extra,
    }


def qis(rows) -> list[tuple]:
    return sorted(tuple(str(row[name]) for name in FIELDNAMES) for row in rows)


def anonymised(rows, k):
    release = k_anonymise(rows, k)
    assert release.suppressed == len(rows) - len(release.rows)
    return release.rows


def test_classes_of_at_least_k_are_left_as_they_are():
    rows = [qi() for _ in range(3)] + [qi(age="48+", citizenship="KH", gender="Male") for _ in range(3)]
    expected = qis(rows)
    release = k_anonymise(rows, 3)
    assert qis(release.rows) == expected
    assert release.suppressed == 0


def test_needs_are_withheld_first():
    rows = [qi(needs="shelter"), qi(needs="medical;shelter"), qi(needs="legal_aid")]
    result = anonymised(rows, 3)
    assert [r["needs"] for r in result] == [WITHHELD] * 3
    assert qis(result) == qis([qi(needs=WITHHELD)] * 3)  # nothing else given up


def test_then_outcomes_are_withheld():
    rows = [qi(needs="shelter", outcomes=""), qi(needs="medical", outcomes="repatriation"),
            qi(needs="shelter", outcomes="legal_aid;medical_care")]
    result = anonymised(rows, 3)
    assert qis(result) == qis([qi(needs=WITHHELD, outcomes=WITHHELD)] * 3)


def test_then_forms_of_exploitation_become_the_ctdc_flags():
    rows = [qi(kinds=["labour"]), qi(kinds=["domestic_servitude"]), qi(kinds=["labour", "domestic_servitude"])]
    result = anonymised(rows, 3)
    assert len(result) == 3
    for row in result:
        assert (row["typeOfExploitConcatenated"], row["isSexAndLabour"], row["typeOfLabourDomesticWork"]) == (
            WITHHELD, None, None)
        assert (row["isForcedLabour"], row["isSexualExploit"]) == (1, 0)
        assert (row["ageBroad"], row["citizenship"], row["gender"]) == ("18--20", "MM", "Female")


def test_then_ages_become_minor_or_adult():
    rows = [qi(age="18--20"), qi(age="18--20"), qi(age="30--38"),
            qi(age="0--8"), qi(age="9--17"), qi(age="9--17")]
    result = anonymised(rows, 3)
    assert len(result) == 6
    assert Counter(row["ageBroad"] for row in result) == {"18+": 3, "0--17": 3}
    assert Counter(row["majorityStatus"] for row in result) == {"Adult": 3, "Minor": 3}
    # Generalising the age was enough: citizenship, gender and the flags are kept.
    assert {row["citizenship"] for row in result} == {"MM"}
    assert {row["gender"] for row in result} == {"Female"}
    assert {row["isForcedLabour"] for row in result} == {1}


def test_then_citizenship_then_the_flags_then_gender_are_withheld():
    rows = [qi(age="18--20", citizenship="MM"), qi(age="21--23", citizenship="KH"), qi(age="48+", citizenship="LA")]
    assert [(r["ageBroad"], r["citizenship"], r["gender"], r["isForcedLabour"]) for r in anonymised(rows, 3)] == [
        ("18+", "", "Female", 1)] * 3
    rows = [qi(citizenship="MM", kinds=["labour"]), qi(citizenship="KH", kinds=["sexual"]),
            qi(citizenship="LA", kinds=["begging"])]
    result = anonymised(rows, 3)
    assert [(r["citizenship"], r["gender"]) for r in result] == [("", "Female")] * 3
    assert {r[flag] for r in result for flag in FLAG_KINDS} == {None}
    rows = [qi(gender="Female", kinds=["labour"]), qi(gender="Male", kinds=["sexual"]),
            qi(gender="Transgender/NonConforming", kinds=["begging"])]
    assert [(r["gender"], r["citizenship"]) for r in anonymised(rows, 3)] == [("", "")] * 3


def test_rows_still_in_a_class_below_k_are_dropped_and_counted():
    # Year and country of exploitation are never generalised: two in TH, one in MY stay apart.
    rows = [qi(country="TH"), qi(country="TH", age="21--23"), qi(country="MY")]
    assert k_anonymise(rows, 3) == Release(rows=[], suppressed=3)
    # Minors and adults are never merged either.
    rows = [qi(age="9--17"), qi(age="0--8"), qi(age="18--20")]
    assert k_anonymise(rows, 3) == Release(rows=[], suppressed=3)


def test_a_unique_outcome_in_a_big_class_does_not_single_its_row_out():
    """The finding: alike in the old quasi-identifiers (a class of 145), one row had an outcome
    nobody else had, and whoever knew that outcome found the row."""
    rows = [qi() for _ in range(144)] + [qi(outcomes="witness_participation")]
    release = k_anonymise(rows, 11)
    assert not any("witness_participation" in str(row["outcomes"]) for row in release.rows)
    assert min(all_column_classes(release.rows).values()) >= 11
    assert release.suppressed == 1


def test_only_the_small_classes_are_generalised():
    big = [qi(age="18--20", marker="big") for _ in range(3)]
    small = [qi(age="21--23", needs="medical", marker="small"), qi(age="24--26", marker="small"),
             qi(age="27--29", marker="small")]
    result = anonymised(big + small, 3)
    assert sorted((r["marker"], r["ageBroad"], r["needs"]) for r in result) == (
        [("big", "18--20", "shelter")] * 3 + [("small", "18+", WITHHELD)] * 3
    )


def test_an_unknown_age_stays_unknown():
    rows = [qi(age="", citizenship="MM"), qi(age="", citizenship="KH")]
    result = anonymised(rows, 2)
    assert [(r["ageBroad"], r["majorityStatus"], r["citizenship"]) for r in result] == [("", "", "")] * 2


def test_every_class_of_random_rows_over_every_column_reaches_k_and_nothing_is_invented():
    rng = random.Random(3)
    ages = [*sorted(CTDC_AGES), ""]
    kinds = ["labour", "sexual", "domestic_servitude", "begging", "organ_removal"]
    rows = [
        qi(age=rng.choice(ages), citizenship=rng.choice(["MM", "KH", "LA", "VN", ""]),
           gender=rng.choice(["Female", "Male", ""]), year=rng.choice([2023, 2024]), country=rng.choice(["TH", "MY"]),
           kinds=rng.sample(kinds, rng.randint(1, 2)), needs=";".join(sorted(rng.sample(NEEDS, rng.randint(1, 3)))),
           outcomes=rng.choice(["", "legal_aid", "medical_care", "repatriation;safe_accommodation"]))
        for _ in range(800)
    ]
    originals = Counter((r["yearOfRegistration"], r["CountryOfExploitation"]) for r in rows)
    release = k_anonymise([dict(r) for r in rows], K)
    assert release.rows, "some rows should survive with 800 rows in 4 (year, country) classes"
    assert len(release.rows) + release.suppressed == 800
    assert min(all_column_classes(release.rows).values()) >= K
    published = Counter((r["yearOfRegistration"], r["CountryOfExploitation"]) for r in release.rows)
    assert all(published[key] <= originals[key] for key in published)


# --- the endpoint, with realistic data ------------------------------------------------------------


def test_json_export_has_the_ctdc_columns_and_is_k_anonymous(seeded):
    body = export_json(seeded["analyst"])
    assert body["k"] == K
    assert body["columns"] == FIELDNAMES
    assert body["columns"][:len(CTDC_COLUMNS)] == CTDC_COLUMNS
    rows = body["rows"]
    assert len(rows) > 300, "most of 750 realistic referrals should survive generalisation"
    assert len(rows) + body["suppressed"] == Referral.objects.count()
    assert body["suppressed"] > 0
    assert all(list(row) == body["columns"] for row in rows)
    sizes = classes(rows)
    assert min(sizes.values()) >= K, [c for c, n in sizes.items() if n < K]


def test_csv_export_is_the_same_table_and_k_anonymous(seeded):
    body = export_json(seeded["analyst"])
    response = client_for(seeded["analyst"]).get(URL, {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="referrals-ctdc.csv"'
    assert response["X-Suppressed-Rows"] == str(body["suppressed"])
    header, rows, _ = export_csv(seeded["analyst"])
    assert header == body["columns"]
    assert len(rows) == len(body["rows"]) > 0
    assert min(all_column_classes(rows, header).values()) >= K
    as_text = [{name: "" if value is None else str(value) for name, value in row.items()} for row in body["rows"]]
    assert rows == as_text


def test_no_free_text_ids_or_case_hashes_in_the_output(seeded):
    json_text = client_for(seeded["analyst"]).get(URL).content.decode()
    _, _, csv_text = export_csv(seeded["analyst"])
    referrals = list(Referral.objects.values_list("id", "subject_hash", "notes"))
    assert {notes for _, _, notes in referrals} == {"Seeded for statistics."}
    organisation_ids = [str(pk) for pk in Organisation.objects.values_list("pk", flat=True)]
    for text in (json_text, csv_text):
        assert "Seeded for statistics" not in text
        for pk, subject_hash, _ in referrals:
            assert str(pk) not in text
            assert pk.hex not in text
            assert subject_hash not in text
            assert subject_hash[:16] not in text
        assert not any(pk in text for pk in organisation_ids)
    # No id column of any kind: the only columns are the documented ones.
    assert not {"id", "referral", "referral_id", "subject_key", "subject_hash", "notes"} & set(FIELDNAMES)
    assert Outcome.objects.exists()


def test_values_follow_the_codebook_and_flags_match_the_forms_of_exploitation(seeded):
    rows = export_json(seeded["analyst"])["rows"]
    for row in rows:
        assert row["Datasource"] == "Case Management"
        assert isinstance(row["yearOfRegistration"], int)
        assert row["gender"] in GENDERS
        assert row["ageBroad"] in CTDC_AGES | GENERALISED_AGES | {""}
        expected_majority = "" if not row["ageBroad"] else ("Minor" if row["ageBroad"] in MINOR_AGES else "Adult")
        assert row["majorityStatus"] == expected_majority
        assert row["citizenship"] == "" or len(row["citizenship"]) == 2
        assert row["CountryOfExploitation"] in {"TH", "MY", "ID"}
        if row["typeOfExploitConcatenated"] == WITHHELD:  # generalised: the flags alone, or nothing
            assert (row["isSexAndLabour"], row["typeOfLabourDomesticWork"]) == (None, None)
            flags = {row[flag] for flag in FLAG_KINDS}
            assert flags <= {0, 1} or flags == {None}, row
            continue
        kinds = set(row["typeOfExploitConcatenated"].split(";"))
        assert "" not in kinds
        for flag, flagged in FLAG_KINDS.items():
            assert row[flag] == int(bool(kinds & flagged)), (flag, row)
        assert row["isSexAndLabour"] == int({"sexual", "labour"} <= kinds)
        assert row["typeOfLabourDomesticWork"] == int("domestic_servitude" in kinds)
    assert set(FLAG_KINDS) == set(EXPLOITATION_FLAGS)
    # The realistic distribution exercises every kind of value somewhere.
    assert {row["gender"] for row in rows} >= {"Female", "Male"}
    assert any(row["ageBroad"] in GENERALISED_AGES for row in rows) or any(row["citizenship"] == "" for row in rows)
    assert any(row["isForcedLabour"] == 1 for row in rows)


def test_published_rows_never_exceed_the_referrals_behind_them(seeded):
    rows = export_json(seeded["analyst"])["rows"]
    in_database = Counter(
        (created.year, country) for created, country in Referral.objects.values_list("created", "area__country")
    )
    published = Counter((row["yearOfRegistration"], row["CountryOfExploitation"]) for row in rows)
    assert published
    assert all(published[key] <= in_database[key] for key in published)
    needs = Counter(row["needs"] for row in rows)
    assert all(all(need for need in value.split(";")) for value in needs)


def test_a_unique_outcome_that_sat_in_a_big_class_is_not_released(seeded):
    """The finding, as it was attacked: in the old check (year, country, gender, age, citizenship)
    the row sat in a big class, but its outcome was one of a kind, so whoever knew that outcome
    (a caseworker, the person's lawyer) found the row and read the rest of it. The classes are
    recomputed from the released files over every column."""
    alike = clones(seeded["agency"], 40, accepted_by=seeded["ngo"])
    target = alike[0]
    Outcome.objects.create(referral=target, organisation=seeded["ngo"], date=target.created.date(),
                           type="witness_participation")  # nobody else's
    target.refresh_from_db()
    old_quasi_identifiers = Counter(
        (r.created.year, r.area.country, r.gender, r.age_band, r.nationality)
        for r in Referral.objects.select_related("area").defer("area__geometry")
    )
    assert old_quasi_identifiers[
        (target.created.year, "TH", target.gender, target.age_band, target.nationality)] >= 40

    body = export_json(seeded["analyst"])
    response = client_for(seeded["analyst"]).get(URL, {"format": "csv"})
    header, csv_rows, csv_text = export_csv(seeded["analyst"])

    assert "witness_participation" not in csv_text
    assert "witness_participation" not in json.dumps(body)
    for released, columns in ((body["rows"], body["columns"]), (csv_rows, header)):
        assert columns == FIELDNAMES
        sizes = all_column_classes(released, columns)
        assert min(sizes.values()) >= K, [c for c, n in sizes.items() if n < K]
    assert len(body["rows"]) + body["suppressed"] == Referral.objects.count()
    assert int(response["X-Suppressed-Rows"]) == body["suppressed"]


def test_a_class_alike_in_every_column_is_released_whole(reference_data):
    agency = OrganisationFactory(kind="government", name="Agency E")
    alike = clones(agency, K)
    (odd,) = clones(agency, 1)
    year = datetime.now(UTC).year
    Referral.objects.update(created=datetime(year, 1, 2, tzinfo=UTC))
    Outcome.objects.create(referral=odd, organisation=agency, date=datetime(year, 1, 2, tzinfo=UTC).date(),
                           type="repatriation")
    body = export_json(staff_user())
    assert len(body["rows"]) == len(alike)
    assert body["suppressed"] == 1
    assert {row["outcomes"] for row in body["rows"]} == {""}
    assert {row["needs"] for row in body["rows"]} == {"shelter"}  # nothing generalised in a class of k


def test_a_tiny_dataset_yields_no_rows(cast):
    for _ in range(5):
        submit(cast.submitter_caseworker)
    body = export_json(cast.submitter_viewer)
    assert body["k"] == K
    assert body["rows"] == []
    assert body["suppressed"] == 5
    header, rows, text = export_csv(cast.submitter_viewer)
    assert header == FIELDNAMES
    assert rows == []
    assert text.strip() == ",".join(FIELDNAMES)


def test_k_follows_the_setting(cast, settings):
    settings.STATS_MIN_CELL = 5
    for _ in range(5):
        submit(cast.submitter_caseworker, notes="Five of a kind.")
    body = export_json(cast.submitter_viewer)
    assert body["k"] == 5
    assert len(body["rows"]) == 5
    assert "Five of a kind" not in str(body)


# --- scope and access ------------------------------------------------------------------------------


@pytest.fixture
def scoped(reference_data, django_user_model):
    agency = OrganisationFactory(kind="government", name="Agency A")
    other_agency = OrganisationFactory(kind="government", name="Agency B")
    ngo = OrganisationFactory(name="NGO N")
    clones(agency, 12, nationality="MM", accepted_by=ngo)
    offered_only = clones(other_agency, 12, nationality="KH")
    Offer.objects.bulk_create([Offer(referral=r, organisation=ngo) for r in offered_only])  # offered, not accepted
    clones(ngo, 12, nationality="VN")
    return {"agency": member(agency, "viewer"), "other_agency": member(other_agency, "caseworker"),
            "ngo": member(ngo, "admin")}


def frozen(row: dict) -> tuple:
    return tuple(sorted(row.items()))


def citizenships(body) -> Counter:
    return Counter(row["citizenship"] for row in body["rows"])


def test_an_organisation_exports_what_it_submitted_or_accepted(scoped):
    assert citizenships(export_json(scoped["agency"])) == {"MM": 12}
    assert citizenships(export_json(scoped["other_agency"])) == {"KH": 12}
    # The NGO accepted the agency's referrals and submitted its own; the offers it only holds are not its.
    assert citizenships(export_json(scoped["ngo"])) == {"MM": 12, "VN": 12}
    _, rows, _ = export_csv(scoped["ngo"])
    assert Counter(row["citizenship"] for row in rows) == {"MM": 12, "VN": 12}


def test_analysts_and_platform_admins_export_everything(scoped, django_user_model):
    everything = {"MM": 12, "KH": 12, "VN": 12}
    assert citizenships(export_json(analyst_user(django_user_model))) == everything
    assert citizenships(export_json(staff_user())) == everything
    # The permission held directly, not through a group, counts as well.
    direct = django_user_model.objects.create_user("direct-analyst", password="x")
    direct.user_permissions.add(Permission.objects.get(codename="view_all_statistics"))
    assert citizenships(export_json(direct)) == everything


def test_the_period_filter(scoped):
    analyst = staff_user()
    assert export_json(analyst, **{"from": "2100-01-01T00:00:00Z"})["rows"] == []
    assert export_json(analyst, to="2000-01-01T00:00:00Z")["rows"] == []
    assert len(export_json(analyst, **{"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"})["rows"]) == 36


def test_people_without_an_organisation_are_refused(scoped, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert_problem(client_for(nobody).get(URL), 403)
    assert client_for(nobody).get(URL, {"format": "csv"}).status_code == 403


def test_anonymous_is_refused(scoped, api):
    assert_problem(api.get(URL), 401)
    assert api.get(URL, {"format": "csv"}).status_code == 401


def test_two_periods_cannot_be_subtracted_to_isolate_one_referral(reference_data):
    agency = OrganisationFactory(kind="government", name="Agency D")
    alike = clones(agency, 12)
    (odd,) = clones(agency, 1)
    Referral.objects.filter(pk=odd.pk).update(exploitation_types=["organ_removal"], needs=["medical"])
    year = datetime.now(UTC).year
    Referral.objects.filter(pk__in=[r.pk for r in alike]).update(created=datetime(year, 1, 2, tzinfo=UTC))
    Referral.objects.filter(pk=odd.pk).update(created=datetime(year, 1, 3, tzinfo=UTC))
    analyst = staff_user()

    everything = export_json(analyst)["rows"]
    # Alike in the profile, the odd one differs in its forms of exploitation and needs: it would be
    # a class of its own, so it is left out, and the other twelve are published as they are.
    assert len(everything) == 12
    assert {row["typeOfExploitConcatenated"] for row in everything} == {"labour"}
    response = client_for(analyst).get(URL, {"to": datetime(year, 1, 3, tzinfo=UTC).isoformat()})

    if response.status_code == 200:
        difference = Counter(map(frozen, everything)) - Counter(map(frozen, response.json()["rows"]))
        assert sum(difference.values()) != 1, "the difference of two exports is a single referral"
    else:
        assert response.status_code == 400


@pytest.mark.parametrize("params", [
    {"from": "yesterday"}, {"to": "not-a-date"},
    {"from": "2025-01-02T00:00:00Z", "to": "2025-01-01T00:00:00Z"},
])
def test_bad_periods_are_refused(scoped, params):
    analyst = staff_user()
    body = assert_problem(client_for(analyst).get(URL, params), 400)
    assert body["status"] == 400
    assert client_for(analyst).get(URL, {**params, "format": "csv"}).status_code == 400
