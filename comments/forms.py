from django import forms
from django.utils.translation import gettext_lazy as _

from core.taxonomy import Category, Level


class CorrectionForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    note = forms.CharField(
        label=_("Why (optional)"), required=False, max_length=500, widget=forms.TextInput
    )
