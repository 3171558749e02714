"""Protocol adapters: other systems' standard APIs over our data.

- ``ckan``: the CKAN Action API over the data resource centre (``/api/3/action/``);
- ``open311``: Open311 GeoReport v2 over the event intake and catalogue (``/open311/v2/``);
- ``common``: what they share: the caller (API key, session, anonymous), what the caller may
  read (sharing resources and grants, the event catalogue) and the plumbing that turns
  Django's errors into each protocol's own error answer.

Adapters import events, sharing and accounts; none of those imports an adapter.
"""
