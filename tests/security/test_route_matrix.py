"""An authorization matrix that cannot go stale (OWASP API1, broken object level authorization).

Every route of the URL configuration and every HTTP method its view serves is declared in MATRIX
below with the status each kind of caller must get; the suite fails when a route or method is added
without a declaration, or when a declaration names a route that no longer exists. Each declared
cell is then requested for real, with concrete ids and valid bodies, against a seeded network:

- a government agency (the submitter: its admin, caseworker and viewer) that submitted three
  referrals: one still `submitted`, one `offered` (to the offered NGO, pending; and to the declined
  NGO, which declined) and one `accepted` (offered to the accepting NGO, the offered NGO and the
  declined NGO; the declined NGO declined, the accepting NGO accepted, so the offered NGO's offer
  lapsed), plus a second open referral of the same person as the offered one (so that
  `possible_duplicate_of` is set for the submitter);
- the offered NGO's confidential shelter and its coverage of Thailand; the submitter's webhook;
- a platform administrator (is_staff, nobody's member), an analyst (whose group holds
  referrals.view_all_statistics, nobody's member), an unrelated government agency (caseworker) and
  an unrelated NGO (its admin, so that admin-only routes are tried by an admin of another
  organisation too).

The network is built once per group of routes (test_matrix[<group>]); every cell runs in a
savepoint that is rolled back, so each request sees the same network and a write by one caller
never changes what the next caller gets (fresh data per cell). The cells of a group are all run and
all mismatches reported at once.

Besides the status, every response of every cell is checked against the field-level rules: no case
reference ever; a webhook's secret only in the responses that create it or rotate it; the subject
key and the duplicate hint only for the organisation that submitted the referral; a shelter's exact
location only for its own organisation; a referral, every offer in it and every event of it only
for an organisation that may see them; webhooks and member lists only of one's own organisation;
free text erased with a consent never again. test_field_rules_show_what_they_must checks the other
side (the submitter does get the subject key, the operator the exact location, and so on).

Also: methods a route does not serve answer 405 (so the enumeration of methods is right), OPTIONS
on an object one may not read answers as on an object that does not exist, and every admin page
sends non-staff users to the admin login. test_summary prints the counts.

Cells that reveal a bug keep the correct status in MATRIX and are listed in KNOWN_BUGS: those
cells are tested on their own, as strict expected failures.
"""

import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from geo.models import AdministrativeArea
from integration import webhooks
from organisations.models import CoverageArea
from referrals import services
from referrals.models import Referral
from tests.organisations.factories import PASSWORD, FacilityFactory, OrganisationFactory, member
from tests.referrals.conftest import cast, offered_referral  # noqa: F401
from tests.referrals.factories import cover_country, referral_payload, submit

pytestmark = pytest.mark.django_db

User = get_user_model()

# --- who calls ---------------------------------------------------------------------------------

ACTORS = (
    "anon",        # no credentials
    "staff",       # platform administrator: is_staff, member of no organisation
    "analyst",     # a group holding referrals.view_all_statistics, member of no organisation
    "sub_admin",   # the submitting government agency's admin
    "sub_cw",      # ... its caseworker
    "sub_view",    # ... its viewer
    "offered",     # caseworker of the NGO holding a pending offer of the `offered` referral
    "declined",    # caseworker of the NGO that declined its offer
    "accepting",   # caseworker of the NGO that accepted the `accepted` referral
    "other_gov",   # caseworker of an unrelated government agency
    "other_ngo",   # admin of an unrelated NGO
)
SUBMITTER = frozenset({"sub_admin", "sub_cw", "sub_view"})

# --- what they must get ------------------------------------------------------------------------
#
# Key: (route as in the URL conf, method, target). Targets name the concrete object the route's ids
# point at (see World.kwargs): `-` for routes without ids; `submitted`, `offered`, `accepted` for the
# three referrals; `TH` for the area of Thailand; `shelter` (the offered NGO's shelter); `coverage`
# (the offered NGO's coverage); `submitter` (the government agency); `viewer` (the membership of
# its viewer, under /organisations/<the agency>/members/); `webhook` (the agency's); `shelter code`
# (the service code `shelter`); `foreign member` (the offered NGO's caseworker's membership, asked
# for under /organisations/<the agency>/members/). Targets with a colon use the object before it
# with another body: `for offered` (a facility or coverage of the offered NGO, whoever asks),
# `: move` (moving the shelter or coverage to the unrelated NGO), `: unverify` ({"verified": false}).
# `replay...` targets first make a request with an Idempotency-Key, then repeat it as the caller
# (see SETUPS).
#
# Readable objects that the caller may not change answer 403; objects the caller may not read
# answer 404, whatever the method (their existence does not leak). 409: the caller may act on the
# referral, but not in its current state (the state is checked before the party, by design).

PUBLIC = "200 200 200 200 200 200 200 200 200 200 200"
MEMBER_READ = "401 200 403 200 200 200 200 200 200 200 200"  # IsMemberOrPlatformStaff, open data

