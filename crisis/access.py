"""Who may act on a crisis: the committee of its brand and those whose role grants ``perm``."""

from brands.access import crisis_brand_ids
from crisis.models import Crisis

MANAGE = "crisis.manage_crisis"


def access_crisis_for(*, crisis_id: int, actor, perm: str = MANAGE, lock: bool = False) -> Crisis:
    """The crisis if ``actor`` may act on it; Crisis.DoesNotExist otherwise (a 404).

    ``lock`` takes the crisis row for the rest of the caller's transaction."""
    queryset = Crisis.objects.select_related("brand")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=crisis_id, brand_id__in=sorted(crisis_brand_ids(actor, perm)))
