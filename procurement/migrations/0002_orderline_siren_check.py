from django.db import migrations


class Migration(migrations.Migration):
    """A SIREN is 9 digits. Written in SQL: Django cannot express a check on a to_field relation's column."""

    dependencies = [("procurement", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE procurement_orderline ADD CONSTRAINT orderline_siren_9_digits CHECK (sme_siren ~ '^[0-9]{9}$');",
            "ALTER TABLE procurement_orderline DROP CONSTRAINT orderline_siren_9_digits;",
        )
    ]
