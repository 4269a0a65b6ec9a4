"""The screening rule: which elements of the definition of trafficking the answers meet.

- act (recruitment, transport, transfer, harbouring or receipt): one "yes";
- purpose (exploitation): one "yes";
- means (threat, force, coercion, deception, abuse of vulnerability...): one "yes" to a strong
  indicator, or two to medium ones. For a child the means are not needed (Palermo Protocol,
  art. 3(c)): act and purpose suffice.

Plain functions over plain data, so the rule is tested on worked examples without a database."""

from collections.abc import Iterable
from dataclasses import dataclass

YES = "yes"
ANSWERS = frozenset({"yes", "no", "unknown"})
MEDIUM_MEANS_NEEDED = 2


@dataclass(frozen=True)
class Question:
    code: str
    element: str  # act | means | purpose
    strength: str  # strong | medium


def invalid_answers(questions: Iterable[Question], answers) -> list[str]:
    """Why the answers cannot be assessed against these questions (empty: they can)."""
    if not isinstance(answers, dict):
        return ["must be an object of {question code: yes | no | unknown}"]
    known = {question.code for question in questions}
    problems = [f"{code!r} is not a question of this form" for code in answers if code not in known]
    problems += [
        f"{code!r}: {value!r} is not one of yes, no, unknown"
        for code, value in answers.items()
        if code in known and value not in ANSWERS
    ]
    return problems


def assess(questions: Iterable[Question], answers: dict[str, str], *, child: bool) -> dict:
    """The assessment of valid answers (see invalid_answers)."""
    yes = [question for question in questions if answers.get(question.code) == YES]
    strong = sum(1 for question in yes if question.strength == "strong")
    medium = sum(1 for question in yes if question.strength == "medium")
    means_strong = sum(1 for q in yes if q.element == "means" and q.strength == "strong")
    means_medium = sum(1 for q in yes if q.element == "means" and q.strength == "medium")
    elements = {
        "act": any(question.element == "act" for question in yes),
        "means": means_strong >= 1 or means_medium >= MEDIUM_MEANS_NEEDED,
        "purpose": any(question.element == "purpose" for question in yes),
    }
    meets = elements["act"] and elements["purpose"] and (child or elements["means"])
    return {"elements": elements, "strong": strong, "medium": medium, "meets_definition": meets}
