"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at ``/open311/v2/``: the
event catalogue as services, events as service requests (``views``), in JSON or XML
(``formats``)."""
