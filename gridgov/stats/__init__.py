"""统计分析: read-only figures over the events, scoped to the viewer's area.

- ``periods``: day, week (from Monday), month, quarter, year, custom; previous period and
  the same period last year;
- ``aggregates``: the measures (上报, 应结案, 结案, 按期结案, 超期, 办结时长) computed in the
  database, three periods in one GROUP BY, rows only via ``Event.objects.restrict()``;
- ``dimensions``: area levels by code prefix, classes, source, nature, department, state;
- ``cube``: the dashboard's summary, ranking and charts from one scan;
- ``drill``: the case list (``events:search``) behind every figure;
- ``views`` / ``api``: dashboard (ECharts), tables, hotspots (Leaflet), overdue list, JSON;
  every table exports to Excel with the numbers on the screen.
"""
