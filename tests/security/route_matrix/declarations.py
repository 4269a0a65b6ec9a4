"""What every caller must get from every route: the declaration the route matrix checks.

Key: (route as in the URL conf, method, target). Targets name the concrete object the route's ids
point at (see World.kwargs): `-` for routes without ids; `submitted`, `offered`, `accepted` for
three of the network's referrals; `TH` for the area of Thailand; `shelter` (the offered NGO's
confidential shelter); `coverage` (the offered NGO's coverage); `submitter` (the government
agency); `viewer` (the membership of its viewer, under /organisations/<the agency>/members/);
`webhook` (the agency's); `shelter code` (the service code `shelter`); `foreign member` (the offered
NGO's caseworker's membership, asked for under /organisations/<the agency>/members/). Targets with
a colon use the object before it with another body: `for offered` (a facility or coverage of the
offered NGO, whoever asks), `: move` (moving the shelter or coverage to the unrelated NGO),
`: unverify` ({"verified": false}). `replay...` targets first make a request with an
Idempotency-Key, then repeat it as the caller (see requests.SETUPS).

Readable objects that the caller may not change answer 403; objects the caller may not read
answer 404, whatever the method (their existence does not leak). 409: the caller may act on the
referral, but not in its current state (the state is checked before the party, by design).
"""

from dataclasses import dataclass

# Who calls: an attribute of tests.network.Network each (but `anonymous`: no credentials).
ACTORS = (
    "anonymous",
    "platform_admin",               # is_staff, member of no organisation
    "analyst",                      # a group holding referrals.view_all_statistics, member of no organisation
    "submitter_admin",              # the government agency that submitted the referrals: its admin,
    "submitter_caseworker",         # ... its caseworker
    "submitter_viewer",             # ... its viewer
    "offered_caseworker",           # caseworker of the NGO holding a pending offer of the `offered` referral
    "declined_caseworker",          # caseworker of the NGO that declined its offers
    "accepting_caseworker",         # caseworker of the NGO that accepted the `accepted` referral
    "other_government_caseworker",  # caseworker of an unrelated government agency
    "other_ngo_admin",              # admin of an unrelated NGO (admin-only routes, tried by another admin)
)
SUBMITTER = ("submitter_admin", "submitter_caseworker", "submitter_viewer")


def expect(rest: int, *, submitter: int | None = None, **actors: int) -> dict[str, int]:
    """The status each actor must get: the actors named; the submitting agency's three members
    (`submitter`, unless named one by one); `rest` for everyone else."""
    unknown = set(actors) - set(ACTORS)
    assert not unknown, f"no such actors: {unknown}"
    groups = dict.fromkeys(SUBMITTER, submitter) if submitter is not None else {}
    return {actor: actors.get(actor, groups.get(actor, rest)) for actor in ACTORS}


PUBLIC = expect(200)
MEMBER_READ = expect(200, anonymous=401, analyst=403)  # IsMemberOrPlatformStaff, open data

