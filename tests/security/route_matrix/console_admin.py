"""The console's organisation admin, directory and statistics pages (issue 12, parts 5-7) in the
route matrix: every route and method, with the status each caller must get.

Pages are for signed-in people: anonymous callers are sent to the console's login (302). An
organisation's own pages (facilities, coverage, members, webhooks) are for its members: platform
administrators and analysts belong to none (403); another organisation's facility, member or
webhook is not on them (404); a role that may not act is refused (403). A successful form answers
302 (back to its page), 201 when it shows what it created (a member's login name, a webhook's
secret) or 200 (a rotated secret, shown once). The directory is for the network (analysts: 403);
statistics for analysts and staff (network-wide) and members (their organisation's own)."""

from tests.network import PUBLIC_WEBHOOK_URL

SIGNED_IN = {"anonymous": 302}
NO_ORGANISATION = {"platform_admin": 403, "analyst": 403}


def console_admin_matrix(expect) -> dict:
    """(route, method, target) -> statuses, built with declarations.expect (passed in, so that
    this module imports nothing of the declarations and the two cannot import each other)."""
    member_page = expect(200, **SIGNED_IN, **NO_ORGANISATION)
    writer = {"submitter_viewer": 403}  # the viewer of the submitting agency: read-only
    webhook_admins = {"submitter_admin": 200, "other_ngo_admin": 200}
    return {
        ("/app/organisation/", "GET", "-"): member_page,
        ("/app/organisation/facilities/", "GET", "-"): member_page,
        ("/app/organisation/facilities/{pk}/capacity/", "POST", "shelter"):
            expect(404, **SIGNED_IN, **NO_ORGANISATION, offered_caseworker=302),
        ("/app/organisation/coverage/", "GET", "-"): member_page,
        ("/app/organisation/coverage/", "POST", "-"): expect(302, **SIGNED_IN, **NO_ORGANISATION, **writer),
        ("/app/organisation/coverage/map.geojson", "GET", "-"): member_page,
        ("/app/organisation/members/", "GET", "-"): member_page,
        ("/app/organisation/members/", "POST", "-"):
            expect(403, **SIGNED_IN, submitter_admin=201, other_ngo_admin=201),
        ("/app/organisation/members/{pk}/role/", "POST", "viewer"):
            expect(404, **SIGNED_IN, **NO_ORGANISATION, submitter=403, submitter_admin=302),
        ("/app/organisation/members/{pk}/remove/", "POST", "viewer"):
            expect(404, **SIGNED_IN, **NO_ORGANISATION, submitter=403, submitter_admin=302),
        ("/app/organisation/webhooks/", "GET", "-"): expect(403, **SIGNED_IN, **webhook_admins),
        ("/app/organisation/webhooks/", "POST", "-"):
            expect(403, **SIGNED_IN, submitter_admin=201, other_ngo_admin=201),
        ("/app/organisation/webhooks/{pk}/", "GET", "webhook"):
            expect(403, **SIGNED_IN, submitter_admin=200, other_ngo_admin=404),
        ("/app/organisation/webhooks/{pk}/rotate-secret/", "POST", "webhook"):
            expect(403, **SIGNED_IN, submitter_admin=200, other_ngo_admin=404),
        ("/app/directory/", "GET", "-"): expect(200, **SIGNED_IN, analyst=403),
        ("/app/directory/features.geojson", "GET", "-"): expect(200, **SIGNED_IN, analyst=403),
        ("/app/directory/countries.geojson", "GET", "-"): expect(200, **SIGNED_IN, analyst=403),
        ("/app/statistics/", "GET", "-"): expect(200, **SIGNED_IN),
        ("/app/statistics/export.csv", "GET", "-"): expect(200, **SIGNED_IN),
    }


def console_admin_bodies(world_area) -> dict:
    """(route, method) -> body(world, actor, target), as requests.BODIES holds them."""
    return {
        ("/app/organisation/facilities/{pk}/capacity/", "POST"): lambda w, actor, target: {"capacity_available": 1},
        ("/app/organisation/coverage/", "POST"): lambda w, actor, target: {
            "services": ["shelter"], "areas": [world_area(w).pk]},
        ("/app/organisation/members/", "POST"): lambda w, actor, target: {
            "username": f"console-{actor}", "email": f"console-{actor}@example.org",
            "password": "an-unusual-passphrase-42", "role": "viewer"},
        ("/app/organisation/members/{pk}/role/", "POST"): lambda w, actor, target: {"role": "caseworker"},
        ("/app/organisation/webhooks/", "POST"): lambda w, actor, target: {
            "url": PUBLIC_WEBHOOK_URL, "events": ["referral.submitted", "referral.accepted"]},
    }


QUERIES = {"/app/statistics/": "group_by=urgency"}
