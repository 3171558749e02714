from django.apps import AppConfig


class VideoConfig(AppConfig):
    """视频资源整合共享平台: the camera registry, sharing grants, live views and video patrol."""

    name = "gridgov.video"
    label = "video"
    verbose_name = "视频资源共享"

    def ready(self):
        from . import shell

        shell.register()
