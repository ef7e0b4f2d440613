"""A flush (the end of every test with a real transaction) empties every table; the catalogue that
the data migrations made is put back as they leave it, so that the tests an xdist worker runs next
find it (tests/conftest.py, restore_migrated_rows)."""

import pytest
from django.core.management import call_command

from backbone.models import BackboneFunction, Indicator, SurveyItem
from initiatives.models import Initiative


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_catalogue_as_the_migrations_made_it(world):
    before = _catalogue()
    assert len(before[0]) == 6 and len(before[1]) == 27 and before[2]
    # Twice: on PostgreSQL the first restore of a process writes the rows with the migrations' code,
    # a later one copies back what the first wrote (tests/conftest.py).
    for _ in range(2):
        call_command("flush", interactive=False, verbosity=0)
        assert not Initiative.objects.exists()  # the flush did empty the tables
        assert _catalogue() == before  # 0004's Hebrew wording included
    # The rows copied back leave the ids after them to the next rows.
    highest = BackboneFunction.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert BackboneFunction.objects.create(code="G", order=7, name_en="Another").pk > highest


def _catalogue() -> tuple:
    return (
        list(BackboneFunction.objects.order_by("code").values_list("code", "order", "name_en", "name_he")),
        list(Indicator.objects.filter(initiative=None).order_by("number").values_list("number", "name_he")),
        list(
            SurveyItem.objects.filter(initiative=None)
            .order_by("code")
            .values_list("code", "text_he", "order", "active", "group", "indicator__number")
        ),
    )
