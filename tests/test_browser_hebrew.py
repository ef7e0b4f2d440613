"""Hebrew done right (issue #19), in headless Chromium: the main pages opened in Hebrew as each role.

A page fails when
- visible text outside user content is Latin: untranslated UI, or user-written text (the demo's
  English names, titles and descriptions) that is not isolated, i.e. not inside an element with a
  `dir` attribute, a <bdi>, a `.number` span or Unicode isolates (FSI/LRI … PDI). Words of the
  allow-list (API, CSV, Excel, …) may stand in a Hebrew sentence;
- an aria-label, title or placeholder is Latin outside isolates (the blank choice of a <select>
  included: Django's "- Select an option -");
- a chart's x axis runs right to left (the first period must be drawn left of the last);
- a number's table cell stands on the other side of its column from the column's header (a figure
  read under the wrong heading);
- a quotation's caption is drawn over the quotation (Bootstrap pulls a blockquote's footer up by the
  blockquote's own bottom margin);
- a period is shown by its code (2026-Q3) instead of the reader's words (רבעון 3, 2026).

The demo (`manage.py seed_demo`) and its live server are tests/test_accessibility.py's, loaded once
for the module. There is no list of exceptions: a text built in Python isolates the names and
codes it quotes (ci_platform/i18n_format.py) as a template does with <bdi>.
"""

import re

import pytest

from .test_accessibility import demo, test_database  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ROLES = ["backbone", "steering", "partner", "viewer"]

# (name, address): every role opens them; {…} from the demo's ids.
PAGES = [
    ("initiative-list", "/"),
    ("overview", "/initiatives/{slug}/"),
    ("readiness", "/initiatives/{slug}/readiness/"),
    ("fit", "/initiatives/{slug}/fit/"),
    ("members", "/initiatives/{slug}/members/"),
    ("organizations", "/initiatives/{slug}/organizations/"),
    ("agenda", "/initiatives/{slug}/agenda/"),
    ("agenda-version", "/initiatives/{slug}/agenda/v/1/"),
    ("agenda-compare", "/initiatives/{slug}/agenda/compare/"),
    ("measurement-home", "/initiatives/{slug}/measurement/"),
    ("measure", "/initiatives/{slug}/measurement/measures/k-ready/"),
    ("dashboard", "/initiatives/{slug}/measurement/dashboard/"),
    ("measure-dashboard", "/initiatives/{slug}/measurement/dashboard/k-ready/"),
    ("completeness", "/initiatives/{slug}/measurement/completeness/"),
    ("structure", "/initiatives/{slug}/workgroups/"),
    ("working-groups", "/initiatives/{slug}/workgroups/groups/"),
    ("working-group", "/initiatives/{slug}/workgroups/groups/{group}/"),
    ("activity", "/initiatives/{slug}/workgroups/activities/{activity}/"),
    ("alignment", "/initiatives/{slug}/workgroups/alignment/"),
    ("network", "/initiatives/{slug}/workgroups/network/"),
    ("communication", "/initiatives/{slug}/communication/"),
    ("meetings", "/initiatives/{slug}/communication/meetings/"),
    ("meeting", "/initiatives/{slug}/communication/meetings/{meeting}/"),
    ("decisions", "/initiatives/{slug}/communication/decisions/"),
    ("decision", "/initiatives/{slug}/communication/decisions/{decision}/"),
    ("updates", "/initiatives/{slug}/communication/updates/"),
    ("documents", "/initiatives/{slug}/communication/documents/"),
    ("reports", "/initiatives/{slug}/communication/reports/"),
    ("scorecard", "/initiatives/{slug}/backbone/"),
    ("indicator", "/initiatives/{slug}/backbone/indicators/1/"),
    ("funding", "/initiatives/{slug}/backbone/funding/"),
    ("policy", "/initiatives/{slug}/backbone/policy/"),
    ("community", "/initiatives/{slug}/backbone/community/"),
]
# Pages only the backbone staff manages, and the public report card.
BACKBONE_PAGES = [
    ("initiative-edit", "/initiatives/{slug}/edit/"),
    ("phase-change", "/initiatives/{slug}/phase/"),
    ("invite", "/initiatives/{slug}/members/invite/"),
    ("api-tokens", "/initiatives/{slug}/api-tokens/"),
    ("measure-new", "/initiatives/{slug}/measurement/measures/new/"),
    ("breakdowns", "/initiatives/{slug}/measurement/breakdowns/"),
    ("periods", "/initiatives/{slug}/measurement/periods/"),
    ("data-sets", "/initiatives/{slug}/measurement/data-sets/"),
    ("review", "/initiatives/{slug}/measurement/review/"),
    ("submission", "/initiatives/{slug}/measurement/submissions/{submission}/"),
    ("meeting-new", "/initiatives/{slug}/communication/meetings/new/"),
    ("surveys", "/initiatives/{slug}/backbone/surveys/"),
    ("survey-wave", "/initiatives/{slug}/backbone/surveys/{survey_wave}/"),
    ("catalogue", "/initiatives/{slug}/backbone/catalogue/"),
]
CASES = [(role, name, path) for role in ROLES for name, path in PAGES]
CASES += [("backbone", name, path) for name, path in BACKBONE_PAGES]
CASES += [
    ("partner", "entry-grid", "/initiatives/{slug}/measurement/entry/{entry}/"),
    # Quarterly periods (k-ready above is yearly, and a year's code is its label).
    (
        "backbone",
        "measure-dashboard-quarterly",
        "/initiatives/{slug}/measurement/dashboard/families-reached/",
    ),
    ("steering", "learning", "/initiatives/{slug}/learning/"),
    ("steering", "turn-the-curve", "/initiatives/{slug}/learning/curve/"),
    ("steering", "curve-measure", "/initiatives/{slug}/learning/curve/families-reached/"),
    ("partner", "tie-survey", "/initiatives/{slug}/workgroups/waves/{tie_wave}/survey/"),
    (None, "public-report-card", "/public/{slug}/"),
    (None, "survey-respond", "/initiatives/{slug}/backbone/respond/{survey_token}/"),
]

