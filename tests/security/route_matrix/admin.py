"""The admin site in the route matrix, as an attacker: a superuser (and a platform administrator,
staff with no model permission) on every page of it, reading the directory and trying to get into
the police agency (the submitting government agency) through its role groups.

Key: (admin route as in the URL conf, method, target); every admin route is declared (the suite
fails on one that is not, test_every_admin_route_is_declared). Targets: `-` (no ids), the objects
of the seeded network: `shelter` (the offered NGO's confidential shelter), `coverage`, `TH`,
`submitter` (the police agency), `police group` (its caseworker role group), `analysts group` (a
group that is no organisation's role), `police caseworker` (an account of one of its members),
`self` (the caller's own account), `police membership`, `police membership event` (its audit
record), `police token` (its caseworker's token), `shelter code`, `login attempt`, `login failure`
and `login record` (django-axes records of the police caseworker's sign-ins), `police device` (its
TOTP device), `referral` (the admin's "view on site" shortcut to a referral), `referrals` and
`organisations` (app pages), `unknown` (a page that does not exist). POST bodies try the attack:
every permission and the police role group for oneself, a membership of the police agency, a token
for its caseworker, the shelter moved.

Besides the status, every response is checked (check_admin): no exact place of the shelter (in
degrees or in the web map's metres, at any precision), no referral's free text, id or subject
hash, no TOTP secret; and afterwards the caller still holds no group, no membership and sees no referral."""

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from organisations.models import Membership, MembershipEvent, RoleGroup
from referrals.models import Offer, Outcome, Referral
from tests.network import SHELTER_COARSE, SHELTER_EXACT
from tests.organisations.factories import PASSWORD

from .requests import World

User = get_user_model()

ADMIN_ACTORS = ("superuser", "platform_admin")


def expect(superuser: int, platform_admin: int = 403) -> dict[str, int]:
    """The status of each admin actor (staff without model permissions: 403 on a model's pages)."""
    return {"superuser": superuser, "platform_admin": platform_admin}


def model_pages(prefix: str, target: str, *, add: int, view: int = 200, change: int, delete: int,
                post_add: int | None = None) -> dict:
    """The pages of one registered model: list, add, change, delete, history and the object's
    bare URL (a redirect to its change page, for anyone staff)."""
    return {
        (f"{prefix}/", "GET", "-"): expect(200),
        (f"{prefix}/add/", "GET", "-"): expect(add),
        (f"{prefix}/add/", "POST", "-"): expect(post_add if post_add is not None else add),
        (f"{prefix}/{{object_id}}/change/", "GET", target): expect(view),
        (f"{prefix}/{{object_id}}/change/", "POST", target): expect(change),
        (f"{prefix}/{{object_id}}/delete/", "GET", target): expect(delete),
        (f"{prefix}/{{object_id}}/delete/", "POST", target): expect(delete if delete != 200 else 302),
        (f"{prefix}/{{object_id}}/history/", "GET", target): expect(200),
        (f"{prefix}/{{object_id}}/", "GET", target): expect(302, 302),
    }


ADMIN_MATRIX: dict[tuple[str, str, str], dict[str, int]] = {
    ("/admin/", "GET", "-"): expect(200, 200),
    ("/admin/login/", "GET", "-"): expect(302, 302),  # already signed in: to the index
    ("/admin/logout/", "GET", "-"): expect(405, 405),
    ("/admin/logout/", "POST", "-"): expect(200, 200),
    ("/admin/password_change/", "GET", "-"): expect(200, 200),
    ("/admin/password_change/done/", "GET", "-"): expect(200, 200),
    ("/admin/jsi18n/", "GET", "-"): expect(200, 200),
    ("/admin/autocomplete/", "GET", "-"): expect(403),  # no model has autocomplete fields
    ("/admin/r/{content_type_id}/{object_id}/", "GET", "referral"): expect(404, 404),
    ("/admin/{app_label}/", "GET", "organisations"): expect(200, 404),
    ("/admin/{app_label}/", "GET", "referrals"): expect(404, 404),  # no referral model is registered
    ("/admin/{url}", "GET", "unknown"): expect(404, 404),
    # groups: a role group is read-only and stays; other groups are kept as usual
    **model_pages("/admin/auth/group", "police group", add=200, post_add=302, change=403, delete=403),
    ("/admin/auth/group/{object_id}/change/", "POST", "analysts group"): expect(302),
    # accounts: a member's is read-only (no password set, no delete); one's own without groups,
    # permissions or the superuser flag (the POST asks for them, and is saved without them)
    **model_pages("/admin/auth/user", "police caseworker", add=200, post_add=302, change=403, delete=403),
    ("/admin/auth/user/{object_id}/change/", "GET", "self"): expect(200),
    ("/admin/auth/user/{object_id}/change/", "POST", "self"): expect(302),
    ("/admin/auth/user/{id}/password/", "GET", "police caseworker"): expect(403),
    ("/admin/auth/user/{id}/password/", "POST", "police caseworker"): expect(403),
    # tokens: listed and revoked, never minted
    **model_pages("/admin/knox/authtoken", "police token", add=403, change=403, delete=200),
    # the directory: read-only; the shelter's place as the one rule shows it
    **model_pages("/admin/organisations/facility", "shelter", add=403, change=403, delete=403),
    **model_pages("/admin/organisations/coveragearea", "coverage", add=403, change=403, delete=403),
    **model_pages("/admin/geo/administrativearea", "TH", add=403, change=403, delete=403),
    # memberships: only through the members service
    **model_pages("/admin/organisations/membership", "police membership", add=403, change=403, delete=403),
    **model_pages("/admin/organisations/membershipevent", "police membership event", add=403, change=403,
                  delete=403),
    # organisations: changed (through their services), never deleted; the taxonomy as usual
    **model_pages("/admin/organisations/organisation", "submitter", add=200, post_add=302, change=302,
                  delete=403),
    **model_pages("/admin/organisations/servicetype", "shelter code", add=200, post_add=302, change=302,
                  delete=200),
    # sign-in records: read, and deleted to lift a lockout; never written
    **model_pages("/admin/axes/accessattempt", "login attempt", add=403, change=302, delete=200),
    **model_pages("/admin/axes/accessfailurelog", "login failure", add=403, change=302, delete=200),
    **model_pages("/admin/axes/accesslog", "login record", add=403, change=302, delete=200),
    # second factors: listed and removed (a lost phone), never enrolled or shown by staff
    **model_pages("/admin/otp_totp/totpdevice", "police device", add=403, change=403, delete=200),
}

