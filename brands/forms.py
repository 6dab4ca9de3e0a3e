from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from brands.roles import Role

# The roles a person can hold in a brand, labelled in the interface's language (``Role``'s own
# labels are not translated).
MEMBER_ROLE_CHOICES = [
    (Role.COMMUNITY_MANAGER.value, _("Community manager")),
    (Role.SUPERVISOR.value, _("Supervisor")),
    (Role.CRISIS_COMMITTEE.value, _("Crisis committee")),
]


class MemberAddForm(forms.Form):
    """Someone joins the brand: a username the desk knows, or a new person with a password.

    The brand is not a field: the view reads it from the page and checks it before this form.
    """

    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=MEMBER_ROLE_CHOICES, initial=Role.COMMUNITY_MANAGER.value
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Only for someone new to the desk; people who already have an account keep theirs."
        ),
    )
