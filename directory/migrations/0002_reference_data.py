from django.db import migrations


def load(apps, schema_editor):
    from directory import reference

    Region = apps.get_model("directory", "Region")
    Departement = apps.get_model("directory", "Departement")
    NafCode = apps.get_model("directory", "NafCode")
    Domain = apps.get_model("directory", "Domain")
    Label = apps.get_model("directory", "Label")

    Region.objects.bulk_create(
        [Region(code=r["code"], name=r["nom"], overseas=r["zone"] == "drom") for r in reference.regions()],
        ignore_conflicts=True,
    )
    Departement.objects.bulk_create(
        [Departement(code=d["code"], name=d["nom"], region_id=d["region"]) for d in reference.departements()],
        ignore_conflicts=True,
    )
    NafCode.objects.bulk_create(
        [NafCode(code=n["id"], label=n["label"][:300], nomenclature="naf_rev2") for n in reference.naf_codes()],
        ignore_conflicts=True,
    )
    Domain.objects.bulk_create(
        [
            Domain(slug=slug, name=name, name_en=name_en, position=i)
            for i, (slug, name, name_en) in enumerate(reference.DOMAINS, start=1)
        ],
        ignore_conflicts=True,
    )
    Label.objects.bulk_create(
        [
            Label(slug=slug, name=name, name_en=name_en, position=i)
            for i, (slug, name, name_en) in enumerate(reference.LABELS, start=1)
        ],
        ignore_conflicts=True,
    )


def unload(apps, schema_editor):
    for model in ("Departement", "Region", "NafCode", "Domain", "Label"):
        apps.get_model("directory", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
