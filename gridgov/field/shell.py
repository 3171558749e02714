"""The field app's place in the page shell (menu entries, worklist and field today
providers)."""


def register():
    from .views import events

    events.register_today()  # 待核查 (10), 待处置 (20)
