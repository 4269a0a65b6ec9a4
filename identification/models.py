"""Screening against indicators and the identification decision (the national referral mechanism).

A first responder screens a referred person with a versioned screening form (ILO indicators of
forced labour mapped to the act, means and purpose of the Palermo Protocol's definition); a
competent organisation then decides whether the person is a presumed or identified victim, which
opens the reflection and recovery period. The app sits above `referrals` and `organisations`."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.codes import validate_country_code
from organisations.models import Organisation
from referrals.models import Referral
from referrals.screening import no_personal_data


class FormStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Element(models.TextChoices):
    """The three elements of the definition of trafficking in persons (Palermo Protocol, art. 3)."""

    ACT = "act", _("Act")
    MEANS = "means", _("Means")
    PURPOSE = "purpose", _("Purpose")


class Strength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Decision(models.TextChoices):
    PRESUMED = "presumed", _("presumed victim")
    IDENTIFIED = "identified", _("identified victim")
    NOT_IDENTIFIED = "not_identified", _("not identified")


# Decisions that open the reflection and recovery period.
OPENS_REFLECTION = frozenset({Decision.PRESUMED, Decision.IDENTIFIED})


class ScreeningFormQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        from .permissions import restrict_screening_forms

        return restrict_screening_forms(self, user, action)


@pgtrigger.register(
    # Publishing (draft -> published) is the last change a form's row may see.
    pgtrigger.Protect(name="published_form_frozen", operation=pgtrigger.Update | pgtrigger.Delete,
                      condition=pgtrigger.Q(old__status="published")),
)
class ScreeningForm(models.Model):
    """One version of a screening form. Once published it never changes (services, and the
    database refuses to change its questions: see ScreeningQuestion's trigger)."""

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    # null, not "": the API's `country` is null for the regional form, and the filter reads NULL.
    country = models.CharField(  # noqa: DJ001
        max_length=2, null=True, blank=True, validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2; empty for the regional form.",
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = ScreeningFormQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="screening_form_code_version")]

    def __str__(self):
        return f"{self.code} v{self.version} ({self.status})"


# The database itself keeps a published form's questions as they were: a question of a form
# whose status is `published` can be neither inserted, changed nor deleted.
FROZEN_QUESTION = pgtrigger.Trigger(
    name="published_form_frozen",
    when=pgtrigger.Before,
    operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
    func="""
        IF EXISTS (
            SELECT 1 FROM identification_screeningform f
            WHERE f.status = 'published'
              AND f.id IN (NEW.form_id, OLD.form_id)
        ) THEN
            RAISE EXCEPTION 'the questions of a published screening form cannot change';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """,
)


@pgtrigger.register(FROZEN_QUESTION)
class ScreeningQuestion(models.Model):
    form = models.ForeignKey(ScreeningForm, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=40)
    text = models.TextField(max_length=1000)
    indicator = models.CharField(max_length=60, blank=True, help_text="The ILO indicator it asks about.")
    element = models.CharField(max_length=8, choices=Element.choices)
    strength = models.CharField(max_length=8, choices=Strength.choices)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="screening_question_code_per_form")]

    def __str__(self):
        return f"{self.form_id}:{self.code}"


class Screening(models.Model):
    """One screening of a referred person against a form: the answers, the assessment the form's
    rule gave (stored as computed then, so that it stays what the screener saw), and notes."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="screenings")
    form = models.ForeignKey(ScreeningForm, on_delete=models.PROTECT, related_name="screenings")
    answers = models.JSONField(help_text="{question code: yes | no | unknown}")
    notes = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    assessment = models.JSONField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"screening {self.pk} of {self.referral_id}"


@pgtrigger.register(
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class IdentificationDecision(models.Model):
    """A competent organisation's decision on whether the person is a victim. Every decision is
    kept (the latest counts); the database refuses to change or delete one."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="identification_decisions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    basis = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    decided_on = models.DateField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["referral", "-created"], name="identification_latest_idx")]

    def __str__(self):
        return f"{self.decision} ({self.referral_id})"


class CountrySetting(models.Model):
    """Per-country rules of the mechanism set by platform administrators; a country without a row
    uses the regional default (settings.REFLECTION_PERIOD_DAYS)."""

    country = models.CharField(max_length=2, primary_key=True, validators=[validate_country_code])
    reflection_period_days = models.PositiveSmallIntegerField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]

    def __str__(self):
        return f"{self.country}: {self.reflection_period_days} days"