MATRIX: dict[tuple[str, str, str], str] = {
    #                                                                    ano stf anl sAd sCw sVw off dec acc gov ngo
    # health, tokens, the schema and its docs: public (drf-spectacular's SERVE_PERMISSIONS default AllowAny)
    ("/healthz", "GET", "-"):                                           PUBLIC,
    ("/api/v1/auth/token/", "POST", "-"):                               PUBLIC,  # own credentials
    ("/api/v1/auth/logout/", "POST", "-"):                              "401 204 204 204 204 204 204 204 204 204 204",
    ("/api/v1/schema/", "GET", "-"):                                    PUBLIC,
    ("/api/v1/docs/", "GET", "-"):                                      PUBLIC,
    # the browsable API's session login (Django's LoginView and LogoutView): public forms
    ("/api-auth/login/", "GET", "-"):                                   PUBLIC,
    ("/api-auth/login/", "POST", "-"):                                  "302 302 302 302 302 302 302 302 302 302 302",
    ("/api-auth/login/", "PUT", "-"):                                   PUBLIC,  # FormView.put: re-shows the form
    ("/api-auth/logout/", "POST", "-"):                                 PUBLIC,
    # geography and the directory: every member of the network reads it
    ("/api/v1/geo/locate/", "GET", "-"):                                MEMBER_READ,
    ("/api/v1/geo/areas/", "GET", "-"):                                 MEMBER_READ,
    ("/api/v1/geo/areas/{pk}/", "GET", "TH"):                           MEMBER_READ,
    ("/api/v1/providers/search/", "GET", "-"):                          MEMBER_READ,
    ("/api/v1/directory/export/", "GET", "-"):                          MEMBER_READ,
    ("/api/v1/services/", "GET", "-"):                                  MEMBER_READ,
    ("/api/v1/services/{code}/", "GET", "shelter code"):                MEMBER_READ,
    ("/api/v1/organisations/", "GET", "-"):                             MEMBER_READ,
    ("/api/v1/organisations/", "POST", "-"):                            "401 201 403 403 403 403 403 403 403 403 403",
    ("/api/v1/organisations/{pk}/", "GET", "submitter"):                MEMBER_READ,
    ("/api/v1/organisations/{pk}/", "PUT", "submitter"):                "401 200 403 200 403 403 403 403 403 403 403",
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter"):              "401 200 403 200 403 403 403 403 403 403 403",
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: unverify"):    "401 200 403 403 403 403 403 403 403 403 403",
    # facilities and coverage: members read; the owner's admins and caseworkers write (bodies: own org)
    ("/api/v1/facilities/", "GET", "-"):                                MEMBER_READ,
    ("/api/v1/facilities/", "POST", "-"):                               "401 403 403 201 201 403 201 201 201 201 201",
    ("/api/v1/facilities/", "POST", "for offered"):                     "401 403 403 400 400 403 201 400 400 400 400",
    ("/api/v1/facilities/{pk}/", "GET", "shelter"):                     MEMBER_READ,
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter"):                   "401 403 403 403 403 403 200 403 403 403 403",
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter: move"):             "401 403 403 403 403 403 400 403 403 403 403",
    ("/api/v1/facilities/{pk}/", "DELETE", "shelter"):                  "401 403 403 403 403 403 204 403 403 403 403",
    ("/api/v1/coverage-areas/", "GET", "-"):                            MEMBER_READ,
    ("/api/v1/coverage-areas/", "POST", "-"):                           "401 403 403 201 201 403 201 201 201 201 201",
    ("/api/v1/coverage-areas/", "POST", "for offered"):                 "401 403 403 400 400 403 201 400 400 400 400",
    ("/api/v1/coverage-areas/{pk}/", "GET", "coverage"):                MEMBER_READ,
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage"):              "401 403 403 403 403 403 200 403 403 403 403",
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage: move"):        "401 403 403 403 403 403 400 403 403 403 403",
    ("/api/v1/coverage-areas/{pk}/", "DELETE", "coverage"):             "401 403 403 403 403 403 204 403 403 403 403",
    # members: another organisation's member list does not exist for you (404); staff onboard anyone
    ("/api/v1/organisations/{organisation_pk}/members/", "GET", "submitter"):
                                                                        "401 200 403 200 200 200 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/", "POST", "submitter"):
                                                                        "401 201 403 201 403 403 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "GET", "viewer"):
                                                                        "401 200 403 200 200 200 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH", "viewer"):
                                                                        "401 200 403 200 403 403 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "DELETE", "viewer"):
                                                                        "401 204 403 204 403 403 404 404 404 404 404",
    # ... and a member of another organisation, asked for under the agency's URL, is nobody's (404);
    # the agency's caseworker and viewer are refused any change before the lookup (403, whatever the id)
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "GET", "foreign member"):
                                                                        "401 404 403 404 404 404 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH", "foreign member"):
                                                                        "401 404 403 404 403 403 404 404 404 404 404",
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "DELETE", "foreign member"):
                                                                        "401 404 403 404 403 403 404 404 404 404 404",
    # statistics: analysts and staff over all referrals, a member over its organisation's; k-anonymised
    ("/api/v1/stats/referrals/", "GET", "-"):                           "401 200 200 200 200 200 200 200 200 200 200",
    ("/api/v1/stats/referrals/response-times/", "GET", "-"):            "401 200 200 200 200 200 200 200 200 200 200",
    ("/api/v1/stats/export/", "GET", "-"):                              "401 200 200 200 200 200 200 200 200 200 200",
    # referrals: list and submit (any acting member; staff run the network, not cases)
    ("/api/v1/referrals/", "GET", "-"):                                 MEMBER_READ,  # each sees its own
    ("/api/v1/referrals/", "POST", "-"):                                "401 403 403 201 201 403 201 201 201 201 201",
    # ... retried with the Idempotency-Key the agency's caseworker used: the agency gets the first
    # answer again; everyone else submits their own (keys are per organisation)
    ("/api/v1/referrals/", "POST", "replay"):                           "401 403 403 201 201 403 201 201 201 201 201",
    ("/api/v1/referrals/", "POST", "replay after consent withdrawal"):  "401 403 403 201 201 403 201 201 201 201 201",
    # a referral still `submitted`: only its submitter sees it
    #                                                                    ano stf anl sAd sCw sVw off dec acc gov ngo
    ("/api/v1/referrals/{pk}/", "GET", "submitted"):                    "401 404 403 200 200 200 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/", "PATCH", "submitted"):                  "401 404 403 200 200 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/matches/", "GET", "submitted"):            "401 404 403 200 200 200 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/events/", "GET", "submitted"):             "401 404 403 200 200 200 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "submitted"):           "401 404 403 200 200 200 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "submitted"):          "401 404 403 409 409 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/route/", "POST", "submitted"):             "401 404 403 200 200 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/accept/", "POST", "submitted"):            "401 404 403 409 409 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/decline/", "POST", "submitted"):           "401 404 403 409 409 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "submitted"):          "401 404 403 200 200 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "submitted"):  "401 404 403 200 200 403 404 404 404 404 404",
    ("/api/v1/referrals/{pk}/close/", "POST", "submitted"):             "401 404 403 409 409 403 404 404 404 404 404",
    # `offered`: the submitter and the organisation holding the pending offer; not the one that declined
    ("/api/v1/referrals/{pk}/", "GET", "offered"):                      "401 404 403 200 200 200 200 404 404 404 404",
    ("/api/v1/referrals/{pk}/", "PATCH", "offered"):                    "401 404 403 409 409 403 409 404 404 404 404",
    ("/api/v1/referrals/{pk}/matches/", "GET", "offered"):              "401 404 403 200 200 200 403 404 404 404 404",
    ("/api/v1/referrals/{pk}/events/", "GET", "offered"):               "401 404 403 200 200 200 200 404 404 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "offered"):             "401 404 403 200 200 200 200 404 404 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "offered"):            "401 404 403 409 409 403 409 404 404 404 404",
    ("/api/v1/referrals/{pk}/route/", "POST", "offered"):               "401 404 403 200 200 403 403 404 404 404 404",
    ("/api/v1/referrals/{pk}/accept/", "POST", "offered"):              "401 404 403 403 403 403 200 404 404 404 404",
    ("/api/v1/referrals/{pk}/decline/", "POST", "offered"):             "401 404 403 403 403 403 200 404 404 404 404",
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "offered"):            "401 404 403 200 200 403 403 404 404 404 404",
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "offered"):    "401 404 403 200 200 403 403 404 404 404 404",
    ("/api/v1/referrals/{pk}/close/", "POST", "offered"):               "401 404 403 409 409 403 409 404 404 404 404",
    # `accepted`: the submitter and the accepting organisation; the lapsed and declined ones lost access
    ("/api/v1/referrals/{pk}/", "GET", "accepted"):                     "401 404 403 200 200 200 404 404 200 404 404",
    ("/api/v1/referrals/{pk}/", "PATCH", "accepted"):                   "401 404 403 409 409 403 404 404 409 404 404",
    ("/api/v1/referrals/{pk}/matches/", "GET", "accepted"):             "401 404 403 200 200 200 404 404 403 404 404",
    ("/api/v1/referrals/{pk}/events/", "GET", "accepted"):              "401 404 403 200 200 200 404 404 200 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "GET", "accepted"):            "401 404 403 200 200 200 404 404 200 404 404",
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted"):           "401 404 403 403 403 403 404 404 201 404 404",
    ("/api/v1/referrals/{pk}/route/", "POST", "accepted"):              "401 404 403 409 409 403 404 404 409 404 404",
    ("/api/v1/referrals/{pk}/accept/", "POST", "accepted"):             "401 404 403 409 409 403 404 404 409 404 404",
    ("/api/v1/referrals/{pk}/decline/", "POST", "accepted"):            "401 404 403 409 409 403 404 404 409 404 404",
    ("/api/v1/referrals/{pk}/withdraw/", "POST", "accepted"):           "401 404 403 200 200 403 404 404 403 404 404",
    ("/api/v1/referrals/{pk}/withdraw-consent/", "POST", "accepted"):   "401 404 403 200 200 403 404 404 403 404 404",
    ("/api/v1/referrals/{pk}/close/", "POST", "accepted"):              "401 404 403 403 403 403 404 404 200 404 404",
    # the accepting NGO recorded an outcome with an Idempotency-Key, then the person withdrew consent:
    # the NGO lost access, so a retry with that key finds no referral either
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted: replay after consent withdrawal"):
                                                                        "401 404 403 409 409 403 404 404 404 404 404",
    #                                                                    ano stf anl sAd sCw sVw off dec acc gov ngo
    # webhooks: an organisation's admins only (403 to everyone else, before any lookup); another
    # organisation's webhook does not exist for an admin (404)
    ("/api/v1/webhooks/", "GET", "-"):                                  "401 403 403 200 403 403 403 403 403 403 200",
    ("/api/v1/webhooks/", "POST", "-"):                                 "401 403 403 201 403 403 403 403 403 403 201",
    ("/api/v1/webhooks/{pk}/", "GET", "webhook"):                       "401 403 403 200 403 403 403 403 403 403 404",
    ("/api/v1/webhooks/{pk}/", "PATCH", "webhook"):                     "401 403 403 200 403 403 403 403 403 403 404",
    ("/api/v1/webhooks/{pk}/", "DELETE", "webhook"):                    "401 403 403 204 403 403 403 403 403 403 404",
    ("/api/v1/webhooks/{pk}/deliveries/", "GET", "webhook"):            "401 403 403 200 403 403 403 403 403 403 404",
    ("/api/v1/webhooks/{pk}/rotate-secret/", "POST", "webhook"):        "401 403 403 200 403 403 403 403 403 403 404",
}

