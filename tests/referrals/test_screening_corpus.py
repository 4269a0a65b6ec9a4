"""The screening pipeline over its corpus (referrals/screening/corpus/): every kind of personal data is
refused, harmless caseworker notes pass, and a long note screens quickly."""


import pytest
from django.core.exceptions import ValidationError

from referrals.screening import KINDS, PersonalDataFound, find_personal_data, no_personal_data, screen
from referrals.screening import report as corpus

PERSONAL = corpus.personal()
HARMLESS = corpus.harmless()


def test_the_corpus_is_large_and_covers_every_kind():
    assert len(PERSONAL) >= 500
    assert len(HARMLESS) >= 500
    assert {kind for kind, _ in PERSONAL} == set(KINDS)


def test_recall_is_complete_for_every_kind():
    missed = {}
    for kind, text in PERSONAL:
        if find_personal_data(text) is None:
            missed.setdefault(kind, []).append(text)
    assert missed == {}


def test_false_positives_stay_under_two_percent():
    refused = [text for text in HARMLESS if find_personal_data(text)]
    assert len(refused) / len(HARMLESS) < 0.02, refused


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # The cause named in the issue: dates were stripped before the phone check.
        ("08/12/34 56/78", "phone"),
        ("zero eight one two three four five six seven eight", "phone"),
        ("08 one 23 four 56 seven 8", "phone"),
        ("08l2345678", "phone"),
        ("081_234_5678", "phone"),
        ("081·234·5678", "phone"),
        ("812345678", "phone"),
        ("ศูนย์แปดหนึ่งสองสามสี่ห้าหกเจ็ดแปด", "phone"),
        ("๐๘๑๒๓๔๕๖๗๘", "phone"),
        ("name dot x at example dot com", "email"),
        ("x [at] example.org", "email"),
        ("x(at)example.org", "email"),
        ("x\uff20example.org", "email"),
        ("x @example.org", "email"),
        ("LINE id: noi_2001", "messaging_handle"),
        ("@somchai_99", "messaging_handle"),
        ("t.me/somchai99", "messaging_handle"),
        ("12/OuKaMa(N)123456", "national_id"),
        ("၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆", "national_id"),
        ("AB12345", "passport"),
        ("EP123456A", "passport"),
        ("\uff21\uff22\uff11\uff12\uff13\uff14\uff15\uff16\uff17", "passport"),
        ("12 Sukhumvit Road", "address"),
        ("her name is Malee", "name"),
        ("8FVC9G8F+6X", "location_code"),
        ("///index.home.raft", "location_code"),
        ("13°45.372'N 100°30.108'E", "coordinates"),
        ("13,7563 100,5018", "coordinates"),
        ("https://maps.app.goo.gl/abc123", "url"),
        ("GB82 WEST 1234 5698 7654 32", "bank_account"),
        ("B 1234 XYZ", "licence_plate"),
        ("born 12/03/2004", "date_of_birth"),
    ],
)
def test_examples_from_the_issue(text, kind):
    assert find_personal_data(text) == kind


@pytest.mark.parametrize(
    "text",
    ["on 2026-11-20 she arrived", "Paid 5000-6000 baht a month.", "Case under RA 9208 as amended by RA 10364.",
     "Section 6 of the Act B.E. 2551 (2008).", "Recruited through a Facebook group.", "Owed Rp 1.500.000."],
)
def test_dates_and_amounts_that_are_not_personal_data_pass(text):
    assert find_personal_data(text) is None


def test_the_refusal_names_the_kind_and_never_echoes_the_text():
    with pytest.raises(PersonalDataFound) as raised:
        screen("call 0812345678")
    assert raised.value.kind == "phone"
    assert str(raised.value) == "contains a phone number; remove personal data before submitting"
    assert "0812345678" not in str(raised.value)


def test_the_model_field_validator_refuses_with_the_code_personal_data():
    with pytest.raises(ValidationError) as raised:
        no_personal_data("her name is Malee")
    assert raised.value.code == "personal_data"
    assert raised.value.params == {"kind": "name"}
    assert "Malee" not in " ".join(raised.value.messages)
    assert no_personal_data("12 women aged 18-25") is None
