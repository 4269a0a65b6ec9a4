import pytest

from tests.organisations.factories import OrganisationFactory, member
from tests.referrals.factories import cover_country

from .mailserver import MailServer


@pytest.fixture
def mailserver():
    with MailServer() as server:
        yield server


@pytest.fixture
def smtp(mailserver, settings):
    """Django's SMTP backend, pointed at the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = mailserver.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return mailserver


@pytest.fixture
def parties(reference_data):
    """A police unit that submits, a shelter NGO that is offered referrals, their people."""
    police = OrganisationFactory(name="Provincial Police Unit", kind="government", country="TH")
    shelter = OrganisationFactory(name="Riverside Care House", kind="ngo", country="TH")
    cover_country(shelter)
    return {
        "police": police,
        "shelter": shelter,
        "police_admin": member(police, "admin"),
        "police_caseworker": member(police, "caseworker"),
        "police_viewer": member(police, "viewer"),
        "shelter_admin": member(shelter, "admin"),
        "shelter_caseworker": member(shelter, "caseworker"),
        "shelter_viewer": member(shelter, "viewer"),
    }
