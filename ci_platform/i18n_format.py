"""Text that reads right in both directions: period labels in the reader's language, and the
isolation of codes, numbers and ranges inside a sentence of the other direction.

Pure functions over strings, usable from templates (ci_platform/templatetags/i18n_format.py),
charts, e-mails and reports alike. They return plain text: where markup cannot go (a <select>'s
options, an attribute, a chart's SVG labels, an e-mail), isolation is done with Unicode's own
isolate characters (LRI/FSI … PDI), which browsers and Plotly's SVG text honour as <bdi> does.

Period codes are those of measurement.periods (2026-01 monthly, 2026-Q4 quarterly, 2026 yearly)
and backbone.periods (2026-H2 half-yearly). A code is data, not text: it stays as it is in URLs,
files and the API; only what a person reads goes through period_label.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext

from ci_platform.bases import Text

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first-strong isolate: the direction of its first letter, as dir="auto"
PDI = "\u2069"  # pop directional isolate

_MONTHLY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTERLY = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEARLY = re.compile(r"^(\d{4})$")

# A number, a range of numbers (0–100, 2024-2026, 1–5) or a number with a sign or a unit symbol
# glued to it (46%, -3.5, ₪1,200): what the bidi algorithm reorders around a Hebrew word.
_NUMERIC = re.compile(
    r"[-+−]?[₪$€£]?\d+(?:[.,]\d+)*(?:\s?[%‰])?(?:\s?[–—-]\s?[-+−]?[₪$€£]?\d+(?:[.,]\d+)*(?:\s?[%‰])?)+"
)


def period_label(code: str) -> str:
    """What a reader calls a period, in the active language (see _period_label). Memoised per
    language: a dashboard labels thousands of points with a few dozen periods."""
    return period_label_in(code, get_language() or "")


def period_label_in(code: str, language: str) -> str:
    """`period_label` in a language already looked up (`get_language()`), for a caller labelling
    many codes at once."""
    return _period_label(str(code or "").strip(), language)


@lru_cache(maxsize=4096)
def _period_label(code: str, language: str) -> str:
    """What a reader calls a period, in the active language: 2026-Q4 → "Q4 2026" / "רבעון 4, 2026",
    2026-H2 → "H2 2026" / "מחצית 2, 2026", 2026-01 → "January 2026" / "ינואר 2026", 2026 → "2026".
    Anything else (a code of another shape, "") is returned as it is."""
    code = str(code or "").strip()
    if m := _QUARTERLY.match(code):
        return gettext("Q%(quarter)s %(year)s") % {"quarter": m[2], "year": m[1]}
    if m := _HALF.match(code):
        return gettext("H%(half)s %(year)s") % {"half": m[2], "year": m[1]}
    if m := _MONTHLY.match(code):
        return date_format(date(int(m[1]), int(m[2]), 1), "YEAR_MONTH_FORMAT")
    return code


def isolate(text: Text, *, direction: str = "auto") -> str:
    """The text as one isolated run: "ltr" for codes and numbers, "auto" (first strong letter, as
    dir="auto") for names and other user-written text."""
    text = str(text)
    if not text:
        return text
    opening = {"ltr": LRI, "rtl": RLI}.get(direction, FSI)
    return f"{opening}{text}{PDI}"


def isolate_numbers(text: Text) -> str:
    """Ranges and signed or unit-glued numbers inside the text isolated left to right, so that
    "אחוז (0–100)" does not read "אחוז (100–0)"."""
    return _NUMERIC.sub(lambda m: isolate(m[0], direction="ltr"), str(text))


def mixed(template: Text, /, **values: str) -> str:
    """A sentence of the reader's language with other-direction values in it, each isolated:
    mixed(gettext("Data of %(org)s for %(period)s"), org=name, period=period_label(code))."""
    return template % {key: isolate(value) for key, value in values.items()}


# isolate_numbers of a lazy translation, evaluated when read: for labels declared at import time
# (TextChoices, form fields), so that "Percent (0–100)" reads "אחוז (0–100)" in a Hebrew <select>.
isolate_numbers_lazy = lazy(isolate_numbers, str)


def period_phrase(code: str) -> str:
    """A period as a reader names it inside a sentence: its label in the active language, isolated
    ("Q4 2026" / "רבעון 4, 2026" as one run, whatever the sentence's direction)."""
    return isolate(period_label(code))
