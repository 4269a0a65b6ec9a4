"""Writes the screening corpus: ``personal.tsv`` (kind, text) and ``harmless.txt`` (one note a line).

Everything here is invented: names from lists of common given names, numbers drawn at random (ID numbers
with valid checksums computed here), example domains. Templates in the region's languages are filled
with random values from a fixed seed, so the files are the same on every run:

    python -m referrals.screening.corpus.generate
"""

import random
from pathlib import Path

import phonenumbers
from stdnum import iban
from stdnum.cn import ric
from stdnum.th import pin

HERE = Path(__file__).parent
R = random.Random(20261120)  # noqa: S311 (a corpus, not a secret)

NAMES = ["Malee", "Somchai", "Nong", "Ayu", "Siti", "Dewi", "Linh", "Thu", "Mai", "Maria", "Joy", "Aye",
         "Thida", "Sokha", "Dara", "Noy", "Khamla", "Mei", "Ling", "Rosa", "Nurul", "Hoa", "Phuong", "Ana"]
THAI_NAMES = ["มาลี", "สมศรี", "น้องฝน", "บุญมี", "อรทัย"]
BURMESE_NAMES = ["မမြင့်", "အေးအေး", "သီတာ"]
KHMER_NAMES = ["សុខា", "ដារ៉ា", "ស្រីនាង"]
LAO_NAMES = ["ຄຳລາ", "ນ້ອຍ", "ແສງ"]
CHINESE_NAMES = ["李梅", "王芳", "小红"]
DIGIT_WORDS = {
    "en": "zero one two three four five six seven eight nine".split(),
    "id": "nol satu dua tiga empat lima enam tujuh delapan sembilan".split(),
    "ms": "kosong satu dua tiga empat lima enam tujuh lapan sembilan".split(),
    "vi": "không một hai ba bốn năm sáu bảy tám chín".split(),
    "tl": "sero isa dalawa tatlo apat lima anim pito walo siyam".split(),
    "th": "ศูนย์ หนึ่ง สอง สาม สี่ ห้า หก เจ็ด แปด เก้า".split(),
    "my": "သုည တစ် နှစ် သုံး လေး ငါး ခြောက် ခုနစ် ရှစ် ကိုး".split(),
    "km": "សូន្យ មួយ ពីរ បី បួន ប្រាំ ប្រាំមួយ ប្រាំពីរ ប្រាំបី ប្រាំបួន".split(),
    "lo": "ສູນ ໜຶ່ງ ສອງ ສາມ ສີ່ ຫ້າ ຫົກ ເຈັດ ແປດ ເກົ້າ".split(),
    "zh": "零 一 二 三 四 五 六 七 八 九".split(),
}
UNSPACED = {"th", "my", "km", "lo", "zh"}
SCRIPT_ZERO = {"th": 0x0E50, "my": 0x1040, "km": 0x17E0, "lo": 0x0ED0, "fw": 0xFF10}


def pick(items):
    return R.choice(items)


def digits(n: int) -> str:
    return "".join(R.choice("0123456789") for _ in range(n))


def in_script(number: str, script: str) -> str:
    return "".join(chr(SCRIPT_ZERO[script] + int(c)) if c.isdigit() else c for c in number)


def in_words(number: str, lang: str, half: bool = False) -> str:
    words = DIGIT_WORDS[lang]
    sep = "" if lang in UNSPACED else " "
    out = []
    for i, c in enumerate(number):
        out.append(c if half and i % 2 == 0 else words[int(c)])
    return sep.join(out)


# --- values ---------------------------------------------------------------------------------------


def mobile(region: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number)
    while True:
        candidate = national[:-5] + digits(5)
        number = phonenumbers.parse(candidate, region)
        if phonenumbers.is_valid_number(number):
            return number


def fmt(number, style: str) -> str:
    f = phonenumbers.PhoneNumberFormat
    if style == "intl":
        return phonenumbers.format_number(number, f.INTERNATIONAL)
    if style == "e164":
        return phonenumbers.format_number(number, f.E164)
    national = phonenumbers.format_number(number, f.NATIONAL)
    return national


