"""The browsable API as a new user meets it: /api/v1/ answers its root (a link to every
collection), unknown API URLs answer problem+json (never Django's HTML 404), the referral form is
pre-filled with writable fields only, and logging out works under the CSP (a POST form, no inline
handler)."""

import html
import json
import re

import pytest
from django.test import Client

from tests.referrals.factories import submit

pytestmark = pytest.mark.django_db

HTML = {"Accept": "text/html"}


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_the_api_root_links_to_every_collection(reference_data):
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    links = response.json()
    for name in ("organisations", "facilities", "coverage-areas", "services", "referrals", "webhooks",
                 "geo/areas", "stats/referrals", "schema", "docs"):
        assert name in links, name
    assert links["referrals"] == "http://testserver/api/v1/referrals/"
    assert Client().get("/api/v1/", headers=HTML)["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/v1/no-such-collection/", "/api/v1/referrals/not-a-uuid/", "/api/nothing/"])
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_unknown_api_urls_answer_problem_json(reference_data, government, members, url, accept):
    response = client_of(members(government)["caseworker"]).get(url, headers={"Accept": accept})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def _raw_form_content(page: str) -> dict:
    match = re.search(r'<textarea[^>]*name="_content"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert match, "no raw data form"
    return json.loads(html.unescape(match.group(1)))


def test_the_referral_form_is_pre_filled_with_writable_fields_only(government, members):
    caseworker = members(government)["caseworker"]
    referral = submit(caseworker)
    page = client_of(caseworker).get(f"/api/v1/referrals/{referral.pk}/", headers=HTML)
    assert page.status_code == 200
    content = _raw_form_content(page.content.decode())
    for read_only in ("id", "status", "offers", "submitting_organisation", "created", "subject_key"):
        assert read_only not in content, read_only
    assert "urgency" in content


def test_the_logout_is_a_post_form_without_inline_handlers(government, members):
    client = client_of(members(government)["caseworker"])
    page = client.get("/api/v1/organisations/", headers=HTML).content.decode()
    assert "onclick" not in page
    form = re.search(r'<form method="post" action="/api-auth/logout/\?next=[^"]*"[^>]*>(.*?)</form>', page, re.DOTALL)
    assert form, "no logout form"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert "Log out" in form.group(1)
    # and it logs out
    assert client.post("/api-auth/logout/").status_code in (200, 302)
    assert client.get("/api/v1/organisations/").status_code == 401


def test_every_script_of_the_browsable_api_is_a_file(government, members):
    page = client_of(members(government)["caseworker"]).get("/api/v1/organisations/", headers=HTML).content.decode()
    executable = [tag for tag in re.findall(r"<script[^>]*>", page) if "application/json" not in tag]
    assert executable
    assert all("src=" in tag for tag in executable)