# Route prefixes declared as a group, with the reason, instead of one row per route and caller.
GROUPED = {
    "/admin/": "Django admin site, staff only: every page sends anonymous and non-staff users to its "
               "login page (test_admin_site_is_staff_only)",
}

# HEAD and OPTIONS are answered by the framework for every route (HEAD as GET, OPTIONS with
# metadata after the same authentication and permission checks); they are not declared per route.
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})

# (route, method, target, actor) -> what is wrong. The correct status stays in MATRIX; these cells
# run on their own as strict expected failures, so a fix makes the suite say so.
KNOWN_BUGS: dict[tuple[str, str, str, str], str] = {}

# The only responses that may carry a webhook's signing secret.
SECRET_SHOWN_ONCE = frozenset({("/api/v1/webhooks/", "POST"), ("/api/v1/webhooks/{pk}/rotate-secret/", "POST")})
# Documentation describes fields (it names `case_reference` and `secret`) and holds no data.
DOCUMENTATION = frozenset({"/api/v1/schema/", "/api/v1/docs/"})

SHELTER_EXACT = (100.53147, 13.72481)  # lon, lat: confidential to the offered NGO
SHELTER_COARSE = [100.5, 13.7]  # the 0.1 degree grid point everybody else sees
PUBLIC_WEBHOOK_URL = "https://93.184.216.34/hooks"  # a public literal address: no DNS, nothing connects


# --- the URL conf, enumerated --------------------------------------------------------------------