def thai_pin() -> str:
    body = pick("12345678") + digits(11)
    return body + pin.calc_check_digit(body)


def chinese_ric() -> str:
    body = pick(["110101", "310101", "440103", "530102"]) + f"{R.randint(1980, 2008)}{R.randint(1, 12):02d}" \
        f"{R.randint(1, 28):02d}" + digits(3)
    return body + ric.calc_check_digit(body)


def nik() -> str:
    day = R.randint(1, 28) + R.choice([0, 40])
    return f"3273{R.randint(1, 9):02d}{day:02d}{R.randint(1, 12):02d}{R.randint(0, 9):02d}{digits(4)}"


def mykad() -> str:
    birth = f"{R.randint(0, 9):02d}{R.randint(1, 12):02d}{R.randint(1, 28):02d}"
    return birth + pick(["01", "10", "14", "08"]) + digits(4)


def an_iban() -> str:
    country, bban = pick([("GB", "WEST" + digits(14)), ("DE", digits(18)), ("FR", digits(23)),
                          ("TL", digits(19)), ("NL", "ABNA" + digits(10))])
    check = iban.calc_check_digits(country + "00" + bban)
    raw = country + check + bban
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if R.random() < 0.5 else raw


def group(number: str, sep: str, sizes=(3, 3, 4)) -> str:
    out, i = [], 0
    for size in sizes:
        out.append(number[i : i + size])
        i += size
    if i < len(number):
        out.append(number[i:])
    return sep.join(p for p in out if p)


def date_forms() -> list[str]:
    y, m, d = R.randint(1975, 2012), R.randint(1, 12), R.randint(1, 28)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]
    thai_months = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
                   "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
    id_months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                 "Oktober", "November", "Desember"]
    return [f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d}.{m}.{y}", f"{d} {months[m - 1]} {y}",
            f"{months[m - 1]} {d}, {y}", f"{d:02d}-{m:02d}-{y % 100:02d}", f"{d} {thai_months[m - 1]} {y + 543}",
            f"{d} {id_months[m - 1]} {y}", f"{d} tháng {m} năm {y}", f"{y}年{m}月{d}日", f"{y}", f"{d:02d}{m:02d}{y}"]


# --- personal data: kind -> list of texts ------------------------------------------------------------


def phones() -> list[str]:
    out = []
    frames = ["Her brother can be reached on {}.", "Call {} after 6pm.", "{}", "โทร {} ได้ตลอด",
              "Nomor HP kakaknya {}", "Số điện thoại của chị gái: {}", "Boleh hubungi {} pada waktu malam",
              "Tawagan ang tiyahin niya sa {}", "ဖုန်း {} ကိုဆက်ပါ", "ទូរស័ព្ទ {} របស់ម្ដាយ", "ໂທຫາ {} ໄດ້",
              "她姐姐的电话是 {}", "Mother's number {} (evenings)"]
    regions = ["TH", "ID", "MY", "PH", "VN", "KH", "MM", "LA", "CN", "SG"]
    for i in range(90):
        region = regions[i % len(regions)]
        number = mobile(region)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        plain = "".join(c for c in national if c.isdigit())
        nsn = str(number.national_number)
        style = i % 15
        text = {
            0: fmt(number, "intl"),
            1: fmt(number, "e164"),
            2: national,
            3: group(plain, "_"),
            4: group(plain, "·"),
            5: group(plain, "/", (2, 2, 2, 2, 2)),
            6: plain[:2] + "l" + plain[3:] if plain[2] == "1" else plain.replace("0", "O", 1),
            7: group(nsn, " ", (2, 3, 4)),
            8: in_words(plain, pick(["en", "id", "vi", "tl", "ms"])),
            9: in_words(plain, pick(["th", "my", "km", "lo", "zh"])),
            10: in_words(plain, "en", half=True),
            11: in_script(plain, pick(["th", "my", "km", "lo", "fw"])),
            12: group(plain, ".", (3, 3, 4)),
            13: "+" + str(number.country_code) + "-" + group(nsn, "-", (2, 3, 4)),
            14: group(plain, " - ", (3, 3, 4)),
        }[style]
        out.append(pick(frames).format(text))
    out.append("08/12/34 56/78")
    out.append("Her cousin: 08/12/34 56/78 (evenings)")
    return out


