"""The data-sharing export (GET /api/v1/stats/export/): one row per referral, CTDC codebook names,
generalised until every combination of quasi-identifiers occurs at least k times."""

import csv
import io
import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import Point

from geo.models import AdministrativeArea
from organisations.models import Organisation
from referrals.export import EXPLOITATION_FLAGS, FIELDNAMES, QUASI_IDENTIFIERS, k_anonymise
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


def classes(rows) -> Counter:
    return Counter(tuple(str(row[name]) for name in QUASI_IDENTIFIERS) for row in rows)


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


def qi(age="18--20", citizenship="MM", gender="Female", year=2024, country="TH", **extra) -> dict:
    return {"yearOfRegistration": year, "CountryOfExploitation": country, "gender": gender, "ageBroad": age,
            "citizenship": citizenship, **extra}


def qis(rows) -> list[tuple]:
    return sorted(tuple(str(row[name]) for name in QUASI_IDENTIFIERS) for row in rows)


def test_classes_of_at_least_k_are_left_as_they_are():
    rows = [qi() for _ in range(3)] + [qi(age="48+", citizenship="KH", gender="Male") for _ in range(3)]
    expected = qis(rows)
    assert qis(k_anonymise(rows, 3)) == expected


def test_ages_are_generalised_first_to_minor_or_adult():
    rows = [qi(age="18--20"), qi(age="18--20"), qi(age="30--38"),
            qi(age="0--8"), qi(age="9--17"), qi(age="9--17")]
    result = k_anonymise(rows, 3)
    assert len(result) == 6
    assert Counter(row["ageBroad"] for row in result) == {"18+": 3, "0--17": 3}
    # Generalising the age was enough: citizenship and gender are kept.
    assert {row["citizenship"] for row in result} == {"MM"}
    assert {row["gender"] for row in result} == {"Female"}


def test_then_citizenship_is_withheld():
    rows = [qi(age="18--20", citizenship="MM"), qi(age="21--23", citizenship="KH"), qi(age="48+", citizenship="LA")]
    result = k_anonymise(rows, 3)
    assert [(r["ageBroad"], r["citizenship"], r["gender"]) for r in result] == [("18+", "", "Female")] * 3


def test_then_gender_is_withheld():
    rows = [qi(age="18--20", citizenship="MM", gender="Female"), qi(age="24--26", citizenship="KH", gender="Male"),
            qi(age="39--47", citizenship="MM", gender="Transgender/NonConforming")]
    result = k_anonymise(rows, 3)
    assert [(r["ageBroad"], r["citizenship"], r["gender"]) for r in result] == [("18+", "", "")] * 3


def test_rows_still_in_a_class_below_k_are_dropped():
    # Year and country of exploitation are never generalised: two in TH, one in MY stay apart.
    rows = [qi(country="TH"), qi(country="TH", age="21--23"), qi(country="MY")]
    assert k_anonymise(rows, 3) == []
    # Minors and adults are never merged either.
    rows = [qi(age="9--17"), qi(age="0--8"), qi(age="18--20")]
    assert k_anonymise(rows, 3) == []


def test_only_the_small_classes_are_generalised():
    big = [qi(age="18--20", marker="big") for _ in range(3)]
    small = [qi(age="21--23", marker="small"), qi(age="24--26", marker="small"), qi(age="27--29", marker="small")]
    result = k_anonymise(big + small, 3)
    assert sorted((r["marker"], r["ageBroad"], r["citizenship"]) for r in result) == (
        [("big", "18--20", "MM")] * 3 + [("small", "18+", "MM")] * 3
    )


def test_an_unknown_age_stays_unknown():
    rows = [qi(age="", citizenship="MM"), qi(age="", citizenship="KH")]
    result = k_anonymise(rows, 2)
    assert [(r["ageBroad"], r["citizenship"]) for r in result] == [("", "")] * 2


def test_every_class_of_random_rows_reaches_k_and_nothing_is_invented():
    rng = random.Random(3)
    ages = [*sorted(CTDC_AGES), ""]
    rows = [
        qi(age=rng.choice(ages), citizenship=rng.choice(["MM", "KH", "LA", "VN", ""]),
           gender=rng.choice(["Female", "Male", ""]), year=rng.choice([2023, 2024]), country=rng.choice(["TH", "MY"]))
        for _ in range(800)
    ]
    originals = Counter((r["yearOfRegistration"], r["CountryOfExploitation"]) for r in rows)
    result = k_anonymise([dict(r) for r in rows], K)
    assert result, "some rows should survive with 800 rows in 4 (year, country) classes"
    assert min(classes(result).values()) >= K
    published = Counter((r["yearOfRegistration"], r["CountryOfExploitation"]) for r in result)
    assert all(published[key] <= originals[key] for key in published)


# --- the endpoint, with realistic data ------------------------------------------------------------


def test_json_export_has_the_ctdc_columns_and_is_k_anonymous(seeded):
    body = export_json(seeded["analyst"])
    assert body["k"] == K
    assert body["columns"] == FIELDNAMES
    assert body["columns"][:len(CTDC_COLUMNS)] == CTDC_COLUMNS
    rows = body["rows"]
    assert len(rows) > 300, "most of 750 realistic referrals should survive generalisation"
    assert len(rows) <= Referral.objects.count()
    assert all(list(row) == body["columns"] for row in rows)
    sizes = classes(rows)
    assert min(sizes.values()) >= K, [c for c, n in sizes.items() if n < K]


def test_csv_export_is_the_same_table_and_k_anonymous(seeded):
    body = export_json(seeded["analyst"])
    response = client_for(seeded["analyst"]).get(URL, {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="referrals-ctdc.csv"'
    header, rows, _ = export_csv(seeded["analyst"])
    assert header == body["columns"]
    assert len(rows) == len(body["rows"]) > 0
    assert min(classes(rows).values()) >= K
    as_text = [{name: str(value) for name, value in row.items()} for row in body["rows"]]
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
    assert any(row["isSexAndLabour"] for row in rows) or any(";" in row["typeOfExploitConcatenated"] for row in rows)


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


def test_a_tiny_dataset_yields_no_rows(cast):
    for _ in range(5):
        submit(cast.submitter_caseworker)
    body = export_json(cast.submitter_viewer)
    assert body["k"] == K
    assert body["rows"] == []
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
    assert len(everything) == 13  # one class of 13 >= k: all published, none singled out
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