TARGETS = frozenset({
    "-", "submitted", "offered", "accepted", "TH", "shelter", "coverage", "submitter", "viewer", "webhook",
    "shelter code", "foreign member", "for offered", "shelter: move", "coverage: move", "submitter: unverify",
    "replay", "replay after consent withdrawal", "accepted: replay after consent withdrawal",
})


def readable(route: str) -> str:
    """`api/v1/^referrals/(?P<pk>[^/.]+)/$` -> `/api/v1/referrals/{pk}/`; `<path:object_id>` -> `{object_id}`."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + route.replace("^", "").replace("$", "")


def served_methods(pattern) -> set[str]:
    """The methods the route's view answers: a DRF viewset route's actions (as far as the viewset's
    http_method_names allow), a class-based view's handlers, GET for a function view."""
    callback = pattern.callback
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions:
        names = set(actions) & set(view_class.http_method_names)
    elif view_class is not None:
        names = {name for name in view_class.http_method_names if hasattr(view_class, name)}
    else:
        names = {"get"}
    return {name.upper() for name in names} - IMPLICIT_METHODS


def url_conf() -> dict[str, set[str]]:
    """Every route of the URL configuration -> the methods its view serves."""

    def walk(patterns, prefix: str = "") -> Iterator[tuple[str, object]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    routes: dict[str, set[str]] = {}
    for route, pattern in walk(get_resolver().url_patterns):
        routes.setdefault(readable(route), set()).update(served_methods(pattern))
    return routes


def grouped(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in GROUPED)


# --- cells ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    route: str
    method: str
    target: str
    actor: str
    expected: int

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.route, self.method, self.target, self.actor)

    def __str__(self) -> str:
        return f"{self.method} {self.route} [{self.target}] as {self.actor}"


def cells() -> list[Cell]:
    result = []
    for (route, method, target), statuses in MATRIX.items():
        codes = statuses.split()
        assert len(codes) == len(ACTORS), f"{method} {route} [{target}]: {len(codes)} statuses for {len(ACTORS)} actors"
        result += [Cell(route, method, target, actor, int(code)) for actor, code in zip(ACTORS, codes, strict=True)]
    return result


FAMILY_OF = {
    "healthz": "public", "auth": "public", "schema": "public", "docs": "public", "api-auth": "public",
    "geo": "directory", "providers": "directory", "directory": "directory", "services": "directory",
    "stats": "directory",
    "organisations": "organisations", "facilities": "facilities", "coverage-areas": "facilities",
    "referrals": "referrals", "webhooks": "webhooks",
}


def family(cell: Cell) -> str:
    """Cells run in groups: one seeded network per group, a savepoint per cell."""
    parts = cell.route.strip("/").split("/")
    segment = parts[2] if parts[:2] == ["api", "v1"] and len(parts) > 2 else parts[0]
    name = FAMILY_OF.get(segment, segment)
    return f"{name}:{cell.target}" if name == "referrals" and cell.target != "-" else name


FAMILIES = sorted({family(cell) for cell in cells()})


# --- the seeded network -------------------------------------------------------------------------

@dataclass
class World:
    users: dict
    passwords: dict
    organisation_of: dict
    submitter: object
    referrals: dict
    twin: Referral
    shelter: object
    coverage: object
    webhook: object
    area: object
    viewer_membership: object
    foreign_membership: object
    other_ngo: object
    offered_ngo: object
    foreign_usernames: frozenset

    def kwargs(self, target: str) -> dict:
        """The URL's ids for a target (`shelter: move` is the shelter, with another body)."""
        return {
            "-": {},
            "submitted": {"pk": self.referrals["submitted"].pk},
            "offered": {"pk": self.referrals["offered"].pk},
            "accepted": {"pk": self.referrals["accepted"].pk},
            "TH": {"pk": self.area.pk},
            "shelter": {"pk": self.shelter.pk},
            "coverage": {"pk": self.coverage.pk},
            "submitter": {"pk": self.submitter.pk, "organisation_pk": self.submitter.pk},
            "viewer": {"organisation_pk": self.submitter.pk, "pk": self.viewer_membership.pk},
            "webhook": {"pk": self.webhook.pk},
            "shelter code": {"code": "shelter"},
            "foreign member": {"organisation_pk": self.submitter.pk, "pk": self.foreign_membership.pk},
            "for offered": {},
            "replay": {},
            "replay after consent withdrawal": {},
        }[target.split(":")[0]]

    def visible_referrals(self, actor: str) -> set[str]:
        """Ids of the seeded referrals the actor's organisation may see."""
        if actor in SUBMITTER:
            return {str(r.pk) for r in [*self.referrals.values(), self.twin]}
        return {"offered": {str(self.referrals["offered"].pk)},
                "accepting": {str(self.referrals["accepted"].pk)}}.get(actor, set())


