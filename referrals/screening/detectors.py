"""One detector per kind of personal data. Each takes the normalised text and says whether that kind is
in it; :data:`DETECTORS` lists them in the order they are tried (the first that fires names the kind).

The detectors err on the side of refusing: a caseworker can always rephrase."""

import itertools
import re
from collections.abc import Callable

import phonenumbers
from stdnum import iban
from stdnum.cn import ric
from stdnum.id import nik
from stdnum.my import nric
from stdnum.th import pin

from .normalise import DATE, Normalised, lowered
from .patterns import WORD, I
from .people import address, licence_plate, name

# --- e-mail --------------------------------------------------------------------------------------

_DOT = r"(?:\s?\.\s?|\s*[\[({<]\s*(?:dot|\.|จุด|chấm|titik)\s*[\])}>]\s*|\s+(?:dot|จุด|chấm|cham|titik|tuldok|ດອດ)\s+)"
_TLD = r"(?:com|net|org|edu|gov|info|biz|io|me|co|asia|xyz|app|th|id|my|vn|ph|kh|la|mm|cn|sg|au|uk|jp|kr)"
# "@" (NFKC makes the full-width one "@"), "[at]", "(at)", "{at}", and " at " spelt out; then the local part
# before it and the domain after it are checked. A spelt " at " needs a known top-level domain after it.
AT = re.compile(r"\s?@\s?|\s*[\[({<]\s*(?:at|@|แอท|a còng)\s*[\])}>]\s*|\s+(?:at|แอท|a còng|a cong|ât)\s+", I)
LOCAL_BEFORE = re.compile(r"[\w+-]+(?:" + _DOT + r"[\w+-]+)*$", I)
DOMAIN_AFTER = re.compile(r"[\w-]+(?:" + _DOT + r"[\w-]+)*" + _DOT + r"[a-z]{2,}\b", I)
DOMAIN_AFTER_SPELT = re.compile(r"[\w-]+(?:" + _DOT + r"[\w-]+)*" + _DOT + _TLD + r"\b", I)


def email(n: Normalised) -> bool:
    text = n.text
    for at in AT.finditer(text):
        spelt = "@" not in at[0] and not at[0].strip().startswith(("[", "(", "{", "<"))
        domain = (DOMAIN_AFTER_SPELT if spelt else DOMAIN_AFTER).match(text, at.end())
        if domain and LOCAL_BEFORE.search(text[max(0, at.start() - 64) : at.start()]):
            return True
    return False


# --- messaging accounts and profile links ----------------------------------------------------------

LATIN_PLATFORMS = (
    r"line|facebook|face book|fb|messenger|tiktok|tik tok|whatsapp|whats app|wa|telegram|tele|zalo|wechat|weixin|"
    r"viber|instagram|ig|signal|kakao|kakaotalk|imo|twitter|snapchat|skype"
)
OTHER_PLATFORMS = r"ไลน์|ไลน|เฟซบุ๊ก|เฟสบุ๊ค|เฟซบุ๊ค|เฟส|ติ๊กต๊อก|วอทส์แอป|微信|脸书|抖音|ဖေ့စ်ဘွတ်|ဖေ့ဘုတ်|ហ្វេសប៊ុក|តេឡេក្រាម|ເຟສບຸກ"
PLATFORM = re.compile(rf"(?:{LATIN_PLATFORMS})(?!\w)|(?:{OTHER_PLATFORMS})")  # on lower-case text
_ACCOUNT_TOKEN = re.compile(r"[^\s,;:()]+")
_AFTER_PLATFORM_WINDOW = 40
AT_HANDLE = re.compile(r"(?<![\w.@])@[A-Za-z0-9_][A-Za-z0-9_.]{2,}")
PROFILE_LINK = re.compile(
    r"(?:facebook\.com|fb\.com|fb\.me|m\.me|tiktok\.com|vt\.tiktok\.com|wa\.me|api\.whatsapp\.com|chat\.whatsapp\.com|"
    r"t\.me|telegram\.me|zalo\.me|line\.me|lin\.ee|instagram\.com|u\.wechat\.com|weixin\.qq\.com|invite\.viber\.com|"
    r"viber\.click|x\.com|twitter\.com)\s*/\s*\S+",
    I,
)
_PLAIN_WORD = re.compile(r"[A-Za-z]+")
_STOP_AFTER_PLATFORM = frozenset(
    "group groups page pages chat chats call calls message messages messenger post posts account accounts app apps "
    "video videos ad ads advert adverts live and or to the a an by from with in on of for is was were".split()
)


