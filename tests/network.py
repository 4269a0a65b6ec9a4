"""The seeded network: one function builds it, for every test that acts as its members.

`build_network(cases=False)` is the cast of a referral (the `cast` fixture, per test): a
submitting government agency (its admin, caseworker and viewer), NGOs covering Thailand in every
relation to a referral (one to be offered it, one to decline it, one unrelated), an unrelated
government agency and a platform administrator. `offer_to_two(network)` adds the referral most
tests start from: offered to two NGOs, one of which has declined.

`build_network()` adds the cases around the cast (the route matrix, per test; schemathesis, once
per module outside any test transaction): an NGO that accepts, an analyst, an unverified
organisation, a spare viewer everywhere (to remove and change), referrals in every state,
facilities of every kind (the offered NGO's confidential shelter among them), coverage by areas
and by a polygon, and webhooks (one with a failed delivery).

The only module of the suite that imports the integration app (webhooks, deliveries).
"""

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from unittest import mock

from django.contrib.gis.geos import Point
from django.utils import timezone

from activities import services as activity_services
from activities.models import Activity
from geo.models import AdministrativeArea
from integration import webhooks
from integration.models import WebhookDelivery, WebhookSubscription
from organisations.models import CoverageArea, Facility, Membership, Organisation
from referrals import services
from referrals.models import OutboxEvent, Referral
from tests.organisations.factories import FacilityFactory, OrganisationFactory, member, staff_user
from tests.referrals.factories import analyst, cover_country, cover_polygon, submit

SHELTER_EXACT = (100.53147, 13.72481)  # lon, lat: the confidential shelter, known exactly to the offered NGO only
SHELTER_COARSE = [100.5, 13.7]  # the 0.1 degree grid point everybody else sees
BANGKOK = Point(100.5018, 13.7563, srid=4326)
WEBHOOK_HOST = "hooks.example.org"  # resolves (webhooks_offline) to the public address below
WEBHOOK_ADDRESS = "93.184.216.34"
PUBLIC_WEBHOOK_URL = f"https://{WEBHOOK_ADDRESS}/hooks"  # a public literal address: no DNS, nothing connects
OFFERED_CASE = "CASE-OFFERED"  # the offered referral's case id: its twin is the same person, referred again
SQUARE_AROUND_BANGKOK = ((100.3, 13.6), (100.9, 13.6), (100.9, 14.2), (100.3, 14.2), (100.3, 13.6))  # on land

# Which seeded referrals each organisation of the full network sees (the submitter sees them all).
SEEN_BY = {
    "offered": ("offered",),
    "accepting": ("accepted", "in_progress", "closed"),
}


@dataclass
class Network:
    government: Organisation
    submitter_admin: object
    submitter_caseworker: object
    submitter_viewer: object
    offered: Organisation  # an NGO to be offered the referral
    offered_caseworker: object
    offered_viewer: object
    declined: Organisation  # an NGO that declines its offer
    declined_caseworker: object
    other_ngo: Organisation  # an NGO covering Thailand, in no relation to the referrals
    other_ngo_caseworker: object
    other_government: Organisation
    other_government_caseworker: object
    platform_admin: object  # is_staff, member of no organisation
    coverage: CoverageArea  # the offered NGO's, of Thailand
    # --- the cases (build_network(cases=True) only) ---
    accepting: Organisation | None = None  # an NGO that accepts referrals
    accepting_caseworker: object = None
    offered_admin: object = None
    other_ngo_admin: object = None
    analyst: object = None  # a group holding referrals.view_all_statistics, member of no organisation
    unverified: Organisation | None = None
    referrals: dict[str, Referral] = field(default_factory=dict)  # by the state it is in (and `twin`)
    shelter: Facility | None = None  # the offered NGO's, at SHELTER_EXACT
    webhook: WebhookSubscription | None = None  # the government agency's
    activity: Activity | None = None  # the offered NGO's, in Thailand (who does what where)
    focal_point: Organisation | None = None  # Myanmar's national focal point for returns (issue 14)
    focal_point_caseworker: object = None
    return_case: object = None  # the in-progress referral's return to Myanmar, opened by the accepting NGO

    def sees(self, organisation: Organisation | None) -> set[str]:
        """Ids of the seeded referrals the organisation may see."""
        if organisation is None:
            return set()
        if organisation == self.government:
            return {str(referral.pk) for referral in self.referrals.values()}
        names = next((names for attr, names in SEEN_BY.items() if getattr(self, attr) == organisation), ())
        return {str(self.referrals[name].pk) for name in names}