MATRIX: dict[tuple[str, str, str], dict[str, int]] = {
    # health, tokens, the schema and its docs: public (drf-spectacular's SERVE_PERMISSIONS default AllowAny)
    ("/healthz", "GET", "-"): PUBLIC,
    ("/api/v1/auth/token/", "POST", "-"): PUBLIC,  # own credentials
    ("/api/v1/auth/logout/", "POST", "-"): expect(204, anonymous=401),
    # two-factor: anyone signed in enrols themselves; confirming with no enrolment started is a conflict
    ("/api/v1/auth/mfa/totp/", "POST", "-"): expect(200, anonymous=401),
    ("/api/v1/auth/mfa/totp/confirm/", "POST", "-"): expect(409, anonymous=401),
    ("/api/v1/", "GET", "-"): PUBLIC,  # the API root: links to every collection
    ("/api/v1/schema/", "GET", "-"): PUBLIC,
    ("/api/v1/docs/", "GET", "-"): PUBLIC,
    # the browsable API's session login (Django's LoginView and LogoutView): public forms
    ("/api-auth/login/", "GET", "-"): PUBLIC,
    ("/api-auth/login/", "POST", "-"): expect(302),
    ("/api-auth/login/", "PUT", "-"): PUBLIC,  # FormView.put: re-shows the form
    ("/api-auth/logout/", "POST", "-"): PUBLIC,
    # geography and the directory: every member of the network reads it
    ("/api/v1/geo/locate/", "GET", "-"): MEMBER_READ,
    ("/api/v1/geo/areas/", "GET", "-"): MEMBER_READ,
    ("/api/v1/geo/areas/{pk}/", "GET", "TH"): MEMBER_READ,
    ("/api/v1/providers/search/", "GET", "-"): MEMBER_READ,
    ("/api/v1/directory/export/", "GET", "-"): MEMBER_READ,
    ("/api/v1/services/", "GET", "-"): MEMBER_READ,
    ("/api/v1/services/{code}/", "GET", "shelter code"): MEMBER_READ,
    ("/api/v1/organisations/", "GET", "-"): MEMBER_READ,
    ("/api/v1/organisations/", "POST", "-"): expect(403, anonymous=401, platform_admin=201),
    ("/api/v1/organisations/{pk}/", "GET", "submitter"): MEMBER_READ,
    ("/api/v1/organisations/{pk}/", "PUT", "submitter"):
        expect(403, anonymous=401, platform_admin=200, submitter_admin=200),
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter"):
        expect(403, anonymous=401, platform_admin=200, submitter_admin=200),
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: unverify"): expect(403, anonymous=401, platform_admin=200),
    # facilities and coverage: members read; the owner's admins and caseworkers write (bodies: own org)
    ("/api/v1/facilities/", "GET", "-"): MEMBER_READ,
    ("/api/v1/facilities/", "POST", "-"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    ("/api/v1/facilities/", "POST", "for offered"):
        expect(400, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403, offered_caseworker=201),
    ("/api/v1/facilities/{pk}/", "GET", "shelter"): MEMBER_READ,
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter"): expect(403, anonymous=401, offered_caseworker=200),
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter: move"): expect(403, anonymous=401, offered_caseworker=400),
    ("/api/v1/facilities/{pk}/", "DELETE", "shelter"): expect(403, anonymous=401, offered_caseworker=204),
    # ... its free beds, the daily routine: the owner's admins and caseworkers only
    ("/api/v1/facilities/{pk}/capacity/", "POST", "shelter"): expect(403, anonymous=401, offered_caseworker=200),
    ("/api/v1/coverage-areas/", "GET", "-"): MEMBER_READ,
    ("/api/v1/coverage-areas/", "POST", "-"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    ("/api/v1/coverage-areas/", "POST", "for offered"):
        expect(400, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403, offered_caseworker=201),
    ("/api/v1/coverage-areas/{pk}/", "GET", "coverage"): MEMBER_READ,
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage"): expect(403, anonymous=401, offered_caseworker=200),
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage: move"): expect(403, anonymous=401, offered_caseworker=400),
    ("/api/v1/coverage-areas/{pk}/", "DELETE", "coverage"): expect(403, anonymous=401, offered_caseworker=204),
    # who does what where (issue 14): members read; the owner's admins and caseworkers write (bodies: own
    # org); another organisation's activity is readable, not writable (403, as facilities and coverage)
    ("/api/v1/activities/", "GET", "-"): MEMBER_READ,
    ("/api/v1/activities/", "POST", "-"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    ("/api/v1/activities/", "POST", "for offered"):
        expect(400, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403, offered_caseworker=201),
    ("/api/v1/activities/export/", "GET", "-"): MEMBER_READ,
    ("/api/v1/activities/{pk}/", "GET", "activity"): MEMBER_READ,
    ("/api/v1/activities/{pk}/", "PATCH", "activity"): expect(403, anonymous=401, offered_caseworker=200),
    ("/api/v1/activities/{pk}/", "PATCH", "activity: move"): expect(403, anonymous=401, offered_caseworker=400),
    ("/api/v1/activities/{pk}/", "DELETE", "activity"): expect(403, anonymous=401, offered_caseworker=204),
    # members: another organisation's member list does not exist for you (404); staff onboard anyone
    ("/api/v1/organisations/{organisation_pk}/members/", "GET", "submitter"):
        expect(404, anonymous=401, platform_admin=200, analyst=403, submitter=200),
    ("/api/v1/organisations/{organisation_pk}/members/", "POST", "submitter"):
        expect(404, anonymous=401, platform_admin=201, analyst=403, submitter=403, submitter_admin=201),
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "GET", "viewer"):
        expect(404, anonymous=401, platform_admin=200, analyst=403, submitter=200),
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH", "viewer"):
        expect(404, anonymous=401, platform_admin=200, analyst=403, submitter=403, submitter_admin=200),
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "DELETE", "viewer"):
        expect(404, anonymous=401, platform_admin=204, analyst=403, submitter=403, submitter_admin=204),
    # ... and a member of another organisation, asked for under the agency's URL, is nobody's (404);
    # the agency's caseworker and viewer are refused any change before the lookup (403, whatever the id)
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "GET", "foreign member"):
        expect(404, anonymous=401, analyst=403),
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH", "foreign member"):
        expect(404, anonymous=401, analyst=403, submitter=403, submitter_admin=404),
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "DELETE", "foreign member"):
        expect(404, anonymous=401, analyst=403, submitter=403, submitter_admin=404),
    # statistics: analysts and staff over all referrals, a member over its organisation's; k-anonymised
    ("/api/v1/stats/referrals/", "GET", "-"): expect(200, anonymous=401),
    ("/api/v1/stats/referrals/response-times/", "GET", "-"): expect(200, anonymous=401),
    ("/api/v1/stats/export/", "GET", "-"): expect(200, anonymous=401),
    # occupancy over time (organisational data, exact): platform administrators and analysts only
    ("/api/v1/stats/capacity/", "GET", "-"): expect(403, anonymous=401, platform_admin=200, analyst=200),
    # progress indicators (issue 14): analysts and staff noisy over all referrals, a member exact over its own
    ("/api/v1/stats/indicators/", "GET", "-"): expect(200, anonymous=401),
    # referrals: list and submit (any acting member; staff run the network, not cases)
    ("/api/v1/referrals/", "GET", "-"): MEMBER_READ,  # each sees its own
    ("/api/v1/referrals/", "POST", "-"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    # ... retried with the Idempotency-Key the agency's caseworker used: the agency gets the first
    # answer again; everyone else submits their own (keys are per organisation)
    ("/api/v1/referrals/", "POST", "replay"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    ("/api/v1/referrals/", "POST", "replay after consent withdrawal"):
        expect(201, anonymous=401, platform_admin=403, analyst=403, submitter_viewer=403),
    # a referral still `submitted`: only its submitter sees it
    ("/api/v1/referrals/{pk}/", "GET", "submitted"): expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/", "PATCH", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/matches/", "GET", "submitted"): expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/events/", "GET", "submitted"): expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "submitted"): expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/route/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/accept/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/decline/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/close/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    # `offered`: the submitter and the organisation holding the pending offer; not the one that declined
    ("/api/v1/referrals/{pk}/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/", "PATCH", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, offered_caseworker=409),
    ("/api/v1/referrals/{pk}/matches/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/events/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, offered_caseworker=409),
    ("/api/v1/referrals/{pk}/route/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/accept/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=403, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/decline/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=403, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/close/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, offered_caseworker=409),
    # `accepted`: the submitter and the accepting organisation; the lapsed and declined ones lost access
    ("/api/v1/referrals/{pk}/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=200),
    ("/api/v1/referrals/{pk}/", "PATCH", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, accepting_caseworker=409),
    ("/api/v1/referrals/{pk}/matches/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=403),
    ("/api/v1/referrals/{pk}/events/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=200),
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=200),
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=403, accepting_caseworker=201),
    ("/api/v1/referrals/{pk}/route/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, accepting_caseworker=409),
    ("/api/v1/referrals/{pk}/accept/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, accepting_caseworker=409),
    ("/api/v1/referrals/{pk}/decline/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, accepting_caseworker=409),
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403, accepting_caseworker=403),
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, submitter_viewer=403, accepting_caseworker=403),
    ("/api/v1/referrals/{pk}/close/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=403, accepting_caseworker=200),
    # the accepting NGO recorded an outcome with an Idempotency-Key, then the person withdrew consent:
    # the NGO lost access, so a retry with that key finds no referral either
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted: replay after consent withdrawal"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    # onward referral (issue 14): the accepting organisation's admins and caseworkers; before
    # acceptance the state refuses it (409), after it the submitter is another party (403)
    ("/api/v1/referrals/{pk}/refer-onward/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/refer-onward/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=409, submitter_viewer=403, offered_caseworker=409),
    ("/api/v1/referrals/{pk}/refer-onward/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=403, accepting_caseworker=201),
    # returns (issue 14): the submitter or the accepting organisation opens one (to Myanmar, whose
    # focal point is no actor here); a pending offer is not enough
    ("/api/v1/referrals/{pk}/return/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=201, submitter_viewer=403, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/return/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=201, submitter_viewer=403, accepting_caseworker=201),
    # ... read by its origin (the accepting NGO opened it) and the destination's focal points only;
    # the referral's submitter is no party to it
    ("/api/v1/returns/", "GET", "-"): MEMBER_READ,  # each sees its own
    ("/api/v1/returns/{pk}/", "GET", "return"): expect(404, anonymous=401, analyst=403, accepting_caseworker=200),
    # the next step (assessing) is the destination's: the origin is refused it (403)
    ("/api/v1/returns/{pk}/transition/", "POST", "return"):
        expect(404, anonymous=401, analyst=403, accepting_caseworker=403),
    ("/api/v1/returns/{pk}/transition/", "POST", "return: cancel"):
        expect(404, anonymous=401, analyst=403, accepting_caseworker=200),
    # follow-ups start at hand-over: 409 before it
    ("/api/v1/returns/{pk}/follow-ups/{months}/", "POST", "return"):
        expect(404, anonymous=401, analyst=403, accepting_caseworker=409),
    # webhooks: an organisation's admins only (403 to everyone else, before any lookup); another
    # organisation's webhook does not exist for an admin (404)
    ("/api/v1/webhooks/", "GET", "-"): expect(403, anonymous=401, submitter_admin=200, other_ngo_admin=200),
    ("/api/v1/webhooks/", "POST", "-"): expect(403, anonymous=401, submitter_admin=201, other_ngo_admin=201),
    ("/api/v1/webhooks/{pk}/", "GET", "webhook"): expect(403, anonymous=401, submitter_admin=200, other_ngo_admin=404),
    ("/api/v1/webhooks/{pk}/", "PATCH", "webhook"):
        expect(403, anonymous=401, submitter_admin=200, other_ngo_admin=404),
    ("/api/v1/webhooks/{pk}/", "DELETE", "webhook"):
        expect(403, anonymous=401, submitter_admin=204, other_ngo_admin=404),
    ("/api/v1/webhooks/{pk}/deliveries/", "GET", "webhook"):
        expect(403, anonymous=401, submitter_admin=200, other_ngo_admin=404),
    ("/api/v1/webhooks/{pk}/rotate-secret/", "POST", "webhook"):
        expect(403, anonymous=401, submitter_admin=200, other_ngo_admin=404),
    # who am I, and how I am told: every signed-in caller reads and changes their own, nobody else's
    ("/api/v1/me/", "GET", "-"): expect(200, anonymous=401),
    ("/api/v1/me/", "PATCH", "-"): expect(200, anonymous=401),
    ("/api/v1/me/notification-preferences/", "GET", "-"): expect(200, anonymous=401),
    ("/api/v1/me/notification-preferences/", "PUT", "-"): expect(200, anonymous=401),
    # --- issue 14: screening forms, screenings, identification, countries ---
    # forms: every member reads; platform administrators write; the seeded regional form is published (409)
    ("/api/v1/screening-forms/", "GET", "-"): MEMBER_READ,
    ("/api/v1/screening-forms/", "POST", "-"): expect(403, anonymous=401, platform_admin=201),
    ("/api/v1/screening-forms/{pk}/", "GET", "regional form"): MEMBER_READ,
    ("/api/v1/screening-forms/{pk}/", "PATCH", "regional form"): expect(403, anonymous=401, platform_admin=409),
    ("/api/v1/screening-forms/{pk}/publish/", "POST", "regional form"):
        expect(403, anonymous=401, platform_admin=409),
    # a referral's screenings: read by who sees it; written by the parties acting on it (not viewers)
    ("/api/v1/referrals/{pk}/screenings/", "GET", "submitted"): expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/screenings/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=201, submitter_viewer=403),
    ("/api/v1/referrals/{pk}/screenings/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/screenings/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=201, submitter_viewer=403, offered_caseworker=201),
    ("/api/v1/referrals/{pk}/screenings/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=200),
    ("/api/v1/referrals/{pk}/screenings/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=201, submitter_viewer=403, accepting_caseworker=201),
    # identification: no organisation of the network is competent (403 to who sees the referral) ...
    ("/api/v1/referrals/{pk}/identification/", "GET", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=200),
    ("/api/v1/referrals/{pk}/identification/", "POST", "submitted"):
        expect(404, anonymous=401, analyst=403, submitter=403),
    ("/api/v1/referrals/{pk}/identification/", "GET", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=200, offered_caseworker=200),
    ("/api/v1/referrals/{pk}/identification/", "POST", "offered"):
        expect(404, anonymous=401, analyst=403, submitter=403, offered_caseworker=403),
    ("/api/v1/referrals/{pk}/identification/", "GET", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=200, accepting_caseworker=200),
    ("/api/v1/referrals/{pk}/identification/", "POST", "accepted"):
        expect(404, anonymous=401, analyst=403, submitter=403, accepting_caseworker=403),
    # ... until platform administrators mark the accepting NGO competent (identifies_victims)
    ("/api/v1/referrals/{pk}/identification/", "POST", "accepted: competent"):
        expect(404, anonymous=401, analyst=403, submitter=403, accepting_caseworker=201),
    # the rules per member state: members read; platform administrators set them
    ("/api/v1/countries/", "GET", "-"): MEMBER_READ,
    ("/api/v1/countries/{code}/", "GET", "TH code"): MEMBER_READ,
    ("/api/v1/countries/{code}/", "PATCH", "TH code"): expect(403, anonymous=401, platform_admin=200),
    # the competence to identify victims: platform administrators only, not even the organisation's admin
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: competent"): expect(403, anonymous=401, platform_admin=200),
}

# The console's organisation admin, directory and statistics pages, declared next to them.
from .console_admin import console_admin_matrix  # noqa: E402

MATRIX.update(console_admin_matrix(expect))

# Route prefixes declared as a group, with the reason, instead of one row per route and caller.
GROUPED = {
    "/admin/": "Django admin site, staff only: every page sends anonymous and non-staff users to its "
               "login page (test_admin_site_is_staff_only); a superuser and a platform administrator on "
               "every page, as attackers, in route_matrix/admin.py (test_admin_matrix)",
}

# HEAD and OPTIONS are answered by the framework for every route (HEAD as GET, OPTIONS with
# metadata after the same authentication and permission checks); they are not declared per route.
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})

# The only responses that may carry a secret: a webhook's signing secret, a TOTP enrolment's own.
SECRET_SHOWN_ONCE = frozenset({("/api/v1/webhooks/", "POST"), ("/api/v1/webhooks/{pk}/rotate-secret/", "POST"),
                               ("/api/v1/auth/mfa/totp/", "POST")})
# Documentation describes fields (it names `case_reference` and `secret`) and holds no data.
DOCUMENTATION = frozenset({"/api/v1/schema/", "/api/v1/docs/"})

TARGETS = frozenset({
    "-", "submitted", "offered", "accepted", "TH", "shelter", "coverage", "submitter", "viewer", "webhook",
    "shelter code", "foreign member", "for offered", "shelter: move", "coverage: move", "submitter: unverify",
    "replay", "replay after consent withdrawal", "accepted: replay after consent withdrawal",
    "activity", "activity: move",
    "regional form", "TH code", "accepted: competent", "submitter: competent",
    "return", "return: cancel",
})


@dataclass(frozen=True)
class Cell:
    route: str
    method: str
    target: str
    actor: str
    expected: int

    def __str__(self) -> str:
        return f"{self.method} {self.route} [{self.target}] as {self.actor}"


def cells() -> list[Cell]:
    return [Cell(route, method, target, actor, status)
            for (route, method, target), statuses in MATRIX.items() for actor, status in statuses.items()]


FAMILY_OF = {
    "healthz": "public", "auth": "public", "schema": "public", "docs": "public", "api-auth": "public",
    "geo": "directory", "providers": "directory", "directory": "directory", "services": "directory",
    "stats": "directory",
    "organisations": "organisations", "facilities": "facilities", "coverage-areas": "facilities",
    "activities": "facilities",
    "referrals": "referrals", "webhooks": "webhooks", "returns": "returns",
    "screening-forms": "identification", "countries": "identification",
}


def family(cell: Cell) -> str:
    """Cells run in groups: one seeded network per group, a savepoint per cell."""
    parts = cell.route.strip("/").split("/")
    segment = parts[2] if parts[:2] == ["api", "v1"] and len(parts) > 2 else parts[0]
    name = FAMILY_OF.get(segment, segment)
    return f"{name}:{cell.target}" if name == "referrals" and cell.target != "-" else name


FAMILIES = sorted({family(cell) for cell in cells()})

# The console's pages and actions (route_matrix/console.py), after the API's: some mirror them.
from .console import console_matrix  # noqa: E402

MATRIX.update(console_matrix(MATRIX, expect))
FAMILIES = sorted({family(cell) for cell in cells()})

# The console's account page (route_matrix/console_account.py).
from .console_account import console_account_matrix  # noqa: E402

MATRIX.update(console_account_matrix(expect))
