"""Every language's catalogue compiles, translates every message (nothing untranslated, nothing
fuzzy) and keeps every placeholder of the English message, so that no translation can raise
KeyError or drop a value when it is formatted."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]*\}")
ENTRY = re.compile(r'^((?:#[^\n]*\n)*)msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"$', re.M)


def catalogue(language: str) -> Path:
    return LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"


def entries(language: str) -> list[tuple[str, str, str]]:
    """(flags comment, msgid, msgstr) of every message, header excluded (msgid "")."""
    text = catalogue(language).read_text(encoding="utf-8")
    return [(m.group(1), m.group(2), m.group(3)) for m in ENTRY.finditer(text) if m.group(2)]


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
    assert "fuzzy" not in "".join(flags for flags, _msgid, _msgstr in entries(language))
    assert [msgid for _flags, msgid, msgstr in entries(language) if not msgstr.strip()] == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_every_placeholder(language):
    changed = [
        (msgid, msgstr) for _flags, msgid, msgstr in entries(language)
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))
    ]
    assert changed == []


def test_all_catalogues_translate_the_same_messages():
    english = [msgid for _flags, msgid, _msgstr in entries("th")]
    for language in TRANSLATED:
        assert [msgid for _flags, msgid, _msgstr in entries(language)] == english, language


def test_translations_differ_from_english():
    """A catalogue that copies English through is not a translation (codes and names aside)."""
    for language in TRANSLATED:
        same = [msgid for _flags, msgid, msgstr in entries(language) if msgid == msgstr]
        assert len(same) < 15, (language, same)
