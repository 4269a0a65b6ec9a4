"""The JSON parser of every API view: DRF's, with the nesting of the body bounded before it is parsed.

Python's json module decodes arrays and objects recursively: a body of 50,000 `[` exhausts the
interpreter's stack (RecursionError) long before any serializer sees it. No request of this API
nests deeper than a GeoJSON MultiPolygon inside an object (about six levels), so the depth is
counted first, in a single linear pass, and a body nested past JSON_MAX_DEPTH is refused as
malformed (400) without being decoded.
"""

import codecs
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

DEFAULT_MAX_DEPTH = 32

# A JSON string, escapes included. An unterminated string runs to the end of the body, and a
# trailing lone backslash is taken as part of it: the pattern never fails once it has started, so
# the scan stays linear however the quotes and backslashes of a hostile body are arranged.
_STRING = re.compile(r'"(?:[^"\\]|\\.?)*(?:"|\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BodyTooDeep(ParseError):
    default_code = "too_deep"


def max_depth() -> int:
    return getattr(settings, "JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (0 for a scalar). Brackets inside strings do
    not count. For malformed text it is an estimate, which the decoder then refuses anyway."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(map(_STEP.__getitem__, brackets)))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as error:  # UnicodeDecodeError
            raise ParseError(f"JSON parse error - the request body is not {encoding} text: {error}") from error
        limit = max_depth()
        if nesting_depth(text) > limit:
            raise BodyTooDeep(
                f"JSON parse error - the request body nests arrays and objects more than {limit} levels deep; "
                f"no request needs more than {limit}."
            )
        try:
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError as error:
            # Only if JSON_MAX_DEPTH were set above what the interpreter's stack allows.
            raise BodyTooDeep(
                "JSON parse error - the request body nests arrays and objects too deep to be read."
            ) from error
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