# Latin words a Hebrew sentence may hold: names of formats and of the source's authors.
ALLOWED_WORDS = {"API", "REST", "CSV", "Excel", "PDF", "JSON", "PNG", "FSG", "Collaboration", "for", "Impact"}

CHECK = """(allowed) => {
  const ISOLATES = /[\\u2066-\\u2068][^\\u2069]*\\u2069/g;
  const LATIN = /[A-Za-z]{2,}/g;
  const ISOLATED = 'script, style, noscript, template, code, kbd, samp, pre, bdi, .number, ' +
    '[dir]:not(html), [lang]:not(html), [translate="no"], .chart, .js-plotly-plot, ' +
    // crispy's choice labels (names of people and organisations): unicode-bidi plaintext in app.css
    '.form-check-label, ' +
    'textarea, input, select:not([data-blank-checked])';
  const skip = (el) => el.closest(ISOLATED);
  const latin = (text) => (text.replace(ISOLATES, '').match(LATIN) || [])
    .filter(w => !allowed.includes(w));
  const where = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (e.classList.length ? '.' + [...e.classList].slice(0, 2).join('.') : ''));
    }
    return parts.join(' > ');
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    const text = n.textContent.replace(/\\s+/g, ' ').trim();
    if (!text || skip(el) || !el.checkVisibility({visibilityProperty: true})) continue;
    if (latin(text).length) found.push(`${text.slice(0, 80)}  @ ${where(el)}`);
  }
  // The blank choice of a <select> is the page's text, not user content.
  for (const option of document.querySelectorAll('select option[value=""]')) {
    if (latin(option.textContent).length) found.push(`option "${option.textContent.trim()}"  @ ${where(option)}`);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (el.closest('.chart, .js-plotly-plot')) continue;
    for (const attr of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = el.getAttribute(attr) || '';
      if (attr === 'title' && el.closest('bdi, [dir]:not(html), .number')) continue;
      if (latin(value).length) found.push(`${attr}="${value.slice(0, 60)}"  @ ${where(el)}`);
    }
  }
  return found;
}"""

