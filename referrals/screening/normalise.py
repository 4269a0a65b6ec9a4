"""Normalising free text before the detectors look at it.

Personal data is hidden in many ways: full-width or Thai digits, digits spelt out as words in the
region's languages, letters that look like digits (``08l2345678``), separators between digit groups
(``081_234·5678``). Normalising undoes these, so that each detector sees one plain form. The
normalised text is only ever used to decide; it is never stored or shown."""

import re
import unicodedata
from dataclasses import dataclass, field

# --- digit words ---------------------------------------------------------------------------------


def _words(*digits: str) -> dict[str, int]:
    """The words for 0 to 9, in order; alternatives for one digit separated by spaces."""
    return {word: value for value, words in enumerate(digits) for word in words.split()}


# Words in languages that separate words with spaces: matched as whole words only.
SPACED_DIGIT_WORDS = {
    # English
    **_words("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    # Indonesian and Malay
    **_words("nol kosong", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan lapan", "sembilan"),
    # Vietnamese, with and without tone marks
    **_words(
        "không khong linh",
        "một mốt mot",
        "hai",
        "ba",
        "bốn tư bon",
        "năm lăm nam",
        "sáu sau",
        "bảy bẩy bay",
        "tám tam",
        "chín chin",
    ),
    # Tagalog, and the Spanish numbers Filipinos read phone numbers with
    **_words("sero", "isa", "dalawa", "tatlo", "apat", "lima", "anim", "pito", "walo", "siyam"),
    **_words("sero", "uno", "dos", "tres", "kuwatro kwatro", "singko", "sais", "siyete", "otso", "nuwebe"),
}
# Words in scripts written without spaces between words (Thai, Burmese, Khmer, Lao, Chinese).
UNSPACED_DIGIT_WORDS = {
    # Thai (โท and เอ็ด are how 2 and 1 are read out in phone numbers)
    **_words("ศูนย์", "หนึ่ง เอ็ด", "สอง โท", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"),
    # Burmese
    **_words("သုည", "တစ်", "နှစ်", "သုံး", "လေး", "ငါး", "ခြောက်", "ခုနစ်", "ရှစ်", "ကိုး"),
    # Khmer (six to nine are five-plus-n: the longer words come first in the pattern)
    **_words("សូន្យ", "មួយ", "ពីរ", "បី", "បួន", "ប្រាំ", "ប្រាំមួយ", "ប្រាំពីរ", "ប្រាំបី", "ប្រាំបួន"),
    # Lao
    **_words("ສູນ", "ໜຶ່ງ ຫນຶ່ງ", "ສອງ", "ສາມ", "ສີ່", "ຫ້າ", "ຫົກ", "ເຈັດ", "ແປດ", "ເກົ້າ"),
    # Chinese (幺 is how 1 is read out in phone numbers)
    **_words("零 \u3007", "一 幺", "二 两", "三", "四", "五", "六", "七", "八", "九"),
}
DIGIT_WORDS = {**SPACED_DIGIT_WORDS, **UNSPACED_DIGIT_WORDS}
_LETTER_BEFORE = r"(?<![^\W\d_])"
_LETTER_AFTER = r"(?![^\W\d_])"
_spaced = "|".join(sorted(map(re.escape, SPACED_DIGIT_WORDS), key=len, reverse=True))
_unspaced = "|".join(sorted(map(re.escape, UNSPACED_DIGIT_WORDS), key=len, reverse=True))
_DIGIT_TOKEN = rf"(?:\d+|{_LETTER_BEFORE}(?:{_spaced}){_LETTER_AFTER}|{_unspaced})"
# A run of digits and digit words; it becomes digits only if it holds a word and adds up to a number
# long enough to matter (seven digits), so "năm 2024" (the year 2024) or "สามี" (husband) stay as they are.
# Matched in lower case (faster than re.IGNORECASE); the text keeps its length when lowered (see lowered()).
DIGIT_WORD_RUN = re.compile(rf"{_DIGIT_TOKEN}(?:[\s\-_·.,/]*{_DIGIT_TOKEN})+")
_DIGIT_TOKEN_RE = re.compile(_DIGIT_TOKEN)
MIN_SPELT_DIGITS = 7

# --- letters that look like digits ---------------------------------------------------------------

CONFUSABLES = str.maketrans({"l": "1", "I": "1", "|": "1", "i": "1", "O": "0", "o": "0", "S": "5", "B": "8"})
_CONFUSABLE_CLASS = r"[\dlIi|OoSB]"
# A group of digits with a few look-alike letters among them, standing alone: "08l2345678", "O81 234 5678".
CONFUSABLE_RUN = re.compile(
    rf"(?<!\w){_CONFUSABLE_CLASS}(?:{_CONFUSABLE_CLASS}|[ \-_·./](?={_CONFUSABLE_CLASS}))*(?!\w)"
)
MIN_REAL_DIGITS = 6
MAX_CONFUSABLES = 3

# --- separators between digit groups -------------------------------------------------------------

SEPARATOR = r"[ \t\-_·./()\u2013\u2014]{1,3}"
CHAIN = re.compile(rf"\d+(?:{SEPARATOR}\d+)*")
_SEGMENT_SPLIT = re.compile(r"\s+")
DATE = re.compile(
    r"(?:(?:19|20|25)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:(?:19|20|25)\d{2}|\d{2})"
    r"|(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20|25)\d{2})"
)
FULL_YEAR_DATE = re.compile(DATE.pattern.replace(r"|\d{2})", ")"))
_YEAR_MONTH = r"(?:19|20|25)\d{2}[-/.](?:0?[1-9]|1[0-2])|(?:0?[1-9]|1[0-2])[-/.](?:19|20|25)\d{2}"
_A_DATE = rf"(?:{DATE.pattern}|{_YEAR_MONTH})"
DATES_ONLY = re.compile(rf"{_A_DATE}(?:\s*[-/\u2013]\s*{_A_DATE})*")
# "2551 (2008)": a year in two calendars, or a list of years.
YEARS_ONLY = re.compile(r"\(?(?:19|20|25)\d{2}\)?(?:\s+\(?(?:19|20|25)\d{2}\)?)*")
CURRENCY = re.compile(
    r"(?:baht|thb|บาท|rp\.?|rupiah|idr|rm|ringgit|myr|dong|đồng|vnd|₫|usd|us\$|\$|riel|khr|៛|kip|lak|₭|kyat|mmk|"
    r"peso|pesos|php|₱|yuan|rmb|cny|元|sgd|s\$|eur|€|aud|a\$|ks|k|m|million|juta|ribu|triệu|nghìn|ngàn|"
    r"ล้าน|พัน|หมื่น|แสน|ကျပ်|រៀល|ກີບ)",
    re.IGNORECASE,
)
CURRENCY_AFTER = re.compile(rf"\s?{CURRENCY.pattern}(?![^\W\d_])", re.IGNORECASE)
CURRENCY_BEFORE = re.compile(rf"(?<![^\W\d_]){CURRENCY.pattern}\s?$", re.IGNORECASE)
THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")


@dataclass
class Normalised:
    """The forms of one text that the detectors look at."""

    original: str
    text: str  # NFKC, every script's digits as ASCII digits
    spelt: str  # and digit words and look-alike letters turned into digits
    collapsed: str  # and separators between digit groups removed, dates and amounts kept apart
    dates: list[str] = field(default_factory=list)
    lower: str = ""  # text in lower case, same length
    lower_collapsed: str = ""

    def __post_init__(self):
        self.lower = lowered(self.text)
        self.lower_collapsed = lowered(self.collapsed)


def lowered(text: str) -> str:
    """The text in lower case, character for character (so offsets stay the same)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def ascii_digits(text: str) -> str:
    """NFKC (full-width forms, ligatures, the full-width at sign), then the digits of every script as ASCII digits."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return text
    return re.sub(r"\d", lambda m: str(unicodedata.decimal(m[0], m[0])), text)


def spell_out(text: str) -> str:
    """Digit words in the region's languages as digits, where they make up a long enough number."""

    out, last = [], 0
    for match in DIGIT_WORD_RUN.finditer(lowered(text)):
        tokens = _DIGIT_TOKEN_RE.findall(match[0])
        if all(token.isdigit() for token in tokens):
            continue
        digits = "".join(token if token.isdigit() else str(DIGIT_WORDS[token]) for token in tokens)
        if len(digits) >= MIN_SPELT_DIGITS:
            out += [text[last : match.start()], digits]
            last = match.end()
    return "".join([*out, text[last:]]) if out else text


def undo_confusables(text: str) -> str:
    """Letters standing in for digits in a group of digits: ``08l2345678`` is ``0812345678``."""

    def replace(match: re.Match) -> str:
        run = match[0]
        real = sum(c.isdigit() for c in run)
        fake = sum(c in "lIi|OoSB" for c in run)
        if fake == 0 or real < MIN_REAL_DIGITS or fake > MAX_CONFUSABLES:
            return run
        return run.translate(CONFUSABLES)

    return CONFUSABLE_RUN.sub(replace, text)


def _is_range(chain: str) -> bool:
    """A range like "5000-6000" or "15-17": two numbers, the second the larger, neither with a leading zero."""
    parts = re.split(r"\s*[-\u2013\u2014]\s*", chain)
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return False
    low, high = parts
    return low[0] != "0" and high[0] != "0" and abs(len(low) - len(high)) <= 1 and int(low) < int(high)


def collapse(text: str, dates: list[str]) -> str:
    """Separators between digit groups removed: "081 234 5678", "081_234·5678", "1.2345.67890.12.3" become
    one number. A chain that is wholly a date (or a range of dates), an amount of money or a range of
    numbers is left as it is; a full date (four-digit year) at either end of a chain is split off. A date
    with a two-digit year inside a longer chain is not: "08/12/34 56/78" is a phone number."""

    def replace(match: re.Match) -> str:
        chain = match[0]
        if not re.search(r"\D", chain):
            return chain
        if DATES_ONLY.fullmatch(chain):
            dates.append(chain)
            return chain
        before, after = text[max(0, match.start() - 8) : match.start()], text[match.end() : match.end() + 12]
        if CURRENCY_BEFORE.search(before) or CURRENCY_AFTER.match(after) or THOUSANDS.fullmatch(chain):
            return chain
        closing = ")" if text[match.end() : match.end() + 1] == ")" else ""
        if _is_range(chain) or YEARS_ONLY.fullmatch(chain + closing):
            return chain
        segments = _SEGMENT_SPLIT.split(chain)
        head, tail = [], []
        while len(segments) > 1 and FULL_YEAR_DATE.fullmatch(segments[0]):
            head.append(segments.pop(0))
        while len(segments) > 1 and FULL_YEAR_DATE.fullmatch(segments[-1]):
            tail.insert(0, segments.pop())
        dates.extend(head + tail)
        middle = re.sub(SEPARATOR, "", " ".join(segments))
        return " ".join([*head, middle, *tail])

    return CHAIN.sub(replace, text)


def normalise(text: str) -> Normalised:
    plain = ascii_digits(text)
    spelt = undo_confusables(spell_out(plain))
    dates: list[str] = []
    collapsed = collapse(spelt, dates)
    return Normalised(original=text, text=plain, spelt=spelt, collapsed=collapsed, dates=dates)
