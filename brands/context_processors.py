from django.utils.functional import SimpleLazyObject

from brands.access import brands_of, current_brand_id


def brand_switcher(request) -> dict:
    """The header's brand menu; lazy, so partials that never show the header cost no query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    brands = SimpleLazyObject(lambda: list(brands_of(user).only("pk", "name")))
    current = current_brand_id(request)
    return {
        "header_brands": brands,
        "current_brand": SimpleLazyObject(
            lambda: next((b for b in brands if b.pk == current), None)
        ),
    }
