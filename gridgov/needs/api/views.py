"""The needs API (/api/v1/): the vocabulary of need categories and the rollup's counts.

Read-only: the counts are made by the refresh job (``gridgov.needs.rollup``); a row with
``group`` "" is the total over the resident groups of its grid, month and category.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view

from gridgov.core.api import ScopedReadOnlyViewSet

from ..filtersets import NeedCountFilterSet
from ..models import NeedCategory, NeedCount
from ..permissions import MANAGE, VIEW, VIEW_OVERVIEW
from .serializers import NeedCategorySerializer, NeedCountSerializer


@extend_schema_view(list=extend_schema(summary="需求分类词表"),
                    retrieve=extend_schema(summary="一个需求分类"))
class NeedCategoryViewSet(ScopedReadOnlyViewSet):
    """需求分类: the vocabulary the texts are matched against."""

    queryset = NeedCategory.objects.prefetch_related("care_groups")
    serializer_class = NeedCategorySerializer
    lookup_field = "code"
    required_permission = (VIEW, VIEW_OVERVIEW, MANAGE)
    reads_narrowed_by_scope = True


@extend_schema_view(list=extend_schema(summary="需求统计(网格 × 月份 × 人群 × 分类)"),
                    retrieve=extend_schema(summary="一行需求统计"))
class NeedCountViewSet(ScopedReadOnlyViewSet):
    """需求统计: mentions per grid, month, resident group and category, inside the caller's
    areas."""

    queryset = NeedCount.objects.select_related("category").order_by("-month", "area_code",
                                                                     "group", "category_id")
    serializer_class = NeedCountSerializer
    filterset_class = NeedCountFilterSet
    required_permission = VIEW
    reads_narrowed_by_scope = True
