"""The requests of the route matrix: who calls (the World, over the seeded network), with which
ids, bodies and headers, each in a savepoint that is rolled back."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from geo.models import AdministrativeArea
from identification.services import regional_form_seed
from organisations.models import Membership
from referrals import services
from referrals.models import Referral
from tests.network import PUBLIC_WEBHOOK_URL, Network
from tests.organisations.factories import PASSWORD
from tests.referrals.factories import referral_payload

from . import console_account, console_admin
from .console import console_bodies
from .declarations import SUBMITTER, Cell

User = get_user_model()


@dataclass
class World:
    """The seeded network as the matrix's actors see it."""

    network: Network

    def user(self, actor: str):
        return None if actor == "anonymous" else getattr(self.network, actor)

    def organisation_of(self, actor: str):
        """The actor's organisation; None for callers who belong to none."""
        membership = Membership.objects.filter(user=self.user(actor)).select_related("organisation").first()
        return membership.organisation if membership else None

    @cached_property
    def area(self):
        return AdministrativeArea.objects.get(level=0, code="TH")

    @cached_property
    def foreign_usernames(self) -> frozenset:
        """Members of organisations other than the submitting agency (whose member list is read)."""
        return frozenset(Membership.objects.exclude(organisation=self.network.government)
                         .values_list("user__username", flat=True))

    def kwargs(self, target: str) -> dict:
        """The URL's ids for a target (`shelter: move` is the shelter, with another body)."""
        n = self.network
        return {
            "-": {},
            "submitted": {"pk": n.referrals["submitted"].pk},
            "offered": {"pk": n.referrals["offered"].pk},
            "accepted": {"pk": n.referrals["accepted"].pk},
            "TH": {"pk": self.area.pk},
            "shelter": {"pk": n.shelter.pk},
            "coverage": {"pk": n.coverage.pk},
            "submitter": {"pk": n.government.pk, "organisation_pk": n.government.pk},
            "viewer": {"organisation_pk": n.government.pk, "pk": n.submitter_viewer.membership.pk},
            "webhook": {"pk": n.webhook.pk},
            "activity": {"pk": n.activity.pk},
            "shelter code": {"code": "shelter"},
            "foreign member": {"organisation_pk": n.government.pk, "pk": n.offered_caseworker.membership.pk},
            "for offered": {},
            "replay": {},
            "replay after consent withdrawal": {},
            "regional form": {"pk": regional_form_seed().pk},
            "TH code": {"code": "TH"},
            "return": {"pk": n.return_case.pk, "months": 3},
        }[target.split(":")[0]]

    def visible_referrals(self, actor: str) -> set[str]:
        """Ids of the seeded referrals the actor's organisation may see."""
        return self.network.sees(self.organisation_of(actor))


def _own_organisation(world: World, actor: str):
    """Bodies name the caller's own organisation; callers without one name the government agency."""
    return world.organisation_of(actor) or world.network.government


def _login(world: World, actor: str) -> dict:
    user = world.user(actor) or world.network.submitter_caseworker  # anonymous callers log in as someone
    return {"username": user.username, "password": PASSWORD}
def _if_match(world: World, target: str) -> dict:
    referral = Referral.objects.get(pk=world.kwargs(target)["pk"])
    return {"If-Match": f'"{services.referral_version(referral)}"'}


FACILITY_BODY = {
    "name": "New service point", "kind": "service_point",
    "location": {"type": "Point", "coordinates": [100.6, 13.8]}, "services": ["medical"],
    "accepts_genders": ["female"], "accepts_age_groups": ["adult"], "languages": ["th"],
}

ACTIVITY_BODY = {
    "kind": "awareness", "title": "Safe migration talks", "start": "2026-01-01", "end": "2026-06-30",
    "geometry": {"type": "Point", "coordinates": [100.6, 13.8]}, "target_groups": ["migrant_workers"],
}
NOTIFICATION_KINDS = ("offer_received", "offer_expiring", "offer_accepted", "offer_declined", "offer_expired",
                      "outcome_recorded", "referral_closed", "consent_withdrawn", "identification_decided",
                      "reflection_ending", "return_requested", "return_status_changed", "follow_up_due")