def build_network(*, cases: bool = True) -> Network:
    government = OrganisationFactory(name="Anti-Trafficking Police", kind="government", country="TH")
    offered = OrganisationFactory(name="Safe Haven", kind="ngo", country="TH")
    declined = OrganisationFactory(name="Harbour House", kind="ngo", country="TH")
    other_ngo = OrganisationFactory(name="Unrelated NGO", kind="ngo", country="TH")
    other_government = OrganisationFactory(name="Labour Inspectorate", kind="government", country="TH")
    coverage = cover_country(offered)
    for ngo in (declined, other_ngo):
        cover_country(ngo)
    network = Network(
        government=government,
        submitter_admin=member(government, "admin"),
        submitter_caseworker=member(government, "caseworker"),
        submitter_viewer=member(government, "viewer"),
        offered=offered,
        offered_caseworker=member(offered, "caseworker"),
        offered_viewer=member(offered, "viewer"),
        declined=declined,
        declined_caseworker=member(declined, "caseworker"),
        other_ngo=other_ngo,
        other_ngo_caseworker=member(other_ngo, "caseworker"),
        other_government=other_government,
        other_government_caseworker=member(other_government, "caseworker"),
        platform_admin=staff_user("platform-admin"),
        coverage=coverage,
    )
    if cases:
        _add_cases(network)
    return network


def offer_to_two(network: Network) -> Referral:
    """A referral of the agency offered to the offered and the declined NGO; the declined one declined."""
    referral = submit(network.submitter_caseworker, case_reference=OFFERED_CASE)
    services.referral_route(referral=referral, by=network.submitter_caseworker,
                            organisation_ids=[network.offered.pk, network.declined.pk])
    services.offer_decline(referral=referral, by=network.declined_caseworker, reason="No space this week.")
    referral.refresh_from_db()
    return referral


def _add_cases(network: Network) -> None:
    accepting = network.accepting = OrganisationFactory(name="Accepting Shelter", kind="ngo", country="TH")
    cover_country(accepting)
    network.unverified = OrganisationFactory(name="Not Yet Verified", kind="international", verified=False)
    network.accepting_caseworker = member(accepting, "caseworker")
    network.offered_admin = member(network.offered, "admin")
    network.other_ngo_admin = member(network.other_ngo, "admin")
    network.analyst = analyst("network-analyst")
    for organisation in (network.government, network.offered, network.declined, network.other_ngo,
                         network.other_government, accepting, network.unverified):
        member(organisation, "viewer", f"spare-{str(organisation.pk)[:8]}")
    _add_referrals(network)
    _add_directory(network)
    _add_webhooks(network)
    _add_return(network)


def _add_return(network: Network) -> None:
    """Myanmar's focal point, and a return to it of the in-progress referral's person."""
    from returns import services as return_services

    network.focal_point = OrganisationFactory(name="Myanmar Return Focal Point", kind="government", country="MM",
                                              focal_point=True)
    network.focal_point_caseworker = member(network.focal_point, "caseworker")
    network.return_case = return_services.return_open(
        referral=network.referrals["in_progress"], by=network.accepting_caseworker, destination_country="MM",
        services_requested=["psychosocial"], consent={"given": True, "basis": "informed_consent"},
    )


def _add_referrals(network: Network) -> None:
    """Referrals in every state, all submitted by the government agency."""
    caseworker, accepting = network.submitter_caseworker, network.accepting_caseworker

    def accepted_by_accepting(referral, *, also=()):
        services.referral_route(referral=referral, by=caseworker,
                                organisation_ids=[network.accepting.pk, *(o.pk for o in also)])
        if network.declined in also:
            services.offer_decline(referral=referral, by=network.declined_caseworker, reason="No space this week.")
        services.offer_accept(referral=referral, by=accepting)
        return referral

    referrals = network.referrals
    referrals["submitted"] = submit(caseworker, urgency="routine")
    referrals["offered"] = offer_to_two(network)
    referrals["twin"] = submit(caseworker, case_reference=OFFERED_CASE)  # possible_duplicate_of: the offered one
    # offered to three: the declined NGO declined, the accepting NGO accepted, the offered NGO's offer lapsed
    referrals["accepted"] = accepted_by_accepting(submit(caseworker, urgency="emergency"),
                                                  also=(network.offered, network.declined))
    referrals["in_progress"] = accepted_by_accepting(submit(caseworker))
    services.outcome_record(referral=referrals["in_progress"], by=accepting, type="safe_accommodation",
                            date=timezone.localdate(), note="Placed.")
    referrals["closed"] = accepted_by_accepting(submit(caseworker))
    services.outcome_record(referral=referrals["closed"], by=accepting, type="medical_care",
                            date=timezone.localdate())
    services.referral_close(referral=referrals["closed"], by=accepting, reason="Returned home.")
    referrals["withdrawn"] = submit(caseworker)
    services.referral_withdraw(referral=referrals["withdrawn"], by=caseworker)
    referrals["consent_withdrawn"] = submit(caseworker)
    services.referral_route(referral=referrals["consent_withdrawn"], by=caseworker,
                            organisation_ids=[network.offered.pk])
    services.referral_withdraw_consent(referral=referrals["consent_withdrawn"], by=caseworker)
    for referral in referrals.values():
        referral.refresh_from_db()