def _looks_like_account(token: str) -> bool:
    token = token.strip(".-'\"")
    if token.startswith("@"):
        return len(token) > 2
    return bool(re.search(r"[A-Za-z]", token)) and bool(re.search(r"[\d_.]", token)) and len(token) >= 4


def messaging_handle(n: Normalised) -> bool:
    """A profile link, an @handle, or a platform named with an account name within the next few words
    ("LINE id: noi_2001", "ang Facebook niya ay maria_436", "Zalo: thu.hoa"). A platform named with a plain
    word after it is not an account ("via a Facebook group"), unless a colon introduces the word."""
    text = n.text
    if PROFILE_LINK.search(text) or AT_HANDLE.search(text):
        return True
    for platform in PLATFORM.finditer(n.lower):
        if platform.start() and platform[0].isascii() and re.match(r"[\w.]", text[platform.start() - 1]):
            continue
        window = text[platform.end() : platform.end() + _AFTER_PLATFORM_WINDOW]
        for i, token in enumerate(_ACCOUNT_TOKEN.finditer(window)):
            if i >= 4:
                break
            if _looks_like_account(token[0]):
                return True
            colon = window[: token.start()].rstrip().endswith((":", "="))
            word = token[0].strip(".-")
            if colon and len(word) >= 3 and word.casefold() not in _STOP_AFTER_PLATFORM and not word.isdigit():
                return True
    return False


# --- links ------------------------------------------------------------------------------------------

URL = re.compile(
    r"(?:https?://|hxxps?://|www\.)\S+"
    r"|(?<![\w@.])(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|me|ly|gl|co|link|app|page|site|xyz|to|cc|th|id|vn|my|"
    r"ph|kh|la|mm|cn|sg)(?:/\S*)?(?![\w@])",
    I,
)
MAP_LINK = re.compile(r"(?:goo\.gl|maps\.app\.goo\.gl|g\.page|maps\.google|google\.[a-z.]+/maps|bit\.ly|tinyurl)", I)


def url(n: Normalised) -> bool:
    return bool(MAP_LINK.search(n.text) or URL.search(n.text))


# --- plus codes, what3words, geohashes ---------------------------------------------------------------

_OLC = "23456789CFGHJMPQRVWX"
PLUS_CODE = re.compile(rf"(?<![\w+])[{_OLC}]{{4,8}}\+[{_OLC}]{{2,3}}(?!\w)", I)
WHAT3WORDS = re.compile(rf"///\s*{WORD}+\.{WORD}+\.{WORD}+|(?:what3words|w3w)\s*[:=]?\s*{WORD}+\.{WORD}+\.{WORD}+", I)
_GEOHASH_CHARS = frozenset("0123456789bcdefghjkmnpqrstuvwxyz")
GEOHASH_CUED = re.compile(r"geohash\s*[:=]?\s*[0-9bcdefghjkmnpqrstuvwxyz]{4,12}\b", I)


def _alternations(token: str) -> int:
    return sum(a.isdigit() != b.isdigit() for a, b in itertools.pairwise(token))


def location_code(n: Normalised) -> bool:
    if PLUS_CODE.search(n.text) or WHAT3WORDS.search(n.text) or GEOHASH_CUED.search(n.text):
        return True
    for token in n.text.split():
        token = token.strip(",;:()[]\"'")
        if not 6 <= len(token) <= 12 or not _GEOHASH_CHARS.issuperset(token):
            continue
        letters, digits = sum(c.isalpha() for c in token), sum(c.isdigit() for c in token)
        if len(token) >= 7 and digits >= 1 and letters >= 2 and _alternations(token) >= 2:
            return True
    return False