Body = Callable[[World, str, str], dict]
# (route, method) -> the body; (route, method, target) for a target's own body.
BODIES: dict[tuple, Body] = {
    ("/api/v1/auth/token/", "POST"): lambda w, actor, target: _login(w, actor),
    ("/api-auth/login/", "POST"): lambda w, actor, target: _login(w, actor),
    ("/api/v1/auth/mfa/totp/confirm/", "POST"): lambda w, actor, target: {"otp": "123456"},
    ("/api/v1/organisations/", "POST"): lambda w, actor, target: {
        "name": "Newly onboarded NGO", "kind": "ngo", "country": "ID"},
    ("/api/v1/organisations/{pk}/", "PUT"): lambda w, actor, target: {
        "name": w.network.government.name, "kind": w.network.government.kind, "country": w.network.government.country,
        "description": "Updated description."},
    ("/api/v1/organisations/{pk}/", "PATCH"): lambda w, actor, target: {"description": "Updated description."},
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: unverify"): lambda w, actor, target: {"verified": False},
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: competent"):
        lambda w, actor, target: {"identifies_victims": True},
    ("/api/v1/facilities/", "POST", "for offered"): lambda w, actor, target: {
        **FACILITY_BODY, "organisation": str(w.network.offered.pk)},
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter: move"): lambda w, actor, target: {
        "organisation": str(w.network.other_ngo.pk)},
    ("/api/v1/coverage-areas/", "POST", "for offered"): lambda w, actor, target: {
        "organisation": str(w.network.offered.pk), "services": ["shelter"], "areas": [w.area.pk]},
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage: move"): lambda w, actor, target: {
        "organisation": str(w.network.other_ngo.pk)},
    ("/api/v1/facilities/", "POST"): lambda w, actor, target: {
        **FACILITY_BODY, "organisation": str(_own_organisation(w, actor).pk)},
    ("/api/v1/facilities/{pk}/", "PATCH"): lambda w, actor, target: {"capacity_available": 3},
    ("/api/v1/facilities/{pk}/capacity/", "POST"): lambda w, actor, target: {"capacity_available": 1},
    ("/api/v1/coverage-areas/", "POST"): lambda w, actor, target: {
        "organisation": str(_own_organisation(w, actor).pk), "services": ["shelter"], "areas": [w.area.pk]},
    ("/api/v1/coverage-areas/{pk}/", "PATCH"): lambda w, actor, target: {"services": ["shelter", "medical"]},
    ("/api/v1/activities/", "POST"): lambda w, actor, target: {
        **ACTIVITY_BODY, "organisation": str(_own_organisation(w, actor).pk)},
    ("/api/v1/activities/", "POST", "for offered"): lambda w, actor, target: {
        **ACTIVITY_BODY, "organisation": str(w.network.offered.pk)},
    ("/api/v1/activities/{pk}/", "PATCH"): lambda w, actor, target: {"title": "Renamed activity"},
    ("/api/v1/activities/{pk}/", "PATCH", "activity: move"): lambda w, actor, target: {
        "organisation": str(w.network.other_ngo.pk)},
    ("/api/v1/organisations/{organisation_pk}/members/", "POST"): lambda w, actor, target: {
        "username": f"new-member-{actor}", "email": f"new-{actor}@example.org",
        "password": "an-unusual-passphrase-42", "role": "viewer"},
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH"): lambda w, actor, target: {"role": "caseworker"},
    ("/api/v1/referrals/", "POST"): lambda w, actor, target: referral_payload(),
    ("/api/v1/referrals/{pk}/", "PATCH"): lambda w, actor, target: {"urgency": "routine"},
    ("/api/v1/referrals/{pk}/route/", "POST"): lambda w, actor, target: {
        "organisations": [str(w.network.other_ngo.pk)]},
    ("/api/v1/referrals/{pk}/decline/", "POST"): lambda w, actor, target: {"reason": "No space."},
    ("/api/v1/referrals/{pk}/close/", "POST"): lambda w, actor, target: {"reason": "Assistance completed."},
    ("/api/v1/referrals/{pk}/outcomes/", "POST"): lambda w, actor, target: {
        "type": "medical_care", "date": timezone.localdate().isoformat(), "note": ""},
    ("/api/v1/referrals/{pk}/refer-onward/", "POST"): lambda w, actor, target: {
        "needs": ["psychosocial"], "organisations": [str(w.network.other_ngo.pk)], "notes": "Needs counselling."},
    ("/api/v1/referrals/{pk}/return/", "POST"): lambda w, actor, target: {
        "destination_country": "MM", "services_requested": ["psychosocial"],
        "consent": {"given": True, "basis": "informed_consent"}},
    ("/api/v1/returns/{pk}/transition/", "POST"): lambda w, actor, target: {"to": "assessing"},
    ("/api/v1/returns/{pk}/transition/", "POST", "return: cancel"): lambda w, actor, target: {
        "to": "cancelled", "note": "The person changed their mind."},
    ("/api/v1/returns/{pk}/follow-ups/{months}/", "POST"): lambda w, actor, target: {"outcome": "reintegrated"},
    ("/api/v1/webhooks/", "POST"): lambda w, actor, target: {
        "url": PUBLIC_WEBHOOK_URL, "events": ["referral.submitted", "referral.accepted"]},
    ("/api/v1/webhooks/{pk}/", "PATCH"): lambda w, actor, target: {"active": False},
    ("/api/v1/me/", "PATCH"): lambda w, actor, target: {"time_zone": "Asia/Bangkok", "language": "th"},
    ("/api/v1/me/notification-preferences/", "PUT"): lambda w, actor, target: {
        "choices": {kind: "digest" for kind in NOTIFICATION_KINDS}, "digest_time": "07:30"},
    ("/api/v1/screening-forms/", "POST"): lambda w, actor, target: {
        "code": "matrix-form", "title": "A national form", "country": "TH",
        "questions": [{"code": "act_recruited", "text": "Recruited by a broker?", "element": "act",
                       "strength": "strong"}]},
    ("/api/v1/screening-forms/{pk}/", "PATCH"): lambda w, actor, target: {"title": "Renamed"},
    ("/api/v1/referrals/{pk}/screenings/", "POST"): lambda w, actor, target: {
        "form": regional_form_seed().pk, "answers": {"act_recruited": "yes", "deception": "no"},
        "notes": "Screened at the shelter."},
    ("/api/v1/referrals/{pk}/identification/", "POST"): lambda w, actor, target: {
        "decision": "presumed", "basis": "Strong indicators of deception.",
        "decided_on": timezone.localdate().isoformat()},
    ("/api/v1/countries/{code}/", "PATCH"): lambda w, actor, target: {"reflection_period_days": 45},
}
BODIES.update(console_bodies(_login, timezone.localdate))  # the console's forms (route_matrix/console.py)
HEADERS: dict[tuple[str, str], Callable[[World, str], dict]] = {
    ("/api/v1/referrals/{pk}/", "PATCH"): _if_match,  # the ETag as read: a valid, current precondition
}
QUERIES = {
    "/api/v1/geo/locate/": "lat=13.75&lon=100.5",
    "/api/v1/providers/search/": "lat=13.75&lon=100.5&services=shelter",
    "/api/v1/stats/referrals/": "group_by=urgency",
}
# The console's organisation admin, directory and statistics pages.
BODIES.update(console_admin.console_admin_bodies(lambda world: world.area))
QUERIES.update(console_admin.QUERIES)


