import html as _html

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

register = template.Library()


def _escape(text) -> str:
    """What django.utils.html.escape writes (it is html.escape), without its check for lazy
    arguments, which was most of the cost of escaping thousands of table cells."""
    return _html.escape(str(text))


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


# The dashboards' data tables hold thousands of cells (50 charts × 60 periods): rendered here in
# one pass with format_html (escaped as the template would), instead of a template node per cell,
# which made the template most of the dashboard's time (docs/performance.md).


def _number(value, places: int = 2) -> str:
    """As `floatformat:"-2"` (or "-1" for `places=1`): that many decimals, none for a whole number,
    "—" for no value. The shortest decimal that reads back as the float (its repr) is rounded half
    up, on the digits themselves (the filter itself only for exponent forms: its Decimal arithmetic
    was a fifth of the dashboard's time)."""
    if value is None:
        return "—"
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:  # every such integer is exact, as its repr says
        return str(int(number))
    text = repr(number)
    if "e" in text or "n" in text or number.is_integer():  # 1e-05, inf, nan, 2.9e+16
        return floatformat(number, f"-{places}")
    negative = text.startswith("-")
    whole, _point, fraction = text.lstrip("-").partition(".")
    units = int(whole + (fraction + "0" * places)[:places]) + (
        len(fraction) > places and fraction[places] >= "5"
    )
    if not units:
        return "0." + "0" * places
    digits = f"{units:0{places + 1}d}"
    return ("-" if negative else "") + digits[:-places] + "." + digits[-places:]


@register.filter
def rounded(value, places: int = 2) -> str:
    """`{{ x|rounded:1 }}` writes what `{{ x|floatformat:"-1" }}` does, for the floats of the
    dashboards' cards, in a fraction of its time."""
    return _number(value, int(places))


def provisional_mark(label: str) -> str:
    """What marks a provisional period in a table or on a card: a hollow circle (as on the chart)
    and the word, never colour alone."""
    return (
        '<span class="badge rounded-pill text-bg-light border" data-provisional="true">'
        f'<span aria-hidden="true">◌</span> {_escape(label)}</span>'
    )


@register.simple_tag
def provisional_badge() -> str:
    """`provisional_mark` in templates, in the current language."""
    return mark_safe(provisional_mark(gettext("Provisional")))  # noqa: S308 - escaped in provisional_mark


@register.simple_tag
def curve_table_rows(rows, provisional=(), label: str = "") -> str:
    """<tr>s of a card's table: period, value, target; a provisional period marked as such."""
    cell = '<td class="number">{}</td>'
    marked, mark = set(provisional), provisional_mark(label) if provisional else ""
    return mark_safe(  # noqa: S308 - the period and label are escaped; the numbers are digits only
        "".join(
            "<tr>"
            + (
                f'<td><span class="number">{_escape(period)}</span> {mark}</td>'
                if period in marked
                else cell.format(_escape(period))
            )
            + cell.format(_number(value))
            + cell.format(_number(target))
            + "</tr>"
            for period, (value, target) in rows
        )
    )


@register.simple_tag
def series_table_rows(rows, periods) -> str:
    """<tr>s of a table of series (a label, then one cell per period)."""
    return mark_safe(  # noqa: S308 - the label is escaped; the numbers are digits only
        "".join(
            f'<tr><th scope="row">{_escape(label)}</th>'
            + "".join(f'<td class="number">{_number(values.get(p))}</td>' for p in periods)
            + "</tr>"
            for label, values in rows
        )
    )


def _clear_choice(cell, name: str, where: str, disabled: str) -> str:
    """During a correction, an approved value is cleared only by this explicit choice (entry.py)."""
    if not cell.get("clearable"):
        return ""
    checked = " checked" if cell.get("cleared") else ""
    label = _escape(gettext("Clear the approved value"))
    return (
        f'          <div class="form-check small mt-1"><input class="form-check-input" type="checkbox" '
        f'id="x{name}" name="x{name}" value="1"{checked} {disabled}>'
        f'<label class="form-check-label" for="x{name}">{label}'
        f'<span class="visually-hidden"> — {where}</span></label></div>\n'
    )


