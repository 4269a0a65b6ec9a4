"""Screening free text for personal data before it is stored.

A referral must never identify a person, so notes, reasons and outcome notes are refused when they
contain personal data: a phone number, an e-mail address, a messaging account, an ID or passport
number, an address, a name introduced as a name, a location code or coordinates, a link, a bank
account, a licence plate or a date of birth. The text is normalised first (:mod:`.normalise`), then
each kind has its detector (:mod:`.detectors`). It errs on the side of refusing: a caseworker can
always rephrase. The refusal names the kind, never the text that matched."""

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .detectors import DETECTORS
from .normalise import normalise

__all__ = ["KINDS", "PersonalDataFound", "find_personal_data", "no_personal_data", "screen"]

# The stable code of each kind, and how a refusal names it.
KINDS = {
    "phone": _("a phone number"),
    "email": _("an e-mail address"),
    "messaging_handle": _("a messaging account or profile link"),
    "national_id": _("a national ID number"),
    "passport": _("a passport or ID-like number"),
    "address": _("a street address"),
    "name": _("a person's name"),
    "location_code": _("a location code (plus code, what3words or geohash)"),
    "coordinates": _("exact coordinates"),
    "url": _("a web link"),
    "bank_account": _("a bank account number"),
    "licence_plate": _("a licence plate number"),
    "date_of_birth": _("a date of birth"),
}
MESSAGE = _("contains {kind}; remove personal data before submitting")


def message(kind: str):
    """The refusal for a kind, translated when it is shown."""
    return format_lazy(MESSAGE, kind=KINDS[kind])


class PersonalDataFound(ValueError):
    """Personal data of ``kind`` (a code from :data:`KINDS`) was found."""

    def __init__(self, kind: str):
        self.kind = kind
        self.message = message(kind)
        super().__init__(kind)

    def __str__(self) -> str:
        return str(self.message)


def find_personal_data(text: str) -> str | None:
    """The code of the kind of personal data found in the text, or None."""
    if not text or not text.strip():
        return None
    normalised = normalise(text)
    for kind, detector in DETECTORS:
        if detector(normalised):
            return kind
    return None


def screen(text: str) -> None:
    """Raise :class:`PersonalDataFound` if the text contains personal data."""
    kind = find_personal_data(text)
    if kind:
        raise PersonalDataFound(kind)


def no_personal_data(value) -> None:
    """A model-field validator: free text with personal data is refused (API, admin, anywhere)."""
    kind = find_personal_data(value if isinstance(value, str) else "")
    if kind:
        raise ValidationError(message(kind), code="personal_data", params={"kind": kind})
