"""The console in the reader's language, in a real browser (Debian's Chromium through Playwright):
a caseworker whose language is Khmer reads the inbox in Khmer, and the switcher on every page
changes the language without leaving the page. Run with `pytest -m browser`."""

import pytest
from django.utils import translation

from accounts.models import Profile
from accounts.services import profile_update
from referrals.models import Urgency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_language(language: str, text) -> str:
    with translation.override(language):
        return str(text)


def test_a_khmer_caseworker_reads_the_inbox_in_khmer(people, offered, signed_in):
    profile_update(user=people.ngo_caseworker, data={"language": "km"})
    page = signed_in(people.ngo_caseworker)  # the sign-in page is English: nobody is known yet

    assert page.locator("html").get_attribute("lang") == "km"
    assert page.locator("h1").inner_text() == in_language("km", translation.gettext_lazy("Inbox"))
    urgency = in_language("km", Urgency(offered.urgency).label)
    assert urgency != in_language("en", Urgency(offered.urgency).label)  # the catalogue has it
    assert urgency in page.locator("#offers").inner_text()
    # the switcher names every language in its own script
    assert page.locator("#language-switcher option[value='km']").inner_text() == "ភាសាខ្មែរ"


def test_switching_language_keeps_the_page_and_the_choice(people, offered, signed_in, live_server):
    page = signed_in(people.gov_caseworker)
    detail = f"{live_server.url}/app/referrals/{offered.pk}/"
    page.goto(detail)
    assert page.locator("html").get_attribute("lang") == "en"

    page.locator("#language-switcher").select_option("th")
    page.locator("form.language button[type=submit]").click()
    page.wait_for_load_state()

    assert page.url == detail  # the same page, now in Thai
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("#language-switcher").input_value() == "th"
    assert in_language("th", Urgency(offered.urgency).label) in page.locator("main").inner_text()
    # kept in the profile, so e-mails and the next session come in Thai too
    assert Profile.objects.get(user=people.gov_caseworker).language == "th"

    page.goto(f"{live_server.url}/app/referrals/")  # and it stays on other pages
    assert page.locator("html").get_attribute("lang") == "th"
