"""Every demo role against the data resource centre's pages and evidence: who may open what,
and who sees a request between 区民政局 and 区综合行政执法局 (others get 404 like a missing one)."""

import pytest

from gridgov.sharing import actions

pytestmark = pytest.mark.django_db

ROLES = ["grid_worker", "grid_chief", "intake_clerk", "leader", "district_leader",
         "dept_handler", "dept_admin", "data_officer", "sys_admin", "sec_admin", "audit_admin"]
STAFF = {"dept_handler", "dept_admin", "data_officer"}
# (catalog, requests list, exchange evidence): 200 or 403
EXPECTED = {
    role: (200, 200 if role in STAFF else 403,
           200 if role in STAFF | {"audit_admin"} else 403)
    for role in ROLES
}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(request, role, client_as, resource, dept_admin):
    req = actions.request_share(resource, purpose="核对", fields=["name"], actor=dept_admin)
    client = client_as(request.getfixturevalue(role))
    statuses = (client.get("/sharing/").status_code,
                client.get("/sharing/requests/").status_code,
                client.get("/sharing/exchanges/").status_code)
    assert statuses == EXPECTED[role]
    detail = client.get(f"/sharing/requests/{req.pk}/").status_code
    missing = client.get("/sharing/requests/999999999/").status_code
    if role in STAFF:
        # 区民政局 (provider) and 区综合行政执法局 (consumer) staff both take part.
        assert detail == 200 and missing == 404
    else:
        assert detail == missing
    page = client.get(f"/sharing/resources/{resource.code}/")
    assert page.status_code == 200
