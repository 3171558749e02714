"""The catalogue of collections the OGC API serves: the platform's own (areas, basic data,
cameras, events: ``collections`` and ``platform``) and the published department layers, as
the caller may read them. Kept apart from ``collections`` so that module, ``platform`` and the
views' support import nothing of each other in a circle."""

from django.utils.translation import gettext as _

from .collections import AREA_SOURCES, LAYER_PREFIX, LayerSource, Source, visible_layers
from .platform import PLATFORM_SOURCES
from .views_support import not_found


def platform_sources() -> list[Source]:
    return [*AREA_SOURCES, *PLATFORM_SOURCES]


def listed(principal) -> list[Source]:
    """The collections ``/collections`` lists for the caller: the platform's it may read and
    the published layers it may see."""
    sources = [s for s in platform_sources() if s.available(principal)]
    layers = visible_layers(principal).published().select_related("owner")
    return sources + [LayerSource(layer) for layer in layers]


def find(collection_id: str, principal) -> Source:
    """The collection ``collection_id`` as the caller may read it; 404 otherwise. A layer's
    own publishers may also read it before it is published (to check an upload)."""
    if collection_id.startswith(LAYER_PREFIX):
        code = collection_id[len(LAYER_PREFIX):]
        layer = visible_layers(principal).select_related("owner").filter(code=code).first()
        if layer is None:
            raise not_found(_("没有这个集合:%(id)s。") % {"id": collection_id})
        return LayerSource(layer)
    for source in platform_sources():
        if source.id == collection_id and source.available(principal):
            return source
    raise not_found(_("没有这个集合:%(id)s。") % {"id": collection_id})


def not_found_feature(collection_id: str, feature_id: str):
    return not_found(_("集合 %(c)s 中没有要素 %(f)s。") % {"c": collection_id, "f": feature_id})