ADMIN_VALUES = {"url": "no-such-page/"}


@dataclass(frozen=True)
class AdminCell:
    route: str
    method: str
    target: str
    actor: str
    expected: int

    def __str__(self) -> str:
        return f"{self.method} {self.route} [{self.target}] as {self.actor}"


def admin_cells() -> list[AdminCell]:
    return [AdminCell(route, method, target, actor, status)
            for (route, method, target), statuses in ADMIN_MATRIX.items() for actor, status in statuses.items()]


def admin_user(world: World, actor: str):
    if actor == "superuser":
        user = User.objects.filter(username="matrix-root").first()
        return user or User.objects.create_superuser("matrix-root", "root@example.org", PASSWORD)
    return world.user(actor)


def _police_caseworker(world: World):
    return world.network.submitter_caseworker


def admin_kwargs(world: World, actor: str, target: str) -> dict:
    n = world.network
    caseworker = _police_caseworker(world)
    if target == "police token":
        token = AuthToken.objects.filter(user=caseworker).first() or AuthToken.objects.create(user=caseworker)[0]
        return {"object_id": token.pk}
    sign_in = {"username": caseworker.username, "ip_address": "192.0.2.7", "user_agent": "matrix",
               "http_accept": "*/*", "path_info": "/api/v1/auth/token/"}
    object_ids = {
        "-": None,
        "login attempt": lambda: AccessAttempt.objects.get_or_create(
            **sign_in, defaults={"get_data": "", "post_data": "", "failures_since_start": 2})[0].pk,
        "login failure": lambda: AccessFailureLog.objects.get_or_create(**sign_in)[0].pk,
        "login record": lambda: AccessLog.objects.get_or_create(**sign_in)[0].pk,
        "police device": lambda: TOTPDevice.objects.get_or_create(user=caseworker, name="phone")[0].pk,
        "shelter": lambda: n.shelter.pk,
        "coverage": lambda: n.coverage.pk,
        "TH": lambda: world.area.pk,
        "submitter": lambda: n.government.pk,
        "police group": lambda: RoleGroup.objects.get(organisation=n.government, role="caseworker").group_id,
        "analysts group": lambda: Group.objects.get(name="platform analysts").pk,
        "police caseworker": lambda: caseworker.pk,
        "self": lambda: admin_user(world, actor).pk,
        "police membership": lambda: caseworker.membership.pk,
        "police membership event": lambda: MembershipEvent.objects.get_or_create(
            organisation=n.government, member=caseworker, action="added", role="caseworker")[0].pk,
        "shelter code": lambda: "shelter",
        "referral": lambda: n.referrals["accepted"].pk,
    }
    if target in ("organisations", "referrals"):
        return {"app_label": target}
    if target == "unknown":
        return ADMIN_VALUES
    object_id = object_ids[target]() if object_ids[target] else None
    if object_id is None:
        return {}
    kwargs = {"object_id": object_id, "id": object_id}
    if target == "referral":
        kwargs["content_type_id"] = ContentType.objects.get_for_model(Referral).pk
    return kwargs


def _every_permission() -> list[int]:
    return list(Permission.objects.values_list("pk", flat=True))


