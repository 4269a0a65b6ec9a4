from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import CatalogueTextField
from identification.models import (
    Answer,
    Decision,
    Element,
    IdentificationDecision,
    Screening,
    ScreeningForm,
    ScreeningQuestion,
    Strength,
)
from identification.permissions import sees_deciding_organisation, sees_screening_notes
from identification.selectors import latest_decision, reflection_period_ends
from organisations.api.serializers import OrganisationSummarySerializer
from organisations.codes import COUNTRY_CHOICES

FREE_TEXT_MAX = 2000
MAX_QUESTIONS = 100


class ScreeningQuestionSerializer(serializers.ModelSerializer):
    code = serializers.SlugField(max_length=40)
    text = CatalogueTextField(max_length=1000, help_text="In the caller's language for the seeded forms.")
    indicator = serializers.CharField(max_length=60, required=False, allow_blank=True,
                                      help_text="The ILO indicator of forced labour it asks about, if any.")
    element = serializers.ChoiceField(choices=Element.choices, help_text="The element of the definition.")
    strength = serializers.ChoiceField(choices=Strength.choices)

    class Meta:
        model = ScreeningQuestion
        fields = ["code", "text", "indicator", "element", "strength"]


class ScreeningFormSerializer(serializers.ModelSerializer):
    code = serializers.SlugField(max_length=40)
    country = serializers.ChoiceField(
        choices=COUNTRY_CHOICES, required=False, allow_null=True,
        help_text="ISO 3166-1 alpha-2; null for the regional form.",
    )
    title = CatalogueTextField(max_length=200, help_text="In the caller's language for the seeded forms.")
    questions = ScreeningQuestionSerializer(many=True, min_length=1, max_length=MAX_QUESTIONS)

    class Meta:
        model = ScreeningForm
        fields = ["id", "code", "version", "country", "title", "status", "published_at", "questions"]
        read_only_fields = ["id", "version", "status", "published_at"]


class ScreeningFormUpdateSerializer(serializers.Serializer):
    """A draft's changes: questions, when given, replace the draft's questions."""

    country = serializers.ChoiceField(choices=COUNTRY_CHOICES, required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    questions = ScreeningQuestionSerializer(many=True, min_length=1, max_length=MAX_QUESTIONS, required=False)


class AssessmentElementsSerializer(serializers.Serializer):
    act = serializers.BooleanField()
    means = serializers.BooleanField()
    purpose = serializers.BooleanField()


class AssessmentSerializer(serializers.Serializer):
    elements = AssessmentElementsSerializer(help_text="Which elements of the definition the answers meet.")
    strong = serializers.IntegerField(help_text="Strong indicators answered yes.")
    medium = serializers.IntegerField(help_text="Medium indicators answered yes.")
    meets_definition = serializers.BooleanField(
        help_text="Act, means and purpose (for a child, act and purpose) are met."
    )


class ScreeningCreateSerializer(serializers.Serializer):
    form = serializers.PrimaryKeyRelatedField(
        queryset=ScreeningForm.objects.all(), help_text="Id of a published screening form."
    )
    answers = serializers.DictField(
        child=serializers.ChoiceField(choices=Answer.choices), allow_empty=False,
        help_text="{question code: yes | no | unknown}; codes not in the form are refused (400).",
    )
    notes = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True, default="",
                                  help_text="Screened for personal data; read by your organisation only.")

    def validate_answers(self, answers):
        if len(answers) > MAX_QUESTIONS:
            raise serializers.ValidationError(_("at most %(count)s answers") % {"count": MAX_QUESTIONS})
        return answers


class ScreeningSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)
    form_code = serializers.CharField(source="form.code")
    form_version = serializers.IntegerField(source="form.version")
    answers = serializers.DictField(child=serializers.ChoiceField(choices=Answer.choices))
    assessment = AssessmentSerializer()
    notes = serializers.SerializerMethodField(help_text="Shown to the organisation that screened only.")

    class Meta:
        model = Screening
        fields = ["id", "form", "form_code", "form_version", "answers", "assessment", "notes", "organisation",
                  "created"]

    def get_notes(self, screening) -> str | None:
        return screening.notes if sees_screening_notes(self.context.get("organisation_id"), screening) else None


class ScreeningSummarySerializer(serializers.ModelSerializer):
    """A screening as the referral shows it: the assessment, never the notes."""

    assessment = AssessmentSerializer()

    class Meta:
        model = Screening
        fields = ["id", "form", "created", "assessment"]


class DecisionCreateSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    basis = serializers.CharField(max_length=FREE_TEXT_MAX, required=False, allow_blank=True, default="",
                                  help_text="Screened for personal data; read by the deciding organisation only.")
    decided_on = serializers.DateField(help_text="Not in the future, not before the referral was made.")


class OrganisationNameSerializer(OrganisationSummarySerializer):
    class Meta(OrganisationSummarySerializer.Meta):
        fields = ["id", "name"]


class DeciderMixin:
    def get_organisation(self, decision) -> OrganisationNameSerializer(allow_null=True):
        if not sees_deciding_organisation(self.context.get("organisation_id"), decision.referral, decision):
            return None
        return OrganisationNameSerializer(decision.organisation).data


class DecisionSerializer(DeciderMixin, serializers.ModelSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    organisation = serializers.SerializerMethodField(
        help_text="Who decided: named to the submitter, to the deciding organisation, and to all when the "
                  "submitter decided; null otherwise.")
    basis = serializers.SerializerMethodField(help_text="Shown to the deciding organisation only.")

    class Meta:
        model = IdentificationDecision
        fields = ["id", "decision", "basis", "organisation", "decided_on", "created"]

    def get_basis(self, decision) -> str | None:
        return decision.basis if sees_screening_notes(self.context.get("organisation_id"), decision) else None


class IdentificationSummarySerializer(DeciderMixin, serializers.ModelSerializer):
    """The latest decision, as the referral shows it."""

    decision = serializers.ChoiceField(choices=Decision.choices)
    organisation = serializers.SerializerMethodField(
        help_text="Who decided: named to the submitter, to the deciding organisation, and to all when the "
                  "submitter decided; null otherwise.")

    class Meta:
        model = IdentificationDecision
        fields = ["decision", "organisation", "decided_on", "created"]


def referral_identification(referral, context) -> dict | None:
    decision = latest_decision(referral)
    return IdentificationSummarySerializer(decision, context=context).data if decision else None


def referral_reflection_period_ends(referral):
    return reflection_period_ends(referral, latest_decision(referral))


class CountrySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="ISO 3166-1 alpha-2 code of a Bali Process member.")
    name = serializers.CharField(read_only=True)
    reflection_period_days = serializers.IntegerField(
        min_value=1, max_value=365,
        help_text="Length of the reflection and recovery period of a presumed or identified victim.",
    )
    regional_default = serializers.BooleanField(
        read_only=True, help_text="True when the country has no setting of its own (REFLECTION_PERIOD_DAYS)."
    )
