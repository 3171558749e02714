"""``{% proactive_nav "tasks" %}``: the links between the pages of proactive services that the
person may open (service tasks, the 免申即享 list, the rules that open them)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.core.access import get_scope

register = template.Library()

PAGES = (
    ("tasks", _("服务任务"), "proactive:tasks", ("proactive.view",)),
    ("benefits", _("免申即享"), "proactive:benefits", ("proactive.view_benefits",)),
    ("rules", _("服务规则"), "rules:list", ("rules.view", "rules.manage")),
)


@register.inclusion_tag("proactive/_nav.html", takes_context=True)
def proactive_nav(context, current=""):
    request = context.get("request")
    user = getattr(request, "user", None)
    scope = get_scope(user) if user is not None and user.is_authenticated else None
    links = [{"key": key, "label": label, "url": reverse(name)}
             for key, label, name, perms in PAGES if scope is not None and scope.can(*perms)]
    return {"links": links, "current": current}
