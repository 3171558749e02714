"""OGC API – Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS by reference) at
``/ogcapi/``: the platform's areas, basic data, cameras, events and the departments' published
layers (``gridgov.gis``), each as the caller may read it. See docs/ogcapi.md."""
