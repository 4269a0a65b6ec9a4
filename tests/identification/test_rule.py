"""The regional form's rule on worked examples (README "Screening and identification")."""

import pytest

from identification.regional_form import QUESTIONS
from identification.rules import Question, assess, invalid_answers

REGIONAL = [Question(code, element, strength) for code, element, strength, _indicator, _text in QUESTIONS]


def test_the_regional_form_asks_the_eleven_ilo_indicators_and_every_element():
    indicators = {indicator for _code, _element, _strength, indicator, _text in QUESTIONS if indicator}
    assert len(indicators) == 11
    assert {question.element for question in REGIONAL} == {"act", "means", "purpose"}
    assert {question.code for question in REGIONAL if question.element == "act"} == {
        "act_recruited", "act_transported", "act_transferred", "act_harboured", "act_received"}


def test_an_adult_with_act_means_and_purpose_meets_the_definition():
    answers = {"act_recruited": "yes", "deception": "yes", "purpose_exploitation": "yes", "isolation": "no"}
    assert assess(REGIONAL, answers, child=False) == {
        "elements": {"act": True, "means": True, "purpose": True},
        "strong": 3, "medium": 0, "meets_definition": True,
    }


def test_two_medium_means_make_the_means_one_does_not():
    base = {"act_transported": "yes", "excessive_overtime": "yes"}
    one = assess(REGIONAL, {**base, "isolation": "yes"}, child=False)
    two = assess(REGIONAL, {**base, "isolation": "yes", "withholding_of_wages": "yes"}, child=False)
    assert (one["elements"]["means"], one["meets_definition"]) == (False, False)
    assert (two["elements"]["means"], two["meets_definition"]) == (True, True)
    assert (two["strong"], two["medium"]) == (1, 3)


def test_a_child_needs_act_and_purpose_only():
    answers = {"act_harboured": "yes", "purpose_exploitation": "yes", "deception": "no", "debt_bondage": "unknown"}
    assessment = assess(REGIONAL, answers, child=True)
    assert assessment == {
        "elements": {"act": True, "means": False, "purpose": True},
        "strong": 2, "medium": 0, "meets_definition": True,
    }
    assert assess(REGIONAL, answers, child=False)["meets_definition"] is False  # the same answers, an adult


def test_not_enough_indicators():
    answers = {"act_recruited": "yes", "isolation": "yes", "deception": "unknown", "purpose_exploitation": "no"}
    assert assess(REGIONAL, answers, child=False) == {
        "elements": {"act": True, "means": False, "purpose": False},
        "strong": 1, "medium": 1, "meets_definition": False,
    }
    assert assess(REGIONAL, {}, child=True)["meets_definition"] is False


@pytest.mark.parametrize(("answers", "named"), [
    ({"not_a_question": "yes"}, "'not_a_question'"),
    ({"deception": "maybe"}, "'deception'"),
    ([], "object"),
])
def test_unknown_codes_and_values_are_named(answers, named):
    problems = invalid_answers(REGIONAL, answers)
    assert problems
    assert named in " ".join(problems)