def client_for(world: World, actor: str, *, api: bool):
    """API routes authenticate as DRF does for a token (force_authenticate, with a fresh user
    object, so that nothing cached on one survives to the next request); other routes (admin,
    session login) get a session (force_login). 500s are answered, not raised."""
    user = world.user(actor)
    client = APIClient() if api else Client()
    client.raise_request_exception = False
    if user is not None and api:
        client.force_authenticate(User.objects.get(pk=user.pk))
    elif user is not None:
        client.force_login(user)
    return client


def perform(world: World, actor: str, method: str, url: str, *, body=None, headers=None, client=None):
    """One request as the actor, in a savepoint that is rolled back."""
    api = url.startswith("/api/v1/")
    with transaction.atomic():
        client = client or client_for(world, actor, api=api)
        options = {"headers": headers or {}}
        if body is not None:
            options["data"] = body
            if api:
                options["format"] = "json"
        response = getattr(client, method.lower())(url, **options)
        transaction.set_rollback(True)
    return response


@dataclass
class Setup:
    """What a target's setup did before the caller's request: the headers and body the caller
    sends (the same request again), and texts the response must not contain."""

    headers: dict
    body: dict
    never: tuple[str, ...] = ()


HARBOUR_NOTE = "Met at the harbour at dawn."
CLINIC_NOTE = "Treated at the district clinic."