# --- coordinates -----------------------------------------------------------------------------------

_DEC = r"\d{1,3}[.,]\d{3,}"
# Decimal pairs (with a decimal point or a decimal comma) with three or more decimals (about 100 m):
# "13.7563, 100.5018", "13,7563 100,5018", "13.7563N 100.5018E", "N13.7563 E100.5018", "lat 13.7563 lon 100.5018".
DECIMAL_COORDINATES = re.compile(
    rf"-?{_DEC}\s*°?\s*[NS]?\s*[,;/ ]\s*(?:(?:longitude|long|lon|lng)\s*[:=]?\s*)?[EW]?\s*-?{_DEC}", I
)
# Degrees with minutes, with or without seconds or decimal minutes: 13°45'22"N, 13°45.372'N, N 13 45.372.
DEGREE_COORDINATES = re.compile(
    r"\d{1,3}\s*(?:°|º|deg|độ|องศา)\s*\d{1,2}(?:[.,]\d+)?\s*(?:['\u2032\u2019]|min|phút|ลิปดา)"
    r"|[NSEW]\s?\d{1,3}\s+\d{1,2}[.,]\d{2,}"
    r"|\d{1,3}\s+\d{1,2}[.,]\d{2,}\s?[NSEW]\b",
    I,
)
LABELLED_COORDINATE = re.compile(
    rf"(?:lat|latitude|lon|lng|long|longitude|ละติจูด|ลองจิจูด|vĩ độ|kinh độ|lintang|bujur|纬度|经度)\s*[:=]?\s*-?{_DEC}", I
)


def coordinates(n: Normalised) -> bool:
    return bool(
        DECIMAL_COORDINATES.search(n.text) or DEGREE_COORDINATES.search(n.text) or LABELLED_COORDINATE.search(n.text)
    )


# --- dates of birth ---------------------------------------------------------------------------------

BIRTH_CUE = (
    r"born|birth|birthday|birthdate|d\.?o\.?b\.?|b\.|วันเกิด|เกิดวันที่|เกิดปี|เกิด\s*พ\.ศ\.|ปีเกิด|lahir|kelahiran|"
    r"ngày sinh|năm sinh|sinh ngày|sinh năm|ipinanganak|isinilang|kapanganakan|kaarawan|မွေး|မွေးနေ့|"
    r"မွေးသက္ကရာဇ်|កើតថ្ងៃ|កើតឆ្នាំ|កំណើត|ថ្ងៃខែឆ្នាំកំណើត|ເກີດວັນທີ|ເກີດປີ|ວັນເດືອນປີເກີດ|出生|生日|生于|生於"
)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januari|februari|maret|mac|mei|juni|juli|agustus|ogos|oktober|"
    r"disember|desember|enero|pebrero|marso|abril|mayo|hunyo|hulyo|agosto|setyembre|oktubre|nobyembre|disyembre|"
    r"tháng\s*\d{1,2}|มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|"
    r"พฤศจิกายน|ธันวาคม|ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\."
)
ANY_DATE = re.compile(
    rf"{DATE.pattern}|\d{{1,2}}\s*(?:{_MONTHS})\.?,?\s*(?:năm\s*)?\d{{2,4}}|(?:{_MONTHS})\.?\s*\d{{1,2}},?\s*\d{{4}}"
    r"|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|(?:19|20|25)\d{2}|\d{8}",
    I,
)
BIRTH = re.compile(rf"(?:{BIRTH_CUE})(?P<gap>[^.!?;\n。]{{0,24}}?)(?:{ANY_DATE.pattern})")  # on lower-case text


def date_of_birth(n: Normalised) -> bool:
    for text in (n.lower, lowered(n.spelt)):
        for match in BIRTH.finditer(text):
            if not (match.start() and text[match.start() - 1].isalpha() and match[0][0].isascii()):
                return True
    return False


# --- bank accounts ----------------------------------------------------------------------------------

IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){10,30}\b")
BANK_CUE = re.compile(  # on lower-case text
    r"(?<![^\W\d_])(?:account|acct|a/c|bank|iban|swift|บัญชี|ธนาคาร|พร้อมเพย์|promptpay|rekening|rek\.|no\.?\s*rek|akaun|"
    r"tài khoản|stk|số tk|ngân hàng|gcash|paymaya|maya|bdo|bpi|metrobank|landbank|kbank|kasikorn|scb|krungthai|"
    r"bangkok bank|bca|bri|bni|mandiri|maybank|cimb|public bank|vietcombank|techcombank|agribank|bidv|aba|acleda|"
    r"wing|kbz|aya|cb bank|bcel|ldb)(?![^\W\d_])|(?:ဘဏ်|ငွေစာရင်း|គណនី|ធនាគារ|ບັນຊີ|ທະນາຄານ|账户|账号|银行|卡号|银行卡)",
)
_LONG_DIGITS = re.compile(r"(?<!\d)\d{6,}(?!\d)")


def bank_account(n: Normalised) -> bool:
    for match in IBAN_CANDIDATE.finditer(n.text.upper()):
        if iban.is_valid(match[0]):
            return True
    for cue in BANK_CUE.finditer(n.lower_collapsed):
        window = n.lower_collapsed[cue.end() : cue.end() + 40]
        if _LONG_DIGITS.search(window):
            return True
    return False


# --- passports --------------------------------------------------------------------------------------

PASSPORT_CUE = re.compile(  # on lower-case text
    r"passport|pasport|paspor|pasaporte|hộ chiếu|ho chieu|หนังสือเดินทาง|พาสปอร์ต|ပတ်စ်ပို့|နိုင်ငံကူးလက်မှတ်|"
    r"លិខិតឆ្លងដែន|ໜັງສືຜ່ານແດນ|护照|護照|travel document|ci\b|certificate of identity",
)
_LEGAL_PREFIXES = frozenset({"RA", "PD", "EO", "CA", "BP", "HB", "SB", "AO", "MC", "DO", "BE", "UU", "PP", "NO"})
PASSPORT = re.compile(
    r"(?<![A-Za-z0-9])(?!(?:[OIlSB])\d)(?:(?P<letters>[A-Z]{1,2})\s?|(?P<lower>[A-Za-z]{1,2}))\d{6,9}[A-Za-z]?(?![A-Za-z0-9])"
)
PASSPORT_SHORT = re.compile(r"(?<![A-Za-z0-9])(?P<letters>[A-Z]{1,2})(?P<lower>)\d{5}(?![A-Za-z0-9])")
_TOKEN_WITH_DIGITS = re.compile(r"(?<![\w])[A-Za-z]{0,3}\s?\d{5,}[A-Za-z]?(?!\w)")


def passport(n: Normalised) -> bool:
    for text in (n.text, n.collapsed):
        for pattern in (PASSPORT, PASSPORT_SHORT):
            for match in pattern.finditer(text):
                if (match["letters"] or match["lower"]).upper() not in _LEGAL_PREFIXES:
                    return True
    for cue in PASSPORT_CUE.finditer(n.lower_collapsed):
        if _TOKEN_WITH_DIGITS.search(n.collapsed[cue.end() : cue.end() + 40]):
            return True
    return False


# --- national identity numbers ------------------------------------------------------------------------

