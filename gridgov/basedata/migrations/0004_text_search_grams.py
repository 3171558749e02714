"""PostgreSQL only: the gram functions and one GIN gram index per basic-data table, so a
name/address search of any length (Chinese: one or two characters too) reads an index
(``gridgov.core.textsearch``). Other databases: nothing (their search is a plain scan).

The SQL is written out here, not imported, so this migration keeps doing what it did when
the module changes. Building the index takes a write lock on the table for its duration
(about 3 minutes for 1,000,000 people on two cores).
"""

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION gridgov_grams(a text, b text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(substr(s, i, n)), '{}'::text[])
  FROM unnest(ARRAY[upper(coalesce(a, '')), upper(coalesce(b, ''))]) AS s,
       generate_series(1, 2) AS n,
       generate_series(1, length(s) - n + 1) AS i
$$;
CREATE OR REPLACE FUNCTION gridgov_query_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT CASE WHEN length(q) = 1 THEN ARRAY[upper(q)]
    ELSE coalesce((SELECT array_agg(DISTINCT substr(upper(q), i, 2))
                   FROM generate_series(1, length(q) - 1) AS i), '{}'::text[]) END
$$;
"""
DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS gridgov_query_grams(text);
DROP FUNCTION IF EXISTS gridgov_grams(text, text);
"""
# table, first column, second column: the pair each list's search box looks in.
INDEXED = [
    ("basedata_person", "name", "address"),
    ("basedata_building", "name", "address"),
    ("basedata_house", "address", "owner_name"),
    ("basedata_organisation", "name", "address"),
    ("basedata_component", "name", "address"),
]


def forward(apps, schema_editor):
    """Create the functions and the indexes (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS, params=None)
    for table, a, b in INDEXED:
        # fastupdate off: a pending list would add an unsorted scan to every search.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_grams ON {table} USING gin "
            f"(gridgov_grams({a}, {b})) WITH (fastupdate = off)", params=None)


def backward(apps, schema_editor):
    """Drop the indexes, then the functions (PostgreSQL)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _a, _b in INDEXED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_grams", params=None)
    schema_editor.execute(DROP_FUNCTIONS, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("basedata", "0003_lifecycle"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