def emails() -> list[str]:
    out = []
    domains = ["example.com", "example.org", "example.net", "example.co.th", "mail.example.id"]
    frames = ["Contact the cousin at {} please", "อีเมลของพี่สาว {}", "Emailnya {}", "Email của mẹ là {}",
              "E-mel abangnya {}", "Ang email niya ay {}", "အီးမေးလ် {}", "អ៊ីមែល {}", "ອີເມວ {}", "她的邮箱 {}",
              "{}"]
    for i in range(45):
        local = f"{pick(NAMES).lower()}{pick(['', '.', '_'])}{pick(['k', 'x', 'ny', str(R.randint(1, 99))])}"
        domain = pick(domains)
        dom_spelt = domain.replace(".", " dot ")
        loc_spelt = local.replace(".", " dot ")
        style = i % 9
        text = {
            0: f"{local}@{domain}",
            1: f"{loc_spelt} at {dom_spelt}",
            2: f"{local} [at] {domain}",
            3: f"{local}(at){domain.replace('.', '(dot)')}",
            4: f"{local}\uff20{domain}",
            5: f"{local} @{domain}",
            6: f"{local} @ {domain}",
            7: f"{local} [at] {domain.replace('.', ' [dot] ')}",
            8: f"{local}{{at}}{domain}",
        }[style]
        out.append(pick(frames).format(text))
    return out


def handles() -> list[str]:
    out = []
    for i in range(50):
        user = f"{pick(NAMES).lower()}{pick(['_', '.', ''])}{R.randint(1, 2009)}"
        text = [
            f"LINE id: {user}",
            f"ไลน์ไอดี {user}",
            f"add her on LINE @{user}",
            f"Telegram @{user}",
            f"TikTok: @{user}",
            f"facebook.com/{user}",
            f"https://www.facebook.com/{user}",
            f"FB: {user.replace('_', '.')}",
            f"tiktok.com/@{user}",
            f"WhatsApp wa.me/66{digits(9)}",
            f"t.me/{user}",
            f"Zalo: {user}",
            f"WeChat ID: wxid_{user}",
            f"微信号 {user}",
            f"Viber: {user}",
            f"Instagram @{user}",
            f"เฟซบุ๊ก {user}",
            f"akun Facebook dia: {user}",
            f"tài khoản Zalo là {user}",
            f"line.me/ti/p/~{user}",
            f"ဖေ့စ်ဘွတ် {user}",
            f"ហ្វេសប៊ុក {user}",
            f"ເຟສບຸກ {user}",
            f"ang Facebook niya ay {user}",
            f"the broker's Telegram handle is @{user}",
        ][i % 25]
        out.append(text)
    return out


def national_ids() -> list[str]:
    out = []
    nrc_township = ["OuKaMa", "OKM", "KaMaYa", "LaMaNa", "DaGaNa", "TaMaNa", "MaYaKa"]
    burmese_township = ["ဥကမ", "ကမရ", "လမန", "ဒဂန"]
    for i in range(60):
        style = i % 15
        p = thai_pin()
        text = {
            0: "Thai ID " + group(p, "-", (1, 4, 5, 2, 1)),
            1: "เลขบัตรประชาชน " + group(p, " ", (1, 4, 5, 2, 1)),
            2: "ID " + group(p, ".", (1, 4, 5, 2, 1)),
            3: "NIK " + nik(),
            4: "KTP: " + group(nik(), ".", (4, 4, 4, 4)),
            5: "MyKad " + group(mykad(), "-", (6, 2, 4)),
            6: "No. IC beliau " + mykad(),
            7: f"NRC {R.randint(1, 14)}/{pick(nrc_township)}(N){digits(6)}",
            8: f"{R.randint(1, 14)}/{pick(nrc_township)} (Naing) {digits(6)}",
            9: in_script(f"{R.randint(1, 14)}/", "my") + pick(burmese_township) + "(နိုင်)" + in_script(digits(6), "my"),
            10: f"{R.randint(1, 14)}/{pick(nrc_township).upper()}(N) {digits(6)}",
            11: "身份证号 " + chinese_ric(),
            12: "CCCD " + "0" + digits(11),
            13: "PhilSys " + group(digits(16), "-", (4, 4, 4, 4)),
            14: "ID " + group(p, "/", (1, 4, 5, 2, 1)),
        }[style]
        out.append(text)
    return out


