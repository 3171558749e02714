"""The one chokepoint for data scope.

Every model that holds scoped data uses a manager built from ``RestrictedQuerySet`` and
implements ``restrict_q(scope, action)``. Views, viewsets, exports and commands read through
``Model.objects.restrict(user, action)``; a record outside the user's scope is simply absent,
so it answers 404 exactly like a missing one.
"""

from django.db import models
from django.db.models import Q

from .access.scope import get_scope

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)

NOTHING = Q(pk__in=[])


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may see or change."""

    def restrict(self, user, action: str = VIEW):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
        scope = get_scope(user)
        if scope is None:
            return self.none()
        q = self.model.restrict_q(scope, action)
        if q is None:
            return self.all()
        return self.filter(q)
