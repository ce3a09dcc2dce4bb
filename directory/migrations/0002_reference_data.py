from django.db import migrations


def load(apps, schema_editor):
    from directory import reference

    reference.load(apps)


def unload(apps, schema_editor):
    for model in ("Departement", "Region", "NafCode", "Domain", "Label"):
        apps.get_model("directory", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
