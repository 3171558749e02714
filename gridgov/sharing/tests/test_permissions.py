"""The data resource centre's permissions: defaults equal the role sets the code checked
before issue 8; the exchange API declares what a department key needs."""

from gridgov.core.access.registry import declared_permissions

STAFF = {"dept_handler", "dept_admin", "data_officer"}
PUBLISHERS = {"dept_admin", "data_officer"}

DEFAULTS = {
    "sharing.view_catalog": STAFF | {"leader"},
    "sharing.request": STAFF,
    "sharing.publish": PUBLISHERS,
    "sharing.answer": PUBLISHERS,
    "sharing.coordinate": PUBLISHERS,
    "sharing.view_exchanges": STAFF | {"audit_admin"},
    "sharing.audit_exchanges": {"audit_admin"},
    "sharing.exchange": {"api_client"},
    # Issue 11: previewing and downloading granted data on the web.
    "sharing.use_data": PUBLISHERS,
}


def test_defaults_mirror_the_former_role_sets():
    declared = {code: set(spec.roles) for code, spec in declared_permissions().items()
                if code.startswith("sharing.")}
    assert declared == DEFAULTS


def test_exchange_operation_documents_its_permission():
    from gridgov.core.tests.test_schema import _schema_document

    operation = _schema_document()["paths"]["/api/v1/exchange/resources/{code}/rows/"]["get"]
    assert operation["x-permissions"] == ["sharing.exchange"]


def test_menu_by_permission(leader, dept_handler, audit_admin, grid_worker):
    from gridgov.core.access import get_scope
    from gridgov.web.menus import build_menu

    def keys(user):
        return {i["key"] for i in build_menu(get_scope(user))} & {
            "sharing_catalog", "sharing_requests", "sharing_exchanges"}

    assert keys(leader) == {"sharing_catalog"}
    assert keys(dept_handler) == {"sharing_catalog", "sharing_requests", "sharing_exchanges"}
    assert keys(audit_admin) == {"sharing_exchanges"}
    assert keys(grid_worker) == set()
