"""Burmese, Khmer, Lao and Thai render in Debian's Chromium with the fonts the setup installs
(fonts-noto-core): no tofu. A glyph no installed font has is drawn as the same empty box
(.notdef) whatever the character, so each sample's characters are drawn on a canvas and compared
with a code point no font covers (a private-use one): a character drawn exactly like it is tofu.
Screenshots of the page go to a temporary directory, for a person to look at when it fails."""

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


# One sentence per script: "People in need can find help here." (roughly), in each language.
SAMPLES = {
    "my": "အကူအညီလိုအပ်သူများ ဤနေရာတွင် အကူအညီရနိုင်သည်။",
    "km": "អ្នកដែលត្រូវការជំនួយអាចរកជំនួយនៅទីនេះ។",
    "lo": "ຜູ້ທີ່ຕ້ອງການຄວາມຊ່ວຍເຫຼືອສາມາດຊອກຫາໄດ້ຢູ່ນີ້.",
    "th": "ผู้ที่ต้องการความช่วยเหลือสามารถขอรับได้ที่นี่",
}
NO_FONT_HAS_IT = "\U0010fffd"  # plane 16 private use: no installed font draws it

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Scripts</title>
<style>body { font: 24px sans-serif; margin: 16px; } p { margin: 8px 0; }</style></head><body>
{paragraphs}<canvas id="c" width="64" height="64"></canvas></body></html>"""

# Draws one character in the page's font at the canvas' centre and returns its pixels as a string.
DRAW = """([text, family]) => {
  const canvas = document.getElementById('c');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.font = '40px ' + family;
  context.fillStyle = '#000';
  context.textBaseline = 'middle';
  context.fillText(text, 12, 32);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0, signature = '';
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) ink++; signature += pixels[i] > 127 ? '1' : '0'; }
  return {ink, signature, width: context.measureText(text).width};
}"""


def _base_letters(sample: str) -> list[str]:
    """The sample's distinct letters that stand alone (combining marks are drawn on a base)."""
    import unicodedata

    return sorted({ch for ch in sample if unicodedata.category(ch) == "Lo"})


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    if shutil.which("fc-list") is None:
        pytest.fail("fontconfig comes with Debian's fonts, set up by `make setup` (DEBIAN_PACKAGES)")
    page = browser.new_page(viewport={"width": 900, "height": 400})
    paragraphs = "\n".join(f'<p lang="{lang}" id="{lang}">{text}</p>' for lang, text in SAMPLES.items())
    page.set_content(PAGE.replace("{paragraphs}", paragraphs))
    page.screenshot_dir = tmp_path_factory.mktemp("scripts")
    yield page
    page.close()


def draw(page, text: str, family: str = "sans-serif") -> dict:
    return page.evaluate(DRAW, [text, family])


def test_the_tofu_probe_works(page):
    """The probe sees tofu where there must be some: the private-use character is a box, drawn
    like any other missing character, and unlike a Latin letter."""
    tofu = draw(page, NO_FONT_HAS_IT)
    assert tofu["ink"] > 0  # Chromium draws a box for it, not nothing
    assert draw(page, "\U0010fffc")["signature"] == tofu["signature"]  # every missing glyph alike
    assert draw(page, "A")["signature"] != tofu["signature"]


@pytest.mark.parametrize("language", list(SAMPLES))
def test_script_renders_without_tofu(page, language):
    tofu = draw(page, NO_FONT_HAS_IT)["signature"]
    letters = _base_letters(SAMPLES[language])
    assert len(letters) >= 5
    drawn = {letter: draw(page, letter) for letter in letters}
    boxes = [f"U+{ord(letter):04X}" for letter, result in drawn.items() if result["signature"] == tofu]
    invisible = [f"U+{ord(letter):04X}" for letter, result in drawn.items() if result["ink"] == 0]
    assert boxes == [], f"{language}: drawn as .notdef boxes: {boxes}"
    assert invisible == [], f"{language}: drawn as nothing: {invisible}"
    # Distinct letters look distinct: a font that had them would not draw them all the same.
    assert len({result["signature"] for result in drawn.values()}) == len(letters)


@pytest.mark.parametrize("language", list(SAMPLES))
def test_the_sentence_is_laid_out_by_a_font_of_its_script(page, language):
    """The sentence on the page takes its own width, not that of as many boxes, and a screenshot
    of it is kept for a person to look at."""
    element = page.locator(f"#{language}")
    element.screenshot(path=str(Path(page.screenshot_dir) / f"{language}.png"))
    sentence = SAMPLES[language]
    real = draw(page, sentence)["width"]
    as_boxes = draw(page, NO_FONT_HAS_IT * len(sentence))["width"]
    assert real > 0
    assert abs(real - as_boxes) > 1, json.dumps({"real": real, "as_boxes": as_boxes})
