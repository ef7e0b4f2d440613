"""Markdown is rendered; HTML and script typed by people are neutralised."""

import pytest

from communication.rendering import plain_text, render_markdown


def test_markdown_is_rendered():
    html = render_markdown("## Decisions\n\n* **one**\n* two\n\n[link](https://example.org)")
    assert "<h2>Decisions</h2>" in html
    assert "<strong>one</strong>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert('x')</script>", ["<script", "alert("]),
        ('<img src=x onerror="alert(1)">', ["onerror", "<img"]),
        ("[click](javascript:alert(1))", ["javascript:"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ("<iframe src='https://evil.example'></iframe>", ["<iframe"]),
        ("<style>body{display:none}</style>", ["<style", "display:none"]),
        ('<p style="color:red" onclick="x()">hi</p>', ["onclick", "style="]),
        ("<svg><script>alert(1)</script></svg>", ["<svg", "<script"]),
    ],
)
def test_html_and_script_are_neutralised(text, forbidden):
    html = render_markdown(text).lower()
    for bad in forbidden:
        assert bad.lower() not in html


def test_plain_text_strips_markup_and_shortens():
    assert plain_text("**Bold** <b>and</b> <script>x</script> text") == "Bold and  text"
    assert plain_text("word " * 100, limit=20).endswith("…")
