"""The dashboard's cards rendered by the worker, ahead of their readers.

A card's HTML is cached on what it shows (`MeasureCard.fingerprint`, with the language: see
templates/measurement/_measure_card.html). An approval changes the completeness of every measure
its organisation reports, so after each aggregate update the dashboard's cards are new, and the
first steering member to open it used to render all of them (the two-node month-end run's
dashboard p95, docs/reliability.md). The worker that made the update renders them instead, in
every language, into the same cache; a reader who comes first renders them as before.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from initiatives.models import Initiative

from . import readers

CARD_TEMPLATE = "measurement/_measure_card.html"


def dashboard_cards_render(initiative_id: int) -> int:
    """Render the cards of the initiative's dashboard (no filter: the page everyone opens) in every
    language, as the dashboard renders them. Returns how many were rendered."""
    initiative = Initiative.objects.filter(pk=initiative_id).first()
    if initiative is None:
        return 0
    rendered = 0
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            groups, _run = readers.measure_cards(initiative)
            cards = {card.measure.pk: card for group in groups for card in group.cards}
            for card in cards.values():
                render_to_string(CARD_TEMPLATE, {"card": card, "link": True, "initiative": initiative})
                rendered += 1
    return rendered
