from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cases.models import Department, Outcome
from replies import protocols
from replies.models import Protocol, ProtocolStep, ReplyTemplate, StepOwner


class ProtocolForm(forms.Form):
    """The protocol's own fields; the rules are checked again in ``protocols.protocol_save``."""

    outcomes = forms.MultipleChoiceField(
        label=_("Ways out a person may choose"),
        choices=Outcome.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    intermediate_solutions = forms.CharField(
        label=_("Approved intermediate solutions (one per line)"),
        help_text=_("A case resolved with an intermediate solution names one of these."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        required=False,
    )

    def clean_intermediate_solutions(self) -> list[str]:
        return self.cleaned_data["intermediate_solutions"].splitlines()

    requires_approval = forms.BooleanField(
        label=_("Replies need a supervisor's approval"), required=False
    )


class ProtocolStepForm(forms.ModelForm):
    """One step: its text, who owns it (a role, or one of the brand's departments) and the
    minutes it should take from the case's opening."""

    # As for the templates: the blank row's select would otherwise look filled in.
    owner_role = forms.ChoiceField(
        label=_("Owner"), choices=StepOwner.choices, initial=StepOwner.COMMUNITY_MANAGER
    )

    class Meta:
        model = ProtocolStep
        fields = ["text", "owner_role", "owner_department", "expected_minutes"]
        labels = {
            "text": _("Step"),
            "owner_department": _("or the department"),
            "expected_minutes": _("Done within (minutes of the opening)"),
        }
        help_texts = {"owner_department": "", "expected_minutes": ""}

    def __init__(self, *args, brand_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        departments = cast(forms.ModelChoiceField, self.fields["owner_department"])
        departments.queryset = Department.objects.filter(brand_id=brand_id)
        departments.empty_label = _("— none: the role owns it —")
        minutes = cast(forms.IntegerField, self.fields["expected_minutes"])
        minutes.min_value, minutes.max_value = 1, protocols.MAX_STEP_MINUTES
        minutes.widget.attrs.update(min=1, max=protocols.MAX_STEP_MINUTES)


ProtocolStepFormSet = forms.inlineformset_factory(
    Protocol, ProtocolStep, form=ProtocolStepForm, extra=1, can_delete=True
)


def step_formset(protocol: Protocol, data=None):
    """The protocol's steps in order, with a blank row to add one; departments of its brand."""
    return ProtocolStepFormSet(
        data,
        instance=protocol,
        prefix="steps",
        queryset=protocol.step_rows.order_by("position"),
        form_kwargs={"brand_id": protocol.brand_id},
    )


def step_edits(formset) -> list[protocols.StepEdit]:
    """The formset's rows as the domain function reads them, in order; untouched blanks skipped."""
    edits = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        data = form.cleaned_data
        department = data.get("owner_department")
        edits.append(
            protocols.StepEdit(
                id=form.instance.pk,
                text=data.get("text", ""),
                owner_role=data.get("owner_role", StepOwner.COMMUNITY_MANAGER),
                owner_department_id=department.pk if department else None,
                expected_minutes=data.get("expected_minutes"),
                delete=bool(data.get("DELETE")),
            )
        )
    return edits


class ReplyTemplateForm(forms.ModelForm):
    # ``initial``: the blank row of the formset sends the select's first option; without the
    # same initial it would look filled in and be validated as a new, empty template.
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGES[0][0]
    )

    class Meta:
        model = ReplyTemplate
        fields = ["name", "language", "body", "private_handoff"]
        labels = {
            "name": _("Name"),
            "body": _("Text"),
            "private_handoff": _("Moves the conversation to private"),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def clean_body(self):
        body = self.cleaned_data["body"]
        unknown = protocols.unknown_placeholders(body)
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder {%(name)s}: use %(known)s.")
                % {
                    "name": unknown[0],
                    "known": ", ".join(f"{{{p}}}" for p in protocols.PLACEHOLDERS),
                }
            )
        return body


ReplyTemplateFormSet = forms.inlineformset_factory(
    Protocol, ReplyTemplate, form=ReplyTemplateForm, extra=1, can_delete=True
)


def template_edits(formset) -> list[protocols.TemplateEdit]:
    """The formset's rows as the domain function reads them; untouched empty rows are skipped."""
    edits = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        data = form.cleaned_data
        edits.append(
            protocols.TemplateEdit(
                id=form.instance.pk,
                name=data.get("name", ""),
                language=data.get("language", "es"),
                body=data.get("body", ""),
                private_handoff=bool(data.get("private_handoff")),
                delete=bool(data.get("DELETE")),
            )
        )
    return edits


def _brand_choices(brands) -> list[tuple[int, str]]:
    return [(brand.pk, brand.name) for brand in brands]


class FaqEntryForm(forms.Form):
    """An entry as a supervisor writes it; the rules are checked again in ``faq.faq_save``."""

    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int)
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGES[0][0]
    )
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(
        label=_("Approved answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    tags = forms.CharField(
        label=_("Tags (comma-separated: other words customers use)"),
        required=False,
        max_length=500,
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)

    def __init__(self, *args, brands, people, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["brand"]).choices = _brand_choices(brands)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            (person.pk, person.get_full_name() or person.username) for person in people
        ]


class FactForm(forms.Form):
    """A verified fact; the rules are checked again in ``facts.fact_save``."""

    brand = forms.TypedChoiceField(label=_("Brand"), coerce=int)
    statement = forms.CharField(
        label=_("The fact"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    source = forms.CharField(label=_("Source (a link or a document)"), max_length=500)
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tags = forms.CharField(
        label=_("Tags (comma-separated: the words of the false claim)"),
        required=False,
        max_length=500,
    )

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["brand"]).choices = _brand_choices(brands)
