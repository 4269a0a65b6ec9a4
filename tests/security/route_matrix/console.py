"""The console's routes (/app/) in the route matrix: what every caller gets from every page and
action. HTML pages send callers without a session to the sign-in page (302) where the API answers
401, and a done action redirects (302) to the page that shows its result.

The referral actions call the same services as the API's, so they are declared as the API's
routes are, translated: the same 403, 404 and 409 for the same caller in the same state; 302 where
the API succeeds or asks for credentials; 404 for the analyst (the API's permission class answers
403 to callers in no organisation before any lookup; the console looks the referral up, and one
sees none)."""

SUBMITTING = dict(platform_admin=403, analyst=403, submitter_viewer=403)  # those who may not submit


def console_pages(expect) -> dict[tuple[str, str, str], dict[str, int]]:
    return {
        ("/", "GET", "-"): expect(302),
        ("/app/", "GET", "-"): expect(302),
        # the sign-in form; a signed-in caller is sent on to the console
        ("/app/login/", "GET", "-"): expect(302, anonymous=200),
        ("/app/login/", "POST", "-"): expect(302),
        ("/app/logout/", "POST", "-"): expect(302),
        # the language switcher (Django's set_language, and the profile): back to the page, for everyone
        ("/app/language/", "POST", "-"): expect(302),
        # each sees its own (an empty inbox or list for callers in no organisation)
        ("/app/inbox/", "GET", "-"): expect(200, anonymous=302),
        ("/app/referrals/", "GET", "-"): expect(200, anonymous=302),
        ("/app/referrals/new/", "GET", "-"): expect(200, anonymous=302, **SUBMITTING),
        ("/app/referrals/new/", "POST", "-"): expect(302, **SUBMITTING),
    }


# (console route, the API route it mirrors, method)
MIRRORED = [
    ("/app/referrals/{pk}/", "/api/v1/referrals/{pk}/", "GET"),
    *[(f"/app/referrals/{{pk}}/{action}/", f"/api/v1/referrals/{{pk}}/{action}/", "POST")
      for action in ("route", "accept", "decline", "withdraw", "withdraw-consent", "outcomes", "close")],
]


def _translated(statuses: dict[str, int], method: str) -> dict[str, int]:
    def one(actor: str, status: int) -> int:
        if status == 401 or (method == "POST" and status in (200, 201)):
            return 302
        if actor == "analyst" and status == 403:
            return 404
        return status

    return {actor: one(actor, status) for actor, status in statuses.items()}


def console_matrix(api_matrix: dict, expect) -> dict[tuple[str, str, str], dict[str, int]]:
    """The console's rows, built from `expect` and the API's rows (declarations.py)."""
    return {
        **console_pages(expect),
        **{
            (console, method, target): _translated(api_matrix[(api, method, target)], method)
            for console, api, method in MIRRORED
            for target in ("submitted", "offered", "accepted")
        },
    }


def _referral_form(world, actor, target) -> dict:
    """The new-referral form as a person fills it in (the area from the list)."""
    return {
            "case_id": "console-matrix-case", "age_band": "18-20", "gender": "female", "nationality": "MM",
            "languages": ["my"], "exploitation_types": ["labour"], "indicators": ["deception"], "needs": ["shelter"],
            "urgency": "urgent", "area": str(world.area.pk), "consent_given": "on", "consent_basis": "informed_consent",
            "notes": "",
    }


def console_bodies(login, today) -> dict:
    return {
            ("/app/login/", "POST"): lambda w, actor, target: login(w, actor),
            ("/app/language/", "POST"): lambda w, actor, target: {"language": "th", "next": "/app/inbox/"},
            ("/app/referrals/new/", "POST"): _referral_form,
            ("/app/referrals/{pk}/route/", "POST"): lambda w, actor, target: {
                "organisations": [str(w.network.other_ngo.pk)], "mode": "selected"},
            ("/app/referrals/{pk}/decline/", "POST"): lambda w, actor, target: {"reason": "No space."},
            ("/app/referrals/{pk}/withdraw/", "POST"): lambda w, actor, target: {"confirm": "yes"},
            ("/app/referrals/{pk}/withdraw-consent/", "POST"): lambda w, actor, target: {"confirm": "yes"},
            ("/app/referrals/{pk}/outcomes/", "POST"): lambda w, actor, target: {
                "type": "medical_care", "date": today().isoformat(), "note": ""},
            ("/app/referrals/{pk}/close/", "POST"): lambda w, actor, target: {"reason": "Assistance completed."},
    }