def admin_body(world: World, actor: str, cell_route: str, target: str) -> dict:
    """What the attacker posts to the route (for routes without an attack, a valid ordinary body)."""
    n = world.network
    me = admin_user(world, actor)
    police_group = RoleGroup.objects.get(organisation=n.government, role="caseworker").group_id
    if "/auth/group/" in cell_route:
        return {"name": "organisation role, renamed", "permissions": _every_permission()}
    if cell_route.endswith("/password/"):
        return {"password1": "an-unusual-passphrase-42", "password2": "an-unusual-passphrase-42"}
    if "/auth/user/add/" in cell_route:
        return {"username": f"matrix-new-{actor}", "password1": "an-unusual-passphrase-42",
                "password2": "an-unusual-passphrase-42", "usable_password": "true"}
    if "/auth/user/" in cell_route:
        user = me if target == "self" else _police_caseworker(world)
        return {"username": user.username, "email": user.email, "is_active": "on", "is_staff": "on",
                "is_superuser": "on", "groups": [police_group], "user_permissions": _every_permission()}
    if "/knox/" in cell_route:
        return {"user": _police_caseworker(world).pk}
    if "/membership/" in cell_route:
        return {"user": me.pk if me else "", "organisation": n.government.pk, "role": "admin"}
    if "/facility/" in cell_route or "/coveragearea/" in cell_route:
        return {"organisation": n.other_ngo.pk, "name": "Moved", "location": "POINT (100.6 13.8)"}
    if "/administrativearea/" in cell_route:
        return {"name": "Renamed", "code": "XX", "country": "TH", "level": 0}
    if "/organisation/" in cell_route:
        return {"name": "Renamed in the admin", "kind": "government", "country": "TH", "verified": "on",
                "description": "", "website": ""}
    if "/servicetype/" in cell_route:
        return {"code": "shelter" if target == "shelter code" else "matrix-service", "name": "A service",
                "description": ""}
    if "/delete/" in cell_route:
        return {"post": "yes"}
    return {}


def _decimals(value: float, places: int) -> set[str]:
    """The value written to `places` decimals, rounded and cut."""
    written = f"{value:.12f}"
    return {f"{value:.{places}f}", written[: written.index(".") + 1 + places].rstrip(".")}


def exact_place_texts() -> set[str]:
    """How the shelter's exact place could be written: WGS 84 to 3-6 decimals, and the web map's
    EPSG:3857 metres (what a map widget holds) to 0-6 decimals, integer part included; never
    the grid point everybody sees."""
    lon, lat = SHELTER_EXACT
    texts = {repr(lon), repr(lat)}
    for places in range(3, 7):
        texts |= _decimals(lon, places) | _decimals(lat, places)
    metres = Point(lon, lat, srid=4326).transform(3857, clone=True)
    for value in (metres.x, metres.y):
        texts.add(repr(value))
        for places in range(7):
            texts |= _decimals(value, places)
    return texts - {f"{v:.{p}f}" for v in SHELTER_COARSE for p in range(7)}


def referral_texts() -> set[str]:
    """What of a referral no admin page may show: its id, subject hash and every free text."""
    texts = {str(pk) for pk in Referral.objects.values_list("pk", flat=True)}
    for values in (Referral.objects.values_list("subject_hash", "notes", "close_reason"),
                   Offer.objects.values_list("reason"), Outcome.objects.values_list("note")):
        texts |= {value for row in values for value in row if value}
    return texts


def admin_violations(world: World, cell: AdminCell, response, never: set[str]) -> list[str]:
    text = response.content.decode(errors="replace")
    problems = [f"the shelter's exact place ({t})" for t in sorted(exact_place_texts()) if t in text]
    problems += ["a referral's id, subject hash or free text" for t in never if t in text][:1]
    problems += ["a second factor's secret" for key in TOTPDevice.objects.values_list("key", flat=True)
                 if key in text][:1]
    user = User.objects.get(pk=admin_user(world, cell.actor).pk)  # fresh: nothing cached
    if user.groups.exists() or user.user_permissions.exists() or Membership.objects.filter(user=user).exists():
        problems.append("the caller got a group, a permission or a membership")
    if Referral.objects.restrict(user).exists():
        problems.append("the caller sees referrals")
    if cell.actor == "platform_admin" and user.is_superuser:
        problems.append("the platform administrator made itself superuser")
    return problems


def check_admin(world: World, cell: AdminCell) -> list[str]:
    """The cell's request, in a savepoint that is rolled back, and what its response shows."""
    never = referral_texts()
    user = admin_user(world, cell.actor)
    with transaction.atomic():
        client = Client()
        client.raise_request_exception = False
        client.force_login(user)
        url = cell.route.format(**admin_kwargs(world, cell.actor, cell.target))
        if cell.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, admin_body(world, cell.actor, cell.route, cell.target))
        problems = [f"{cell}: {problem}" for problem in admin_violations(world, cell, response, never)]
        transaction.set_rollback(True)
    if response.status_code != cell.expected:
        excerpt = response.content[:200].decode(errors="replace")
        problems.insert(0, f"{cell}: expected {cell.expected}, got {response.status_code} {excerpt}")
    return problems
