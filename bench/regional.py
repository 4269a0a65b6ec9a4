"""What the generated network looks like: facts and rough shares for the Bali Process region.

The shares are invented but shaped like the region: more organisations where more people live and
where counter-trafficking work is dense (Indonesia, India, Thailand, the Philippines...), a long
tail of small Pacific states; referred people mostly from the Mekong, South Asia and Indonesia."""

# Relative number of organisations per member state (not a census; a plausible shape).
ORGANISATION_SHARE: dict[str, float] = {
    "ID": 12, "IN": 11, "TH": 9, "PH": 9, "CN": 6, "VN": 6, "BD": 5, "MY": 5, "MM": 5, "KH": 5,
    "PK": 4, "AU": 4, "NP": 3, "LK": 2, "LA": 2, "JP": 2, "KR": 2, "US": 2, "TR": 2, "AF": 2,
    "NZ": 1, "IR": 1, "IQ": 1, "JO": 1, "SY": 1, "AE": 1, "MN": 1, "TL": 1, "PG": 1, "FJ": 1,
    "SG": 1, "HK": 1, "BN": 0.5, "BT": 0.5, "MV": 0.5, "MO": 0.3, "NC": 0.3, "SB": 0.3, "VU": 0.3,
    "WS": 0.3, "TO": 0.3, "KP": 0.2, "KI": 0.2, "NR": 0.1, "PW": 0.1,
}

# Where referred people come from (weights of nationality when it is not the country itself).
ORIGIN_SHARE: dict[str, float] = {
    "MM": 6, "KH": 5, "VN": 5, "LA": 4, "ID": 5, "PH": 5, "BD": 5, "NP": 4, "PK": 3, "AF": 3,
    "LK": 2, "CN": 2, "IN": 3, "KP": 1, "TL": 1, "MN": 1, "IR": 1, "IQ": 1, "SY": 1, "PG": 1,
}

REGIONS: dict[str, tuple[str, ...]] = {
    "south-east asia": ("TH", "MM", "KH", "LA", "VN", "MY", "SG", "ID", "PH", "BN", "TL"),
    "south asia": ("IN", "BD", "NP", "BT", "LK", "MV", "PK", "AF"),
    "east asia": ("CN", "HK", "MO", "JP", "KR", "KP", "MN"),
    "pacific": ("AU", "NZ", "PG", "FJ", "SB", "VU", "WS", "TO", "KI", "NR", "PW", "NC", "US"),
    "middle east": ("IR", "IQ", "JO", "SY", "AE", "TR"),
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes}

# Main ISO 639-1 language(s) per member state.
LANGUAGES: dict[str, tuple[str, ...]] = {
    "AE": ("ar",), "AF": ("ps", "fa"), "AU": ("en",), "BD": ("bn",), "BN": ("ms",), "BT": ("dz",),
    "CN": ("zh",), "FJ": ("fj", "en"), "HK": ("zh", "en"), "ID": ("id",), "IN": ("hi", "en"),
    "IQ": ("ar",), "IR": ("fa",), "JO": ("ar",), "JP": ("ja",), "KH": ("km",), "KI": ("en",),
    "KP": ("ko",), "KR": ("ko",), "LA": ("lo",), "LK": ("si", "ta"), "MM": ("my",), "MN": ("mn",),
    "MO": ("zh", "pt"), "MV": ("dv",), "MY": ("ms", "en"), "NC": ("fr",), "NP": ("ne",), "NR": ("na",),
    "NZ": ("en", "mi"), "PG": ("en",), "PH": ("tl", "en"), "PK": ("ur",), "PW": ("en",), "SB": ("en",),
    "SG": ("en", "zh", "ms"), "SY": ("ar",), "TH": ("th",), "TL": ("pt",), "TO": ("to",), "TR": ("tr",),
    "US": ("en",), "VN": ("vi",), "VU": ("bi",), "WS": ("sm",),
}

KIND_SHARE = {"government": 0.20, "ngo": 0.72, "international": 0.08}

# How often an organisation offering services offers each one (independent draws).
SERVICE_SHARE = {
    "shelter": 0.45, "psychosocial": 0.5, "medical": 0.35, "legal_aid": 0.4, "interpretation": 0.2,
    "repatriation": 0.15, "reintegration": 0.3, "compensation_support": 0.15, "witness_support": 0.15,
    "family_tracing": 0.1,
}
# How often a referral needs each service (weights; one to four needs per referral).
NEED_SHARE = {
    "shelter": 50, "psychosocial": 45, "medical": 40, "legal_aid": 35, "interpretation": 20,
    "repatriation": 25, "reintegration": 30, "compensation_support": 10, "witness_support": 8,
    "family_tracing": 8,
}

AGE_BAND_SHARE = {
    "0-8": 3, "9-17": 14, "18-20": 12, "21-23": 13, "24-26": 12, "27-29": 10, "30-38": 18, "39-47": 8,
    "48+": 4, "unknown": 6,
}
GENDER_SHARE = {"female": 52, "male": 38, "transgender": 2, "unknown": 8}
EXPLOITATION_SHARE = {
    "labour": 45, "sexual": 35, "domestic_servitude": 8, "forced_marriage": 5, "forced_criminality": 4,
    "begging": 2, "other": 1, "organ_removal": 0.3,
}
INDICATORS = (
    "abuse_of_vulnerability", "deception", "restriction_of_movement", "isolation", "physical_sexual_violence",
    "intimidation_threats", "retention_of_identity_documents", "withholding_of_wages", "debt_bondage",
    "abusive_working_and_living_conditions", "excessive_overtime",
)
URGENCY_SHARE = {"routine": 55, "urgent": 35, "emergency": 10}
CONSENT_SHARE = {"informed_consent": 85, "vital_interest": 10, "legal_obligation": 5}
OUTCOME_SHARE = {
    "safe_accommodation": 20, "medical_care": 15, "psychosocial_support": 18, "legal_aid": 10,
    "interpretation": 5, "repatriation": 8, "reintegration": 8, "compensation_claimed": 3,
    "compensation_awarded": 1, "witness_participation": 3, "lost_contact": 5, "declined_assistance": 4,
}

# Status by the referral's age in days: recent referrals are open, old ones closed.
STATUS_BY_AGE: list[tuple[float, dict[str, float]]] = [
    (3, {"submitted": 25, "offered": 35, "accepted": 20, "in_progress": 15, "withdrawn": 5}),
    (30, {"submitted": 8, "offered": 4, "accepted": 15, "in_progress": 50, "closed": 15, "withdrawn": 8}),
    (180, {"submitted": 3, "accepted": 3, "in_progress": 30, "closed": 55, "withdrawn": 9}),
    (float("inf"), {"submitted": 1, "in_progress": 6, "closed": 84, "withdrawn": 9}),
]

NOTES = (
    "Identified during a labour inspection.",
    "Referred by a hotline after a call from a co-worker.",
    "Found during a venue inspection; wishes to stay in the country for now.",
    "Wages withheld for several months; documents kept by the employer.",
    "Returned from abroad; needs support to reintegrate.",
    "Met outreach workers at a bus terminal.",
)
CLOSE_REASONS = ("Assistance completed.", "Returned home safely.", "Case transferred to the national system.",
                 "Lost contact after repeated attempts.")
