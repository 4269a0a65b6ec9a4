"""An authorization matrix that cannot go stale (OWASP API1, broken object level authorization).

Every route of the URL configuration and every HTTP method its view serves is declared in MATRIX
(route_matrix/declarations.py) with the status each caller, by name, must get; the suite fails
when a route or method is added without a declaration, or when a declaration names a route that no
longer exists. Each declared cell is then requested for real, with concrete ids and valid bodies
(route_matrix/requests.py), against the seeded network of tests/network.py: a government agency
(the submitter: its admin, caseworker and viewer) that submitted referrals in every state, among
them one still `submitted`, one `offered` (to the offered NGO, pending; and to the declined NGO,
which declined) and one `accepted` (offered to the accepting NGO, the offered NGO and the declined
NGO; the declined NGO declined, the accepting NGO accepted, so the offered NGO's offer lapsed),
plus a second open referral of the same person as the offered one (so that `possible_duplicate_of`
is set for the submitter); the offered NGO's confidential shelter and its coverage of Thailand;
the submitter's webhook; a platform administrator, an analyst, an unrelated government agency and
an unrelated NGO.

The network is built once per group of routes (test_matrix[<group>]); every cell runs in a
savepoint that is rolled back, so each request sees the same network and a write by one caller
never changes what the next caller gets (fresh data per cell). The cells of a group are all run
and all mismatches reported at once.

Besides the status, every response of every cell is checked against the field-level rules
(route_matrix/rules.py): no case reference ever; a webhook's secret only in the responses that
create it or rotate it; the subject key and the duplicate hint only for the organisation that
submitted the referral; a shelter's exact location only for its own organisation; a referral,
every offer in it and every event of it only for an organisation that may see them; webhooks and
member lists only of one's own organisation; free text erased with a consent never again.
test_field_rules_show_what_they_must checks the other side (the submitter does get the subject
key, the operator the exact location, and so on).

Also: methods a route does not serve answer 405 (so the enumeration of methods is right), OPTIONS
on an object one may not read answers as on an object that does not exist, and every admin page
sends non-staff users to the admin login. The admin has its own matrix (route_matrix/admin.py,
every admin route declared): a superuser and a platform administrator on every page of it, never
shown a shelter's exact place or a referral's content, never let into an organisation's groups.
test_summary prints the counts.
"""

import uuid
from collections import Counter

import pytest
from django.core.cache import cache
from django.db import connection

from tests.network import PUBLIC_WEBHOOK_URL, SHELTER_COARSE, SHELTER_EXACT, build_network
from tests.referrals.factories import referral_payload

from .route_matrix.admin import ADMIN_MATRIX, admin_cells, check_admin
from .route_matrix.declarations import ACTORS, FAMILIES, GROUPED, MATRIX, SUBMITTER, TARGETS, cells, family
from .route_matrix.requests import BODIES, HEADERS, QUERIES, SETUPS, World, client_for, perform
from .route_matrix.rules import check, json_of
from .route_matrix.urlconf import grouped, url_conf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data, settings):
    """The seeded network, built once per test (a group of cells)."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    cache.clear()  # throttle counters
    return World(build_network())


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
            response = perform(world, "submitter_admin", method, url, body={} if method != "GET" else None)
            if response.status_code != 405:
                problems.append(f"{method} {route}: expected 405, got {response.status_code}")
            CHECKED["undeclared methods (405)"] += 1
    assert not problems, "\n".join(problems)


# --- the matrix, cell by cell -------------------------------------------------------------------

@pytest.mark.parametrize("name", FAMILIES)
def test_matrix(world, name):
    problems = []
    for cell in cells():
        if family(cell) != name:
            continue
        problems += check(world, cell)
        CHECKED["cells (status and field rules)"] += 1
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


def _nonexistent(kwargs: dict) -> dict:
    """The same URL with the object's own id (the last one) replaced by one that does not exist."""
    name = "pk" if "pk" in kwargs else next(iter(kwargs))
    value = kwargs[name]
    missing = uuid.uuid4() if isinstance(value, uuid.UUID) else 10**12 if isinstance(value, int) else "no-such-code"
    return {**kwargs, name: missing}


# One caller per way of not seeing an object: no organisation, access revoked, never had any.
ORACLE_ACTORS = ("platform_admin", "declined_caseworker", "other_ngo_admin")


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
        if (real.status_code, json_of(real)) != (missing.status_code, json_of(missing)):
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
    actors = ("anonymous", "submitter_admin", "other_ngo_admin", "analyst")
    clients = {actor: client_for(world, actor, api=False) for actor in actors}
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
    index = perform(world, "platform_admin", "GET", "/admin/")
    CHECKED["admin cells"] += 1
    if index.status_code != 200:
        problems.append(f"GET /admin/ as staff: {index.status_code}")
    assert not problems, "\n".join(problems)


