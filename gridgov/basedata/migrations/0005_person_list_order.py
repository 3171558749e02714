"""PostgreSQL only: the people list's order as an index, reachable from the scope filter.

The list is ordered by (area_code, name, id) and scoped by ``area_code LIKE '<prefix>%'``.
Under the database's default collation a LIKE prefix cannot bound a btree range, so a
street's page sorted all of the street's people (340 ms at 1,000,000 people). Area codes
are digits, which every collation orders alike, so the column takes the "C" collation (the
order users see does not change) and one index on (area_code, name, id) serves both the
prefix (as a range) and the order: the page stops after 50 rows (2 ms). Other databases:
nothing. Django's model state is unchanged (SQLite has no "C" collation).
"""

from django.db import migrations

FORWARD = [
    'ALTER TABLE basedata_person ALTER COLUMN area_code TYPE varchar(15) COLLATE "C"',
    "CREATE INDEX IF NOT EXISTS basedata_person_list_order "
    "ON basedata_person (area_code, name, id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS basedata_person_list_order",
    'ALTER TABLE basedata_person ALTER COLUMN area_code TYPE varchar(15) COLLATE "default"',
]


def _run(schema_editor, statements):
    """Run ``statements`` on PostgreSQL; elsewhere nothing."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in statements:
        schema_editor.execute(sql, params=None)


def forward(apps, schema_editor):
    """Collation "C" on area_code, and the list-order index."""
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    """The index dropped, the default collation back."""
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):

    dependencies = [
        ("basedata", "0004_text_search_grams"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
