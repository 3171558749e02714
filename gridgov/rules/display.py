"""How firings are shown: a person's name only to who may see people there."""

from gridgov.core.access import get_scope

from . import registry
from .actions import mask_label


def visible_label(user, firing) -> str:
    """The firing's subject label, masked (张**) unless ``user`` may see the subject in its
    area (the subject's ``privacy_permission``, e.g. ``basedata.view_people``)."""
    spec = registry.subjects().get(firing.subject_type)
    if spec is None or not spec.privacy_permission:
        return firing.subject_label
    scope = get_scope(user)
    if scope is not None and scope.covers(firing.area_code, spec.privacy_permission):
        return firing.subject_label
    return mask_label(firing.subject_label)
