"""Menu entries and waiting work for moderation and the intake pages (E2)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import DANGER, WorkItem
from gridgov.web.worklist import register as register_work

SAMPLE_SIZE = 5


def register() -> None:
    register_menu(MenuItem("events_report", _("上报事件"), ("events:report",),
                           permission="events.report_patrol", order=35))
    register_menu(MenuItem("events_hotline", _("热线导入"), ("events:hotline_upload",),
                           permission="events.record_hotline", order=44))
    register_menu(MenuItem("moderation", _("待审核上报"), ("moderation:cases",),
                           permission="moderation.view_held", order=45))
    register_menu(MenuItem("lexicon", _("过滤词库"), ("moderation:lexicon",),
                           permission="moderation.manage_lexicon", order=85))
    register_work("moderation.held", permission="moderation.review", order=5)(held_reports)


def held_reports(user, scope):
    """Reviewers: reports held by the harmful-content filter, waiting for a decision."""
    from .models import ModerationCase

    cases = ModerationCase.objects.restrict(user).pending()
    count = cases.count()
    sample = list(cases.order_by("created_at").values_list("event__number", "terms")[
        :SAMPLE_SIZE]) if count else []
    yield WorkItem(
        key="moderation.held", title=_("待审核的群众上报"), count=count,
        url=reverse("moderation:cases"), severity=DANGER,
        note=_("含过滤词的上报已暂扣,请审核后放行或驳回;不会自动删除。"),
        samples=[f"{number}:{'、'.join(terms)}" for number, terms in sample],
    )
