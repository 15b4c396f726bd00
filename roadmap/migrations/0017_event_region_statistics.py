"""PostgreSQL: tell the planner that an event's activity and organiser decide its region.

A region's lists filter on both ``region_id`` and ``activity_id`` (or
``organizer_id``). Without extended statistics PostgreSQL multiplies the two
selectivities as if they were independent: at national scale (100 regions)
it expected 10 events of the busiest activity in Tula where there are 3,950,
sorted them all after joining every row, and walked all of them again for
the activity's documents. With the functional dependencies known it reads
the activity's events from the (activity, last day) index in order and stops
at the page. SQLite has no such statistics; nothing to do there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

STATISTICS = "roadmap_event_region_deps"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE STATISTICS IF NOT EXISTS {STATISTICS} (dependencies, ndistinct) "
        "ON activity_id, organizer_id, region_id FROM roadmap_event"
    )
    schema_editor.execute("ANALYZE roadmap_event")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [("roadmap", "0016_rollup_region")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
