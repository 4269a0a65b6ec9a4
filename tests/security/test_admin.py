"""The Django admin, attacked by a superuser (issue 11, finding 4): it was a back door around every
rule the API keeps. A superuser must not find another organisation's shelter in it (in any
projection, at any precision, nor by filtering for it), must not get into the police agency's
role group through any form of it (and so read its referrals through the API), and must not read
a referral's content on any page reachable from its index. The free text people write into is
screened on the model fields, so any form the admin would build for them refuses personal data.
"""

import html
import re
import uuid
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from knox.models import AuthToken
from rest_framework.test import APIClient

from organisations.admin_auth import ACCESS_FIELDS
from organisations.models import Membership, Organisation, RoleGroup
from referrals.models import Offer, Outcome, Referral
from referrals.screening import KINDS
from tests.helpers import assert_problem
from tests.network import SHELTER_EXACT, build_network
from tests.organisations.factories import PASSWORD
from tests.referrals.factories import referral_payload

from .route_matrix.admin import exact_place_texts

pytestmark = pytest.mark.django_db
User = get_user_model()

MARKER = f"quokka-{uuid.uuid4().hex[:12]}"  # a note nobody else writes: found anywhere, it leaked


@pytest.fixture
def network(reference_data):
    return build_network()


@pytest.fixture
def root(network):
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


@pytest.fixture
def browser(root):
    client = Client()
    client.force_login(root)
    return client


def police_role_group(network, role="caseworker") -> Group:
    return RoleGroup.objects.get(organisation=network.government, role=role).group


# --- the shelter's place -------------------------------------------------------------------------

def leaked_place(response) -> list[str]:
    text = response.content.decode(errors="replace")
    return sorted(t for t in exact_place_texts() if t in text)


def test_the_place_texts_would_find_the_point_if_it_were_there():
    lon, lat = SHELTER_EXACT
    metres = Point(lon, lat, srid=4326).transform(3857, clone=True)
    texts = exact_place_texts()
    assert {"13.72481", "100.5314", "13.725", f"{int(metres.x)}", f"{int(metres.y)}"} <= texts
    widget = f'{{"type": "Point", "coordinates": [{metres.x!r}, {metres.y!r}]}}'  # what the map widget holds
    assert any(text in widget for text in texts)
    assert not any(text in "13.7, 100.5" for text in texts)


def test_a_superuser_does_not_see_another_organisations_shelter(network, root, browser):
    shelter = network.shelter
    assert root.is_superuser
    assert root.is_staff
    # a change recorded for it before: the history shows that it changed, never to what
    LogEntry.objects.log_actions(user_id=root.pk, queryset=[shelter], action_flag=CHANGE,
                                 change_message=[{"changed": {"fields": ["location"]}}], single_object=True)
    base = f"/admin/organisations/facility/{shelter.pk}"
    pages = {
        "list": "/admin/organisations/facility/",
        "list of shelters": "/admin/organisations/facility/?kind__exact=shelter",
        "search": "/admin/organisations/facility/?q=Confidential+shelter",
        "change": f"{base}/change/",
        "history": f"{base}/history/",
        "organisation": f"/admin/organisations/organisation/{network.offered.pk}/change/",
        "coverage": f"/admin/organisations/coveragearea/{network.coverage.pk}/change/",
    }
    for name, url in pages.items():
        response = browser.get(url)
        assert response.status_code == 200, (name, response.status_code)
        assert not leaked_place(response), (name, leaked_place(response))
    change = browser.get(pages["change"]).content.decode()
    assert shelter.name in change
    assert "13.7, 100.5" in change  # the grid point, as the API shows it
    assert 'name="location"' not in change
    assert "olwidget" not in change.lower()
    assert "openlayers" not in change.lower()
    # nothing to write, nothing to delete, nothing to add
    assert browser.post(pages["change"], {"name": "Moved", "location": "POINT (100.6 13.8)"}).status_code == 403
    assert browser.get(f"{base}/delete/").status_code == 403
    assert browser.get("/admin/organisations/facility/add/").status_code == 403
    shelter.refresh_from_db()
    assert shelter.name == "Confidential shelter"


