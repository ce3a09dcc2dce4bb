"""The label the programme grants to SMEs that signed the providers' quality charter (a badge in
the directory and a facet, like the innovation labels; SMEs cannot tick it themselves)."""

from django.db import migrations

SLUG = "charte-prestataires"


def forwards(apps, schema_editor):
    Label = apps.get_model("directory", "Label")
    Label.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Charte qualité des prestataires",
            "name_en": "Providers' quality charter",
            "position": 100,
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("directory", "Label").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("charter", "0002_paper_signatures"), ("directory", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, backwards)]