def passports() -> list[str]:
    out = []
    for i in range(45):
        style = i % 9
        L = "ABCDEFGHJKLMNPRSTUVWXYZ"
        text = {
            0: f"Passport {R.choice(L)}{R.choice(L)}{digits(7)} held by the employer.",
            1: f"{R.choice(L)}{R.choice(L)}{digits(5)}",
            2: f"EP{digits(6)}{R.choice(L)}",
            3: f"passport no. {group(digits(9), ' ', (3, 3, 3))}",
            4: "\uff21\uff22" + in_script(digits(7), "fw"),
            5: f"หนังสือเดินทางเลขที่ {R.choice(L)}{R.choice(L)}{digits(7)}",
            6: f"Nomor paspor {R.choice(L)}{digits(7)}",
            7: f"số hộ chiếu {R.choice(L)}{digits(8)}",
            8: f"护照号码 E{digits(8)}",
        }[style]
        out.append(text)
    return out


def addresses() -> list[str]:
    out = []
    for _ in range(45):
        n = R.randint(1, 299)
        out.append(pick([
            f"She stayed at {n} Sukhumvit Road",
            f"{n}/{R.randint(1, 9)} Moo {R.randint(1, 12)}, the house behind the temple",
            f"Jalan Ampang No. {n}",
            f"No. {n}, Jalan Merdeka",
            f"Jl. Diponegoro No. {n}",
            f"tinggal di Gang Mawar {n}",
            f"số {n} đường Lê Lợi",
            f"{n} Nguyễn Huệ, quận 1",
            f"hẻm {n} đường Cách Mạng",
            f"{n} Rizal Street",
            f"Blk {R.randint(1, 20)} Lot {R.randint(1, 40)}",
            f"บ้านเลขที่ {n}/{R.randint(1, 9)} หมู่ {R.randint(1, 12)}",
            f"ซอย {R.randint(1, 99)} ถนนเพชรบุรี",
            f"House {n}, Street {R.randint(100, 599)}, Phnom Penh",
            f"ផ្ទះលេខ {n} ផ្លូវ {R.randint(100, 599)}",
            f"အမှတ် {n}၊ ဗိုလ်ချုပ်လမ်း",
            f"ເຮືອນເລກທີ {n} ບ້ານໂພນສະຫວາດ",
            f"人民路{n}号",
            f"住在幸福街{n}号3楼",
            f"Soi {R.randint(1, 60)}, near the market",
            f"Lorong {R.randint(1, 20)} Taman Melati",
            f"#{n} Mabini St.",
        ]))
    return out


def names() -> list[str]:
    out = []
    for _ in range(45):
        en = pick(NAMES)
        out.append(pick([
            f"Her name is {en}.",
            f"The girl, named {en}, arrived alone.",
            f"his name was {en} according to the broker",
            f"known as {en} in the karaoke bar",
            f"Namanya {en}, umur 16",
            f"korban bernama {en}",
            f"tên cô ấy là {en}",
            f"Em tên là {en}",
            f"Ang pangalan niya ay {en}",
            f"si {en} ay dumating kahapon",
            f"Ms. {en} was interviewed",
            f"ชื่อ{pick(THAI_NAMES)}",
            f"เด็กหญิง{pick(THAI_NAMES)} อายุ 14",
            f"သူမနာမည် {pick(BURMESE_NAMES)}",
            f"ឈ្មោះ {pick(KHMER_NAMES)}",
            f"ຊື່ {pick(LAO_NAMES)}",
            f"她叫{pick(CHINESE_NAMES)}",
            f"名叫{pick(CHINESE_NAMES)}",
            f"nama beliau {en}",
            f"the victim's name is {en}",
        ]))
    return out


