"""The scheduled job that picks background jobs up again after a restart
(``background_resume``, every ``GRIDGOV_BACKGROUND_RESUME_SECONDS``; ``runner.resume``)."""

from django.utils.translation import gettext_lazy as _

from gridgov.core.periodic import Periodic


def _resume():
    from .runner import resume

    return resume()


job = Periodic("background_resume", "GRIDGOV_BACKGROUND_RESUME_SECONDS", _resume,
               label=_("恢复中断的后台作业"), failure="resuming background jobs failed")
