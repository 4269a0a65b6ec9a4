"""The only way to change screening forms, screenings, identification decisions and country
settings. Each service is atomic and keyword-only; who may do what is in .permissions."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geo.boundaries import bali_process_members
from organisations.selectors import membership_of
from referrals.exceptions import InvalidTransition
from referrals.models import CHILD_AGE_BANDS, EventAction, Referral, ReferralEvent
from referrals.services import OPEN_STATUSES, event_record, screen_fields

from . import permissions, rules, selectors
from .exceptions import FormPublished
from .models import (
    CountrySetting,
    FormStatus,
    IdentificationDecision,
    Screening,
    ScreeningForm,
    ScreeningQuestion,
)
from .regional_form import QUESTIONS, REGIONAL_CODE, REGIONAL_TITLE

REFLECTION_DAYS_RANGE = (1, 365)


# --- screening forms --------------------------------------------------------------------------


def _questions_create(form: ScreeningForm, questions: list[dict]) -> None:
    codes = [question["code"] for question in questions]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError({"questions": _("question codes repeat: %(codes)s") % {"codes": ", ".join(repeated)}})
    for order, data in enumerate(questions):
        question = ScreeningQuestion(form=form, order=order, **{k: v for k, v in data.items() if k != "order"})
        question.full_clean(exclude=["form"])
        question.save()


@transaction.atomic
def screening_form_create(*, by, data: dict) -> ScreeningForm:
    """A new draft: the next version of `code` (its first when new), with its questions."""
    permissions.require_manage_screening_forms(by)
    questions = data.get("questions") or []
    if not questions:
        raise ValidationError({"questions": _("a form needs at least one question")})
    latest = ScreeningForm.objects.select_for_update().filter(code=data["code"]).order_by("-version").first()
    form = ScreeningForm(
        code=data["code"], version=(latest.version + 1) if latest else 1,
        country=data.get("country") or None, title=data["title"],
    )
    form.full_clean()
    form.save()
    _questions_create(form, questions)
    return form


def _draft(form: ScreeningForm) -> ScreeningForm:
    locked = ScreeningForm.objects.select_for_update().get(pk=form.pk)
    if locked.status == FormStatus.PUBLISHED:
        raise FormPublished(_("A published screening form never changes; publish a new version instead."))
    return locked


@transaction.atomic
def screening_form_update(*, form: ScreeningForm, by, data: dict) -> ScreeningForm:
    """Change a draft (title, country, questions replaced whole); a published form: 409."""
    permissions.require_manage_screening_forms(by)
    form = _draft(form)
    for name in ("title", "country"):
        if name in data:
            setattr(form, name, data[name] or (None if name == "country" else data[name]))
    form.full_clean()
    form.save()
    if "questions" in data:
        if not data["questions"]:
            raise ValidationError({"questions": _("a form needs at least one question")})
        form.questions.all().delete()
        _questions_create(form, data["questions"])
    return form


@transaction.atomic
def screening_form_publish(*, form: ScreeningForm, by) -> ScreeningForm:
    permissions.require_manage_screening_forms(by)
    form = _draft(form)
    form.status = FormStatus.PUBLISHED
    form.published_at = timezone.now()
    form.save(update_fields=["status", "published_at"])
    return form


def regional_form_seed(form_model=ScreeningForm, question_model=ScreeningQuestion) -> ScreeningForm:
    """The regional form, version 1, published (the data migration passes its historical models)."""
    form, created = form_model.objects.get_or_create(
        code=REGIONAL_CODE, version=1,
        defaults={"title": REGIONAL_TITLE, "country": None, "status": FormStatus.DRAFT},
    )
    if created:
        question_model.objects.bulk_create([
            question_model(form=form, code=code, element=element, strength=strength, indicator=indicator,
                           text=text, order=order)
            for order, (code, element, strength, indicator, text) in enumerate(QUESTIONS)
        ])
        form.status, form.published_at = FormStatus.PUBLISHED, timezone.now()
        form.save(update_fields=["status", "published_at"])
    return form


# --- screenings -------------------------------------------------------------------------------


def _require_open(referral: Referral, what: str) -> None:
    if referral.status not in OPEN_STATUSES:
        raise InvalidTransition(referral, _("A %(status)s referral cannot be %(what)s.")
                % {"status": referral.status, "what": what})


def assessment_of(form: ScreeningForm, answers: dict, referral: Referral) -> dict:
    """400 naming `answers` (and the codes) for unknown questions or values; else the rule's
    assessment for this person (a child needs no means)."""
    questions = [rules.Question(q.code, q.element, q.strength) for q in form.questions.all()]
    problems = rules.invalid_answers(questions, answers)
    if problems:
        raise ValidationError({"answers": problems})
    return rules.assess(questions, answers, child=referral.age_band in CHILD_AGE_BANDS)


@transaction.atomic
def screening_record(*, referral: Referral, by, form: ScreeningForm, answers: dict, notes: str = "") -> Screening:
    rights = permissions.require_may_screen(by, referral)
    screen_fields(notes=notes)  # before anything else is looked at: nothing personal goes further
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_open(referral, "screened")
    if form.status != FormStatus.PUBLISHED:
        raise ValidationError({"form": _("only a published screening form can be used")})
    screening = Screening(
        referral=referral, form=form, answers=answers, notes=notes,
        assessment=assessment_of(form, answers, referral),
        organisation=rights.organisation, created_by=by,
    )
    screening.full_clean()
    screening.save()
    event_record(
        referral, EventAction.SCREENED, by=by, organisation=rights.organisation,
        screening=screening.pk, form=form.code, version=form.version,
        meets_definition=screening.assessment["meets_definition"],
    )
    return screening


# --- identification ---------------------------------------------------------------------------


@transaction.atomic
def identification_decide(*, referral: Referral, by, decision: str, basis: str = "", decided_on: date
                          ) -> IdentificationDecision:
    """Record a competent organisation's decision (kept with every earlier one)."""
    permissions.require_may_decide_identification(by, referral)
    screen_fields(basis=basis)
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("cannot be in the future")})
    if decided_on < timezone.localdate(referral.created):
        raise ValidationError({"decided_on": _("cannot be before the referral was made")})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_open(referral, "decided on")
    organisation = membership_of(by).organisation
    record = IdentificationDecision(
        referral=referral, organisation=organisation, decided_by=by, decision=decision,
        basis=basis, decided_on=decided_on,
    )
    record.full_clean()
    record.save()
    event_record(
        referral, EventAction.IDENTIFICATION_DECIDED, by=by, organisation=organisation,
        decision=record.decision, decided_on=decided_on.isoformat(),
    )
    return record