def _submitted_with_key(world: World, actor: str, *, withdraw_consent: bool) -> Setup:
    """The agency's caseworker submits a referral with an Idempotency-Key (and the person may
    withdraw consent at once); the caller then sends the same request with the same key."""
    key, body = f"matrix-{uuid.uuid4().hex}", referral_payload(notes=HARBOUR_NOTE)
    first = client_for(world, "submitter_caseworker", api=True).post(
        "/api/v1/referrals/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    if withdraw_consent:
        services.referral_withdraw_consent(referral=Referral.objects.get(pk=first.json()["id"]),
                                           by=world.network.submitter_caseworker)
    # erased with the consent: it may come back to nobody (an organisation submitting its own
    # referral with this note sees its own)
    never = (HARBOUR_NOTE,) if withdraw_consent and actor in SUBMITTER else ()
    return Setup(headers={"Idempotency-Key": key}, body=body, never=never)


def _outcome_with_key_then_consent_withdrawn(world: World, actor: str) -> Setup:
    referral = world.network.referrals["accepted"]
    key = f"matrix-{uuid.uuid4().hex}"
    body = {"type": "medical_care", "date": timezone.localdate().isoformat(), "note": CLINIC_NOTE}
    first = client_for(world, "accepting_caseworker", api=True).post(
        f"/api/v1/referrals/{referral.pk}/outcomes/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    services.referral_withdraw_consent(referral=referral, by=world.network.submitter_caseworker)
    return Setup(headers={"Idempotency-Key": key}, body=body, never=(CLINIC_NOTE,))


def _accepting_made_competent(world: World, actor: str) -> Setup:
    """Platform administrators have marked the accepting NGO competent to identify victims."""
    organisation = world.network.accepting
    organisation.identifies_victims = True
    organisation.save(update_fields=["identifies_victims"])
    return Setup(headers={}, body=BODIES[("/api/v1/referrals/{pk}/identification/", "POST")](world, actor, ""))


# (route, method, target) -> a setup run in the cell's savepoint before the caller's request.
SETUPS: dict[tuple[str, str, str], Callable[[World, str], Setup]] = {
    ("/api/v1/referrals/", "POST", "replay"):
        lambda w, actor: _submitted_with_key(w, actor, withdraw_consent=False),
    ("/api/v1/referrals/", "POST", "replay after consent withdrawal"):
        lambda w, actor: _submitted_with_key(w, actor, withdraw_consent=True),
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted: replay after consent withdrawal"):
        _outcome_with_key_then_consent_withdrawn,
    ("/api/v1/referrals/{pk}/identification/", "POST", "accepted: competent"): _accepting_made_competent,
}


def request_cell(world: World, cell: Cell):
    """The cell's request; with its target's setup first, in one savepoint. Returns the response
    and the texts it must not contain."""
    path = cell.route.format(**world.kwargs(cell.target))
    query = QUERIES.get(cell.route)
    url = f"{path}?{query}" if query and cell.method == "GET" else path
    body = BODIES.get((cell.route, cell.method, cell.target)) or BODIES.get((cell.route, cell.method))
    header = HEADERS.get((cell.route, cell.method))
    setup = SETUPS.get((cell.route, cell.method, cell.target))
    with transaction.atomic():
        done = setup(world, cell.actor) if setup else None
        response = perform(
            world, cell.actor, cell.method, url,
            body=done.body if done else body(world, cell.actor, cell.target) if body else None,
            headers={**(header(world, cell.target) if header else {}), **(done.headers if done else {})},
        )
        transaction.set_rollback(True)
    return response, done.never if done else ()


# The console's account page.
BODIES.update(console_account.console_account_bodies())