def location_codes() -> list[str]:
    olc = "23456789CFGHJMPQRVWX"
    gh = "0123456789bcdefghjkmnpqrstuvwxyz"
    words = ["index", "home", "raft", "lamp", "river", "quiet", "table", "songs", "paper", "mango", "blue", "stone"]
    out = []
    for i in range(40):
        style = i % 5
        code = "".join(R.choice(olc) for _ in range(8)) + "+" + "".join(R.choice(olc) for _ in range(2))
        short = "".join(R.choice(olc) for _ in range(4)) + "+" + "".join(R.choice(olc) for _ in range(2))
        geo = "w" + "".join(R.choice(gh) for _ in range(6))
        geo = geo[:2] + str(R.randint(0, 9)) + geo[3:5] + str(R.randint(0, 9)) + geo[6:]
        text = {
            0: f"Plus code {code}",
            1: f"{short} Mae Sot",
            2: f"///{pick(words)}.{pick(words)}.{pick(words)}",
            3: f"geohash {geo}",
            4: f"ตำแหน่ง {code}",
        }[style]
        if style == 3 and i % 2:
            text = f"meeting point {geo}"
        out.append(text)
    return out


def coordinates_() -> list[str]:
    out = []
    for i in range(45):
        lat, lon = R.uniform(-10, 25), R.uniform(95, 125)
        style = i % 9
        d, m = int(abs(lat)), (abs(lat) % 1) * 60
        d2, m2 = int(lon), (lon % 1) * 60
        text = {
            0: f"Picked up at {lat:.4f}, {lon:.4f} near the pier.",
            1: f"{lat:.5f},{lon:.5f}",
            2: f"{lat:.4f}".replace(".", ",") + " " + f"{lon:.4f}".replace(".", ","),
            3: f"{d}°{m:.3f}'N {d2}°{m2:.3f}'E",
            4: f"N {d} {m:.3f} E {d2} {m2:.3f}",
            5: f"{d}°{int(m)}'{int((m % 1) * 60)}\"N {d2}°{int(m2)}'{int((m2 % 1) * 60)}\"E",
            6: f"lat {lat:.4f} lon {lon:.4f}",
            7: f"พิกัด {lat:.4f}, {lon:.4f}",
            8: f"tọa độ {lat:.4f}".replace(".", ",") + "; " + f"{lon:.4f}".replace(".", ","),
        }[style]
        out.append(text)
    return out


def urls() -> list[str]:
    out = []
    for i in range(40):
        slug = "".join(R.choice("abcdefghkmnpqrstuvwxyz0123456789") for _ in range(8))
        out.append([
            f"https://maps.app.goo.gl/{slug}",
            f"goo.gl/maps/{slug}",
            f"see https://example.com/jobs/{slug}",
            f"www.example.org/{slug}",
            f"bit.ly/{slug}",
            "the agency site example.net/apply",
            f"ลิงก์ https://example.co.th/{slug}",
            f"tautan http://example.id/lowongan/{slug}",
        ][i % 8])
    return out


def bank_accounts() -> list[str]:
    out = []
    for i in range(40):
        style = i % 10
        text = {
            0: f"IBAN {an_iban()}",
            1: an_iban(),
            2: f"เลขบัญชี {group(digits(10), '-', (3, 1, 5, 1))} กสิกรไทย",
            3: f"No. rekening BCA {digits(10)}",
            4: f"akaun Maybank {group(digits(12), ' ', (4, 4, 4))}",
            5: f"số tài khoản Vietcombank {digits(13)}",
            6: f"GCash account {digits(4)} {digits(3)} {digits(4)}",
            7: f"ABA account {group(digits(9), ' ', (3, 3, 3))}",
            8: f"KBZ ဘဏ် {digits(14)}",
            9: f"银行卡号 {group(digits(16), ' ', (4, 4, 4, 4))}",
        }[style]
        out.append(text)
    return out


