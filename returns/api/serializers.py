from rest_framework import serializers

from organisations.api.serializers import OrganisationSummarySerializer
from organisations.codes import COUNTRY_CHOICES
from referrals.models import AgeBand, ConsentBasis, ProfileGender
from returns import permissions
from returns.models import FollowUp, FollowUpOutcome, ReturnAction, ReturnCase, ReturnEvent, ReturnStatus

FREE_TEXT_MAX = 2000


class ReturnConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField(help_text="The person consents to the return (400 unless true).")
    basis = serializers.ChoiceField(choices=ConsentBasis.choices)


class ReturnOpenSerializer(serializers.Serializer):
    destination_country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, help_text="ISO 3166-1 alpha-2: a member state with a national focal point."
    )
    services_requested = serializers.ListField(
        child=serializers.SlugField(max_length=40), max_length=20,
        help_text="Service codes the person needs on arrival (`/api/v1/services/`).",
    )
    consent = ReturnConsentSerializer()


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ReturnStatus.choices)
    note = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
                                 help_text="Screened for personal data. The origin's notes stay the origin's.")


class FollowUpRecordSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices)
    note = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
                                 help_text="Screened for personal data.")


class FollowUpSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=FollowUpOutcome.choices, allow_null=True)

    class Meta:
        model = FollowUp
        fields = ["months", "due_on", "outcome", "note", "recorded_on"]


class ReturnProfileSerializer(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    gender = serializers.ChoiceField(choices=ProfileGender.choices)
    nationality = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())


class ReturnEventSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=ReturnAction.choices)
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    organisation = OrganisationSummarySerializer(allow_null=True)
    actor = serializers.SerializerMethodField(help_text="Shown to the member's own organisation only.")
    note = serializers.SerializerMethodField(help_text="A note of the origin is shown to the origin only.")

    class Meta:
        model = ReturnEvent
        fields = ["id", "action", "from_status", "to_status", "organisation", "actor", "note", "detail", "created"]

    def _reader(self):
        return self.context.get("organisation_id")

    def get_actor(self, event) -> str | None:
        return event.actor.username if permissions.sees_actor(self._reader(), event) else None

    def get_note(self, event) -> str:
        case = self.context["return_case"]
        return event.note if permissions.sees_note(self._reader(), case, event.organisation_id) else ""


class ReturnCaseSerializer(serializers.ModelSerializer):
    """A return as the caller's organisation may read it (returns.permissions): the destination
    reads what it needs to receive the person, never the referral behind it."""

    status = serializers.ChoiceField(choices=ReturnStatus.choices)
    origin_organisation = OrganisationSummarySerializer()
    referral = serializers.SerializerMethodField(help_text="The referral's id: the origin only.")
    profile = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField(help_text="The referral's needs.")
    consent = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = ReturnCase
        fields = [
            "id", "status", "referral", "origin_organisation", "origin_country", "destination_country",
            "profile", "needs", "services_requested", "consent", "handed_over_on", "follow_ups", "timeline",
            "created", "updated",
        ]

    def get_referral(self, case) -> str | None:
        return str(case.referral_id) if permissions.sees_referral(self.context.get("organisation_id"), case) else None

    def get_profile(self, case) -> ReturnProfileSerializer:
        referral = case.referral
        return {"age_band": referral.age_band, "gender": referral.gender, "nationality": referral.nationality,
                "languages": referral.languages}

    def get_needs(self, case) -> list[str]:
        return list(case.referral.needs)

    def get_consent(self, case) -> ReturnConsentSerializer:
        return {"given": case.consent_given, "basis": case.consent_basis}

    def get_timeline(self, case) -> ReturnEventSerializer(many=True):
        context = {**self.context, "return_case": case}
        return ReturnEventSerializer(case.events.all(), many=True, context=context).data
