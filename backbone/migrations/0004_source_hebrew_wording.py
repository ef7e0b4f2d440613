"""The catalogue's Hebrew in the source document's own words (issue 19, docs/glossary.md):
functions C and D as the source's lines 447–448 (and 264) name them, and "ארגון השדרה" (the
source's term for the backbone) in four survey items instead of "הארגון המתכלל"."""

from django.db import migrations

FUNCTIONS = {
    "C": ("פיתוח מדדים מערכתיים ומדידה משותפת", "פיתוח מדדים מערכתיים ומדידת מדידה משותפת"),
    "D": ("בניית אהדה ציבורית וקהילתית", "בניית אהדה קהילתית וציבורית"),
}
ITEMS = {
    "partner-4": (
        "הארגון המתכלל מעניק ליוזמה את התמיכה, ההכוונה האסטרטגית והמנהיגות שהיא צריכה.",
        "ארגון השדרה מעניק ליוזמה את התמיכה, ההכוונה האסטרטגית והמנהיגות שהיא צריכה.",
    ),
    "partner-7": (
        "אנו מעדכנים ומתאמים עם שותפים אחרים באופן קבוע, גם יחד עם הארגון המתכלל וגם בלעדיו.",
        "אנו מעדכנים ומתאמים עם שותפים אחרים באופן קבוע, גם יחד עם ארגון השדרה וגם בלעדיו.",
    ),
    "steering-4a": (
        "אני פונה לארגון המתכלל לקבלת תמיכה, הכוונה אסטרטגית ומנהיגות עבור היוזמה.",
        "אני פונה לארגון השדרה לקבלת תמיכה, הכוונה אסטרטגית ומנהיגות עבור היוזמה.",
    ),
    "steering-4b": (
        "הארגון המתכלל יוזם תמיכה בעבודת ועדת ההיגוי.",
        "ארגון השדרה יוזם תמיכה בעבודת ועדת ההיגוי.",
    ),
}


def _apply(apps, new: bool) -> None:
    pick = 1 if new else 0
    BackboneFunction = apps.get_model("backbone", "BackboneFunction")
    SurveyItem = apps.get_model("backbone", "SurveyItem")
    for code, wordings in FUNCTIONS.items():
        BackboneFunction.objects.filter(code=code).update(name_he=wordings[pick])
    for code, wordings in ITEMS.items():
        # Only the standard items still worded as shipped: an initiative's own edits stay.
        SurveyItem.objects.filter(initiative=None, code=code, text_he=wordings[1 - pick]).update(
            text_he=wordings[pick]
        )


def forwards(apps, schema_editor):
    _apply(apps, new=True)


def backwards(apps, schema_editor):
    _apply(apps, new=False)


class Migration(migrations.Migration):
    dependencies = [("backbone", "0003_deleting_an_initiative")]

    operations = [migrations.RunPython(forwards, backwards)]
