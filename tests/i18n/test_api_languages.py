"""The API answers in the language of Accept-Language: problem titles, details and each field's
message, choice labels in the schema, and the directory's stored descriptions (with English where
a translation is missing). Codes and enum values stay English."""

import pytest
from django.utils import translation

from accounts.models import Profile
from api.i18n import activate_user_language, user_language
from organisations.models import ServiceType
from tests.conftest import client_for
from tests.helpers import assert_problem
from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import referral_payload

pytestmark = pytest.mark.django_db

REFERRALS = "/api/v1/referrals/"


@pytest.fixture
def caseworker(government):
    government.verified = True
    government.save()
    return member(government, "caseworker")


def bad_referral(client, language: str | None):
    """A submission with a location missing its longitude and an urgency that is no choice."""
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    body = referral_payload(location={"lat": 13.75}, urgency="whenever")
    return client.post(REFERRALS, body, format="json", **headers)


def messages_by_field(body) -> dict[str, str]:
    return {error["field"]: error["message"] for error in body["errors"]}


def test_a_400_in_thai(caseworker):
    response = bad_referral(client_for(caseworker), "th")
    body = assert_problem(response, 400, "location")
    assert response["Content-Language"] == "th"
    assert body["title"] == "คำขอไม่ถูกต้อง"
    assert body["detail"].startswith("ข้อมูลที่ป้อนไม่ถูกต้อง: ")
    assert "location" in body["detail"]  # field names are the API's, never translated
    messages = messages_by_field(body)
    assert messages["location"] == "ระบุทั้ง lat และ lon"
    assert messages["urgency"] == '"whenever" ไม่ใช่ตัวเลือกที่ถูกต้อง'


def test_a_400_in_vietnamese(caseworker):
    body = assert_problem(bad_referral(client_for(caseworker), "vi"), 400, "urgency")
    assert body["title"] == "Yêu cầu không hợp lệ"
    assert body["detail"].startswith("Dữ liệu nhập không hợp lệ: ")
    messages = messages_by_field(body)
    assert messages["location"] == "Hãy cung cấp cả lat và lon."
    assert messages["urgency"] == '"whenever" không phải là lựa chọn hợp lệ.'


@pytest.mark.parametrize("language", ["km", "my", "lo", "fil", "ms", "id", "zh-hans"])
def test_a_400_in_the_other_languages_is_not_english(caseworker, language):
    english = assert_problem(bad_referral(client_for(caseworker), None), 400)
    body = assert_problem(bad_referral(client_for(caseworker), language), 400)
    assert body["title"] != english["title"]
    assert body["detail"] != english["detail"]
    assert messages_by_field(body)["location"] != messages_by_field(english)["location"]
    assert [e["code"] for e in body["errors"]] == [e["code"] for e in english["errors"]]


@pytest.mark.parametrize("header", [None, "xx-YY", "de", "tlh;q=1.0", "*"])
def test_an_unknown_language_falls_back_to_english(caseworker, header):
    body = assert_problem(bad_referral(client_for(caseworker), header), 400)
    assert body["title"] == "Bad Request"
    assert body["detail"] == "Invalid input: location, urgency."
    assert messages_by_field(body)["location"] == "Give both lat and lon."


def test_the_preferred_language_of_several_is_used(caseworker):
    body = assert_problem(bad_referral(client_for(caseworker), "de;q=0.9, km;q=0.8, en;q=0.1"), 400)
    assert body["title"] == "សំណើមិនត្រឹមត្រូវ"


