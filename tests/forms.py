"""What a browser would post from an HTML form, for tests that submit the forms a page shows."""

from __future__ import annotations

from html.parser import HTMLParser

Field = tuple[str, str, str]  # name, kind (the input's type, "textarea" or "select"), value shown


class FormFields(HTMLParser):
    """The fields of one form (`form_id`) or of all the markup fed: inputs (unchecked boxes left
    out), textareas with their text, selects with their selected option (else the first, as a
    browser sends); buttons left out."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = form_id is None
        self.fields: list[Field] = []
        self._textarea: list | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form_id is not None:
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        kind = a.get("type", "text")
        if tag == "input" and name and kind not in ("submit", "button", "image", "reset"):
            if kind not in ("checkbox", "radio") or "checked" in a:
                self.fields.append(
                    (name, kind, a.get("value", "on" if kind in ("checkbox", "radio") else ""))
                )
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._select[1].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form_id is not None:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append((name, "textarea", text.removeprefix("\n")))  # browsers drop that newline
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            chosen = [v for v, selected in options if selected] or [v for v, _ in options[:1]] or [""]
            self.fields.append((name, "select", chosen[0]))
            self._select = None


def form_fields(html: str, form_id: str | None = None) -> list[Field]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def form_data(html: str, form_id: str | None = None) -> dict[str, str]:
    """The fields as a dict (a name given twice: the last), as a test client posts them."""
    return {name: value for name, _kind, value in form_fields(html, form_id)}
