"""Schemathesis over every operation of the OpenAPI schema, as every kind of caller.

Each generated request is sent through the WSGI application in-process, once with the token of
each role (a government agency's admin, caseworker and viewer; the caseworker of an NGO holding an
offer; the caseworker of an unrelated NGO; a platform administrator; an analyst) and once without
credentials. Every response must be no server error, conform to the schema (status code, content
type, body), and no operation may ignore credentials: a protected operation answers 401 without
them, and whenever a role gets a 2xx schemathesis repeats the request without and with invalid
credentials, which must not succeed.

Path parameters named `id`, `organisation_pk` and `code` mostly point at seeded objects (referrals
in every state, facilities, coverage, members, webhooks, areas, services), and ids in bodies at
real organisations, areas and service codes, so that requests get past "not found" and "no such
object" and reach the code behind them. Every request runs in a savepoint that is rolled back, so
each sees the same seeded network.

CI runs a bounded number of examples per operation (SCHEMATHESIS_MAX_EXAMPLES, 15) with a fixed
seed (SCHEMATHESIS_SEED); a longer run adds schemathesis' coverage phase (README.md):

    SCHEMATHESIS_MAX_EXAMPLES=200 SCHEMATHESIS_COVERAGE=1 pytest tests/security/test_schemathesis.py
"""

import json
import logging
import os
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from knox.models import AuthToken
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from geo.models import AdministrativeArea
from identification.services import regional_form_seed
from organisations.models import Membership, ServiceType
from referrals import services as referral_services
from referrals.statistics import DIMENSIONS
from tests.conftest import ensure_reference_data
from tests.network import WEBHOOK_HOST, build_network, ids, webhooks_offline
from tests.organisations.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
COVERAGE_PHASE = os.environ.get("SCHEMATHESIS_COVERAGE", "0") == "1"
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20260101"))

DEMO_SHARE = 3
# Low enough that the callers of one case run into them: the address's budget is spent by the
# fourth caller, each user's by its third request (ignored_auth repeats a successful one).
DEMO_THROTTLE_RATES = {"anon": "2/min", "user": "2/min", "ip": "4/min", "login": "1/min"}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]

config = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,  # hypothesis derandomize (the fixed seed above takes precedence)
        "database": "none",  # nothing written to .hypothesis/, nothing replayed from earlier runs
    },
    "phases": {
        # The coverage phase derives hundreds of boundary cases per operation, however few examples
        # are asked for: on in the longer run only.
        "coverage": {"enabled": COVERAGE_PHASE},
        "stateful": {"enabled": False},
    },
})


