"""Stored text kept in several languages (django-modeltranslation): each field below gets one
column per language in settings.LANGUAGES (description_th, name_km, ...). Reading the field gives
the active language's text, or English when that translation is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import Organisation, ServiceType


@register(Organisation)
class OrganisationTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(ServiceType)
class ServiceTypeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