def plates() -> list[str]:
    out = []
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    th = "กขคงจฉชซฌญฎฐฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ"
    for i in range(40):
        style = i % 10
        text = {
            0: f"The van, plate {R.choice(L)} {R.randint(1000, 9999)} {R.choice(L)}{R.choice(L)}{R.choice(L)}",
            1: f"B {R.randint(1000, 9999)} {R.choice(L)}{R.choice(L)}",
            2: f"{R.choice(L)}{R.choice(L)}{R.choice(L)} {R.randint(1000, 9999)}",
            3: f"{R.randint(10, 99)}{R.choice(L)}-{R.randint(100, 999)}.{R.randint(10, 99)}",
            4: f"{R.randint(1, 9)}{R.choice(th)}{R.choice(th)} {R.randint(1000, 9999)} กรุงเทพมหานคร",
            5: f"รถตู้ทะเบียน {R.choice(th)}{R.choice(th)} {R.randint(1000, 9999)}",
            6: f"{R.randint(1, 9)}{R.choice(L)}-{R.randint(1000, 9999)} Phnom Penh",
            7: f"biển số {R.randint(10, 99)}{R.choice(L)}{R.randint(10000, 99999)}",
            8: f"粤{R.choice(L)}·{R.randint(10000, 99999)}",
            9: f"plat nomor {R.choice(L)} {R.randint(100, 9999)} {R.choice(L)}{R.choice(L)}",
        }[style]
        out.append(text)
    return out


def births() -> list[str]:
    out = []
    frames = ["born {}", "Born {}.", "DOB: {}", "date of birth {}", "lahir {}", "tanggal lahir {}", "tarikh lahir {}",
              "sinh ngày {}", "ngày sinh: {}", "ipinanganak noong {}", "วันเกิด {}", "เกิดวันที่ {}",
              "မွေးနေ့ {}", "ថ្ងៃខែឆ្នាំកំណើត {}", "ວັນເດືອນປີເກີດ {}", "出生日期 {}", "She was born on {} in Kachin State"]
    for i in range(45):
        forms = date_forms()
        out.append(pick(frames).format(forms[i % len(forms)]))
    return out


KINDS = {
    "phone": phones, "email": emails, "messaging_handle": handles, "national_id": national_ids,
    "passport": passports, "address": addresses, "name": names, "location_code": location_codes,
    "coordinates": coordinates_, "url": urls, "bank_account": bank_accounts, "licence_plate": plates,
    "date_of_birth": births,
}

# --- harmless caseworker notes ------------------------------------------------------------------------

PLACES = ["Mae Sot", "Ranong", "Songkhla", "Chiang Rai", "the Thai border", "Batam", "Johor Bahru", "Kuching",
          "Poipet", "Tachileik", "Savannakhet", "Mindanao", "Manila port", "Nusa Tenggara", "Hai Phong", "Lao Cai"]
CURRENCIES = ["{:,} baht", "Rp {:,}", "RM {:,}", "{:,} VND", "USD {:,}", "{:,} riel", "{:,} kip",
              "{:,} kyat", "PHP {:,}", "{:,} pesos", "{:,} ringgit", "{:,} yuan"]
ROLES = ["broker", "employer", "recruiter", "agent", "boat captain", "supervisor"]
WORK = ["a fishing boat", "a seafood factory", "a palm oil plantation", "a karaoke bar", "a garment factory",
        "domestic work", "a construction site", "an online scam compound", "a rubber plantation"]
LAWS = ["Section 6 of the Anti-Trafficking in Persons Act B.E. 2551 (2008)", "Article 297 of the Penal Code",
        "RA 9208 as amended by RA 10364 and RA 11862", "UU No. 21 Tahun 2007", "section 12 of ATIPSOM Act 2007",
        "Article 150 of the Criminal Code", "Law No. 21/2007", "article 4 of the Palermo Protocol",
        "Section 13 of ATIPSOM 2007", "Prakas 086", "article 15 of the 2005 Anti-Trafficking Law"]


def money() -> str:
    amount = pick([1500, 3000, 4500, 8000, 12000, 20000, 30000, 45000, 150000, 1500000, 3500000, 25000000])
    template = pick(CURRENCIES)
    text = template.format(amount)
    return text.replace(",", ".") if template.startswith(("Rp", "{:,} VND")) else text


