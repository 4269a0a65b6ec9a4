"""Realistic distributions of referrals, written in bulk for tests that only read aggregates."""

import random
from datetime import timedelta

from django.contrib.gis.geos import Point
from django.utils import timezone

from geo.models import AdministrativeArea
from referrals.models import Outcome, Referral

NATIONALITIES = {"MM": 30, "KH": 20, "LA": 15, "VN": 10, "ID": 10, "PH": 5, "BD": 4, "NP": 3, "LK": 2, "AF": 1}
GENDERS = {"female": 60, "male": 35, "transgender": 2, "unknown": 3}
AGE_BANDS = {"0-8": 2, "9-17": 18, "18-20": 14, "21-23": 14, "24-26": 12, "27-29": 10, "30-38": 16,
             "39-47": 8, "48+": 3, "unknown": 3}
EXPLOITATION = {"labour": 45, "sexual": 30, "domestic_servitude": 10, "forced_marriage": 5, "begging": 4,
                "forced_criminality": 4, "organ_removal": 1, "other": 1}
NEEDS = ["shelter", "medical", "psychosocial", "legal_aid", "interpretation", "repatriation"]
STATUSES = {"submitted": 10, "offered": 10, "accepted": 15, "in_progress": 30, "closed": 30, "withdrawn": 5}
COUNTRIES = {"TH": 50, "MY": 30, "ID": 20}


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed_referrals(organisation, count: int, *, seed: int = 7, accepted_by=None) -> list[Referral]:
    rng = random.Random(seed)
    areas = {a.code: a for a in AdministrativeArea.objects.filter(level=0, code__in=COUNTRIES)}
    now = timezone.now()
    referrals = []
    for _ in range(count):
        country = _pick(rng, COUNTRIES)
        status = _pick(rng, STATUSES)
        kinds = {_pick(rng, EXPLOITATION)}
        if rng.random() < 0.15:
            kinds.add(_pick(rng, EXPLOITATION))
        referrals.append(Referral(
            submitting_organisation=organisation,
            subject_hash=f"{rng.getrandbits(128):032x}",
            age_band=_pick(rng, AGE_BANDS),
            gender=_pick(rng, GENDERS),
            nationality=_pick(rng, NATIONALITIES),
            languages=[],
            exploitation_types=sorted(kinds),
            needs=rng.sample(NEEDS, rng.randint(1, 3)),
            urgency=rng.choice(["routine", "urgent", "emergency"]),
            area=areas[country],
            location=Point(100.5, 13.7, srid=4326),
            consent_basis="informed_consent",
            notes="Seeded for statistics.",
            status=status,
            accepted_by=accepted_by if status in ("accepted", "in_progress", "closed") else None,
        ))
    Referral.objects.bulk_create(referrals)
    # Spread registrations over two years (auto_now_add ignores values given at creation).
    for referral in referrals:
        referral.created = now - timedelta(days=rng.randint(0, 730))
    Referral.objects.bulk_update(referrals, ["created"])
    outcomes = [
        Outcome(referral=r, organisation=accepted_by or organisation, date=r.created.date(),
                type=rng.choice(["safe_accommodation", "medical_care", "legal_aid", "repatriation"]))
        for r in referrals if r.status in ("in_progress", "closed")
    ]
    Outcome.objects.bulk_create(outcomes)
    return referrals