def _load_schema():
    """The schema exactly as GET /api/v1/schema/ serves it, generated without a request: serving it
    would open a database connection (ATOMIC_REQUESTS) while the tests are collected."""
    generator = SchemaGenerator()
    document = json.loads(OpenApiJsonRenderer().render(generator.get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = get_wsgi_application()  # requests are served in-process, through the WSGI stack
    return loaded


schema = _load_schema()

# Who calls: an attribute of tests.network.Network each, with a token of its own.
ROLES = (
    "submitter_admin",
    "submitter_caseworker",
    "submitter_viewer",
    "offered_caseworker",
    "other_ngo_caseworker",
    "platform_admin",
    "analyst",
)


@dataclass
class Seeded:
    """The seeded network (tests/network.py) as the fuzzer addresses it: who may call, and the ids
    of what there is to call on."""

    tokens: dict[str, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)
    role_organisation: dict[str, str | None] = field(default_factory=dict)
    organisations: list[str] = field(default_factory=list)
    memberships: list[tuple[str, int]] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    etags: dict[str, str] = field(default_factory=dict)
    facilities: list[int] = field(default_factory=list)
    coverage: list[int] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)
    returns: list[str] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    activities: list[int] = field(default_factory=list)
    screening_forms: list[int] = field(default_factory=list)  # issue 14: the seeded regional form
    countries: list[str] = field(default_factory=lambda: ["TH", "ID"])


def _hash(*parts) -> int:
    """A stable choice derived from the generated values (Python's hash() is salted per process)."""
    return zlib.crc32(repr(parts).encode())


def _pick(options: list, *parts):
    return options[_hash(*parts) % len(options)]


def _seed() -> Seeded:
    built = build_network()
    seeded = Seeded(**ids(built))
    for role in ROLES:
        user = getattr(built, role)
        _, seeded.tokens[role] = AuthToken.objects.create(user, timedelta(hours=2))
        seeded.usernames[role] = user.username
        membership = Membership.objects.filter(user=user).first()
        seeded.role_organisation[role] = str(membership.organisation_id) if membership else None
    seeded.etags = {str(r.pk): f'"{referral_services.referral_version(r)}"' for r in built.referrals.values()}
    seeded.areas = list(
        AdministrativeArea.objects.filter(code__in=["TH", "MM", "MY", "ID", "KH"]).values_list("pk", flat=True)
    )
    seeded.services = list(ServiceType.objects.values_list("code", flat=True))
    seeded.screening_forms = [regional_form_seed().pk]
    return seeded


@pytest.fixture(scope="module")
def network(django_db_setup, django_db_blocker):
    """The seeded network, in a transaction rolled back after the module. Requests are served
    in-process on the test's connection: Django's per-request connection housekeeping is off, as
    Django's own test client turns it off."""
    with django_db_blocker.unblock():
        ensure_reference_data()
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        monkeypatch = pytest.MonkeyPatch()
        # Thousands of expected 4xx would each log a warning; server errors still log their traceback.
        monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
        try:
            with webhooks_offline(), transaction.atomic():
                yield _seed()
                transaction.set_rollback(True)
        finally:
            monkeypatch.undo()
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


# --- pointing generated requests at real objects -----------------------------------------------

KEEP_GENERATED = 5  # one case in five keeps its generated ids: unknown objects must answer 404 (or 400)


def _fill_path(case, network: Seeded) -> None:
    params = case.path_parameters
    if not isinstance(params, dict) or not params:
        return
    choice = _hash(sorted(params.items(), key=str))
    if choice % KEEP_GENERATED == 0:
        return
    path = case.operation.path
    if "months" in params and choice % 2:  # a return's follow-ups are at 3, 6 and 12 months
        params["months"] = _pick([3, 6, 12], choice)
    if "{organisation_pk}" in path:
        organisation_pk, member_id = _pick(network.memberships, choice)
        params["organisation_pk"] = organisation_pk
        if "id" in params:
            params["id"] = member_id
        return
    options = {
        "/api/v1/referrals/": network.referrals,
        "/api/v1/facilities/": network.facilities,
        "/api/v1/coverage-areas/": network.coverage,
        "/api/v1/organisations/": network.organisations,
        "/api/v1/webhooks/": network.webhooks,
        "/api/v1/returns/": network.returns,
        "/api/v1/geo/areas/": network.areas,
        "/api/v1/services/": network.services,
        "/api/v1/activities/": network.activities,
        "/api/v1/screening-forms/": network.screening_forms,
        "/api/v1/countries/": network.countries,
    }
    for prefix, values in options.items():
        if path.startswith(prefix):
            name = "code" if "code" in params else "id"
            params[name] = _pick(values, choice)
            return


def _fill_headers(case, network: Seeded) -> None:
    headers = case.headers
    if not isinstance(headers, dict) or "If-Match" not in headers:
        return
    choice = _hash(headers.get("If-Match"))
    referral_id = (case.path_parameters or {}).get("id")
    if choice % 3 == 0 and referral_id in network.etags:
        headers["If-Match"] = network.etags[referral_id]
    elif choice % 3 == 1:
        headers["If-Match"] = "*"


def _fill_body(case, network: Seeded, role: str) -> None:
    """Real ids and codes in the fields that name objects, in most cases."""
    body = case.body
    if not isinstance(body, dict):
        return
    choice = _hash(sorted(body, key=str), str(body)[:200])
    if choice % KEEP_GENERATED == 0:
        return
    path = case.operation.path
    own = network.role_organisation[role]
    if "organisation" in body:
        body["organisation"] = own if own and choice % 3 else _pick(network.organisations, choice)
    for name in ("services", "needs"):
        if isinstance(body.get(name), list):
            body[name] = [_pick(network.services, choice, index) for index, _ in enumerate(body[name])]
    if isinstance(body.get("areas"), list):
        body["areas"] = [_pick(network.areas, choice, index) for index, _ in enumerate(body["areas"])]
    if "facility" in body:  # accepting into a shelter (one of the network's facilities)
        body["facility"] = _pick(network.facilities, choice)
    if isinstance(body.get("organisations"), list):
        body["organisations"] = [_pick(network.organisations, choice, i) for i, _ in enumerate(body["organisations"])]
    location = body.get("location")
    if isinstance(location, dict) and "area" in location:
        location["area"] = _pick(network.areas, choice)
    if "date" in body and choice % 2:
        body["date"] = timezone.localdate().isoformat()
    if "decided_on" in body and choice % 2:  # an identification decision: today is a valid day
        body["decided_on"] = timezone.localdate().isoformat()
    if "form" in body and "answers" in body:  # a screening, with the regional form
        body["form"] = _pick(network.screening_forms, choice)
    if "password" in body and choice % 2:
        body["password"] = PASSWORD
    if path == "/api/v1/auth/token/" and choice % 2:
        body["username"] = network.usernames[role]
    if "url" in body and choice % 2:
        body["url"] = f"https://{WEBHOOK_HOST}/new"


def _fill_query(case) -> None:
    query = case.query
    if not isinstance(query, dict) or "group_by" not in query:
        return
    choice = _hash(query.get("group_by"))
    if choice % KEEP_GENERATED:
        names = list(DIMENSIONS)
        query["group_by"] = ",".join(dict.fromkeys(_pick(names, choice, i) for i in range(1 + choice % 3)))


# On land around Bangkok: a drawn coverage lies within the organisation's country.
SQUARE = {"type": "Polygon", "coordinates": [[[100.3, 13.6], [100.9, 13.6], [100.9, 14.2], [100.3, 14.2],
                                              [100.3, 13.6]]]}


def _repair_body(case, network: Seeded) -> None:
    """In half of the cases, mend what the schema cannot say (one of two alternatives, a capacity
    within the total, a valid ring, consent given), so that writes also succeed and their answers
    are checked, and not only their refusals."""
    body = case.body
    if not isinstance(body, dict) or _hash("repair", str(body)[:200]) % 2:
        return
    label = case.operation.label
    if label == "POST /api/v1/referrals/":
        if isinstance(body.get("consent"), dict):
            body["consent"]["given"] = True
        if isinstance(body.get("location"), dict):
            body["location"] = {"area": _pick(network.areas, str(body["location"]))}
        if isinstance(body.get("profile"), dict):
            body["profile"].setdefault("languages", ["en"])
        body.setdefault("indicators", ["deception"])
        body.pop("notes", None)  # free text is screened for personal data: random text often looks like some
    elif label in ("POST /api/v1/facilities/", "PATCH /api/v1/facilities/{id}/"):
        if isinstance(body.get("location"), dict):
            body["location"] = {"type": "Point", "coordinates": [100.5, 13.7]}
        total, available = body.get("capacity_total"), body.get("capacity_available")
        if isinstance(total, int) and isinstance(available, int) and available > total:
            body["capacity_total"], body["capacity_available"] = available, total
    elif label in ("POST /api/v1/coverage-areas/", "PATCH /api/v1/coverage-areas/{id}/"):
        if "geometry" in body:
            body["geometry"] = SQUARE
    elif label in ("POST /api/v1/activities/", "PATCH /api/v1/activities/{id}/"):
        if "geometry" in body:
            body["geometry"] = {"type": "Point", "coordinates": [100.5, 13.7]}
        if "start" in body and "end" in body:
            body["end"] = None
        body.pop("partners", None)  # generated ids name no organisation
    elif label == "POST /api/v1/referrals/{id}/route/":
        if body.get("organisations"):
            body["auto"] = False
    elif label == "PATCH /api/v1/referrals/{id}/":
        for name in set(body) - {"needs", "urgency", "notes"}:
            del body[name]
    elif label == "POST /api/v1/referrals/{id}/return/":
        if isinstance(body.get("consent"), dict):
            body["consent"]["given"] = True
        body["destination_country"] = "MM"  # the seeded network's focal point
    if label in ("POST /api/v1/referrals/{id}/refer-onward/", "POST /api/v1/returns/{id}/transition/",
                 "POST /api/v1/returns/{id}/follow-ups/{months}/"):
        body.pop("notes", None)
        body.pop("note", None)


def _not_found_before_authentication(case, response) -> bool:
    """A 404 that comes before authentication, and so says nothing about any object: for a path no
    route matches (a generated id with a slash or a dot), or for a `format` no renderer produces
    (DRF negotiates the content before it authenticates)."""
    if response.status_code != 404:
        return False
    query = case.query if isinstance(case.query, dict) else {}
    if "format" in query and query["format"] not in ("json", "csv"):
        return True
    try:
        resolve(urlsplit(response.request.url).path)
    except Resolver404:
        return True
    return False


# --- the run ------------------------------------------------------------------------------------


def _as_the_demo_serves(case) -> bool:
    """One case in DEMO_SHARE runs as the demo serves: DEBUG on (Django renders some errors
    itself then, in HTML) and the throttles at low rates, their counters kept across the callers,
    so that most of them are answered 429. Both answers must be documented like any other."""
    return _hash("demo", case.operation.label, str(case.path_parameters), str(case.query),
                 str(case.body)[:200]) % DEMO_SHARE == 0


@schema.parametrize()
def test_api(case, network):
    demo = _as_the_demo_serves(case)
    if not demo:  # as the demo is fuzzed: with the ids generated, many of which match no route
        _fill_path(case, network)
    _fill_headers(case, network)
    _fill_query(case)
    operation = case.operation
    protected = any(requirement for requirement in operation.definition.raw.get("security", [{}]))
    with ExitStack() as served:
        if demo:
            served.enter_context(override_settings(DEBUG=True))
            served.enter_context(mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", DEMO_THROTTLE_RATES))
        served.callback(cache.clear)
        for role in (*ROLES, None):
            if role is not None:
                _fill_body(case, network, role)
                _repair_body(case, network)
            headers = {"Authorization": f"Token {network.tokens[role]}"} if role else None
            try:
                with transaction.atomic():
                    try:
                        response = case.call_and_validate(headers=headers, checks=CHECKS)
                    finally:
                        transaction.set_rollback(True)
                        if not demo:
                            cache.clear()  # throttling counters and idempotency locks
                if role is None and protected:
                    assert response.status_code == 401 or _not_found_before_authentication(case, response), (
                        f"{operation.label} answered {response.status_code} without credentials"
                    )
            except BaseException as error:
                error.add_note(f"Called as: {role or 'anonymous'}{' (DEBUG on, throttled)' if demo else ''}")
                raise


# Two findings of the fuzzing, pinned: the CSV export rendered its errors as CSV under a
# problem+json content type, and the referral list's datetime filters handed PostgreSQL UTC offsets
# past 15:59, which it refuses (500).


def test_csv_export_errors_are_problem_json(network):
    client = Client(schema.app)
    response = client.get("/api/v1/stats/export/?format=csv")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.get_data())["status"] == 401


def test_far_utc_offsets_in_referral_filters(network):
    client = Client(schema.app)
    token = network.tokens["submitter_caseworker"]
    with transaction.atomic():
        response = client.get(
            "/api/v1/referrals/", query_string={"created_before": "2030-01-01T00:00:00+21:00"},
            headers={"Authorization": f"Token {token}"},
        )
        transaction.set_rollback(True)
    assert response.status_code in (200, 400)


def test_csv_export_answers_options(network):
    # Found by the longer run (its coverage phase also tries methods the schema does not list).
    client = Client(schema.app)
    token = network.tokens["analyst"]
    with transaction.atomic():
        response = client.options("/api/v1/stats/export/?format=csv", headers={"Authorization": f"Token {token}"})
        transaction.set_rollback(True)
    assert response.status_code < 500
