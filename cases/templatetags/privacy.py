"""``{{ case.personal_data|masked_contact }}``: the masked form lists show (``privacy``)."""

from django import template

from cases.privacy import mask_personal_data

register = template.Library()


@register.filter
def masked_contact(data) -> str:
    return " · ".join(mask_personal_data(data).values())
