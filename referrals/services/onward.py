"""Onward referral (issue 14): the accepting organisation refers the same person on for other
needs. The child is a referral like any other (submitted through referral_submit, routed through
referral_route), submitted by the accepting organisation, with the parent's profile, location and
consent, and `parent` set. The parent's parties learn the child's progress through the parent
(`children`), never its notes; the child's receivers see the parent's profile, never its notes or
timeline (they hold no grant on the parent)."""

from django.db import transaction

from .. import permissions
from ..exceptions import InvalidTransition
from ..models import EventAction, Referral, Status
from .events import event_record
from .lifecycle import referral_route
from .locking import locked, rights_before_lock
from .submission import referral_submit

REFERABLE_ONWARD = (Status.ACCEPTED, Status.IN_PROGRESS)


def onward_case_reference(parent: Referral) -> str:
    """The child's case reference: derived from the parent, so that two onward referrals of one
    referral by one organisation are the same person (the duplicate hint), and nothing else is."""
    return f"onward-of:{parent.pk}"


def _child_data(parent: Referral, *, needs: list[str], notes: str) -> dict:
    location = {"area": parent.area} if parent.area_id else {"lon": parent.location.x, "lat": parent.location.y}
    return {
        "case_reference": onward_case_reference(parent),
        "profile": {"age_band": parent.age_band, "gender": parent.gender, "nationality": parent.nationality,
                    "languages": list(parent.languages)},
        "exploitation_types": list(parent.exploitation_types),
        "indicators": list(parent.indicators),
        "needs": needs,
        "urgency": parent.urgency,
        "location": location,
        "consent": {"given": True, "basis": parent.consent_basis},
        "notes": notes,
    }


@transaction.atomic
def referral_refer_onward(
    *, referral: Referral, by, needs: list[str], organisation_ids: list | None = None, notes: str = ""
) -> Referral:
    """Refer the person of an accepted referral onward: a new referral with `parent` set, offered
    to the chosen organisations, else to the best match. 409 unless the parent is accepted or in
    progress; 403 unless the caller acts for the accepting organisation."""
    rights = rights_before_lock(by, referral)
    parent = locked(referral)
    if parent.status not in REFERABLE_ONWARD or parent.consent_withdrawn:
        raise InvalidTransition(parent, f"A referral that is {parent.status} cannot be referred onward.")
    permissions.require_may_refer_onward(rights)
    child = referral_submit(by=by, data=_child_data(parent, needs=needs, notes=notes))
    # The parent's location as it is stored (already generalised), not generalised again.
    child.parent, child.area, child.location = parent, parent.area, parent.location
    child.save(update_fields=["parent", "area", "location", "updated"])
    try:
        referral_route(referral=child, by=by, organisation_ids=organisation_ids, auto=not organisation_ids)
    except InvalidTransition as error:  # nobody matches: tell it about the parent, whose status the caller knows
        raise InvalidTransition(parent, f"{error} Name organisations to refer onward to.") from error
    event_record(parent, EventAction.REFERRED_ONWARD, by=by, organisation=rights.organisation,
                 child=str(child.pk), needs=list(child.needs))
    child.refresh_from_db()
    return child


def descendants_of(referral_id) -> list:
    """Ids of every referral referred onward from this one, at any depth, nearest first."""
    found, frontier = [], [referral_id]
    while frontier:
        frontier = list(Referral.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found
