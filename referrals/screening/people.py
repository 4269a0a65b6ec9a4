"""Detectors of what is written mostly in words: licence plates, street addresses, and names introduced
as names. Listed with the others in :data:`referrals.screening.detectors.DETECTORS`."""

import re

from .normalise import Normalised
from .patterns import I

# --- licence plates ---------------------------------------------------------------------------------

_CURRENCY_CODES = frozenset(
    "USD THB IDR MYR VND PHP KHR LAK MMK SGD AUD EUR CNY RMB BND HKD JPY KRW GBP INR BDT LKR NZD TWD".split()
)
_ACRONYMS = frozenset("ATIP TIP ILO IOM UNHCR UNODC NGO MOU ASEAN OSCC BE AD CE AH ACT LAW".split())
PLATE_CUE = re.compile(  # on lower-case text
    r"(?:licen[cs]e plate|number plate|plate|reg(?:istration)?\.? no|ทะเบียน|ป้ายทะเบียน|plat nomor|nomor polisi|"
    r"nopol|no\.? pol|nombor pendaftaran|biển số|bảng số|plaka|ပြား|နံပါတ်ပြား|ស្លាកលេខ|ផ្លាកលេខ|ປ້າຍທະບຽນ|车牌|車牌)",
)
PLATES = [
    # Indonesia, Malaysia (front letters, digits, back letters): B 1234 XYZ, W 1234 X, AB 12 CD
    re.compile(r"(?<![\w])[A-Z]{1,2}\s?\d{1,4}\s?[A-Z]{1,3}(?![\w])"),
    # Malaysia, Philippines, Brunei: ABC 1234, VBA 123
    re.compile(r"(?<![\w])(?P<letters>[A-Z]{3})\s?(?P<digits>\d{3,4})(?![\w])"),
    # Vietnam: 51F-123.45, 29A1-234.56, 30E-12345
    re.compile(r"(?<!\w)\d{2}[A-Z]{1,2}\d?\s?[-.]?\s?\d{3}\.?\d{2}(?!\w)"),
    # Cambodia, Myanmar: 2A-1234, 2AB-1234, 1A/2345, YGN 9K-1234
    re.compile(r"(?<!\w)\d[A-Z]{1,2}\s?[-/]\s?\d{4}(?!\w)"),
    # Thailand, Laos: 1กข 1234, กข 1234 (with a leading digit or three or four digits)
    re.compile(r"(?<![\u0e00-\u0e7f\d])(?:\d[ก-ฮ]{1,2}\s?\d{1,4}|[ก-ฮ]{2}\s?\d{3,4})(?!\d)"),
    re.compile(r"(?<![\u0e80-\u0eff\d])[ກ-ຮ]{2}\s?\d{4}(?!\d)"),
    # China: 粤B·12345, 京A12345
    re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]\s?[·•.]?\s?[A-Z0-9]{5,6}"),
]
_THAI_NOT_PLATES = frozenset({"พศ", "คศ", "รถ", "คน", "ชม", "กม", "วน"})


def licence_plate(n: Normalised) -> bool:
    for cue in PLATE_CUE.finditer(n.lower):
        window = n.text[cue.end() : cue.end() + 30]
        if re.search(r"\d", window):
            return True
    for i, pattern in enumerate(PLATES):
        for match in pattern.finditer(n.text):
            token = match[0]
            if i == 1:
                if match["letters"] in _CURRENCY_CODES or match["letters"] in _ACRONYMS:
                    continue
                if re.fullmatch(r"(?:19|20)\d{2}", match["digits"]):
                    continue
            if i == 4 and re.sub(r"[\d\s]", "", token) in _THAI_NOT_PLATES:
                continue
            return True
    return False


# --- street addresses -------------------------------------------------------------------------------

