"""Event pages, one module per area of work (command room, intake, detail)."""