@pytest.fixture
def world(cast, offered_referral, settings, django_user_model):  # noqa: F811 (the imported fixtures)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    cache.clear()  # throttle counters
    other_ngo = cast.other_ngo_caseworker.membership.organisation
    other_government = cast.other_government_caseworker.membership.organisation
    accepting = OrganisationFactory(name="Accepting Shelter", kind="ngo", country="TH")
    cover_country(accepting)
    analyst = django_user_model.objects.create_user("matrix-analyst", password=PASSWORD)
    analysts = Group.objects.create(name="matrix-analysts")
    analysts.permissions.add(Permission.objects.get(content_type__app_label="referrals",
                                                    codename="view_all_statistics"))
    analyst.groups.add(analysts)
    users = {
        "anon": None,
        "staff": cast.platform_admin,
        "analyst": analyst,
        "sub_admin": cast.submitter_admin,
        "sub_cw": cast.submitter_caseworker,
        "sub_view": cast.submitter_viewer,
        "offered": cast.offered_caseworker,
        "declined": cast.declined_caseworker,
        "accepting": member(accepting, "caseworker"),
        "other_gov": cast.other_government_caseworker,
        "other_ngo": member(other_ngo, "admin"),
    }
    passwords = {actor: PASSWORD for actor in ACTORS} | {"staff": "x"}  # the cast's staff user's password

    submitted = submit(cast.submitter_caseworker)
    twin = submit(cast.submitter_caseworker)  # the same person as the offered referral, referred again
    Referral.objects.filter(pk=twin.pk).update(subject_hash=offered_referral.subject_hash)
    accepted = submit(cast.submitter_caseworker)
    services.referral_route(referral=accepted, by=cast.submitter_caseworker,
                            organisation_ids=[accepting.pk, cast.offered.pk, cast.declined.pk])
    services.offer_decline(referral=accepted, by=cast.declined_caseworker, reason="No space this week.")
    services.offer_accept(referral=accepted, by=users["accepting"])

    shelter = FacilityFactory(organisation=cast.offered, name="Confidential shelter",
                              location=Point(*SHELTER_EXACT, srid=4326), languages=["th", "en", "my"])
    return World(
        users=users,
        passwords=passwords,
        organisation_of={
            "sub_admin": cast.government, "sub_cw": cast.government, "sub_view": cast.government,
            "offered": cast.offered, "declined": cast.declined, "accepting": accepting,
            "other_gov": other_government, "other_ngo": other_ngo,
        },
        submitter=cast.government,
        referrals={"submitted": submitted, "offered": offered_referral, "accepted": accepted},
        twin=twin,
        shelter=shelter,
        coverage=CoverageArea.objects.get(organisation=cast.offered),
        webhook=webhooks.webhook_create(organisation=cast.government, url=PUBLIC_WEBHOOK_URL,
                                        events=["referral.submitted"]),
        area=AdministrativeArea.objects.get(level=0, code="TH"),
        viewer_membership=cast.submitter_viewer.membership,
        foreign_membership=cast.offered_caseworker.membership,
        other_ngo=other_ngo,
        offered_ngo=cast.offered,
        foreign_usernames=frozenset(
            user.username for actor, user in users.items() if user is not None and actor not in SUBMITTER
        ) | {cast.offered_viewer.username},
    )


# --- requests -------------------------------------------------------------------------------------

def _own_organisation(world: World, actor: str):
    """Bodies name the caller's own organisation; callers without one name the government agency."""
    return world.organisation_of.get(actor, world.submitter)


def _login(world: World, actor: str) -> dict:
    user = world.users[actor] or world.users["sub_cw"]  # anonymous callers log in as someone
    return {"username": user.username, "password": world.passwords[actor]}


def _if_match(world: World, target: str) -> dict:
    referral = Referral.objects.get(pk=world.kwargs(target)["pk"])
    return {"If-Match": f'"{services.referral_version(referral)}"'}


FACILITY_BODY = {
    "name": "New service point", "kind": "service_point",
    "location": {"type": "Point", "coordinates": [100.6, 13.8]}, "services": ["medical"],
    "accepts_genders": ["female"], "accepts_age_groups": ["adult"], "languages": ["th"],
}

Body = Callable[[World, str, str], dict]
# (route, method) -> the body; (route, method, target) for a target's own body.
BODIES: dict[tuple, Body] = {
    ("/api/v1/auth/token/", "POST"): lambda w, actor, target: _login(w, actor),
    ("/api-auth/login/", "POST"): lambda w, actor, target: _login(w, actor),
    ("/api/v1/organisations/", "POST"): lambda w, actor, target: {
        "name": "Newly onboarded NGO", "kind": "ngo", "country": "ID"},
    ("/api/v1/organisations/{pk}/", "PUT"): lambda w, actor, target: {
        "name": w.submitter.name, "kind": w.submitter.kind, "country": w.submitter.country,
        "description": "Updated description."},
    ("/api/v1/organisations/{pk}/", "PATCH"): lambda w, actor, target: {"description": "Updated description."},
    ("/api/v1/organisations/{pk}/", "PATCH", "submitter: unverify"): lambda w, actor, target: {"verified": False},
    ("/api/v1/facilities/", "POST", "for offered"): lambda w, actor, target: {
        **FACILITY_BODY, "organisation": str(w.offered_ngo.pk)},
    ("/api/v1/facilities/{pk}/", "PATCH", "shelter: move"): lambda w, actor, target: {
        "organisation": str(w.other_ngo.pk)},
    ("/api/v1/coverage-areas/", "POST", "for offered"): lambda w, actor, target: {
        "organisation": str(w.offered_ngo.pk), "services": ["shelter"], "areas": [w.area.pk]},
    ("/api/v1/coverage-areas/{pk}/", "PATCH", "coverage: move"): lambda w, actor, target: {
        "organisation": str(w.other_ngo.pk)},
    ("/api/v1/facilities/", "POST"): lambda w, actor, target: {
        **FACILITY_BODY, "organisation": str(_own_organisation(w, actor).pk)},
    ("/api/v1/facilities/{pk}/", "PATCH"): lambda w, actor, target: {"capacity_available": 3},
    ("/api/v1/coverage-areas/", "POST"): lambda w, actor, target: {
        "organisation": str(_own_organisation(w, actor).pk), "services": ["shelter"], "areas": [w.area.pk]},
    ("/api/v1/coverage-areas/{pk}/", "PATCH"): lambda w, actor, target: {"services": ["shelter", "medical"]},
    ("/api/v1/organisations/{organisation_pk}/members/", "POST"): lambda w, actor, target: {
        "username": f"new-member-{actor}", "email": f"new-{actor}@example.org",
        "password": "an-unusual-passphrase-42", "role": "viewer"},
    ("/api/v1/organisations/{organisation_pk}/members/{pk}/", "PATCH"): lambda w, actor, target: {"role": "caseworker"},
    ("/api/v1/referrals/", "POST"): lambda w, actor, target: referral_payload(),
    ("/api/v1/referrals/{pk}/", "PATCH"): lambda w, actor, target: {"urgency": "routine"},
    ("/api/v1/referrals/{pk}/route/", "POST"): lambda w, actor, target: {"organisations": [str(w.other_ngo.pk)]},
    ("/api/v1/referrals/{pk}/decline/", "POST"): lambda w, actor, target: {"reason": "No space."},
    ("/api/v1/referrals/{pk}/close/", "POST"): lambda w, actor, target: {"reason": "Assistance completed."},
    ("/api/v1/referrals/{pk}/outcomes/", "POST"): lambda w, actor, target: {
        "type": "medical_care", "date": timezone.localdate().isoformat(), "note": ""},
    ("/api/v1/webhooks/", "POST"): lambda w, actor, target: {
        "url": PUBLIC_WEBHOOK_URL, "events": ["referral.submitted", "referral.accepted"]},
    ("/api/v1/webhooks/{pk}/", "PATCH"): lambda w, actor, target: {"active": False},
}
HEADERS: dict[tuple[str, str], Callable[[World, str], dict]] = {
    ("/api/v1/referrals/{pk}/", "PATCH"): _if_match,  # the ETag as read: a valid, current precondition
}
QUERIES = {
    "/api/v1/geo/locate/": "lat=13.75&lon=100.5",
    "/api/v1/providers/search/": "lat=13.75&lon=100.5&services=shelter",
    "/api/v1/stats/referrals/": "group_by=urgency",
}


