import datetime
import uuid
from functools import cached_property

from django.utils.translation import gettext as _
from rest_framework import serializers

from api.fields import PointField
from geo.models import AdministrativeArea

# The referral's HTTP surface shows the mechanism's steps (issue 14); the referrals domain itself
# never imports the identification app, which sits above it.
from identification.api.serializers import (
    IdentificationSummarySerializer,
    ScreeningSummarySerializer,
    referral_identification,
    referral_reflection_period_ends,
)
from organisations.api.serializers import OrganisationSummarySerializer
from organisations.codes import COUNTRY_CHOICES, LANGUAGE_CHOICES
from organisations.models import Organisation
from referrals.models import (
    AgeBand,
    ConsentBasis,
    EventAction,
    ExploitationType,
    Indicator,
    Offer,
    OfferStatus,
    Outcome,
    OutcomeType,
    ProfileGender,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from referrals.permissions import CHILD_FIELDS_SEEN_THROUGH_PARENT, sees_actor, sees_every_party
from referrals.selectors import offers_visible_to

SUBJECT_KEY_LENGTH = 16
FREE_TEXT_MAX = 2000


class ProfileSerializer(serializers.Serializer):
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    gender = serializers.ChoiceField(choices=ProfileGender.choices)
    nationality = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2."
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=LANGUAGE_CHOICES), max_length=20, default=list,
        help_text="ISO 639-1 codes. Optional: left out (or []) when not known.",
    )


class LocationInputSerializer(serializers.Serializer):
    """Either an administrative area, or coordinates that are generalised and never stored."""

    area = serializers.PrimaryKeyRelatedField(queryset=AdministrativeArea.objects.defer("geometry"), required=False)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    lon = serializers.FloatField(min_value=-180, max_value=180, required=False)

    def validate(self, attrs):
        has_area = "area" in attrs
        has_point = "lat" in attrs or "lon" in attrs
        if has_area == has_point:
            raise serializers.ValidationError(_('Give either {"area": <id>} or {"lat": .., "lon": ..}.'))
        if has_point and not ("lat" in attrs and "lon" in attrs):
            raise serializers.ValidationError(_("Give both lat and lon."))
        return attrs


class ConsentSerializer(serializers.Serializer):
    given = serializers.BooleanField()
    basis = serializers.ChoiceField(choices=ConsentBasis.choices)

    def validate_given(self, given):
        if given is not True:
            raise serializers.ValidationError(_("A referral needs consent, or another lawful basis, to be shared."))
        return given


class ReferralCreateSerializer(serializers.Serializer):
    case_reference = serializers.CharField(
        write_only=True, max_length=200,
        help_text="Your own case id. Stored only as a keyed hash; never shown back.",
    )
    profile = ProfileSerializer()
    exploitation_types = serializers.ListField(
        child=serializers.ChoiceField(choices=ExploitationType.choices), min_length=1, max_length=8
    )
    indicators = serializers.ListField(
        child=serializers.ChoiceField(choices=Indicator.choices), max_length=20, default=list,
        help_text="ILO indicators of forced labour observed. Optional: left out (or []) when none were.",
    )
    needs = serializers.ListField(
        child=serializers.SlugField(max_length=40), min_length=1, max_length=20,
        help_text="Service codes from `/api/v1/services/`.",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    location = LocationInputSerializer()
    consent = ConsentSerializer()
    notes = serializers.CharField(
        max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
        help_text="Free text, screened: phone numbers, e-mails, ID numbers and coordinates are refused.",
    )


class ReferralUpdateSerializer(serializers.Serializer):
    needs = serializers.ListField(child=serializers.SlugField(max_length=40), min_length=1, max_length=20,
                                  required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    notes = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True)

    def validate(self, attrs):
        unknown = set(self.initial_data) - set(self.fields) if isinstance(self.initial_data, dict) else set()
        if unknown:
            raise serializers.ValidationError({name: _("cannot be changed") for name in sorted(unknown)})
        if not attrs:
            raise serializers.ValidationError(_("Give at least one of needs, urgency, notes."))
        return attrs


class OfferSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer()
    status = serializers.ChoiceField(choices=OfferStatus.choices)

    class Meta:
        model = Offer
        fields = ["organisation", "status", "reason", "created", "responded", "facility"]
        extra_kwargs = {"facility": {"help_text": "The accepting organisation's shelter where a bed is held."}}


class OutcomeSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=OutcomeType.choices)
    note = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
                                 help_text="Screened for personal data like referral notes.")
    organisation = OrganisationSummarySerializer(read_only=True)

    class Meta:
        model = Outcome
        fields = ["id", "type", "date", "note", "organisation", "created"]
        read_only_fields = ["id", "organisation", "created"]


class LocationSerializer(serializers.Serializer):
    area = serializers.IntegerField(source="area_id", allow_null=True)
    area_name = serializers.CharField(source="area.name", allow_null=True, default=None)
    country = serializers.CharField(source="area.country", allow_null=True, default=None)
    point = PointField(source="location", help_text="Rounded to 0.1 degree.")


class OutcomeSummarySerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=OutcomeType.choices)

    class Meta:
        model = Outcome
        fields = ["type", "date"]


class AcceptingOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class ChildReferralSerializer(serializers.ModelSerializer):
    """A referral referred onward, as the parent's parties see it: its progress, never its notes
    (referrals.permissions.CHILD_FIELDS_SEEN_THROUGH_PARENT)."""

    status = serializers.ChoiceField(choices=Status.choices)
    needs = serializers.ListField(child=serializers.CharField())
    accepted_by = AcceptingOrganisationSerializer(allow_null=True)
    outcomes = OutcomeSummarySerializer(many=True)

    class Meta:
        model = Referral
        fields = list(CHILD_FIELDS_SEEN_THROUGH_PARENT)


