"""``{{ author|customer_contact }}``: the customer's data in the masked form lists show
(``privacy``); select ``author__customer_handle__customer`` with the rows."""

from django import template

from cases.customers import customer_personal_data
from cases.privacy import mask_personal_data

register = template.Library()


@register.filter
def masked_contact(data) -> str:
    return " · ".join(mask_personal_data(data).values())


@register.filter
def customer_contact(author) -> str:
    return masked_contact(customer_personal_data(author)) if author else ""
