"""The filters every report takes, checked once for the page, the API and the exports: a
period of whole days in the brand's time zone, a bucket, and a platform, category and level."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import AuditAction
from core.platforms import Platform
from core.taxonomy import NEGATIVE_CATEGORIES, Category, Level
from reports import complaints
from reports.auditlog import AuditScope
from reports.figures import Scope
from reports.periods import MAX_DAYS, MAX_HOURLY_DAYS, Bucket, Period, today_in

EARLIEST_DAY = date(1970, 1, 1)
#: The period a report shows when none is asked: the last seven days, today included.
DEFAULT_DAYS = 7


def _choice(label, choices) -> forms.ChoiceField:
    """An optional choice; empty means all."""
    return forms.ChoiceField(label=label, choices=[("", _("All")), *choices], required=False)


class ReportFilters(forms.Form):
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("To"), required=False)
    bucket = forms.ChoiceField(label=_("By"), choices=Bucket.choices, required=False)
    platform = _choice(_("Platform"), Platform.choices)
    category = _choice(_("Category"), Category.choices)
    level = _choice(_("Level"), Level.choices)

    def __init__(self, data, *, zone: ZoneInfo, now: datetime):
        if not data.get("bucket"):
            # So the page's select shows the bucket the figures are cut into.
            data = data.copy()
            data["bucket"] = Bucket.DAY
        super().__init__(data)
        self.zone = zone
        self.today = today_in(zone, now=now)

    def clean(self):
        cleaned = super().clean() or {}
        until = cleaned.get("until") or self.today
        since = cleaned.get("since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if "since" in self.errors or "until" in self.errors:
            return cleaned
        if not EARLIEST_DAY <= since <= self.today + timedelta(days=1):
            self.add_error("since", _("Enter a day between 1970-01-01 and tomorrow."))
        elif not EARLIEST_DAY <= until <= self.today + timedelta(days=1):
            self.add_error("until", _("Enter a day between 1970-01-01 and tomorrow."))
        elif until < since:
            self.add_error("until", _("The period ends before it starts."))
        elif (until - since).days + 1 > MAX_DAYS:
            self.add_error(
                "since", _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
            )
        elif cleaned.get("bucket") == Bucket.HOUR and (until - since).days + 1 > MAX_HOURLY_DAYS:
            self.add_error(
                "bucket",
                _("Hours are shown for at most %(days)s days; choose days or weeks.")
                % {"days": MAX_HOURLY_DAYS},
            )
        cleaned["since"], cleaned["until"] = since, until
        return cleaned

    def scope(self, brand_ids: frozenset[int]) -> Scope:
        """The report these filters ask for, over ``brand_ids``; call once the form is valid."""
        data = self.cleaned_data
        return Scope(
            brand_ids=brand_ids,
            period=Period(data["since"], data["until"], self.zone),
            bucket=data.get("bucket") or Bucket.DAY,
            platform=data["platform"],
            category=data["category"],
            level=data["level"],
        )

    def as_query(self) -> dict[str, str]:
        """The filters as asked, for the export links and the export record."""
        data = self.cleaned_data
        return {
            "since": data["since"].isoformat(),
            "until": data["until"].isoformat(),
            **{name: data[name] for name in ("platform", "category", "level") if data[name]},
        }


class TopComplaintFilters(ReportFilters):
    """The top complaints' filters: the overview's, without the bucket (a subject's figures are
    the period's), with the negative categories only, and how many subjects to list."""

    bucket = None  # type: ignore[assignment]
    category = _choice(
        _("Category"), [(c.value, c.label) for c in Category if c in NEGATIVE_CATEGORIES]
    )
    limit = forms.IntegerField(
        label=_("Subjects shown"), min_value=1, max_value=complaints.MAX_LIMIT, required=False
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["limit"] = cleaned.get("limit") or complaints.DEFAULT_LIMIT
        return cleaned

    def as_query(self) -> dict[str, str]:
        query = super().as_query()
        if self.cleaned_data["limit"] != complaints.DEFAULT_LIMIT:
            query["limit"] = str(self.cleaned_data["limit"])
        return query


class AuditFilters(ReportFilters):
    """The audit page's filters: the reports' period, then what was done, by whom, on which
    case, instead of the comments' platform, category and level."""

    bucket = None  # type: ignore[assignment]
    platform = None  # type: ignore[assignment]
    category = None  # type: ignore[assignment]
    level = None  # type: ignore[assignment]
    action = _choice(_("Action"), AuditAction.choices)
    actor = forms.CharField(label=_("Person"), max_length=150, required=False)
    case = forms.IntegerField(label=_("Case"), min_value=1, max_value=2**63 - 1, required=False)

    def __init__(self, data, *, zone: ZoneInfo, now: datetime):
        if not data.get("since") and not data.get("until"):
            # So the date fields show the period the page lists.
            today = today_in(zone, now=now)
            data = data.copy()
            data["since"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            data["until"] = today.isoformat()
        super().__init__(data, zone=zone, now=now)
        for name in ("since", "until"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean_actor(self) -> str:
        actor = self.cleaned_data["actor"].strip()
        if any(ord(char) < 32 for char in actor):
            raise forms.ValidationError(_("Enter a user name, without control characters."))
        return actor

    def audit_scope(self, brand_ids: frozenset[int]) -> AuditScope:
        """The events these filters ask for, over ``brand_ids``; call once the form is valid."""
        data = self.cleaned_data
        return AuditScope(
            brand_ids=brand_ids,
            period=Period(data["since"], data["until"], self.zone),
            action=data["action"],
            actor=data["actor"],
            case_id=data["case"],
        )

    def as_query(self) -> dict[str, str]:
        data = self.cleaned_data
        query = {"since": data["since"].isoformat(), "until": data["until"].isoformat()}
        for name in ("action", "actor", "case"):
            if data[name] not in ("", None):
                query[name] = str(data[name])
        return query


class SubjectNameForm(forms.Form):
    brand = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.CharField(max_length=255, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class _Picks(forms.Field):
    """The subjects ticked for a merge, each ``<brand id>:<key>``."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[tuple[int, str]]:
        picks = []
        for pick in value or []:
            brand, _sep, key = str(pick).partition(":")
            if not brand.isdigit() or not key:
                raise forms.ValidationError(_("Choose subjects from the list."))
            picks.append((int(brand), key))
        return picks

    def validate(self, value) -> None:
        super().validate(value)
        if len({brand for brand, _ in value}) > 1:
            raise forms.ValidationError(_("Merge the subjects of one brand at a time."))
        if len(value) < 2:
            raise forms.ValidationError(_("Choose at least two subjects to merge."))


class SubjectMergeForm(forms.Form):
    pick = _Picks()
    name = forms.CharField(label=_("Name"), max_length=120, required=False)


class SubjectSplitForm(forms.Form):
    brand = forms.IntegerField(widget=forms.HiddenInput)
    key = forms.CharField(max_length=255, widget=forms.HiddenInput)
