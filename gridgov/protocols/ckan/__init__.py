"""A CKAN-compatible read API over the catalog (docs.ckan.org/en/latest/api).

Mounted at ``/api/3/action/<name>`` and ``/api/action/<name>``, GET (query string) and POST
(JSON body or form). Packages are our resources, organisations our provider departments,
groups the five base libraries; each package has one CKAN resource, its datastore table.
Answers use CKAN's envelope ``{"help", "success", "result"}`` or ``{"help", "success": false,
"error": {"__type", "message"}}`` with CKAN's status codes (404 Not Found Error, 409
Validation Error, 403 Authorization Error, 400 unknown action or bad body).

Who sees what: anonymous callers see the resources open to the public (开放属性 = 向社会开放);
a department's API key (raw in ``Authorization`` as ``ckanapi`` sends it, ``Api-Key <key>``,
or ``X-CKAN-API-Key``) or a signed-in user sees the whole published catalog, the private
entries (``params.is_private``: neither shared unconditionally nor open to the public) only
with ``include_private``. ``datastore_search`` returns rows to a consumer department through
its active grant, to the provider department, and to anyone for open data (see
``datastore``).

Modules: ``views`` (the one view, the envelope, ``help_show`` and the ``/api/3`` root),
``catalog`` (package, organization, group, tag and resource actions), ``datastore``
(``datastore_search``), ``shapes`` (CKAN's dicts), ``params`` (parameters, ``fq`` with date
ranges, ``sort``, ``q``, timestamps), ``errors``; ``root_urls`` mounts ``/api/3``.
"""
