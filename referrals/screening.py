"""Screening free text for personal data before it is stored.

A referral must never identify a person, so notes, reasons and outcome notes are refused when they
contain what looks like a phone number, an e-mail address, a passport or ID number, or exact
coordinates. It errs on the side of refusing: a caseworker can always rephrase."""

import re

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", re.UNICODE)
# Decimal coordinate pairs with at least three decimals (about 100 m), e.g. "13.7563, 100.5018", also
# with hemispheres or a longitude label: "13.7563N 100.5018E", "N13.7563 E100.5018", "13.7563 lon 100.5018".
DECIMAL_COORDINATES = re.compile(
    r"-?\d{1,3}\.\d{3,}\s*°?\s*[NS]?\s*[,;/ ]\s*(?:(?:longitude|long|lon|lng)\s*[:=]?\s*)?[EW]?\s*-?\d{1,3}\.\d{3,}",
    re.IGNORECASE,
)
# Degrees and minutes, e.g. 13°45'22"N.
DMS_COORDINATES = re.compile(r"\d{1,3}\s*°\s*\d{1,2}\s*['\u2032]")
# Passports and identity cards: a few letters then six or more digits (A1234567, AB 1234567), or a
# long run of digits, possibly grouped (Thai ID 1-2345-67890-12-3, 3201234567890001).
DOCUMENT_NUMBER = re.compile(r"\b[A-Za-z]{1,3}[ -]?\d{6,10}\b|\b\d(?:[ -]?\d){8,}\b")
# Dates look like long digit runs once separators are allowed; they are not personal data here. Only a
# date standing alone: "66-81-234" in "+66-81-234-5678" is the start of a phone number, not a date.
DATES = re.compile(
    r"(?<![+\d][-/.])(?<!\+)\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b(?![-/.]\d)"
)
# Regions whose national formats are tried for numbers written without a country code.
PHONE_REGIONS = ("TH", "ID", "MY", "PH", "VN", "KH", "MM", "LA", "AU", "NZ", "IN", "BD", "LK", "CN", "US")


class PersonalDataFound(ValueError):
    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(f"contains {kind}; remove personal data before submitting")


def _has_phone_number(text: str) -> bool:
    for region in PHONE_REGIONS:
        for _match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            return True
    return False


def find_personal_data(text: str) -> str | None:
    """The kind of personal data found in the text, or None."""
    if not text:
        return None
    if EMAIL.search(text):
        return "an e-mail address"
    if DECIMAL_COORDINATES.search(text) or DMS_COORDINATES.search(text):
        return "exact coordinates"
    without_dates = DATES.sub(" ", text)
    if _has_phone_number(without_dates):
        return "a phone number"
    if DOCUMENT_NUMBER.search(without_dates):
        return "a passport or ID-like number"
    return None


def screen(text: str) -> None:
    kind = find_personal_data(text)
    if kind:
        raise PersonalDataFound(kind)