def age_band() -> str:
    low = pick([12, 13, 14, 15, 16, 18, 20, 25, 30])
    return pick([f"aged {low}-{low + 2}", f"in her {pick(['teens', 'twenties', 'thirties'])}", f"between {low} and "
                 f"{low + 4}", f"aged {low} to {low + 3}", "under 18", "an adult", f"about {low}"])


def a_date() -> str:
    y, m, d = R.randint(2022, 2026), R.randint(1, 12), R.randint(1, 28)
    return pick([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d} March {y}", f"{y}-{m:02d}",
                 f"{d}.{m:02d}.{y}"])


def harmless() -> list[str]:
    en = [
        "{n} women and {k} children were identified at {place} on {date}.",
        "On {date} she arrived at the shelter; the girls are {band}.",
        "Worked on {work} for {months} months, {hours} hours a day, {days} days a week.",
        "Owed {money} to the {role}; wages withheld for {months} months.",
        "Travelled by bus from {place} to {place2}, then {hours} hours on foot.",
        "Crossed the river near {place} by boat with {n} others.",
        "The shelter has {beds} beds, {free} free this week.",
        "Case opened under {law}.",
        "Referred for legal aid under {law}; hearing expected in {months} months.",
        "Interviewed on {date} at the labour office, with an interpreter.",
        "{n} survivors, {band}, need medical care and counselling.",
        "Recruited through a Facebook group and a LINE chat; promised {money} a month.",
        "Paid {low}-{high} baht a month, far below the minimum wage.",
        "Stayed {days} days in a transit house in {place} before the raid on {date}.",
        "Needs trauma counselling; {k} sessions so far, the next on {date}.",
        "Group of {n} men from {place}, {band}, debt bondage of {money} each.",
        "Returned home on {date} with support for {months} months.",
        "Bed {free} of {beds} is reserved; check in after {hours} pm.",
        "She was held for {months} months and moved {k} times between {place} and {place2}.",
        "Police report filed on {date}; the case number is held by the police, not here.",
        "Identified during a labour inspection of {work}; {n} workers on site.",
        "Between {date} and {date2} she worked at {work} without pay.",
        "Phone confiscated by the {role}; documents kept by the {role2}.",
        "Passport kept by the {role} for {months} months; embassy contacted.",
        "Family lives in a village in {place}; no contact details recorded here.",
        "Daily wage of {money}, of which {pct}% was deducted.",
        "Minor, {band}; guardian ad litem to be appointed under {law}.",
        "The boat stayed at sea for {months} months with {n} crew.",
        "Needs {k} nights in emergency shelter and an interpreter for {lang}.",
        "Was contacted via WhatsApp by the {role} and told to pay {money}.",
        "{n} girls {band} rescued from {work} in {place} on {date}.",
        "Received {money} in emergency cash support on {date}.",
    ]
    th = [
        "ผู้เสียหาย {n} คน อายุระหว่าง {low}-{high} ปี ถูกพบที่{place}",
        "ทำงานบนเรือประมง {months} เดือน วันละ {hours} ชั่วโมง",
        "เป็นหนี้นายหน้า {low},000 บาท",
        "บ้านพักมีเตียง {beds} เตียง ว่าง {free} เตียง",
        "เข้าที่พักเมื่อ {date} ต้องการล่าม",
        "ดำเนินคดีตามมาตรา {k} แห่ง พ.ร.บ. ป้องกันและปราบปรามการค้ามนุษย์ พ.ศ. 2551",
        "เดินทางโดยรถบัสจาก{place}ไป{place2} ใช้เวลา {hours} ชั่วโมง",
    ]
    ind = [
        "{n} korban, usia {low}-{high} tahun, ditemukan di {place} pada {date}.",
        "Bekerja di kapal ikan selama {months} bulan, {hours} jam sehari.",
        "Berutang {money} kepada calo.",
        "Rumah aman punya {beds} tempat tidur, {free} kosong.",
        "Kasus diproses berdasarkan UU No. 21 Tahun 2007 pasal {k}.",
        "Berangkat naik bus dari {place} ke {place2}, lalu {hours} jam berjalan kaki.",
    ]
    ms = [
        "{n} mangsa berumur {low} hingga {high} tahun diselamatkan pada {date}.",
        "Bekerja di ladang kelapa sawit selama {months} bulan tanpa gaji.",
        "Kes di bawah seksyen {k} Akta ATIPSOM 2007.",
        "Pusat perlindungan ada {beds} katil, {free} kosong.",
    ]
    vi = [
        "{n} nạn nhân, từ {low} đến {high} tuổi, được tìm thấy tại {place} ngày {date}.",
        "Làm việc trên tàu cá {months} tháng, mỗi ngày {hours} giờ.",
        "Nợ môi giới {low}.000.000 đồng.",
        "Nhà tạm lánh có {beds} giường, còn {free} giường trống.",
        "Vụ việc theo Điều 150 Bộ luật Hình sự năm 2015.",
        "Đi xe khách từ {place} đến {place2} mất {hours} giờ.",
    ]
    tl = [
        "{n} biktima, edad {low} hanggang {high}, natagpuan sa {place} noong {date}.",
        "Nagtrabaho sa {work} nang {months} buwan, {hours} oras bawat araw.",
        "May utang na {money} sa recruiter.",
        "Ang shelter ay may {beds} kama, {free} ang bakante.",
        "Kaso sa ilalim ng RA 9208 as amended by RA 10364.",
    ]
    my = [
        "လူ {n} ဦး၊ အသက် {low}-{high} နှစ်၊ {place} တွင်တွေ့ရှိခဲ့သည်။",
        "ငါးဖမ်းလှေပေါ်တွင် {months} လ အလုပ်လုပ်ခဲ့သည်။",
        "အိပ်ရာ {beds} ခု ရှိပြီး {free} ခု လွတ်နေသည်။",
    ]
    km = [
        "ជនរងគ្រោះ {n} នាក់ អាយុ {low}-{high} ឆ្នាំ ត្រូវបានរកឃើញនៅ {place}។",
        "ធ្វើការលើទូកនេសាទ {months} ខែ។",
        "ជំពាក់ឈ្មួញកណ្ដាល {low}0000 រៀល។",
    ]
    lo = [
        "ຜູ້ເຄາະຮ້າຍ {n} ຄົນ ອາຍຸ {low}-{high} ປີ ພົບຢູ່ {place}.",
        "ເຮັດວຽກ {months} ເດືອນ ມື້ລະ {hours} ຊົ່ວໂມງ.",
    ]
    zh = [
        "{n}名受害者\uff0c年龄{low}至{high}岁\uff0c于{date}在{place}被发现。",
        "在渔船上工作了{months}个月\uff0c每天{hours}小时。",
        "欠中介{low}000元。",
        "庇护所有{beds}张床位\uff0c{free}张空着。",
    ]
    templates = en * 3 + th + ind + ms + vi + tl + my + km + lo + zh
    out, seen = [], set()
    while len(out) < 560:
        low = R.randint(12, 30)
        beds = R.randint(8, 60)
        text = pick(templates).format(
            n=R.randint(2, 40), k=R.randint(2, 9), place=pick(PLACES), place2=pick(PLACES), date=a_date(),
            date2=a_date(), band=age_band(), work=pick(WORK), months=R.randint(2, 30), hours=R.randint(8, 18),
            days=R.randint(3, 7), money=money(), role=pick(ROLES), role2=pick(ROLES), law=pick(LAWS), beds=beds,
            free=R.randint(0, beds), low=low, high=low + R.randint(2, 5), pct=R.randint(10, 60),
            lang=pick(["Burmese", "Khmer", "Lao", "Rohingya", "Vietnamese"]),
        )
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main() -> None:
    rows = [(kind, text) for kind, make in KINDS.items() for text in make()]
    with open(HERE / "personal.tsv", "w", encoding="utf-8") as f:
        f.write("kind\ttext\n")
        f.writelines(f"{kind}\t{text}\n" for kind, text in rows)
    (HERE / "harmless.txt").write_text("\n".join(harmless()) + "\n", encoding="utf-8")
    print(f"{len(rows)} personal, harmless written to {HERE}")


if __name__ == "__main__":
    main()
