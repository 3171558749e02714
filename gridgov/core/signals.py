"""Cache invalidation for core's data-backed tables (connected in ``CoreConfig.ready``).

Kept apart from ``models.py`` so that the models import neither the calendar nor the access
caches (and no import circle runs through them).
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import workdays
from .access import grants
from .models import CalendarDay, Permission, RoleDefinition


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(sender, **kwargs):
    workdays.invalidate()


@receiver([post_save, post_delete], sender=RoleDefinition)
@receiver([post_save, post_delete], sender=Permission)
@receiver(m2m_changed, sender=RoleDefinition.permissions.through)
def _access_changed(sender, **kwargs):
    grants.invalidate()
