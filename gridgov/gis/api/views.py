"""The layers API (/api/v1/gis/layers/): the layers the caller may see, by code, with
``updated_since`` for delta sync. Features are served by the OGC API (``collection_url``);
layers are written on the pages (uploads are files checked feature by feature)."""

from gridgov.core.api import ScopedReadOnlyViewSet

from ..models import Layer
from ..permissions import PUBLISH, VIEW
from .serializers import LayerSerializer


class LayerViewSet(ScopedReadOnlyViewSet):
    """图层: the published layers shared with the caller, and its department's own."""

    queryset = Layer.objects.select_related("owner").order_by("id")
    serializer_class = LayerSerializer
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9-]{1,40}"
    required_permission = (VIEW, PUBLISH)