# Per drawn chart: its x axis's range (increasing unless reversed) and the screen x of its first
# and last category ticks.
AXES = """() => [...document.querySelectorAll('.chart[data-figure]')].map(el => {
  const axis = el._fullLayout && el._fullLayout.xaxis;
  const ticks = [...el.querySelectorAll('.xtick text')].map(t => ({text: t.textContent, x: t.getBoundingClientRect().x}));
  return {id: el.dataset.figure, range: axis ? axis.range : null, autorange: axis ? axis.autorange : null,
          type: axis ? axis.type : null, categories: axis ? axis._categories : null, ticks: ticks};
})"""


def reversed_axes(page) -> list[str]:
    problems = []
    for chart in page.evaluate(AXES):
        lo, hi = chart["range"] or (0, 1)
        if chart["autorange"] == "reversed" or lo > hi:
            problems.append(f"{chart['id']}: x axis reversed ({chart['range']})")
            continue
        ticks = {t["text"]: t["x"] for t in chart["ticks"]}
        categories = [c for c in chart["categories"] or [] if c in ticks]
        if len(categories) >= 2 and ticks[categories[0]] >= ticks[categories[-1]]:
            problems.append(f"{chart['id']}: {categories[0]} is drawn right of {categories[-1]}")
    return problems


@pytest.fixture(scope="module")
def ids(demo, django_db_blocker):  # noqa: F811 (the imported fixture)
    from communication.models import Decision
    from workgroups.models import Activity

    with django_db_blocker.unblock():
        return {
            **demo.ids,
            "activity": Activity.objects.filter(working_group__initiative__slug=demo.ids["slug"])
            .order_by("pk")[0]
            .pk,
            "decision": Decision.objects.filter(initiative__slug=demo.ids["slug"]).order_by("pk")[0].pk,
        }


@pytest.fixture
def open_page(browser, demo, django_db_blocker):  # noqa: F811
    """Open a page in a language, signed in as someone (or no one), in the persona's tab, kept for
    the module with its context (tests/test_accessibility.py's `Demo.open`)."""

    def open_(path: str, username: str | None, language: str = "he"):
        page, response = demo.open(browser, path, username, language)
        return page, response.status

    with django_db_blocker.unblock():
        yield open_


# A number's cell on the side of its column's header: `.number` sets the digits left to right, and a
# cell set left to right aligns to its own start (the left) under a Hebrew header on the right.
MISALIGNED = """() => {
  const side = (el) => {
    const s = getComputedStyle(el), a = s.textAlign, rtl = s.direction === 'rtl';
    if (a === 'start' || a === '-webkit-auto' || a === 'justify') return rtl ? 'right' : 'left';
    if (a === 'end') return rtl ? 'left' : 'right';
    return a.replace('-webkit-', '');
  };
  const out = [];
  for (const table of document.querySelectorAll('table')) {
    const head = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0] : null;
    if (!head) continue;
    const headers = [];
    for (const th of head.cells) for (let i = 0; i < th.colSpan; i++) headers.push(th.colSpan === 1 ? th : null);
    for (const body of table.tBodies) for (const row of body.rows) {
      let col = 0;
      for (const cell of row.cells) {
        const th = headers[col];
        col += cell.colSpan;
        if (!th || !cell.matches('.number') || !cell.textContent.trim()) continue;
        if (side(cell) !== side(th)) out.push(`${(th.textContent || '').trim()} | ${cell.textContent.trim()}: ${side(th)} vs ${side(cell)}`);
      }
    }
  }
  return out;
}"""


OVERLAPPING_CAPTIONS = """() => [...document.querySelectorAll('figure')].flatMap((f) => {
  const quote = f.querySelector('blockquote'), caption = f.querySelector('figcaption');
  if (!quote || !caption) return [];
  const q = quote.getBoundingClientRect(), c = caption.getBoundingClientRect();
  return c.top < q.bottom - 0.5 ? [`${caption.textContent.trim()} over ${quote.textContent.trim().slice(0, 40)}`] : [];
})"""


# A period shown by its code (2026-Q3, 2026-09) instead of the reader's words ("רבעון 3, 2026"):
# isolated or not, it is the platform's text, not the user's.
PERIOD_CODES = r"""() => {
  const CODE = /\b\d{4}-(?:Q[1-4]|0[1-9]|1[0-2])\b(?!-)/g;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el.closest('script, style, textarea, code, pre') || !el.checkVisibility({visibilityProperty: true})) continue;
    for (const m of n.textContent.match(CODE) || []) found.push(`${m} in <${el.tagName.toLowerCase()}>`);
  }
  return found;
}"""


