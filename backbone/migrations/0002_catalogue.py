"""Load the catalogue: 6 functions, the standard 27 indicators and the standard item bank."""

from django.db import migrations

from ._catalogue_v1 import load as load_catalogue


def load(apps, schema_editor):
    load_catalogue(
        apps.get_model("backbone", "BackboneFunction"),
        apps.get_model("backbone", "Indicator"),
        apps.get_model("backbone", "SurveyItem"),
    )


def unload(apps, schema_editor):
    apps.get_model("backbone", "SurveyItem").objects.filter(initiative=None).delete()
    apps.get_model("backbone", "Indicator").objects.filter(initiative=None).delete()
    apps.get_model("backbone", "BackboneFunction").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("backbone", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