def client_for(world: World, actor: str, *, api: bool):
    """API routes authenticate as DRF does for a token (force_authenticate, with a fresh user
    object, so that nothing cached on one survives to the next request); other routes (admin,
    session login) get a session (force_login). 500s are answered, not raised."""
    user = world.users[actor]
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
    first = client_for(world, "sub_cw", api=True).post(
        "/api/v1/referrals/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    if withdraw_consent:
        services.referral_withdraw_consent(referral=Referral.objects.get(pk=first.json()["id"]),
                                           by=world.users["sub_cw"])
    # erased with the consent: it may come back to nobody (an organisation submitting its own
    # referral with this note sees its own)
    never = (HARBOUR_NOTE,) if withdraw_consent and actor in SUBMITTER else ()
    return Setup(headers={"Idempotency-Key": key}, body=body, never=never)


def _outcome_with_key_then_consent_withdrawn(world: World, actor: str) -> Setup:
    referral = world.referrals["accepted"]
    key = f"matrix-{uuid.uuid4().hex}"
    body = {"type": "medical_care", "date": timezone.localdate().isoformat(), "note": CLINIC_NOTE}
    first = client_for(world, "accepting", api=True).post(
        f"/api/v1/referrals/{referral.pk}/outcomes/", body, format="json", headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.content
    services.referral_withdraw_consent(referral=referral, by=world.users["sub_cw"])
    return Setup(headers={"Idempotency-Key": key}, body=body, never=(CLINIC_NOTE,))


# (route, method, target) -> a setup run in the cell's savepoint before the caller's request.
SETUPS: dict[tuple[str, str, str], Callable[[World, str], Setup]] = {
    ("/api/v1/referrals/", "POST", "replay"):
        lambda w, actor: _submitted_with_key(w, actor, withdraw_consent=False),
    ("/api/v1/referrals/", "POST", "replay after consent withdrawal"):
        lambda w, actor: _submitted_with_key(w, actor, withdraw_consent=True),
    ("/api/v1/referrals/{pk}/outcomes/", "POST", "accepted: replay after consent withdrawal"):
        _outcome_with_key_then_consent_withdrawn,
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


# --- field-level rules, checked on every response -----------------------------------------------

def _dicts(data) -> Iterator[dict]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _dicts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _dicts(item)


def _json(response):
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def field_violations(world: World, cell: Cell, response) -> list[str]:
    """What the response shows that the caller may not see."""
    if cell.route in DOCUMENTATION:
        return []
    text = response.content.decode(errors="replace")
    problems = []
    if "case_reference" in text or "CASE-" in text:
        problems.append("a case reference (write-only) is in the response")
    if world.webhook.secret in text:
        problems.append("the webhook's signing secret is shown again")
    for referral in [*world.referrals.values(), world.twin]:
        if referral.subject_hash and referral.subject_hash in text:
            problems.append("a subject hash is in the response")
    if cell.actor != "offered" and any(f"{value}" in text for value in SHELTER_EXACT):
        problems.append("the shelter's exact coordinates are shown to another organisation")
    shows_secret = (cell.route, cell.method) in SECRET_SHOWN_ONCE
    visible = world.visible_referrals(cell.actor)
    known = {str(r.pk) for r in [*world.referrals.values(), world.twin]}
    own = _own_organisation(world, cell.actor) if cell.actor in world.organisation_of else None
    for item in _dicts(_json(response)):
        if "secret" in item and not shows_secret:
            problems.append("a `secret` field outside the create and rotate-secret responses")
        if (item.get("subject_key") or item.get("possible_duplicate_of")) and (
            own is None or item.get("submitting_organisation", {}).get("id") != str(own.pk)
        ):
            problems.append("subject_key/possible_duplicate_of shown to an organisation that did not submit")
        if {"action", "subject_organisation", "actor"} <= item.keys() and cell.actor not in SUBMITTER:
            problems += event_violations(item, own, world.submitter)
        if item.get("id") == world.shelter.pk and "location_exact" in item:
            exact = cell.actor == "offered"
            coordinates = item["location"]["coordinates"]
            if item["location_exact"] is not exact or coordinates != (list(SHELTER_EXACT) if exact else SHELTER_COARSE):
                problems.append(f"shelter location {coordinates} location_exact={item['location_exact']}")
        webhook = {"url", "events", "organisation", "active"} <= item.keys()
        if webhook and (own is None or item["organisation"] != str(own.pk)):
            problems.append("another organisation's webhook is shown")
        if {"username", "role"} <= item.keys() and item["username"] in world.foreign_usernames:
            problems.append(f"a member of another organisation is listed: {item['username']}")
        if {"submitting_organisation", "profile", "offers"} <= item.keys():  # a referral
            if item["id"] in known and item["id"] not in visible:
                problems.append(f"referral {item['id']} is shown to an organisation that may not see it")
            if cell.actor not in SUBMITTER:
                others = [o["organisation"]["id"] for o in item["offers"]
                          if own is None or o["organisation"]["id"] != str(own.pk)]
                if others:
                    problems.append(f"offers to other organisations are shown: {others}")
    return problems


def event_violations(event: dict, own, submitter) -> list[str]:
    """An offered or accepting organisation reads the events of itself, the submitter or nobody,
    about itself or nobody; a member's username only in its own organisation's events."""
    own_id = str(own.pk) if own else None
    by = (event["organisation"] or {}).get("id")
    about = (event["subject_organisation"] or {}).get("id")
    problems = []
    if by not in (None, own_id, str(submitter.pk)):
        problems.append(f"an event by another organisation is shown: {event['action']}")
    if about not in (None, own_id):
        problems.append(f"an event about another organisation is shown: {event['action']}")
    if event["actor"] is not None and by != own_id:
        problems.append(f"the username of another organisation's member is shown: {event['action']}")
    return problems


def check(world: World, cell: Cell) -> list[str]:
    response, never = request_cell(world, cell)
    problems = []
    text = response.content.decode(errors="replace")
    problems += [f"{cell}: erased text is shown again: {phrase!r}" for phrase in never if phrase in text]
    if response.status_code != cell.expected:
        excerpt = response.content[:200].decode(errors="replace")
        problems.append(f"{cell}: expected {cell.expected}, got {response.status_code} {excerpt}")
    problems += [f"{cell}: {problem}" for problem in field_violations(world, cell, response)]
    return problems


CHECKED: Counter = Counter()


# --- the matrix cannot go stale -----------------------------------------------------------------

def test_every_route_and_method_is_declared():
    declared = {(route, method) for route, method, _ in MATRIX}
    missing = sorted(
        f"{method} {route}"
        for route, methods in url_conf().items() if not grouped(route)
        for method in methods if (route, method) not in declared
    )
    assert not missing, "routes and methods served but not declared in MATRIX:\n" + "\n".join(missing)


def test_every_declaration_names_a_served_route_and_method():
    served = url_conf()
    stale = sorted(
        f"{method} {route} [{target}]" for route, method, target in MATRIX
        if method not in served.get(route, set())
    )
    assert not stale, "MATRIX declares routes or methods the URL conf no longer serves:\n" + "\n".join(stale)
    stale_groups = [prefix for prefix in GROUPED if not any(route.startswith(prefix) for route in served)]
    assert not stale_groups, f"GROUPED names prefixes without routes: {stale_groups}"


def test_the_declarations_are_well_formed():
    all_cells = cells()
    keys = {cell.key for cell in all_cells}
    assert not set(KNOWN_BUGS) - keys, f"KNOWN_BUGS names cells not in MATRIX: {set(KNOWN_BUGS) - keys}"
    assert {key[:2] for key in [*BODIES, *HEADERS]} <= {(route, method) for route, method, _ in MATRIX}
    assert {key for key in BODIES if len(key) == 3} | set(SETUPS) <= set(MATRIX)
    assert set(QUERIES) <= {route for route, _, _ in MATRIX}
    unknown = {cell.target for cell in all_cells} - TARGETS
    assert not unknown, f"MATRIX names targets the seeded network does not have: {unknown}"


def test_methods_not_declared_are_refused(world):
    """So that the enumeration of methods is itself right: every other method answers 405 to an
    authenticated member (after authentication, before any object lookup). Function views (the
    health check) answer every method and are declared GET only."""
    served = url_conf()
    declared = {}
    for route, _method, target in MATRIX:
        declared.setdefault(route, target)
    problems = []
    for route, target in declared.items():
        if route == "/healthz" or route not in served:  # a function view; a stale declaration (reported above)
            continue
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - served[route]):
            url = route.format(**world.kwargs(target))
            response = perform(world, "sub_admin", method, url, body={} if method != "GET" else None)
            if response.status_code != 405:
                problems.append(f"{method} {route}: expected 405, got {response.status_code}")
            CHECKED["undeclared methods (405)"] += 1
    assert not problems, "\n".join(problems)


# --- the matrix, cell by cell -------------------------------------------------------------------

@pytest.mark.parametrize("name", FAMILIES)
def test_matrix(world, name):
    problems = []
    for cell in cells():
        if family(cell) != name or cell.key in KNOWN_BUGS:
            continue
        problems += check(world, cell)
        CHECKED["cells (status and field rules)"] += 1
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "key",
    [pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=reason), id=" ".join(key))
     for key, reason in KNOWN_BUGS.items()],
)
def test_known_bug(world, key):
    cell = next(cell for cell in cells() if cell.key == key)
    CHECKED["known-bug cells"] += 1
    problems = check(world, cell)
    assert not problems, "\n".join(problems)


