"""A flush (the end of every test with a real transaction) empties every table; the catalogue that
the data migrations made is put back as they leave it, so that the tests an xdist worker runs next
find it (tests/conftest.py, restore_migrated_rows)."""

import pytest
from django.core.management import call_command

from backbone.models import BackboneFunction, Indicator, SurveyItem
from initiatives.models import Initiative


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_the_catalogue_as_the_migrations_made_it(world):
    before = (
        list(BackboneFunction.objects.order_by("code").values_list("code", "order", "name_en", "name_he")),
        list(Indicator.objects.filter(initiative=None).order_by("number").values_list("number", "name_he")),
        list(
            SurveyItem.objects.filter(initiative=None)
            .order_by("code")
            .values_list("code", "text_he", "order")
        ),
    )
    assert len(before[0]) == 6 and len(before[1]) == 27 and before[2]
    call_command("flush", interactive=False, verbosity=0)
    assert not Initiative.objects.exists()  # the flush did empty the tables
    after = (
        list(BackboneFunction.objects.order_by("code").values_list("code", "order", "name_en", "name_he")),
        list(Indicator.objects.filter(initiative=None).order_by("number").values_list("number", "name_he")),
        list(
            SurveyItem.objects.filter(initiative=None)
            .order_by("code")
            .values_list("code", "text_he", "order")
        ),
    )
    assert after == before  # 0004's Hebrew wording included
