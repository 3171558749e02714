"""On PostgreSQL, keep the throttle counters in an UNLOGGED table.

Every counted request moves a counter; in a logged table each of those commits waits for a WAL
flush (about 4 ms on a busy disk, against 40 µs unlogged, benchmarks/throttle.py). Counters
are worth that only while the server runs: after a crash PostgreSQL empties an unlogged
table, and the counts and the TOTP step claims of the current window start again, which the
limits tolerate. Nothing else is kept there. SQLite has no such table kind: nothing to do.
"""

from django.db import migrations


def _set(logged: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(apps.get_model("core", "RateCounter")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} SET {'LOGGED' if logged else 'UNLOGGED'}")

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_ratecounter"),
    ]

    operations = [
        migrations.RunPython(_set(logged=False), _set(logged=True), elidable=False),
    ]