_CAP = r"[A-ZÀ-ÝĐĂÂÊÔƠƯ][\w'\u2019.-]*"
ADDRESS_PATTERNS = [
    # 12 Sukhumvit Road, 123 Rizal Street, 45/2 Moo 4 Road, #12 Street 271
    re.compile(
        rf"(?<![\w/])#?\d{{1,5}}[A-Za-z]?(?:/\d{{1,4}})?,?\s+(?:{_CAP}\s+){{0,3}}"
        r"(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Dr\.?|Boulevard|Blvd\.?|Highway|Hwy|Soi|Alley|"
        r"Jalan|Jln\.?|Jl\.?|Lorong|Persiaran|Taman|Gang|Gg\.?|Street)(?!\w)"
    ),
    # Soi 11, Moo 4, Street 271, Jalan Ampang No. 12, Jl. Merdeka 45, Lorong 3, Blk 5 Lot 12, Purok 3
    re.compile(
        rf"(?<!\w)(?:Soi|Moo|Mu|Street|St\.|Jalan|Jln\.?|Jl\.?|Lorong|Lrg\.?|Gang|Gg\.?|Blk|Block|Lot|Purok|Phase|"
        rf"House|Hse|Unit|Apt\.?|Apartment|Flat|RT|RW|Kampung|Kg\.?)\s+(?:{_CAP}\s+){{0,3}}(?:No\.?\s*|Nomor\s*|#\s*)?\d+"
    ),
    re.compile(
        r"(?<!\w)(?:No\.?|Nomor|Number|#)\s*\d+[A-Za-z]?(?:/\d+)?,?\s+(?:[A-Z][\w'.-]*\s+){0,3}?"
        r"(?:Jalan|Jln\.?|Jl\.?|Street|St\.?|Road|Rd\.?|Lorong|Soi|Moo|Gang|Taman)(?!\w)"
    ),
    re.compile(
        r"(?<!\w)(?:Jalan|Jln\.?|Jl\.?|Lorong|Gang|Gg\.?)\s+[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3},?\s*"
        r"(?:No\.?|Nomor|#)?\s*\d+"
    ),
    # Thai: บ้านเลขที่ 99/1, เลขที่ 12, 99/1 หมู่ 3, ซอย 11, ถนนสุขุมวิท 12, ม.4
    re.compile(r"(?:บ้านเลขที่|เลขที่|ห้องเลขที่)\s*\d+|\d+(?:/\d+)?\s*(?:หมู่|ม\.)\s*\d+|(?:ซอย|ซ\.|ถนน|ถ\.)\s*[ก-๙]*\s*\d+"),
    # Vietnamese: số 12 đường Lê Lợi, 45 Nguyễn Huệ, hẻm 12, ngõ 5, nhà số 3
    re.compile(
        r"(?:số nhà|nhà số|số)\s*\d+[A-Za-z]?(?:/\d+)*\s*,?\s*(?:đường|phố|ngõ|hẻm|ngách|kiệt)"
        r"|(?:hẻm|ngõ|ngách|kiệt)\s*\d+"
        r"|(?<![\w/])\d+[A-Za-z]?(?:/\d+)*\s+(?:đường|phố)\s+[A-ZÀ-ỸĐ]",
        I,
    ),
    re.compile(r"(?<![\w/])\d+[A-Za-z]?(?:/\d+)*,?\s+(?:Nguyễn|Lê|Trần|Phạm|Hai Bà|Lý|Điện Biên|Hoàng|Võ|Đinh)\s"),
    # Burmese: အမှတ် ၁၂ (No. 12), လမ်း (street) with a number; Khmer ផ្ទះលេខ, ផ្លូវ; Lao ເຮືອນເລກທີ, ຖະໜົນ
    re.compile(r"(?:အမှတ်|အိမ်အမှတ်|ផ្ទះលេខ|ផ្លូវលេខ|ផ្លូវ|ເຮືອນເລກທີ|ເລກທີ|ຖະໜົນ|ຮ່ອມ)\s*\(?\s*\d+|\d+\s*(?:လမ်း|ရပ်ကွက်)"),
    # Chinese: 人民路12号, 12号楼, 305室, 5栋
    re.compile(r"[路街巷弄道里村]\s*\d+\s*[号號]|\d+\s*(?:号楼|號樓|室|栋|棟|单元|弄)"),
]