@pytest.mark.parametrize("lookup", [
    "location__within=POLYGON((100.53 13.72, 100.54 13.72, 100.54 13.73, 100.53 13.73, 100.53 13.72))",
    "location__dwithin=POINT(100.53147 13.72481)",
    "location__isnull=False",
    "area__exact=1",
    "area__geometry__contains=POINT(100.53147 13.72481)",
])
def test_the_facility_list_cannot_be_filtered_by_place(network, browser, lookup):
    """A filter on the place is a search for it: a small square that keeps the shelter in the list
    says it is inside. Refused (400), whatever the square."""
    response = browser.get(f"/admin/organisations/facility/?{lookup}")
    assert response.status_code == 400
    assert network.shelter.name not in response.content.decode()


def test_the_shelters_own_organisation_sees_it_exactly(network):
    """The admin asks the one rule (facility_location_shown with exact_locations_for): the shelter's
    own caseworker, were they staff, would see its place; everyone else the grid point."""
    caseworker = network.offered_caseworker
    caseworker.is_staff = True
    caseworker.save()
    caseworker.user_permissions.add(Permission.objects.get(codename="view_facility"))
    client = Client()
    client.force_login(caseworker)
    response = client.get(f"/admin/organisations/facility/{network.shelter.pk}/change/")
    assert response.status_code == 200
    assert "13.72481, 100.53147" in response.content.decode()


# --- the police agency's role groups --------------------------------------------------------------