# --- countries and the reflection period ------------------------------------------------------


@transaction.atomic
def country_setting_update(*, country: str, by, reflection_period_days: int) -> CountrySetting:
    permissions.require_change_country_settings(by)
    if country not in bali_process_members():
        raise ValueError(country)  # the view answers 404 before: not a member state
    low, high = REFLECTION_DAYS_RANGE
    if not low <= reflection_period_days <= high:
        raise ValidationError({"reflection_period_days": _("must be between %(low)s and %(high)s days")
                % {"low": low, "high": high}})
    setting, _created = CountrySetting.objects.update_or_create(
        country=country, defaults={"reflection_period_days": reflection_period_days}
    )
    return setting


def reflection_reminders_due(*, now=None) -> int:
    """Remind the submitter and the accepting organisation, once, REFLECTION_REMINDER_DAYS before
    a reflection and recovery period ends. Returns how many reminders were recorded."""
    today = timezone.localdate(now or timezone.now())
    horizon = today + timedelta(days=settings.REFLECTION_REMINDER_DAYS)
    # Periods open only from a decision, and a country's period is at least one day: candidates are
    # open referrals with a decision; each one's latest decision decides (few rows, read once).
    candidates = (
        Referral.objects.filter(status__in=OPEN_STATUSES, identification_decisions__isnull=False)
        .distinct().select_related("area", "submitting_organisation").prefetch_related("identification_decisions")
    )
    recorded = 0
    for referral in candidates:
        ends = selectors.reflection_period_ends(referral, selectors.latest_decision(referral))
        if ends is None or not today <= ends <= horizon:
            continue
        recorded += _remind(referral, ends)
    return recorded


@transaction.atomic
def _remind(referral: Referral, ends: date) -> int:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    already = ReferralEvent.objects.filter(
        referral=referral, action=EventAction.REFLECTION_PERIOD_ENDING, detail__ends=ends.isoformat()
    ).exists()
    if already:
        return 0
    event_record(
        referral, EventAction.REFLECTION_PERIOD_ENDING,
        audience=[referral.submitting_organisation_id, referral.accepted_by_id], ends=ends.isoformat(),
    )
    return 1
