"""Standard code lists that inputs are validated against (ISO 3166-1, ISO 639-1)."""

from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@cache
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def validate_country_code(value: str) -> None:
    if value not in country_codes():
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code.") % {"value": repr(value)}, code="invalid"
        )


def validate_language_code(value: str) -> None:
    if value not in language_codes():
        raise ValidationError(
            _("%(value)s is not an ISO 639-1 language code.") % {"value": repr(value)}, code="invalid"
        )


# Sorted code lists for serializer choices; one object each, so the OpenAPI schema names them once.
COUNTRY_CHOICES = sorted(country_codes())
LANGUAGE_CHOICES = sorted(language_codes())
