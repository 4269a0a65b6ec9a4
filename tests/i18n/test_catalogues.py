"""Every language's catalogue compiles, translates every message (nothing untranslated, nothing
fuzzy) and keeps every placeholder of the English message, so that no translation can raise
KeyError or drop a value when it is formatted."""

import re
import subprocess
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import templatize, to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]*\}")
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


@dataclass
class Entry:
    flags: str = ""
    fields: dict[str, str] = dataclass_field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def plural(self) -> str | None:
        return self.fields.get("msgid_plural")

    @property
    def translations(self) -> list[str]:
        return [text for name, text in self.fields.items() if name.startswith("msgstr")]


def catalogue(language: str) -> Path:
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


def entries(language: str) -> list[Entry]:
    return read_entries(catalogue(language))


def read_entries(path: Path) -> list[Entry]:
    """Every message of a catalogue or template, the header and obsolete (#~) entries excluded.
    Strings wrapped over several lines are joined, plural forms kept (msgstr[0], msgstr[1], ...)."""
    found, entry, current = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry.fields.get("msgid"):
                found.append(entry)
            entry, current = Entry(), None
        elif line.startswith("#,"):
            entry.flags += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry.fields[current] += line[1:-1]
        else:
            match = FIELD.match(line)
            assert match, f"{path}: unreadable line {line!r}"
            current = match.group(1)
            entry.fields[current] = match.group(2)
    return found


def test_every_language_of_the_site_has_a_catalogue():
    assert TRANSLATED == ["th", "id", "vi", "ms", "fil", "my", "km", "lo", "zh-hans"]
    for language in TRANSLATED:
        assert catalogue(language).is_file(), language


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_compiles_with_every_message_translated(language, tmp_path):
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "django.mo"), str(catalogue(language))],  # noqa: S607
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    # msgfmt states the counts on stderr: "N translated messages." with no fuzzy or untranslated part
    assert re.fullmatch(r"\d+ translated messages?\.\s*", result.stderr), result.stderr
    assert len(entries(language)) > 200


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_entry_is_fuzzy_or_empty(language):
    text = catalogue(language).read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert "fuzzy" not in "".join(entry.flags for entry in entries(language))
    untranslated = [entry.msgid for entry in entries(language)
                    if not all(text.strip() for text in entry.translations)]
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    changed = []
    for entry in entries(language):
        if entry.plural is None:
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.translations[0])):
                changed.append((entry.msgid, entry.translations[0]))
            continue
        # A plural entry: no form may bring a name English lacks, and the forms together keep every
        # name of the English plural (a language's "one" form may say the number in words).
        english = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.plural))
        forms = [set(PLACEHOLDER.findall(text)) for text in entry.translations]
        if any(form - english for form in forms) or not set(PLACEHOLDER.findall(entry.plural)) <= set().union(*forms):
            changed.append((entry.plural, entry.translations))
    assert changed == []


def test_all_catalogues_translate_the_same_messages():
    english = [(entry.msgid, entry.plural) for entry in entries("th")]
    for language in TRANSLATED:
        assert [(entry.msgid, entry.plural) for entry in entries(language)] == english, language


def test_translations_differ_from_english():
    """A catalogue that copies English through is not a translation (codes and names aside)."""
    for language in TRANSLATED:
        same = [entry.msgid for entry in entries(language)
                if entry.plural is None and entry.msgid == entry.translations[0]]
        assert len(same) < 15, (language, same)


# The keywords `manage.py makemessages` gives xgettext for Python, beside xgettext's own (_, gettext, ngettext).
PYTHON_KEYWORDS = ["gettext_noop", "gettext_lazy", "ngettext_lazy:1,2", "pgettext:1c,2", "npgettext:1c,2,3",
                   "pgettext_lazy:1c,2", "npgettext_lazy:1c,2,3"]


def test_every_message_of_the_code_is_in_the_catalogues(tmp_path):
    """A message added to the code without running makemessages reaches no catalogue, and every
    language shows it in English. Extract the messages as makemessages does (the files git tracks
    outside tests/: Python as it is, templates through Django's templatize first) and look each
    up in the catalogues."""
    root = Path(settings.BASE_DIR)
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.txt"], cwd=root,  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout.split()
    sources = []
    for name in (name for name in tracked if not name.startswith(("tests/", "."))):
        if name.endswith(".py"):
            sources.append(str(root / name))
        else:  # a template, turned into the Python that xgettext reads, as makemessages does
            code = tmp_path / f"{name.replace('/', '__')}.py"
            code.write_text(templatize((root / name).read_text(encoding="utf-8"), origin=name), encoding="utf-8")
            sources.append(str(code))
    template = tmp_path / "code.pot"
    subprocess.run(  # noqa: S603
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--output", str(template),  # noqa: S607
         *(f"--keyword={keyword}" for keyword in PYTHON_KEYWORDS), *sources],
        capture_output=True, text=True, check=True,
    )
    translated = {(entry.fields.get("msgctxt"), entry.msgid) for entry in entries("th")}
    extracted = [(entry.fields.get("msgctxt"), entry.msgid) for entry in read_entries(template)]

    assert len(extracted) > 500
    assert [message for message in extracted if message not in translated] == []