def police_referrals_seen_by(user) -> list:
    token = AuthToken.objects.create(user=user)[1]
    client = APIClient()
    response = client.get("/api/v1/referrals/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, response.content
    return [item for item in response.json()["results"]
            if item["submitting_organisation"]["name"] == "Anti-Trafficking Police"]


def test_a_superuser_cannot_join_a_police_role_group(network, root, browser):
    group = police_role_group(network)
    caseworker = network.submitter_caseworker
    everything = list(Permission.objects.values_list("pk", flat=True))

    # the group's own form: read-only (and the permissions a role holds are object permissions)
    response = browser.get(f"/admin/auth/group/{group.pk}/change/")
    assert response.status_code == 200
    assert 'name="permissions"' not in response.content.decode()
    assert browser.post(f"/admin/auth/group/{group.pk}/change/",
                        {"name": group.name, "permissions": everything}).status_code == 403
    assert browser.get(f"/admin/auth/group/{group.pk}/delete/").status_code == 403
    # ... nor deleted with others from the list
    response = browser.post("/admin/auth/group/", {"action": "delete_selected", "_selected_action": [group.pk],
                                                   "post": "yes"})
    assert Group.objects.filter(pk=group.pk).exists()

    # its own account: groups, single permissions and the superuser flag are read-only
    form = browser.get(f"/admin/auth/user/{root.pk}/change/").content.decode()
    for name in ACCESS_FIELDS:
        assert f'name="{name}"' not in form, name
    response = browser.post(f"/admin/auth/user/{root.pk}/change/", {
        "username": root.username, "email": root.email, "is_active": "on", "is_staff": "on",
        "groups": [group.pk], "user_permissions": everything, "is_superuser": "",
    })
    assert response.status_code == 302, response.content[:2000]
    root.refresh_from_db()
    assert list(root.groups.all()) == []
    assert list(root.user_permissions.all()) == []
    assert root.is_superuser

    # a police caseworker's account: not changed, no password set, not deleted, no token minted
    assert browser.post(f"/admin/auth/user/{caseworker.pk}/change/", {
        "username": caseworker.username, "is_active": "on", "groups": [group.pk]}).status_code == 403
    assert browser.post(f"/admin/auth/user/{caseworker.pk}/password/", {
        "password1": "an-unusual-passphrase-42", "password2": "an-unusual-passphrase-42"}).status_code == 403
    assert browser.get(f"/admin/auth/user/{caseworker.pk}/delete/").status_code == 403
    assert browser.post("/admin/knox/authtoken/add/", {"user": caseworker.pk}).status_code == 403
    caseworker.refresh_from_db()
    assert caseworker.check_password(PASSWORD)
    assert not AuthToken.objects.filter(user=caseworker).exists()

    # a membership of the police agency
    for url in ("/admin/organisations/membership/add/",
                f"/admin/organisations/membership/{caseworker.membership.pk}/change/"):
        response = browser.post(url, {"user": root.pk, "organisation": network.government.pk, "role": "caseworker"})
        assert response.status_code == 403, url
    assert not Membership.objects.filter(user=root).exists()
    assert Membership.objects.get(user=caseworker).role == "caseworker"

    # and so the API shows it none of the police agency's referrals
    assert Referral.objects.filter(submitting_organisation=network.government).exists()
    assert police_referrals_seen_by(root) == []


def test_the_attack_would_show_if_it_worked(network, root):
    """The last check of the attack is not vacuous: in the group, the superuser reads them."""
    root.groups.add(police_role_group(network))
    assert police_referrals_seen_by(root)


def test_other_groups_and_accounts_are_kept_as_usual(network, root, browser):
    """Groups that are no organisation's role and accounts of nobody's members stay editable."""
    analysts = Group.objects.create(name="Network analysts")
    response = browser.post(f"/admin/auth/group/{analysts.pk}/change/", {"name": "Platform analysts"})
    assert response.status_code == 302
    analysts.refresh_from_db()
    assert analysts.name == "Platform analysts"
    staff = network.platform_admin
    response = browser.post(f"/admin/auth/user/{staff.pk}/change/", {
        "username": staff.username, "email": "operations@example.org", "is_active": "on", "is_staff": "on"})
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.email == "operations@example.org"
    assert browser.get(f"/admin/auth/user/{staff.pk}/delete/").status_code == 403  # deactivated, never deleted


def test_an_organisation_added_in_the_admin_gets_its_role_groups(network, browser):
    response = browser.post("/admin/organisations/organisation/add/", {
        "name": "Onboarded in the admin", "kind": "ngo", "country": "TH", "description": "", "website": ""})
    assert response.status_code == 302, response.content[:2000]
    roles = RoleGroup.objects.filter(organisation__name="Onboarded in the admin").values_list("role", flat=True)
    assert sorted(roles) == ["admin", "caseworker", "viewer"]
    assert browser.get(f"/admin/organisations/organisation/{network.government.pk}/delete/").status_code == 403


# --- referral content, anywhere in the admin ------------------------------------------------------

def _mark_every_free_text(network) -> None:
    """Free text with the marker in every referral, offer and outcome (written past the services:
    whatever was stored, the admin must not show it)."""
    Referral.objects.update(notes=f"notes {MARKER}", close_reason=f"closed {MARKER}")
    Offer.objects.update(reason=f"declined {MARKER}")
    Outcome.objects.update(note=f"outcome {MARKER}")


def _links(url: str, page: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)', page):
        target = urljoin(url, html.unescape(href))
        parts = urlsplit(target)
        if parts.path.startswith("/admin/") and not parts.path.startswith("/admin/logout/"):
            found.add(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    return found


def crawl(client, start: str = "/admin/", limit: int = 3000):
    """Every admin page reachable from the index by links, as the client. Links with a query
    (filters, sorting, pages) are followed from pages without one, so the crawl ends."""
    seen, queue = {start}, [start]
    while queue:
        url = queue.pop()
        response = client.get(url)
        yield url, response
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in _links(url, response.content.decode(errors="replace")):
            if link not in seen and ("?" not in link or "?" not in url):
                seen.add(link)
                queue.append(link)
        assert len(seen) < limit, "the crawl does not end"


def test_no_admin_page_shows_referral_content(network, browser):
    _mark_every_free_text(network)
    # a text the admin does show (an organisation's description): the crawl must come across it
    control = f"control-{uuid.uuid4().hex[:12]}"
    Organisation.objects.filter(pk=network.offered.pk).update(description=control)
    control_seen = False
    hashes = [r.subject_hash for r in Referral.objects.all() if r.subject_hash]
    referral_ids = [str(pk) for pk in Referral.objects.values_list("pk", flat=True)]
    assert not any(model._meta.app_label == "referrals" for model in admin.site._registry)
    visited, problems = [], []
    for url, response in crawl(browser):
        visited.append(url)
        text = response.content.decode(errors="replace")
        control_seen = control_seen or control in text
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        if MARKER in text:
            problems.append(f"{url}: a referral's free text")
        problems += [f"{url}: a subject hash" for h in hashes if h in text]
        problems += [f"{url}: a referral's id" for pk in referral_ids if pk in text]
        problems += [f"{url}: the shelter's place ({t})" for t in leaked_place(response)]
    assert not problems, "\n".join(problems)
    # the crawl went everywhere: every registered model's list, the shelter, the police group
    for model in admin.site._registry:
        assert f"/admin/{model._meta.app_label}/{model._meta.model_name}/" in visited, model
    assert f"/admin/organisations/facility/{network.shelter.pk}/change/" in visited
    assert f"/admin/auth/group/{police_role_group(network).pk}/history/" in visited
    assert len(visited) > 200
    assert control_seen, "the crawl never reached a change form's content"
    for url in ("/admin/referrals/", "/admin/referrals/referral/", f"/admin/referrals/referral/{referral_ids[0]}/"):
        assert browser.get(url, follow=True).status_code == 404, url
    shortcut = f"/admin/r/{ContentType.objects.get_for_model(Referral).pk}/{referral_ids[0]}/"
    assert browser.get(shortcut).status_code == 404


# --- the free text people write, on every path -----------------------------------------------------

PHONE = "Her brother can be reached on 081 234 5678."


def _instances(network):
    referral = network.referrals["closed"]
    return [
        (referral, "notes"), (referral, "close_reason"),
        (referral.offers.first(), "reason"), (referral.outcomes.first(), "note"),
    ]


def test_the_model_fields_refuse_personal_data(network):
    """The validator is on the field: full_clean, which every ModelForm runs, refuses it, naming
    the kind and not the text."""
    for instance, field in _instances(network):
        setattr(instance, field, PHONE)
        with pytest.raises(ValidationError) as raised:
            instance.full_clean()
        errors = raised.value.error_dict
        assert list(errors) == [field], (field, errors)
        assert [e.code for e in errors[field]] == ["personal_data"]
        message = " ".join(raised.value.message_dict[field])
        assert str(KINDS["phone"]) in message
        assert "5678" not in message
        setattr(instance, field, "Two women aged 18-20, arrived after 3 days on the road.")
        instance.full_clean()


def test_an_admin_form_for_them_would_refuse_it(network, root):
    """No referral model has an admin; were one registered, its form (what ModelAdmin builds)
    refuses personal data through the same validator."""
    request = RequestFactory().get("/admin/")
    request.user = root
    for instance, field in _instances(network):
        model_admin = admin.ModelAdmin(type(instance), admin.site)
        form_class = model_admin.get_form(request, instance, fields=[field])
        form = form_class(data={field: PHONE}, instance=instance)
        assert not form.is_valid()
        assert list(form.errors) == [field]
        assert str(KINDS["phone"]) in form.errors[field][0]


def test_the_api_refuses_as_before_once_per_field(network):
    """The services screen before the model does: one entry for the field, the kind named, the
    text not repeated."""
    submitter = APIClient()
    submitter.force_authenticate(network.submitter_caseworker)
    offered = APIClient()
    offered.force_authenticate(network.offered_caseworker)
    referral = network.referrals["offered"]
    for client, url, body, field in (
        (submitter, "/api/v1/referrals/", referral_payload(notes=PHONE), "notes"),
        (offered, f"/api/v1/referrals/{referral.pk}/decline/", {"reason": PHONE}, "reason"),
    ):
        response = client.post(url, body, format="json")
        body = assert_problem(response, 400, field)
        assert [e["field"] for e in body["errors"]] == [field]
        assert str(KINDS["phone"]) in body["errors"][0]["message"]
        assert "5678" not in response.content.decode()