@register.simple_tag
def grid_cells(row, editable, value_label, comment_label, comment_placeholder) -> str:
    """The cells of one row of the data-entry grid (measurement/entry.html): a labelled value field
    and a labelled comment field each. Written here in one pass, escaped as the template would
    (a grid has hundreds of cells; as template nodes they were most of the page's time)."""
    measure_name = _escape(row["measure"].name)
    where = measure_name + (", " + _escape(row["row"].name) if row["row"] else "")
    html = []
    for c in row["cells"]:
        name = _escape(c["name"])
        column = _escape(c["column"].name) if c["column"] else ""
        disabled = "disabled" if not editable or c["closed"] else ""
        errors = c["errors"]
        html.append(
            '\n        <div class="entry-cell">\n'
            f'          <label class="form-label small mb-0" for="{name}">{column or _escape(value_label)}'
            f'<span class="visually-hidden"> — {where}</span></label>\n'
            '          <input type="text" inputmode="decimal" dir="ltr" class="form-control form-control-sm'
            f'{" is-invalid" if errors else ""}" id="{name}" name="{name}" value="{_escape(localize(c["value"]))}"'
            f" {disabled} "
            + (f'aria-invalid="true" aria-describedby="{name}-err"' if errors else "")
            + ' size="10" maxlength="40">\n'
            + (
                f'          <div class="invalid-feedback d-block" id="{name}-err">'
                + "".join(f"{_escape(e)} " for e in errors)
                + "</div>\n"
                if errors
                else ""
            )
            + f'          <label class="visually-hidden" for="c{name}">{_escape(comment_label)}: '
            + (f"{column}, " if column else "")
            + f"{where}</label>\n"
            f'          <input type="text" class="form-control form-control-sm mt-1" id="c{name}" name="c{name}"'
            f' value="{_escape(c["comment"])}" placeholder="{_escape(comment_placeholder)}" {disabled} maxlength="2000">\n'
            + _clear_choice(c, name, where, disabled)
            + "        </div>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value in it is escaped above


@register.simple_tag
def grid_body(rows, editable, value_label, comment_label, comment_placeholder, required_label) -> str:
    """The rows of the data-entry grid (measurement/entry.html): a measure's heading on its first
    row, the row's breakdown member, then its cells (grid_cells). Written in one pass, as the
    template's loop wrote them (fifty rows of template nodes were most of what the grid's own
    cells had left of its time)."""
    required = _escape(required_label)
    html = []
    for r in rows:
        measure = r["measure"]
        heading = ""
        if r["first"]:
            heading = (
                f'<th scope="rowgroup" rowspan="{_escape(localize(r["span"]))}"><span class="number small">'
                f"{_escape(measure.code)}</span><div>{_escape(measure.name)}</div>"
                f'<div class="small text-body-secondary">{_escape(r["value_type"])}'
                f"{' · ' + required if measure.required else ''}</div></th>"
            )
        html.append(
            f'\n    <tr data-measure="{_escape(measure.code)}">\n      {heading}\n'
            f'      <th scope="row" class="fw-normal">{_escape(r["row"].name) if r["row"] else "—"}</th>\n'
            '      <td><div class="d-flex flex-wrap gap-2">\n      '
            + grid_cells(r, editable, value_label, comment_label, comment_placeholder)
            + "\n      </div></td>\n    </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value in it is escaped (grid_cells too)


# The submission page lists each value twice (its table and the unlock choice) and up to 300
# lines of history: written here in one pass, escaped as the template would, for the same reason.


def _decimal(value, memo: dict) -> str:
    """A stored decimal as `{{ value.normalize }}` writes it ("—" for none), localized once per
    distinct number in `memo` (the page's numbers repeat; localizing was most of the time)."""
    if value is None:
        return "—"
    key = str(value)
    if (text := memo.get(key)) is None:
        text = memo[key] = _escape(localize(value.normalize()))
    return text


def _where(v) -> str:
    return (" · " + _escape(v.member1_name) if v.member1_name else "") + (
        " · " + _escape(v.member2_name) if v.member2_name else ""
    )


def _proposal(v, memo: dict) -> str:
    """During a correction: the approved value stays; the partner's proposal is shown beside it."""
    if v.cleared:
        cleared = _escape(gettext("cleared by the partner"))
        return f' → <strong data-proposed="clear">{cleared}</strong>'
    if v.proposed is None:
        return ""
    return f' → <strong data-proposed="{_escape(str(v.proposed))}">{_decimal(v.proposed, memo)}</strong>'


@register.simple_tag
def value_table_rows(values, unlocked_label) -> str:
    """<tr>s of the submission page's values (selectors.ValueRow)."""
    badge = ' <span class="badge text-bg-warning" data-unlocked="{}">' + _escape(unlocked_label) + "</span>"
    memo = {}
    return mark_safe(  # noqa: S308 - every value in it is escaped
        "".join(
            f'<tr><td class="number">{_escape(v.measure_code)}</td>'
            f"<td>{_escape(v.member1_name) if v.member1_name else ''}"
            f"{' · ' + _escape(v.member2_name) if v.member2_name else ''}</td>"
            f'<td class="number">{_decimal(v.value, memo)}{badge.format(v.pk) if v.unlocked else ""}'
            f"{_proposal(v, memo)}</td>"
            f'<td class="small">{_escape(v.comment)}</td></tr>\n    '
            for v in values
        )
    )


@register.simple_tag
def value_options(values) -> str:
    """<option>s of the values that can still be unlocked one by one."""
    memo = {}
    return mark_safe(  # noqa: S308 - every value in it is escaped
        "".join(
            f'<option value="{v.pk}">{_escape(v.measure_code)}{_where(v)}: {_decimal(v.value, memo)}</option>'
            for v in values
            if not v.unlocked
        )
    )


@register.simple_tag
def audit_items(rows) -> str:
    """<li>s of a submission's history (selectors.AuditRow), dates as SHORT_DATETIME_FORMAT in the
    current time zone: formatted once per moment (a save writes all its rows at one; formatting
    was most of this tag's time)."""
    html, moments, memo = [], {}, {}
    for a in rows:
        if (moment := moments.get(a.at)) is None:
            moment = moments[a.at] = _escape(date_format(localtime(a.at), "SHORT_DATETIME_FORMAT"))
        what = ""
        if a.measure_code:
            what = (
                f' <span class="number">{_escape(a.measure_code)}</span>{_where(a)}'
                f' <span class="number">{_decimal(a.old_value, memo)} → {_decimal(a.new_value, memo)}</span>'
            )
        html.append(
            f'<li class="mb-1" data-action="{_escape(a.action)}"><span class="text-body-secondary">'
            f"{moment}</span> "
            f"{_escape(a.by_name or '—')}: <strong>{_escape(a.action_label)}</strong>{what}"
            f"{' — ' + _escape(a.reason) if a.reason else ''}</li>"
        )
    return mark_safe("".join(html))  # noqa: S308 - every value in it is escaped above


@register.simple_tag(takes_context=True)
def measure_card(context, card, link: bool) -> str:
    """One card of the dashboards (a measure's latest figure, its changes, its chart's place and
    the numbers behind it), written in one pass: a dashboard has fifty, and as an included
    template they were most of its time. The same HTML as the template it replaces
    (tests/measurement/test_table_rows.py holds the two to each other)."""
    measure = card.measure
    name, code = _escape(measure.name), _escape(measure.code)
    if link:
        url = reverse("measurement:measure_dashboard", args=[context["initiative"].slug, measure.code])
        title = f'<a href="{_escape(url)}">{name}</a>'
    else:
        title = name
    completeness = ""
    if card.completeness:
        approved, expected = card.completeness
        completeness = " · " + gettext("%(a)s of %(e)s partners approved") % {
            "a": _escape(localize(approved)),
            "e": _escape(localize(expected)),
        }
    # Translated outside the f-strings below, where makemessages would not find them.
    since_previous, since_baseline = gettext("since previous"), gettext("since baseline")
    on_track, off_track, no_data = gettext("on track"), gettext("off track"), gettext("No approved data yet.")
    provisional = gettext("Provisional")
    pending = ""
    if card.provisional_period:
        # The figures above rest on the latest complete period; say what newer one is not counted.
        approved, expected = card.provisional_counts or (0, 0)
        pending = (
            f'<div class="small w-100" data-provisional="{_escape(card.provisional_period)}">'
            '<span aria-hidden="true">◌</span> '
            + gettext("%(period)s provisional: %(a)s of %(e)s organisations approved")
            % {
                "period": f'<span class="number">{_escape(card.provisional_period)}</span>',
                "a": _escape(localize(approved)),
                "e": _escape(localize(expected)),
            }
            + "</div>"
        )
    if card.latest is not None:

        def change(value, label: str) -> str:
            if value is None:
                return ""
            sign = "+" if value > 0 else ""
            return f'<div class="small">{_escape(label)}: <span class="number">{sign}{_number(value, 1)}</span></div>'

        track = ""
        if card.on_track is True:
            track = f'<span class="badge text-bg-success">{_escape(on_track)}</span>'
        elif card.on_track is False:
            track = f'<span class="badge text-bg-danger">{_escape(off_track)}</span>'
        figures = (
            "\n"
            f'      <div><span class="fs-4 number">{_number(card.latest, 1)}</span> <span class="small '
            f'text-body-secondary">{_escape(card.curve.unit)}, <span class="number">'
            f"{_escape(card.latest_period)}</span></span></div>\n"
            f"      {change(card.change_previous, since_previous)}\n"
            f"      {change(card.change_baseline, since_baseline)}\n"
            f"      {track}\n      {pending}"
        )
    elif pending:
        not_yet = gettext("No complete period yet.")
        figures = f'<div class="text-body-secondary small">{_escape(not_yet)}</div>{pending}'
    else:
        figures = f'<div class="text-body-secondary small">{_escape(no_data)}</div>'
    trend = gettext("Trend of %(name)s against its targets") % {"name": name}
    behind, period, value, target = (
        gettext("The numbers behind the chart"),
        gettext("Period"),
        gettext("Value"),
        gettext("Target"),
    )
    return mark_safe(  # noqa: S308 - every value in it is escaped
        f'\n<div class="card h-100 measure-card" data-measure="{code}">\n'
        '  <div class="card-body">\n'
        f'    <h3 class="h6 mb-1">{title}</h3>\n'
        f'    <div class="small text-body-secondary mb-2">{_escape(card.level)}{completeness}</div>\n'
        '    <div class="d-flex flex-wrap gap-3 align-items-baseline mb-1">\n'
        f"      {figures}\n"
        "    </div>\n"
        f'    <div class="chart" data-figure="fig-{code}" role="figure" aria-label="{trend}"></div>\n'
        f'    <details class="small"><summary>{_escape(behind)}</summary>\n'
        '      <table class="table table-sm mb-0"><thead><tr>'
        f'<th scope="col">{_escape(period)}</th><th scope="col">{_escape(value)}</th>'
        f'<th scope="col">{_escape(target)}</th></tr></thead>\n'
        f"      <tbody>{curve_table_rows(card.rows, card.curve.provisional, provisional)}</tbody></table>\n"
        "    </details>\n"
        "  </div>\n"
        "</div>\n"
    )
