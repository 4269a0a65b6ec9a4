"""Pieces of patterns the detectors share."""

import re

I = re.IGNORECASE  # noqa: E741
# Letters of the scripts written without spaces (Thai, Lao, Burmese, Khmer), marks included: Python's \w
# does not count their vowel signs as word characters.
SEA = "\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
CJK = "\u4e00-\u9fff"
WORD = rf"[\w{SEA}]"
NOT_SENTENCE_END = r"[^.!?;\n。]"
