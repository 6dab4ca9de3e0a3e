"""Query filters a stranger may send, held to ``core.inputs``' limits.

A far-future ``since`` with an odd offset parsed fine and then overflowed on its way to the
database (a 500); a BC date reached the query. Out of range is now the filter's own error, so
the API answers 400 naming the parameter and the queue page shows it beside the field.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from core.inputs import EARLIEST, too_late


class BoundedIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {
        "too_early": _("Enter a date and time on or after 1970-01-01."),
        "too_late": _("Enter a date and time no later than one day from now."),
    }

    def to_python(self, value):
        try:
            parsed = super().to_python(value)
        except OverflowError:  # a naive value at the edge of what a datetime holds
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if parsed is None:
            return None
        if parsed < EARLIEST:
            raise forms.ValidationError(self.error_messages["too_early"], code="too_early")
        if too_late(parsed):
            raise forms.ValidationError(self.error_messages["too_late"], code="too_late")
        return parsed


class TimestampFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time between 1970-01-01 and a day after now."""

    field_class = BoundedIsoDateTimeField
