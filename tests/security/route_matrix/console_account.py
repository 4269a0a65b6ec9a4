"""The console's account page (/app/account/) and the directory map's activities layer in the
route matrix. Every signed-in person, member of an organisation or not, reads and changes their
own profile and notification preferences; a caller without a session is sent to the sign-in
page. A saved form redirects back (302)."""


def console_account_matrix(expect) -> dict:
    return {
        ("/app/account/", "GET", "-"): expect(200, anonymous=302),
        ("/app/account/", "POST", "-"): expect(302),
        ("/app/account/notifications/", "POST", "-"): expect(302),
        # the directory map's activities layer: the directory's readers (analysts: 403)
        ("/app/directory/activities.geojson", "GET", "-"): expect(200, anonymous=302, analyst=403),
    }


def _preferences(world, actor, target) -> dict:
    from notifications.models import NotificationKind

    return {"notifications-digest_time": "07:30",
            **{f"notifications-choices.{kind}": "digest" for kind in NotificationKind.values}}


def console_account_bodies() -> dict:
    return {
        ("/app/account/", "POST"): lambda w, actor, target: {
            "profile-language": "th", "profile-time_zone": "Asia/Bangkok",
            "profile-email": f"{actor.replace('_', '-')}@example.org"},
        ("/app/account/notifications/", "POST"): _preferences,
    }