# Myanmar NRC: state number, township abbreviation (Latin or Burmese), citizenship type, six digits:
# 12/OuKaMa(N)123456, 12/OKM(N)123456, 12/OuKaMa N 123456, ၁၂/ဥကမ(နိုင်)၁၂၃၄၅၆.
NRC = re.compile(
    r"(?<!\d)\d{1,2}\s*[/\\|-]\s*[A-Za-z\u1000-\u109f]{2,15}\s*[-/]?\s*[(\[]?\s*"
    r"(?:N|E|P|T|C|AC|NC|V|M|Naing|Nai|နိုင်|ဧည့်|ပြု|ယာယီ|သ|စ)\s*[)\]]?\s*[-/]?\s*\d{5,6}(?!\d)",
    I,
)
NATIONAL_ID_CUE = re.compile(  # on lower-case text
    r"national id|id card|identity card|\bnic\b|\bnik\b|\bktp\b|mykad|\bic\b|\bnric\b|\bnrc\b|cccd|cmnd|căn cước|"
    r"chứng minh|บัตรประชาชน|บัตรประจำตัว|เลขประจำตัว|philsys|\bpsn\b|\bumid\b|\bsss\b|tin\b|မှတ်ပုံတင်|"
    r"អត្តសញ្ញាណប័ណ្ណ|ບັດປະຈຳຕົວ|身份证",
)
_DIGITS = re.compile(r"(?<![\d+])\d{8,18}(?:[xX](?!\w))?(?!\d)")
GENERIC_ID_DIGITS = 9


def _checksum_id(number: str) -> bool:
    checks = {13: (pin,), 16: (nik,), 12: (nric,), 18: (ric,)}
    return any(module.is_valid(number) for module in checks.get(len(number), ()))


def national_id(n: Normalised) -> bool:
    if NRC.search(n.text) or NRC.search(n.spelt):
        return True
    for match in _DIGITS.finditer(n.collapsed):
        if _checksum_id(match[0]):
            return True
    for cue in NATIONAL_ID_CUE.finditer(n.lower_collapsed):
        if re.search(r"\d{6,}", n.collapsed[cue.end() : cue.end() + 40]):
            return True
    return False


def long_number(n: Normalised) -> bool:
    """Any other run of nine or more digits: an ID, account or document number of a shape not known."""
    return any(len(m[0].rstrip("xX")) >= GENERIC_ID_DIGITS for m in _DIGITS.finditer(n.collapsed))


# --- phone numbers ----------------------------------------------------------------------------------

# Regions whose national formats are tried for numbers written without a country code.
PHONE_REGIONS = (
    "TH",
    "ID",
    "MY",
    "PH",
    "VN",
    "KH",
    "MM",
    "LA",
    "SG",
    "BN",
    "TL",
    "CN",
    "AU",
    "NZ",
    "IN",
    "BD",
    "LK",
    "US",
)
PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d{7,15}(?!\d)")
PHONE_CUE = re.compile(  # on lower-case text
    r"(?:phone|tel|telephone|mobile|mob|cell|call|contact|hotline|sms|text|โทร|เบอร์|มือถือ|telp|telepon|hp|"
    r"no\.? hp|nombor|talipon|điện thoại|đt|sđt|số|gọi|tawagan|tawag|numero|cp|ဖုန်း|ទូរស័ព្ទ|លេខ|ໂທ|ເບີ|电话|手机|"
    r"whatsapp|wa|zalo|viber|line)",
)


def _valid_phone(candidate: str) -> bool:
    try:
        if candidate.startswith(("+", "00")):
            return phonenumbers.is_valid_number(phonenumbers.parse("+" + candidate.lstrip("+").removeprefix("00")))
    except phonenumbers.NumberParseException:
        return False
    for region in PHONE_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def phone(n: Normalised) -> bool:
    for match in PHONE_CANDIDATE.finditer(n.collapsed):
        if _valid_phone(match[0]):
            return True
    for cue in PHONE_CUE.finditer(n.lower_collapsed):
        if re.match(r"\D{0,20}?(?<!\d)\+?\d{6,}", n.lower_collapsed[cue.end() : cue.end() + 30]):
            return True
    return False


Detector = Callable[[Normalised], bool]
# In order: the first that fires names the kind.
DETECTORS: list[tuple[str, Detector]] = [
    ("email", email),
    ("messaging_handle", messaging_handle),
    ("url", url),
    ("location_code", location_code),
    ("coordinates", coordinates),
    ("date_of_birth", date_of_birth),
    ("bank_account", bank_account),
    ("national_id", national_id),
    ("passport", passport),
    ("phone", phone),
    ("national_id", long_number),
    ("licence_plate", licence_plate),
    ("address", address),
    ("name", name),
]
