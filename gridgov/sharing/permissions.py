"""What the data resource centre checks. Defaults mirror the role sets the code had before
issue 8; which role holds what is data from then on.

Every permission here except the audit one is held for a department's work: the roles that
grant it must be department-bound (``scope.department_can``), since requests, grants and
catalog entries belong to departments.
"""

from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import DEPARTMENT_ROLES, Role
from gridgov.core.access import PermissionSpec

# Who publishes and answers for a department's resources.
PUBLISHERS = {Role.DATA_OFFICER, Role.DEPT_ADMIN}
STAFF = set(DEPARTMENT_ROLES)

VIEW_CATALOG = "sharing.view_catalog"
REQUEST = "sharing.request"
PUBLISH = "sharing.publish"
ANSWER = "sharing.answer"
COORDINATE = "sharing.coordinate"
VIEW_EXCHANGES = "sharing.view_exchanges"
AUDIT_EXCHANGES = "sharing.audit_exchanges"
EXCHANGE = "sharing.exchange"
USE_DATA = "sharing.use_data"

PERMISSIONS = [
    # The catalog (metadata, never rows) is readable by everyone signed in; the menu offers
    # it to those who work with it.
    PermissionSpec(VIEW_CATALOG, _("使用数据资源目录"), STAFF | {Role.LEADER}),
    # Apply for a resource, dispute, withdraw; see the department's requests and grants.
    PermissionSpec(REQUEST, _("申请共享数据资源"), STAFF),
    PermissionSpec(PUBLISH, _("发布与维护本部门的数据资源"), PUBLISHERS),
    PermissionSpec(ANSWER, _("答复共享申请、撤销授权"), PUBLISHERS),
    PermissionSpec(COORDINATE, _("协调共享异议(协调部门)"), PUBLISHERS),
    PermissionSpec(VIEW_EXCHANGES, _("查看交换记录"), STAFF | {Role.AUDIT_ADMIN}),
    # The audit administrator reads the evidence of every exchange.
    PermissionSpec(AUDIT_EXCHANGES, _("查看全部交换记录"), {Role.AUDIT_ADMIN}),
    # A department's system pulls the rows it was granted (API key).
    PermissionSpec(EXCHANGE, _("通过交换接口拉取授权数据"), {"api_client"}),
    # A person of the consuming department previews and downloads on the web what its grant
    # lets the department's system pull (and the provider its own resource, masked): the
    # people who answer for the department's data, not every handler.
    PermissionSpec(USE_DATA, _("在网页上预览和下载本部门获授权的数据"), PUBLISHERS),
]

# The request and grant pages: anyone taking part in sharing for a department.
SHARING_WORK = (REQUEST, ANSWER, COORDINATE)
# The exchange evidence page: the departments concerned, and the audit administrator.
EXCHANGE_PAGES = (VIEW_EXCHANGES, AUDIT_EXCHANGES)
