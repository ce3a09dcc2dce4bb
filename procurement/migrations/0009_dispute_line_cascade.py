"""A replace import deletes the declaration's lines in SQL (procurement/imports/pipeline.py): their
disputes go with them (the archived line keeps the SME's answer). Django's foreign key cascades in
Python only, so the database's constraint cascades too. (A migration of its own: the constraint
created with the table exists only once that migration's deferred SQL has run.)"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("procurement", "0008_dispute")]

    operations = [
        # A replace import deletes the declaration's lines in SQL (procurement/imports/pipeline.py):
        # their disputes go with them (the archived line keeps the SME's answer).
        migrations.RunSQL(
            sql="""
            DO $$
            DECLARE name text;
            BEGIN
                SELECT conname INTO name FROM pg_constraint
                WHERE conrelid = 'procurement_dispute'::regclass AND contype = 'f'
                  AND confrelid = 'procurement_orderline'::regclass;
                EXECUTE format('ALTER TABLE procurement_dispute DROP CONSTRAINT %I', name);
                ALTER TABLE procurement_dispute ADD CONSTRAINT procurement_dispute_line_cascade
                    FOREIGN KEY (line_id) REFERENCES procurement_orderline (id)
                    ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
            END $$;
        """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