def address(n: Normalised) -> bool:
    return any(pattern.search(n.text) for pattern in ADDRESS_PATTERNS)


# --- names introduced as names ----------------------------------------------------------------------

_LATIN_NAME = r"[A-ZÀ-ÝĐĂÂÊÔƠƯ][a-zà-ỹđ'\u2019-]+"
NAME_CUES_LATIN = re.compile(
    r"(?<![^\W\d_])(?i:(?:(?:her|his|their|whose|my|victim's|client's|"
    r"the (?:victim|girl|boy|woman|man|child|survivor|client)'s)\s+"
    r"(?:real\s+|full\s+|first\s+|last\s+|family\s+|nick)?name\s+(?:is|was|:)|named|name\s*:|known as|goes by|"
    r"nicknamed|nickname\s*:?|"
    r"mr\.?|mrs\.?|ms\.?|miss|nama(?:nya)?(?:\s+(?:dia|beliau|korban|anak|saya))?\s*(?:adalah|ialah|:)?|bernama|"
    r"dipanggil|panggilannya|tên(?:\s+(?:cô|anh|em|chị|bé|bà|ông)(?:\s+ấy)?)?\s*(?:là|:)|tên là|tên|tên gọi|gọi là|"
    r"pangalan(?:\s+(?:niya|nya|ng biktima))?\s*(?:ay|:)?|ang pangalan(?:\s+niya)?\s*(?:ay)?|si|kilala bilang))"
    rf"\s+(?P<name>{_LATIN_NAME})",
)
NAME_CUES_UNSPACED = re.compile(
    r"(?:ชื่อ(?:จริง|เล่น)?|นามสกุล|นางสาว|นาย|นาง|ด\.ญ\.|ด\.ช\.|เด็กหญิง|เด็กชาย|"
    r"နာမည်|အမည်|ឈ្មោះ|ຊື່|名叫|叫做|名字是|名字叫|姓名|她叫|他叫|孩子叫)\s*[:]?\s*(?P<name>[\w\u0e00-\u0e7f\u1000-\u109f\u1780-\u17ff\u0e80-\u0eff\u4e00-\u9fff])"
)
_NOT_NAMES = frozenset(
    "unknown not withheld the a an and of on in at to is was her his their this that with from who when which".split()
)
_NOT_NAMES_UNSPACED = (
    *("ไม่", "หน้า", "จ้าง", "แบบ", "พยาบาล", "ทุน", "อำเภอ", "ตำรวจ", "ร้อย"),
    *("ว่า", "เสียง", "บริษัท", "ร้าน", "မသိ", "មិន", "ບໍ່"),
    *("了", "不", "警", "人", "过"),
)
# Words after which "ชื่อ" (name) is about a thing, not a person, or a name is unknown.
_NOT_A_NAME_BEFORE = ("ไม่ทราบ", "ไม่ระบุ", "ไม่บอก", "เปลี่ยน")


def name(n: Normalised) -> bool:
    for match in NAME_CUES_LATIN.finditer(n.text):
        cue = match[0][: match.start("name") - match.start()].strip().casefold()
        word = match["name"]
        if word.casefold() in _NOT_NAMES:
            continue
        if cue in {"si", "tên"} and word in {"Si"}:
            continue
        return True
    for match in NAME_CUES_UNSPACED.finditer(n.text):
        rest = n.text[match.start("name") : match.start("name") + 8]
        before = n.text[max(0, match.start() - 8) : match.start()]
        if rest.startswith(_NOT_NAMES_UNSPACED) or before.endswith(_NOT_A_NAME_BEFORE):
            continue
        return True
    return False