class ParentReferralSerializer(serializers.Serializer):
    """The referral a child was referred onward from: its id and the person's profile only."""

    id = serializers.UUIDField()
    profile = ProfileSerializer(source="*")


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the caller's organisation may read it. Offers: the submitter sees them all;
    an offered organisation sees only its own."""

    subject_key = serializers.SerializerMethodField(
        help_text="Short key derived from the hashed case reference: equal keys, same person."
    )
    submitting_organisation = OrganisationSummarySerializer()
    accepted_by = OrganisationSummarySerializer(allow_null=True)
    profile = serializers.SerializerMethodField()
    location = LocationSerializer(source="*")
    consent = serializers.SerializerMethodField()
    offers = serializers.SerializerMethodField()
    outcomes = OutcomeSerializer(many=True)
    status = serializers.ChoiceField(choices=Status.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    exploitation_types = serializers.ListField(child=serializers.ChoiceField(choices=ExploitationType.choices))
    indicators = serializers.ListField(child=serializers.ChoiceField(choices=Indicator.choices))
    needs = serializers.ListField(child=serializers.CharField())
    possible_duplicate_of = serializers.SerializerMethodField(
        help_text="Submitter only: an open referral of the same person (same case reference) by your organisation."
    )
    consent_withdrawn = serializers.DateTimeField(allow_null=True)
    screenings = ScreeningSummarySerializer(many=True, help_text="Screenings against indicators (no notes).")
    identification = serializers.SerializerMethodField(help_text="The latest identification decision, if any.")
    reflection_period_ends = serializers.SerializerMethodField(
        help_text="End of the reflection and recovery period opened by a presumed or identified decision."
    )
    parent = ParentReferralSerializer(allow_null=True, read_only=True,
                                      help_text="The referral this one was referred onward from.")
    children = ChildReferralSerializer(many=True, read_only=True,
                                       help_text="Referrals referred onward from this one: progress only.")

    class Meta:
        model = Referral
        fields = [
            "id", "status", "subject_key", "possible_duplicate_of", "consent_withdrawn", "submitting_organisation",
            "profile", "exploitation_types",
            "indicators", "needs", "urgency", "location", "consent", "notes", "offers", "accepted_by",
            "outcomes", "close_reason", "screenings", "identification", "reflection_period_ends", "parent", "children",
            "created", "updated",
        ]

    def get_identification(self, referral) -> IdentificationSummarySerializer(allow_null=True):
        return referral_identification(referral, self.context)

    def get_reflection_period_ends(self, referral) -> datetime.date | None:
        return referral_reflection_period_ends(referral)

    def get_subject_key(self, referral) -> str | None:
        if not sees_every_party(self.context.get("organisation_id"), referral):
            return None  # a key of the submitter's own; others have no use for it
        return referral.subject_hash[:SUBJECT_KEY_LENGTH] or None

    def get_possible_duplicate_of(self, referral) -> uuid.UUID | None:
        if not sees_every_party(self.context.get("organisation_id"), referral):
            return None
        return getattr(referral, "possible_duplicate_of", None)

    def get_profile(self, referral) -> ProfileSerializer:
        return {
            "age_band": referral.age_band,
            "gender": referral.gender,
            "nationality": referral.nationality,
            "languages": referral.languages,
        }

    def get_consent(self, referral) -> ConsentSerializer:
        return {"given": True, "basis": referral.consent_basis}

    def get_offers(self, referral) -> OfferSerializer(many=True):
        offers = offers_visible_to(
            referral.offers.all(), referral=referral, organisation_id=self.context.get("organisation_id")
        )  # prefetched
        return [self._offer_serializer.to_representation(offer) for offer in offers]

    @cached_property
    def _offer_serializer(self) -> OfferSerializer:
        """One for the whole response: DRF builds and deep-copies a serializer's fields per
        instance, which per referral was a third of the busiest caseworker's list page."""
        return OfferSerializer()


class RouteSerializer(serializers.Serializer):
    organisations = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=20, help_text="Ids of organisations to offer to."
    )
    auto = serializers.BooleanField(required=False, default=False, help_text="Offer to the best match.")

    def validate(self, attrs):
        if attrs.get("auto") == bool(attrs.get("organisations")):
            raise serializers.ValidationError(_('Give either "organisations" or "auto": true.'))
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
                                   help_text="Screened for personal data.")


class AcceptSerializer(serializers.Serializer):
    facility = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1,
        help_text="Id of one of your organisation's shelters: accepting holds one of its free beds until the "
                  "referral is closed or withdrawn (409 with `capacity_available: 0` when none is left).",
    )


class EventSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=EventAction.choices)
    organisation = OrganisationSummarySerializer(allow_null=True)
    subject_organisation = OrganisationSummarySerializer(allow_null=True)
    actor = serializers.SerializerMethodField(
        help_text="Username of the member who acted, shown to the member's own organisation only."
    )

    class Meta:
        model = ReferralEvent
        fields = ["id", "action", "organisation", "subject_organisation", "actor", "detail", "created"]

    def get_actor(self, event) -> str | None:
        if sees_actor(self.context.get("organisation_id"), event):
            return event.actor.username
        return None



class ReferOnwardSerializer(serializers.Serializer):
    needs = serializers.ListField(
        child=serializers.SlugField(max_length=40), min_length=1, max_length=20,
        help_text="Service codes the person is referred onward for: some of the referral's needs, or new ones.",
    )
    organisations = serializers.ListField(
        child=serializers.UUIDField(), required=False, max_length=20,
        help_text="Ids of organisations to offer the onward referral to; left out: the best match.",
    )
    notes = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True,
                                  help_text="Screened for personal data.")