def period_codes(page) -> list[str]:
    return page.evaluate(PERIOD_CODES)


def overlapping_captions(page) -> list[str]:
    return page.evaluate(OVERLAPPING_CAPTIONS)


def misaligned_numbers(page) -> list[str]:
    """Number cells that stand on the other side of their column from its header."""
    return page.evaluate(MISALIGNED)


def latin_outside_user_content(page) -> list[str]:
    return page.evaluate(CHECK, sorted(ALLOWED_WORDS))


@pytest.mark.parametrize(
    ("role", "name", "path"), CASES, ids=[f"{c[0] or 'anonymous'}-{c[1]}" for c in CASES]
)
def test_hebrew_page_reads_right(open_page, ids, role, name, path):
    page, status = open_page(path.format(**ids), role)
    assert status in (200, 403, 404), f"{name} as {role}: HTTP {status}"
    assert page.locator("html").get_attribute("dir") == "rtl"
    latin = latin_outside_user_content(page)
    assert not latin, f"{name} as {role} ({page.url}): Latin outside user content:\n  " + "\n  ".join(latin)
    assert not reversed_axes(page), f"{name} as {role}: {reversed_axes(page)}"
    assert not misaligned_numbers(page), f"{name} as {role}: {misaligned_numbers(page)[:10]}"
    assert not overlapping_captions(page), f"{name} as {role}: {overlapping_captions(page)}"
    assert not period_codes(page), f"{name} as {role}: periods by their codes: {period_codes(page)[:10]}"


@pytest.mark.parametrize("language", ["en", "he"])
def test_time_runs_left_to_right_in_both_languages(open_page, ids, language):
    """The dashboard's charts: the earliest period on the left, in English as in Hebrew; Plotly's
    toolbar speaks the page's language."""
    page, status = open_page("/initiatives/{slug}/measurement/dashboard/".format(**ids), "backbone", language)
    assert status == 200
    charts = page.evaluate(AXES)
    assert charts and all(c["ticks"] for c in charts)
    assert not reversed_axes(page)
    assert not misaligned_numbers(page), misaligned_numbers(page)[:10]
    title = page.locator(".chart .modebar-btn").first.get_attribute("data-title")
    assert (re.search(r"[\u0590-\u05FF]", title) is not None) == (language == "he"), title


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_public_report_cards_stories_stay_in_their_columns(open_page, ids, language):
    """A story published with a measure is drawn below its card inside the card's column: none of it
    under the next row (the card's h-100 once took the whole column and pushed the story out)."""
    page, status = open_page("/public/{slug}/".format(**ids), None, language)
    assert status == 200
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('[data-worksheet]')].map((s) => ({
             code: s.dataset.worksheet, bottom: s.getBoundingClientRect().bottom,
             column: s.closest('.col').getBoundingClientRect().bottom }))"""
    )
    assert boxes, "the demo publishes a story with a measure"
    assert all(b["bottom"] <= b["column"] + 0.5 for b in boxes), boxes


def test_the_check_sees_latin_text_and_a_reversed_axis(open_page, ids):
    """Not blind: an English sentence without a direction, an English aria-label and a chart
    turned right to left are each reported; the same sentence in a <bdi> is not."""
    page, _ = open_page("/initiatives/{slug}/backbone/".format(**ids), "backbone")
    assert latin_outside_user_content(page) == []
    assert reversed_axes(page) == []
    page.evaluate(
        """() => { const p = document.createElement('p'); p.textContent = 'Finish high school.';
                   document.querySelector('main').append(p);
                   const b = document.createElement('bdi'); b.textContent = 'Early Years Network';
                   document.querySelector('main').append(b);
                   document.querySelector('main').setAttribute('aria-label', 'breadcrumb'); }"""
    )
    found = latin_outside_user_content(page)
    assert any(f.startswith("Finish high school.") for f in found), found
    assert any(f.startswith('aria-label="breadcrumb"') for f in found), found
    assert not any("Early Years Network" in f for f in found), found
    page.evaluate(
        "() => Plotly.relayout(document.querySelector('.chart[data-figure]'), {'xaxis.autorange': 'reversed'})"
    )
    assert reversed_axes(page), "a reversed axis went unseen"