def _add_directory(network: Network) -> None:
    """Facilities of every kind; coverage by a drawn polygon besides the areas of the cast."""
    network.shelter = FacilityFactory(organisation=network.offered, name="Confidential shelter",
                                      location=Point(*SHELTER_EXACT, srid=4326), languages=["th", "en", "my"])
    for organisation, kind, name in (
        (network.offered, "office", "Haven Office"),
        (network.other_ngo, "service_point", "Unrelated Service Point"),
        (network.government, "office", "Police Office"),
    ):
        FacilityFactory(organisation=organisation, kind=kind, name=name, location=BANGKOK.clone(),
                        services=["medical", "psychosocial"], capacity_total=10, capacity_available=3)
    cover_polygon(network.other_ngo, SQUARE_AROUND_BANGKOK, services_offered=("interpretation",))
    network.activity = activity_services.activity_create(organisation=network.offered, data={
        "kind": "victim_assistance", "title": "Shelter-based recovery programme", "start": date(2026, 1, 1),
        "areas": [thailand()], "partners": [network.other_ngo], "target_groups": ["women"],
    })


def thailand() -> AdministrativeArea:
    return AdministrativeArea.objects.get(level=0, code="TH")


def _add_webhooks(network: Network) -> None:
    """The agency's webhook (with a delivery that failed twice) and the offered NGO's."""
    network.webhook = webhooks.webhook_create(organisation=network.government, url=PUBLIC_WEBHOOK_URL,
                                              events=["referral.submitted"])
    webhooks.webhook_create(organisation=network.offered, url=f"https://{WEBHOOK_ADDRESS}/haven",
                            events=["referral.offered"])
    now = timezone.now()
    WebhookDelivery.objects.create(
        subscription=network.webhook, event=OutboxEvent.objects.filter(referral=network.referrals["submitted"]).first(),
        body={"id": "x"}, status="pending", next_attempt=now,
        attempts=[{"at": now.isoformat(), "status_code": 503, "error": "", "duration_ms": 12},
                  {"at": now.isoformat(), "status_code": None, "error": "timeout", "duration_ms": 5000}],
    )


# --- what the network's ids are, for callers that address objects by id -------------------------

def ids(network: Network) -> dict[str, list]:
    """Every seeded object's id, by kind (in the database: whatever the network and the reference data hold)."""
    return {
        "organisations": [str(pk) for pk in Organisation.objects.values_list("pk", flat=True)],
        "memberships": [(str(org), pk) for org, pk in Membership.objects.values_list("organisation_id", "pk")],
        "referrals": [str(referral.pk) for referral in network.referrals.values()],
        "facilities": list(Facility.objects.values_list("pk", flat=True)),
        "coverage": list(CoverageArea.objects.values_list("pk", flat=True)),
        "webhooks": [str(pk) for pk in WebhookSubscription.objects.values_list("pk", flat=True)],
        "activities": list(Activity.objects.values_list("pk", flat=True)),
        "returns": [str(network.return_case.pk)] if network.return_case else [],
    }


_real_getaddrinfo = socket.getaddrinfo


def _offline_getaddrinfo(host, port, *args, **kwargs):
    """IP literals resolve as they would, WEBHOOK_HOST resolves to a public address, no other name resolves."""
    try:
        return _real_getaddrinfo(host, port, 0, 0, 0, socket.AI_NUMERICHOST)
    except socket.gaierror:
        if isinstance(host, str) and host.lower() == WEBHOOK_HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (WEBHOOK_ADDRESS, port))]
        raise


@contextmanager
def webhooks_offline():
    """Webhook URLs are checked by resolving their host: without DNS, for a run that must not depend on it."""
    with mock.patch.object(webhooks, "socket", mock.Mock(getaddrinfo=_offline_getaddrinfo, gaierror=socket.gaierror)):
        yield