def test_every_admin_route_is_declared():
    """The admin's own matrix (route_matrix/admin.py) cannot go stale either: a model registered
    in the admin (a new page) fails here until its pages are declared for the attacker."""
    served = {route for route in url_conf() if route.startswith("/admin/")}
    declared = {route for route, _, _ in ADMIN_MATRIX}
    assert sorted(served - declared) == [], "admin routes not declared in ADMIN_MATRIX"
    assert sorted(declared - served) == [], "ADMIN_MATRIX declares admin routes the URL conf no longer serves"


def test_admin_matrix(world):
    """A superuser and a platform administrator on every admin page: statuses as declared, no
    exact place of the shelter, no referral content, and no way into an organisation's groups."""
    problems = []
    for cell in admin_cells():
        problems += check_admin(world, cell)
        CHECKED["admin matrix cells (superuser, staff)"] += 1
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(problems)


# --- field-level rules: the positive side (the checks above are not vacuous) ---------------------

def _get(world: World, actor: str, url: str):
    response = perform(world, actor, "GET", url)
    assert response.status_code == 200, (actor, url, response.content[:300])
    return response.json()


def test_field_rules_show_what_they_must(world):
    offered = world.network.referrals["offered"]
    # subject_key and possible_duplicate_of: the submitter sees them, nobody else
    for actor in SUBMITTER:
        data = _get(world, actor, f"/api/v1/referrals/{offered.pk}/")
        assert data["subject_key"] == offered.subject_hash[:16], actor
        assert data["possible_duplicate_of"] == str(world.network.referrals["twin"].pk), actor
    data = _get(world, "offered_caseworker", f"/api/v1/referrals/{offered.pk}/")
    assert data["subject_key"] is None
    assert data["possible_duplicate_of"] is None
    # each sees exactly its own referrals in the list
    for actor in ACTORS:
        if actor in ("anonymous", "analyst"):
            continue
        ids = {item["id"] for item in _get(world, actor, "/api/v1/referrals/")["results"]}
        assert ids == world.visible_referrals(actor), actor
    # the shelter: exact for its operator, on the 0.1 degree grid for everyone else
    for actor, exact in (("offered_caseworker", True), ("submitter_caseworker", False), ("platform_admin", False),
                         ("other_ngo_admin", False)):
        data = _get(world, actor, f"/api/v1/facilities/{world.network.shelter.pk}/")
        assert data["location_exact"] is exact, actor
        assert data["location"]["coordinates"] == (list(SHELTER_EXACT) if exact else SHELTER_COARSE), actor
    # ... also where it is found: provider search and a referral's matches
    # (and the distance to it is measured from the grid point, or a few searches would locate it)
    distances = {}
    for actor in ("offered_caseworker", "submitter_caseworker"):
        search = _get(world, actor, "/api/v1/providers/search/?lat=13.75&lon=100.5&services=shelter")
        found = [m for m in search if m["facility"] and m["facility"]["id"] == world.network.shelter.pk]
        assert found, (actor, search)
        distances[actor] = found[0]["distance_km"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Distance(ST_MakePoint(100.5, 13.75)::geography, ST_MakePoint(%s, %s)::geography)",
                       [*SHELTER_COARSE])
        coarse_km = round(cursor.fetchone()[0] / 1000, 3)
    assert distances["submitter_caseworker"] == pytest.approx(coarse_km, abs=0.002)
    assert distances["offered_caseworker"] != distances["submitter_caseworker"]
    submitted = world.network.referrals["submitted"]
    matches = _get(world, "submitter_caseworker", f"/api/v1/referrals/{submitted.pk}/matches/")
    shown = [m["facility"] for m in matches if m["facility"] and m["facility"]["id"] == world.network.shelter.pk]
    assert shown, matches
    assert shown[0]["location"]["coordinates"] == SHELTER_COARSE
    # the webhook secret: in the creation and rotation responses only
    created = perform(world, "submitter_admin", "POST", "/api/v1/webhooks/",
                      body={"url": PUBLIC_WEBHOOK_URL, "events": ["referral.submitted"]})
    assert created.status_code == 201
    assert created.json()["secret"].startswith("whsec_")
    rotated = perform(world, "submitter_admin", "POST", f"/api/v1/webhooks/{world.network.webhook.pk}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] not in ("", world.network.webhook.secret)
    assert "secret" not in _get(world, "submitter_admin", f"/api/v1/webhooks/{world.network.webhook.pk}/")
    # the case reference: written, never read back
    payload = referral_payload(case_reference=f"CASE-{uuid.uuid4().hex[:8]}")
    response = perform(world, "submitter_caseworker", "POST", "/api/v1/referrals/", body=payload)
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
        f"x {len(ACTORS)} actors; {len(MATRIX)} rows with their targets = {len(MATRIX) * len(ACTORS)} cells declared",
        "  checked in this run: " + ", ".join(f"{count} {what}" for what, count in sorted(CHECKED.items())),
    ]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