def _nonexistent(kwargs: dict) -> dict:
    """The same URL with the object's own id (the last one) replaced by one that does not exist."""
    name = "pk" if "pk" in kwargs else next(iter(kwargs))
    value = kwargs[name]
    missing = uuid.uuid4() if isinstance(value, uuid.UUID) else 10**12 if isinstance(value, int) else "no-such-code"
    return {**kwargs, name: missing}


# One caller per way of not seeing an object: no organisation, access revoked, never had any.
ORACLE_ACTORS = ("staff", "declined", "other_ngo")


def test_options_do_not_reveal_what_a_caller_may_not_read(world):
    """OPTIONS (metadata, with the serializer's fields for the methods the caller may use) on an
    object the caller may not read answers exactly as on an object that does not exist."""
    pairs = sorted({(cell.route, cell.target, cell.actor) for cell in cells()
                    if cell.expected == 404 and "{" in cell.route and cell.actor in ORACLE_ACTORS})
    assert pairs
    problems = []
    for route, target, actor in pairs:
        kwargs = world.kwargs(target)
        real = perform(world, actor, "OPTIONS", route.format(**kwargs))
        missing = perform(world, actor, "OPTIONS", route.format(**_nonexistent(kwargs)))
        CHECKED["OPTIONS pairs (existence oracle)"] += 1
        if (real.status_code, _json(real)) != (missing.status_code, _json(missing)):
            problems.append(f"OPTIONS {route} [{target}] as {actor}: {real.status_code} {real.content[:200]!r} "
                            f"but {missing.status_code} {missing.content[:200]!r} for an id that does not exist")
    assert not problems, "\n".join(problems)


