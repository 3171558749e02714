"""The video platform's place in the page shell: the 视频资源 menu entry (for who may use,
manage or count the cameras, or read the live-view log), and the cameras near an event on
the event's page."""

from django.utils.translation import gettext_lazy

from gridgov.web import menus

from .permissions import MANAGE, USE, VIEW_LOG, VIEW_STATS


def register():
    from gridgov.events.views import casefile

    from .nearby import casefile_source

    menus.register(menus.MenuItem("video", gettext_lazy("视频资源"),
                                  ("video:cameras",),
                                  permission=(USE, MANAGE, VIEW_STATS, VIEW_LOG), order=54))
    # Events never import video: the registry adds itself to the event page's sources.
    if not any(key == "cameras" for key, *_rest in casefile.NEARBY_SOURCES):
        casefile.NEARBY_SOURCES.append(("cameras", gettext_lazy("附近的摄像头"), casefile_source,
                                        gettext_lazy("200 米内没有您可调阅的摄像头。")))
