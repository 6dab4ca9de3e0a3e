"""``{{ author|customer_contact }}``: the customer's data in the masked form lists show
(``privacy``); select ``author__customer_handle__customer`` with the rows.

``{% shown_text comment as text %}``: a comment's text as the person reading the page may see
it, its personal data (``Comment.pii``) masked unless they work the brand's cases;
``{% shown_text case case.first_text case.first_pii as said %}`` the same for a text and spans
annotated on another row, and a text given without spans (an earlier revision) is read for
personal data on the spot."""

from django import template

from cases.customers import customer_personal_data
from cases.privacy import mask_personal_data, may_see_personal_data
from core import pii

register = template.Library()


@register.filter
def masked_contact(data) -> str:
    return " · ".join(mask_personal_data(data).values())


@register.filter
def customer_contact(author) -> str:
    return masked_contact(customer_personal_data(author)) if author else ""


_UNSET = object()


@register.simple_tag(takes_context=True)
def shown_text(context, row, text=_UNSET, spans=_UNSET) -> str:
    if text is _UNSET:
        text, spans = row.text, row.pii
    text = text or ""
    request = context.get("request")
    if request is not None and may_see_personal_data(request.user, row):
        return text
    return pii.mask_text(text, pii.pii_detect(text) if spans is _UNSET else spans)