# --- the grouped routes: the admin site ---------------------------------------------------------

ADMIN_VALUES = {"object_id": "1", "content_type_id": "1", "id": "1", "app_label": "auth", "url": "no-such-page/"}


def test_admin_site_is_staff_only(world):
    """Every admin page sends anonymous and non-staff callers (members of organisations, analysts)
    to the admin login; the login page itself is the form, and logout sends them to the index
    (which sends them to the login). A platform administrator gets the index."""
    routes = sorted(route for route in url_conf() if route.startswith("/admin/"))
    assert len(routes) > 20, routes
    problems = []
    clients = {actor: client_for(world, actor, api=False) for actor in ("anon", "sub_admin", "other_ngo", "analyst")}
    for route in routes:
        url = route.format(**ADMIN_VALUES)
        for actor, client in clients.items():
            response = perform(world, actor, "GET", url, client=client)
            CHECKED["admin cells"] += 1
            location = response.get("Location", "")
            if route == "/admin/login/":
                ok = response.status_code == 200
            elif route == "/admin/logout/":
                ok = response.status_code == 302 and location == "/admin/"
            else:
                ok = response.status_code == 302 and location.startswith("/admin/login/")
            if not ok:
                problems.append(f"GET {url} as {actor}: {response.status_code} {location}")
    index = perform(world, "staff", "GET", "/admin/")
    CHECKED["admin cells"] += 1
    if index.status_code != 200:
        problems.append(f"GET /admin/ as staff: {index.status_code}")
    assert not problems, "\n".join(problems)


# --- field-level rules: the positive side (the checks above are not vacuous) ---------------------

def _get(world: World, actor: str, url: str):
    response = perform(world, actor, "GET", url)
    assert response.status_code == 200, (actor, url, response.content[:300])
    return response.json()


def test_field_rules_show_what_they_must(world):
    offered = world.referrals["offered"]
    # subject_key and possible_duplicate_of: the submitter sees them, nobody else
    for actor in SUBMITTER:
        data = _get(world, actor, f"/api/v1/referrals/{offered.pk}/")
        assert data["subject_key"] == offered.subject_hash[:16], actor
        assert data["possible_duplicate_of"] == str(world.twin.pk), actor
    data = _get(world, "offered", f"/api/v1/referrals/{offered.pk}/")
    assert data["subject_key"] is None
    assert data["possible_duplicate_of"] is None
    # each sees exactly its own referrals in the list
    for actor in ACTORS:
        if actor in ("anon", "analyst"):
            continue
        ids = {item["id"] for item in _get(world, actor, "/api/v1/referrals/")["results"]}
        assert ids == world.visible_referrals(actor), actor
    # the shelter: exact for its operator, on the 0.1 degree grid for everyone else
    for actor, exact in (("offered", True), ("sub_cw", False), ("staff", False), ("other_ngo", False)):
        data = _get(world, actor, f"/api/v1/facilities/{world.shelter.pk}/")
        assert data["location_exact"] is exact, actor
        assert data["location"]["coordinates"] == (list(SHELTER_EXACT) if exact else SHELTER_COARSE), actor
    # ... also where it is found: provider search and a referral's matches
    # (and the distance to it is measured from the grid point, or a few searches would locate it)
    distances = {}
    for actor in ("offered", "sub_cw"):
        search = _get(world, actor, "/api/v1/providers/search/?lat=13.75&lon=100.5&services=shelter")
        found = [m for m in search if m["facility"] and m["facility"]["id"] == world.shelter.pk]
        assert found, (actor, search)
        distances[actor] = found[0]["distance_km"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Distance(ST_MakePoint(100.5, 13.75)::geography, ST_MakePoint(%s, %s)::geography)",
                       [*SHELTER_COARSE])
        coarse_km = round(cursor.fetchone()[0] / 1000, 3)
    assert distances["sub_cw"] == pytest.approx(coarse_km, abs=0.002)
    assert distances["offered"] != distances["sub_cw"]
    matches = _get(world, "sub_cw", f"/api/v1/referrals/{world.referrals['submitted'].pk}/matches/")
    shown = [m["facility"] for m in matches if m["facility"] and m["facility"]["id"] == world.shelter.pk]
    assert shown, matches
    assert shown[0]["location"]["coordinates"] == SHELTER_COARSE
    # the webhook secret: in the creation and rotation responses only
    created = perform(world, "sub_admin", "POST", "/api/v1/webhooks/",
                      body={"url": PUBLIC_WEBHOOK_URL, "events": ["referral.submitted"]})
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    rotated = perform(world, "sub_admin", "POST", f"/api/v1/webhooks/{world.webhook.pk}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in ("", world.webhook.secret)
    assert "secret" not in _get(world, "sub_admin", f"/api/v1/webhooks/{world.webhook.pk}/")
    # the case reference: written, never read back
    payload = referral_payload(case_reference=f"CASE-{uuid.uuid4().hex[:8]}")
    response = perform(world, "sub_cw", "POST", "/api/v1/referrals/", body=payload)
    assert response.status_code == 201
    assert payload["case_reference"] not in response.content.decode()
    assert "case_reference" not in response.json()
    CHECKED["positive field-rule tests"] += 1


def test_summary(capsys):
    """The size of the matrix: printed at the end of the run (run the module whole for the counts)."""
    routes = url_conf()
    declared_routes = {route for route, _, _ in MATRIX}
    declared_pairs = {(route, method) for route, method, _ in MATRIX}
    grouped_routes = [route for route in routes if grouped(route)]
    lines = [
        f"route matrix: {len(routes)} routes in the URL conf ({len(declared_routes)} declared in MATRIX, "
        f"{len(grouped_routes)} under {', '.join(GROUPED)})",
        f"  {len(declared_pairs)} (route, method) pairs ({len({m for _, m in declared_pairs})} methods) "
        f"x {len(ACTORS)} actors; {len(MATRIX)} rows with their targets = {len(MATRIX) * len(ACTORS)} cells declared "
        f"({len(KNOWN_BUGS)} known bugs)",
        "  checked in this run: " + ", ".join(f"{count} {what}" for what, count in sorted(CHECKED.items())),
    ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
