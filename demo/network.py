"""The demo network loaded by `manage.py load_demo`: invented organisations, people and places,
so that the API is alive on first run. Nothing here describes a real organisation or person."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import transaction
from django.utils import timezone

from geo.models import AdministrativeArea
from organisations import services as organisation_services
from organisations.models import CoverageArea, Facility, Membership, Organisation
from referrals import services as referral_services
from referrals.models import Offer, OfferStatus, Referral

User = get_user_model()

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose: demo accounts only

ORGANISATIONS = [
    {
        "key": "police",
        "name": "Thai Anti-Trafficking Police Unit (demo)",
        "kind": "government",
        "country": "TH",
        "verified": True,
        "description": "A government agency that identifies victims and refers them for assistance.",
        "focal_point": True,  # Thailand's national focal point for returns
        "members": [("police.admin", "admin"), ("police.caseworker", "caseworker")],
    },
    {
        "key": "haven",
        "name": "Mekong Safe Haven (demo)",
        "kind": "ngo",
        "country": "TH",
        "verified": True,
        "website": "https://haven.example.org",
        "description": "Shelters and psychosocial care for women and children in Thailand.",
        "members": [("haven.admin", "admin"), ("haven.caseworker", "caseworker"), ("haven.viewer", "viewer")],
        "facilities": [
            {"name": "Haven Bangkok Shelter", "kind": "shelter", "location": (100.5231, 13.7367),
             "services": ["shelter", "medical", "psychosocial"], "capacity_total": 30, "capacity_available": 7,
             "accepts_genders": ["female", "transgender"], "accepts_age_groups": ["child", "adult"],
             "languages": ["th", "en", "my", "km"]},
            {"name": "Haven Chiang Mai Shelter", "kind": "shelter", "location": (98.9853, 18.7883),
             "services": ["shelter", "psychosocial"], "capacity_total": 12, "capacity_available": 2,
             "accepts_genders": ["female"], "accepts_age_groups": ["child"], "languages": ["th", "my"]},
        ],
        "coverage": [{"services": ["shelter", "medical", "psychosocial"], "countries": ["TH"]}],
    },
    {
        "key": "legal",
        "name": "Jakarta Legal Aid Collective (demo)",
        "kind": "ngo",
        "country": "ID",
        "verified": True,
        "description": "Legal aid, interpretation and compensation claims for survivors in Indonesia.",
        "focal_point": True,  # Indonesia's, in the demo
        "members": [("legal.admin", "admin"), ("legal.caseworker", "caseworker")],
        "facilities": [
            {"name": "Collective Office Jakarta", "kind": "office", "location": (106.8272, -6.1751),
             "services": ["legal_aid", "interpretation", "compensation_support"], "capacity_total": 0,
             "capacity_available": 0, "accepts_genders": ["female", "male", "transgender"],
             "accepts_age_groups": ["adult"], "languages": ["id", "en"]},
        ],
        "coverage": [{"services": ["legal_aid", "interpretation", "compensation_support"], "countries": ["ID"]}],
    },
    {
        "key": "migration",
        "name": "Regional Migration Assistance Office (demo)",
        "kind": "international",
        "country": "TH",
        "verified": True,
        "description": "Return, reintegration and family tracing across the region.",
        "members": [("migration.admin", "admin"), ("migration.caseworker", "caseworker")],
        "facilities": [
            {"name": "Mae Sot Service Point", "kind": "service_point", "location": (98.5767, 16.7133),
             "services": ["repatriation", "reintegration", "family_tracing", "medical"], "capacity_total": 0,
             "capacity_available": 0, "accepts_genders": ["female", "male", "transgender"],
             "accepts_age_groups": ["child", "adult"], "languages": ["th", "my", "en"]},
        ],
        "coverage": [
            {"services": ["repatriation", "reintegration", "family_tracing"],
             "countries": ["TH", "MM", "KH", "LA", "VN", "MY", "ID"]},
            # A drawn service area along the Thai-Myanmar border around Mae Sot.
            {"services": ["medical"],
             "polygon": [(98.3, 16.4), (98.9, 16.4), (98.9, 17.0), (98.3, 17.0), (98.3, 16.4)]},
        ],
    },
    {
        "key": "pending",
        "name": "New Horizons Outreach (demo, awaiting verification)",
        "kind": "ngo",
        "country": "KH",
        "verified": False,
        "description": "Registered but not yet verified: cannot submit or receive referrals.",
        "members": [("pending.admin", "admin")],
        "coverage": [{"services": ["shelter"], "countries": ["KH"]}],
    },
]


def _user(username: str, organisation: Organisation, role: str) -> None:
    membership = Membership.objects.filter(user__username=username).first()
    if membership is None:
        organisation_services.member_add(
            organisation=organisation, username=username, password=DEMO_PASSWORD,
            email=f"{username}@demo.example.org", role=role,
        )
    elif membership.role != role:
        organisation_services.member_change_role(membership=membership, role=role)


@transaction.atomic
def load_demo(*, log=print) -> dict[str, Organisation]:
    # A platform administrator is staff (organisations.permissions.is_platform_admin), not a
    # superuser: superusers hold every permission, including each organisation's own.
    admin, created = User.objects.update_or_create(
        username="platform.admin",
        defaults={"is_staff": True, "is_superuser": False},
        create_defaults={"is_staff": True, "is_superuser": False, "email": "admin@demo.example.org"},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    analysts, _ = Group.objects.get_or_create(name="Platform analysts")
    analysts.permissions.add(
        Permission.objects.get(content_type__app_label="referrals", codename="view_all_statistics")
    )
    analyst, created = User.objects.get_or_create(username="platform.analyst",
                                                  defaults={"email": "analyst@demo.example.org"})
    if created:
        analyst.set_password(DEMO_PASSWORD)
        analyst.save()
    analyst.groups.add(analysts)
    organisations = {}
    for spec in ORGANISATIONS:
        fields = {k: spec[k] for k in ("name", "kind", "country", "verified", "description", "focal_point")
                  if k in spec}
        fields["website"] = spec.get("website", "")
        organisation = Organisation.objects.filter(name=spec["name"]).first()
        if organisation is None:
            organisation = organisation_services.organisation_create(data=fields)
        elif spec.get("focal_point") and not organisation.focal_point:  # a demo loaded before returns existed
            organisation = organisation_services.organisation_update(organisation=organisation,
                                                                     data={"focal_point": True})
        organisations[spec["key"]] = organisation
        for username, role in spec.get("members", []):
            _user(username, organisation, role)
        for facility in spec.get("facilities", []):
            data = {**facility, "location": Point(*facility["location"], srid=4326)}
            existing = Facility.objects.filter(organisation=organisation, name=facility["name"]).first()
            if existing is None:
                organisation_services.facility_create(organisation=organisation, data=data)
            else:  # the day's figure, reported again: a demo shelter's capacity never looks stale
                organisation_services.facility_capacity_update(
                    facility=existing, capacity_available=existing.capacity_available
                )
        if not CoverageArea.objects.filter(organisation=organisation).exists():
            for coverage in spec.get("coverage", []):
                data = {"services": coverage["services"]}
                if "countries" in coverage:
                    data["areas"] = list(
                        AdministrativeArea.objects.filter(level=0, code__in=coverage["countries"])
                    )
                if "polygon" in coverage:
                    data["geometry"] = MultiPolygon(Polygon(coverage["polygon"]), srid=4326)
                organisation_services.coverage_create(organisation=organisation, data=data)
        log(f"  {organisation.name}")
    return organisations


def _referral(by, *, case, age_band, gender, nationality, languages, exploitation, needs, urgency, where, notes):
    return referral_services.referral_submit(by=by, data={
        "case_reference": case,
        "profile": {"age_band": age_band, "gender": gender, "nationality": nationality, "languages": languages},
        "exploitation_types": exploitation,
        "indicators": ["deception", "withholding_of_wages"],
        "needs": needs,
        "urgency": urgency,
        "location": {"lat": where[1], "lon": where[0]},
        "consent": {"given": True, "basis": "informed_consent"},
        "notes": notes,
    })


@transaction.atomic
def load_demo_referrals(organisations: dict[str, Organisation], *, log=print) -> None:
    """Referrals in every state, so the docs page shows a live system. Loaded once."""
    if Referral.objects.filter(submitting_organisation=organisations["police"]).exists():
        return
    police = User.objects.get(username="police.caseworker")
    haven = User.objects.get(username="haven.caseworker")
    migration = User.objects.get(username="migration.caseworker")
    common = {"nationality": "MM", "languages": ["my"], "urgency": "urgent"}

    _referral(police, case="DEMO-001", age_band="18-20", gender="female", exploitation=["sexual"],
              needs=["shelter", "medical"], where=(100.52, 13.74), notes="Identified during a venue inspection.",
              **common)

    offered = _referral(police, case="DEMO-002", age_band="9-17", gender="female", exploitation=["labour"],
                        needs=["shelter", "psychosocial"], where=(98.99, 18.79),
                        notes="Worked in a garment workshop, wages withheld.", **common)
    referral_services.referral_route(referral=offered, by=police, organisation_ids=[organisations["haven"].pk])

    in_progress = _referral(police, case="DEMO-003", age_band="24-26", gender="female",
                            exploitation=["domestic_servitude"], needs=["shelter", "medical"],
                            where=(100.50, 13.76), notes="Referred by a labour inspector.", **common)
    referral_services.referral_route(referral=in_progress, by=police, organisation_ids=[organisations["haven"].pk])
    referral_services.offer_accept(referral=in_progress, by=haven)
    referral_services.outcome_record(referral=in_progress, by=haven, type="safe_accommodation",
                                     date=in_progress.created.date(), note="Placed in the Bangkok shelter.")

    closed = _referral(police, case="DEMO-004", age_band="30-38", gender="male", nationality="KH",
                       languages=["km"], exploitation=["labour"], needs=["repatriation", "reintegration"],
                       urgency="routine", where=(98.58, 16.71), notes="Fishing crew, wishes to return home.")
    referral_services.referral_route(referral=closed, by=police, auto=True)
    referral_services.offer_accept(referral=closed, by=migration)
    referral_services.outcome_record(referral=closed, by=migration, type="repatriation",
                                     date=closed.created.date(), note="Returned with family tracing support.")
    referral_services.referral_close(referral=closed, by=migration, reason="Returned home safely.")

    withdrawn = _referral(police, case="DEMO-005", age_band="unknown", gender="unknown",
                          exploitation=["forced_criminality"], needs=["legal_aid"], where=(100.50, 13.70),
                          notes="Duplicate of an earlier report.", **common)
    referral_services.referral_withdraw(referral=withdrawn, by=police)
    log("  5 referrals: submitted, offered, in progress, closed, withdrawn")


@transaction.atomic
def load_demo_waiting_offer(organisations: dict[str, Organisation], *, log=print) -> None:
    """An offer waiting in Mekong Safe Haven's inbox, whenever the demo starts: offers expire (a
    day for an urgent referral), so an earlier run's offer may be gone. The console's first click
    (haven.caseworker's inbox) then shows something real."""
    haven = organisations["haven"]
    if Offer.objects.filter(organisation=haven, status=OfferStatus.PENDING).exists():
        return
    police = User.objects.get(username="police.caseworker")
    waiting = _referral(police, case=f"DEMO-INBOX-{timezone.now():%Y%m%d%H%M}", age_band="21-23", gender="female",
                        nationality="LA", languages=["lo", "th"], exploitation=["sexual"],
                        needs=["shelter", "psychosocial"], urgency="emergency", where=(100.49, 13.78),
                        notes="Found during a venue inspection; asks for a female caseworker.")
    referral_services.referral_route(referral=waiting, by=police, organisation_ids=[haven.pk])
    log("  1 offer waiting in the inbox of Mekong Safe Haven (haven.caseworker)")
