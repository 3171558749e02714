"""Base page views that read through the scope chokepoint."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView

from .querysets import VIEW


class ScopedQuerysetMixin(LoginRequiredMixin):
    """Pages list and show only what ``restrict(user, "view")`` keeps; the rest is 404."""

    model = None
    scope_action = VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 50


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass
