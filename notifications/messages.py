"""The text of a message, rendered in the recipient's language and time zone from templates.

What a message may carry, and nothing else: the kind of event, the referral's urgency, the time
an offer has left, names of organisations the reader already sees on the referral, and a link to
the console page. Never notes, the case profile (age band, gender, nationality, languages),
exploitation types, indicators, needs, outcome types, reasons, or the subject key: a message
leaves the network's control (mail servers, phones left unlocked) and must say nothing a stranger
could use. The link only opens the console, behind sign-in and two-factor; it never acts."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.selectors import profile_of
from identification import selectors as identification
from identification.models import IdentificationDecision
from referrals.services import offer_ttl

from .mechanism import RETURN_KINDS, return_party_name
from .models import Notification, NotificationKind

SUBJECTS = {
    NotificationKind.OFFER_RECEIVED: _("[%(urgency)s] A referral was offered to your organisation"),
    NotificationKind.OFFER_EXPIRING: _("[%(urgency)s] An offer to your organisation expires in %(time_left)s"),
    NotificationKind.OFFER_ACCEPTED: _("Your referral was accepted"),
    NotificationKind.OFFER_DECLINED: _("An offer of your referral was declined"),
    NotificationKind.OFFER_EXPIRED: _("An offer of your referral expired"),
    NotificationKind.OUTCOME_RECORDED: _("An outcome was recorded on your referral"),
    NotificationKind.REFERRAL_CLOSED: _("Your referral was closed"),
    NotificationKind.CONSENT_WITHDRAWN: _("Consent was withdrawn for a referral you accepted"),
    NotificationKind.IDENTIFICATION_DECIDED: _("[%(urgency)s] An identification decision was taken on a referral"),
    NotificationKind.REFLECTION_ENDING: _("[%(urgency)s] A reflection and recovery period ends in %(time_left)s"),
    NotificationKind.RETURN_REQUESTED: _("A return to your country was requested"),
    NotificationKind.RETURN_STATUS_CHANGED: _("A return moved to another step"),
    NotificationKind.FOLLOW_UP_DUE: _("A follow-up of a return is due in %(time_left)s"),
}
DIGEST_SUBJECT = _("Your daily summary: %(count)s update(s) on referrals")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    html: str | None = None


def console_url(path: str) -> str:
    return f"{settings.CONSOLE_BASE_URL.rstrip('/')}{path}"


def referral_url(referral_id) -> str:
    return console_url(f"/app/referrals/{referral_id}/")


def inbox_url() -> str:
    return console_url("/app/inbox/")


def _other_party(notification: Notification) -> str:
    """The one organisation named: the one the reader deals with on this referral, whose name
    the reader already sees there."""
    referral = notification.referral
    kind = notification.kind
    if kind in RETURN_KINDS:
        return return_party_name(notification.return_case, notification.organisation_id)
    if kind == NotificationKind.IDENTIFICATION_DECIDED:
        return _deciding_organisation_name(notification)
    if kind in (NotificationKind.OFFER_RECEIVED, NotificationKind.OFFER_EXPIRING, NotificationKind.CONSENT_WITHDRAWN):
        return referral.submitting_organisation.name
    if kind in (NotificationKind.OFFER_ACCEPTED, NotificationKind.OFFER_DECLINED, NotificationKind.OFFER_EXPIRED):
        return notification.offer.organisation.name if notification.offer else ""
    return referral.accepted_by.name if referral.accepted_by else ""


def _deciding_organisation_name(notification: Notification) -> str:
    """The organisation that decided (the referral shows who decided to those who read it)."""
    decision = (IdentificationDecision.objects.filter(referral_id=notification.referral_id)
                .select_related("organisation").order_by("-created", "-id").first())
    return decision.organisation.name if decision else ""


def _due_date(notification: Notification):
    """The date a mechanism reminder is about: a reflection period's end, a follow-up's due date."""
    if notification.kind == NotificationKind.REFLECTION_ENDING:
        referral = notification.referral
        return identification.reflection_period_ends(referral, identification.latest_decision(referral))
    if notification.kind == NotificationKind.FOLLOW_UP_DUE and notification.return_case_id:
        follow_up = (notification.return_case.follow_ups.filter(outcome__isnull=True, reminded__isnull=False)
                     .order_by("due_on").first())
        return follow_up.due_on if follow_up else None
    return None


def _link(notification: Notification) -> str:
    """The console page: the referral's, but the inbox where the referral is no longer the
    reader's (consent withdrawn) or never was (a return: its destination never learns the id)."""
    if notification.kind == NotificationKind.CONSENT_WITHDRAWN or notification.kind in RETURN_KINDS:
        return inbox_url()
    return referral_url(notification.referral_id)


def item_context(notification: Notification, now=None) -> dict:
    """What the templates may use. Built from an allow-list: the referral itself is not passed."""
    now = now or timezone.now()
    referral = notification.referral
    returned = notification.kind in RETURN_KINDS
    context = {
        "kind": notification.kind,
        "kind_label": NotificationKind(notification.kind).label,
        # A return's destination does not read the referral, urgency included.
        "urgency": "" if returned else referral.get_urgency_display(),
        "organisation_name": _other_party(notification),
        "link": _link(notification),
        "inbox_link": inbox_url(),
        "time_left": "",
        "expires_at": None,
        "due_on": None,
        "return_status": notification.return_case.get_status_display() if returned else "",
    }
    due_on = _due_date(notification)
    if due_on is not None:
        context["due_on"] = due_on
        days = (due_on - timezone.localdate(now)).days
        context["time_left"] = (ngettext("%(days)s day", "%(days)s days", days) % {"days": days} if days > 0
                                else str(_("no time")))
    offer = notification.offer
    if notification.kind in (NotificationKind.OFFER_RECEIVED, NotificationKind.OFFER_EXPIRING) and offer:
        expires = offer.created + offer_ttl(referral.urgency)
        context["expires_at"] = timezone.localtime(expires)
        context["time_left"] = timeuntil(expires, now) if expires > now else _("no time")
    return context


def _rendered(user, build):
    profile = profile_of(user)
    with translation.override(profile.language), timezone.override(profile.time_zone):
        return build()


def render_notification(notification: Notification, now=None) -> Message:
    def build():
        context = {**item_context(notification, now), "recipient": notification.recipient.get_username()}
        subject = str(SUBJECTS[notification.kind]) % {"urgency": context["urgency"], "time_left": context["time_left"]}
        body = render_to_string(f"notifications/email/{notification.kind}.txt", context)
        return Message(subject=" ".join(subject.split()), body=body)

    return _rendered(notification.recipient, build)


def render_digest(user, notifications: list[Notification], now=None) -> Message:
    def build():
        items = [item_context(notification, now) for notification in notifications]
        context = {"items": items, "recipient": user.get_username(), "inbox_link": inbox_url()}
        subject = str(DIGEST_SUBJECT) % {"count": len(items)}
        return Message(subject=subject, body=render_to_string("notifications/email/digest.txt", context))

    return _rendered(user, build)