def test_unauthenticated_and_not_found_are_translated(api):
    body = assert_problem(api.get(REFERRALS, HTTP_ACCEPT_LANGUAGE="th"), 401)
    assert body["title"] == "ไม่ได้รับอนุญาต"
    assert body["detail"] == "ไม่ได้ส่งข้อมูลประจำตัวสำหรับการยืนยันตัวตน"
    body = assert_problem(api.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans"), 404)
    assert body["title"] == "未找到"
    assert body["detail"] == "未找到。"


def test_a_refused_action_names_its_reason_in_the_callers_language(ngo):
    viewer = member(ngo, "viewer")
    response = client_for(viewer).post(REFERRALS, referral_payload(), format="json", HTTP_ACCEPT_LANGUAGE="vi")
    body = assert_problem(response, 403)
    assert body["title"] == "Bị cấm"
    assert "chỉ quản trị viên và cán bộ quản lý ca" in body["detail"].lower()


def test_choice_labels_are_translated_in_the_schema_and_values_stay_codes(api):
    thai = api.get("/api/v1/schema/?format=json", HTTP_ACCEPT_LANGUAGE="th").json()
    english = api.get("/api/v1/schema/?format=json").json()
    for name in ("ReferralStatusEnum", "UrgencyEnum", "ExploitationTypesEnum", "IndicatorsEnum", "TypeEnum"):
        th_enum, en_enum = thai["components"]["schemas"][name], english["components"]["schemas"][name]
        assert th_enum["enum"] == en_enum["enum"], name  # the values are codes, in every language
    urgency = thai["components"]["schemas"]["UrgencyEnum"]["description"]
    assert "`emergency` - ฉุกเฉิน" in urgency
    assert "`emergency` - Emergency" in english["components"]["schemas"]["UrgencyEnum"]["description"]


def test_choice_labels_follow_the_active_language():
    from referrals.models import ExploitationType, Indicator, OutcomeType, Status

    with translation.override("km"):
        assert str(Status.IN_PROGRESS.label) == "កំពុងដំណើរការ"
        assert str(ExploitationType.LABOUR.label) == "ពលកម្មដោយបង្ខំ"
        assert str(Indicator.DEBT_BONDAGE.label) == "ទាសភាពបំណុល"
        assert str(OutcomeType.LEGAL_AID.label) == "ជំនួយផ្លូវច្បាប់"
    assert str(Status.IN_PROGRESS.label) == "In progress"


def test_the_service_taxonomy_answers_in_the_callers_language(api, ngo):
    client = client_for(member(ngo, "viewer"))
    thai = {s["code"]: s for s in client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="th").json()["results"]}
    english = {s["code"]: s for s in client.get("/api/v1/services/").json()["results"]}
    assert thai["legal_aid"]["name"] == "ความช่วยเหลือทางกฎหมาย"
    assert english["legal_aid"]["name"] == "Legal aid"
    lao = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="lo").json()["results"]
    assert {s["code"]: s["name"] for s in lao}["shelter"] == "ທີ່ພັກອາໄສປອດໄພ"


def test_a_service_without_a_translation_falls_back_to_english(ngo):
    ServiceType.objects.create(code="hotline", name_en="Hotline", description_en="A 24-hour telephone line.")
    client = client_for(member(ngo, "viewer"))
    services = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="my").json()["results"]
    hotline = {s["code"]: s for s in services}["hotline"]
    assert hotline == {"code": "hotline", "name": "Hotline", "description": "A 24-hour telephone line."}


def test_organisation_descriptions_in_several_languages_with_english_fallback(ngo):
    ngo.description_en = "Shelters for women and children in Bangkok."
    ngo.description_th = "สถานพักพิงสำหรับผู้หญิงและเด็กในกรุงเทพฯ"
    ngo.save()
    client = client_for(member(ngo, "viewer"))
    url = f"/api/v1/organisations/{ngo.pk}/"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="th").json()["description"] == ngo.description_th
    assert client.get(url).json()["description"] == ngo.description_en
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="vi").json()["description"] == ngo.description_en


def test_writing_a_description_in_a_language_keeps_the_english_one(ngo):
    ngo.description_en = "Shelters for women and children."
    ngo.save()
    admin = member(ngo, "admin")
    url = f"/api/v1/organisations/{ngo.pk}/"
    response = client_for(admin).patch(url, {"description": "Nhà tạm lánh cho phụ nữ và trẻ em."}, format="json",
                                       HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200, response.content
    ngo.refresh_from_db()
    assert ngo.description_vi == "Nhà tạm lánh cho phụ nữ và trẻ em."
    assert ngo.description_en == "Shelters for women and children."


def test_the_users_language_tolerates_users_without_a_profile(ngo):
    user = member(ngo, "caseworker")
    assert user_language(user) is None  # no profile yet: the default language
    with translation.override("th"):
        assert activate_user_language(user) == "en"
    Profile.objects.create(user=user, language="km")
    assert user_language(type(user).objects.get(pk=user.pk)) == "km"
    Profile.objects.filter(user=user).update(language="klingon")  # a language the site dropped
    assert user_language(type(user).objects.get(pk=user.pk)) is None
    assert user_language(None) is None


def test_an_organisation_of_another_kind_reads_its_kind_codes_in_english(reference_data):
    """The kind is a code (the enum value), whatever the language."""
    organisation = OrganisationFactory(kind="international", country="TH")
    client = client_for(member(organisation, "viewer"))
    body = client.get(f"/api/v1/organisations/{organisation.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["kind"] == "international"
