"""Event pages, one module per role or area of work: the command room (``command``, ``live_map``),
the department (``department``), the grid (``grid``), intake, detail, catalog and the residents'
tracking links; ``lists`` holds what the list pages share."""
