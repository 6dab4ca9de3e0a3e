"""What the reports keep of their own: hourly rollups of the facts, the rollup pass's place in
the facts, the record of every export, and the complaint subjects a supervisor named.

A rollup row is derived, never edited by hand: ``rollups.py`` recomputes whole hours from the
comments, cases and follow-ups tables, so a row can always be thrown away and rebuilt
(``rebuild_rollups``). So is a ``SubjectMention`` (``mentions.py``). A ``ComplaintSubject`` and
its ``SubjectKey`` rows are what people decided (``complaints.py``), and no rebuild touches them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.platforms import Platform
from core.taxonomy import Category, Level


class HourlyRollup(models.Model):
    """One brand's figures for one hour (UTC) and one platform, category and level.

    Every figure is keyed by an instant that never changes, so an hour's row is a function of
    the facts alone and can be recomputed at any time:

    - comments by the hour they were posted, with their current category and level;
    - cases (and their follow-ups) by the hour the case opened, with the case's current
      category and level and its author's platform: "of the cases opened that hour, how many
      were answered in time", a cohort that later work on the case keeps up to date.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="The start of the hour, UTC.")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)

    comments = models.PositiveIntegerField(default=0)
    comments_corrected = models.PositiveIntegerField(
        default=0, help_text="Comments whose current classification a person decided."
    )
    cases_opened = models.PositiveIntegerField(default=0)
    cases_open = models.PositiveIntegerField(default=0, help_text="Still open now.")
    cases_responded = models.PositiveIntegerField(default=0)
    cases_responded_in_time = models.PositiveIntegerField(default=0)
    cases_response_late = models.PositiveIntegerField(
        default=0, help_text="Answered after the deadline, or unanswered past it."
    )
    cases_resolved = models.PositiveIntegerField(default=0)
    cases_resolved_in_time = models.PositiveIntegerField(default=0)
    cases_resolution_late = models.PositiveIntegerField(
        default=0, help_text="Resolved after the deadline, or unresolved past it."
    )
    follow_ups_satisfied = models.PositiveIntegerField(default=0)
    follow_ups_unsatisfied = models.PositiveIntegerField(default=0)
    follow_ups_unanswered = models.PositiveIntegerField(
        default=0, help_text="Rounds that ran out of checks: the case closed as 'no answer'."
    )
    computed_at = models.DateTimeField(
        help_text="The pass that last wrote the row; rows of a recomputed hour that it did not "
        "write are gone from the facts, and deleted."
    )

    class Meta:
        constraints = [
            # The upsert's conflict target; also the overview's index (brand, then an hour range).
            models.UniqueConstraint(
                fields=["brand", "hour", "platform", "category", "level"],
                name="rollup_brand_hour_key",
            ),
        ]
        permissions = [
            ("view_reports", "Can read the brand's indicators"),
            ("export_reports", "Can export the brand's comments and cases"),
            ("view_audit", "Can read and export the brand's audit log"),
        ]

    def __str__(self):
        key = f"{self.platform}/{self.category}/{self.level}"
        return f"{self.brand_id} {self.hour:%Y-%m-%d %H}h {key}"


class RollupMark(models.Model):
    """How far into the facts the incremental pass has read: the last classification and the
    last audit event whose hours it recomputed. One row per rollup pass (``name``), locked by
    the pass that runs, so two beats never run it at once."""

    name = models.CharField(max_length=40, unique=True)
    classification_id = models.BigIntegerField(default=0)
    audit_event_id = models.BigIntegerField(default=0)
    ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name}: classification {self.classification_id}, audit {self.audit_event_id}"


class ExportKind(models.TextChoices):
    COMMENTS = "comments", _("Comments")
    CASES = "cases", _("Cases")
    AUDIT = "audit", _("Audit events")


class ExportRecord(models.Model):
    """Who exported what, and when: the privacy code asks that exports be accounted for.

    Written before the first row is sent; ``rows`` and ``finished_at`` when the last one was,
    so an export the person abandoned (or that failed) reads as unfinished.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ExportKind.choices)
    brand_ids = models.JSONField(default=list, help_text="The brands the export reached.")
    filters = models.JSONField(default=dict, help_text="The period and filters, as asked.")
    masked = models.BooleanField(help_text="Personal data was masked in some brand.")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.kind} export by {self.actor_id} at {self.started_at:%Y-%m-%d %H:%M}"


# --- the most frequent complaints -------------------------------------------------------------


class SubjectMention(models.Model):
    """A negative comment's subject: one row per comment and subject key
    (``classifier.ripple.subject_keys`` of its ripple signature), with what the top complaints
    filter and count by copied from the comment, so their reads never touch the comments table.

    Derived like a rollup row: the rollup pass rewrites a comment's rows whenever it gets a new
    classification (the only way its category or level change), and ``rebuild_rollups`` rewrites
    them all. A comment that is not negative has none.
    """

    comment = models.ForeignKey(
        "comments.Comment", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # led by subjectmention_comment_key
    key = models.CharField(max_length=255)
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # led by the indexes below
    posted_at = models.DateTimeField()
    author = models.ForeignKey(
        "comments.Author", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "key"], name="subjectmention_comment_key"),
        ]
        indexes = [
            # The rollup recomputes a brand's hours from their mentions.
            models.Index(fields=["brand", "posted_at"], name="subjectmention_brand_posted"),
            # A subject's distinct authors and latest examples in a period, read from the index
            # alone on PostgreSQL (the filters' columns ride along).
            models.Index(
                fields=["brand", "key", "posted_at"],
                include=["author", "platform", "category", "level"],
                name="subjectmention_subject",
            ),
        ]

    def __str__(self):
        return f"{self.comment_id}: {self.key}"


class SubjectRollup(models.Model):
    """One brand's mentions of one subject key in one hour (UTC), by platform, category and
    level: the comments posted that hour, and the cases opened that hour that hold a comment
    about it (of which resolved, and what the customer answered), as ``HourlyRollup`` counts
    them."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="The start of the hour, UTC.")
    key = models.CharField(max_length=255)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)

    comments = models.PositiveIntegerField(default=0)
    cases_opened = models.PositiveIntegerField(default=0)
    cases_resolved = models.PositiveIntegerField(default=0)
    cases_satisfied = models.PositiveIntegerField(
        default=0, help_text="Cases whose customer answered the follow-up satisfied."
    )
    cases_unsatisfied = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(help_text="As HourlyRollup.computed_at.")

    class Meta:
        constraints = [
            # The upsert's conflict target; also the top complaints' ranking of a period's keys
            # (brand, an hour range).
            models.UniqueConstraint(
                fields=["brand", "hour", "key", "platform", "category", "level"],
                name="subjectrollup_brand_hour_key",
            ),
        ]
        indexes = [
            # The previous period's counts of the subjects shown, from the index alone.
            models.Index(
                fields=["brand", "key", "hour"],
                include=["platform", "category", "level", "comments"],
                name="subjectrollup_subject",
            ),
        ]

    def __str__(self):
        return f"{self.brand_id} {self.hour:%Y-%m-%d %H}h {self.key}"


class ComplaintSubject(models.Model):
    """A subject of a brand's complaints as a supervisor named it, or several merged into one.

    The keys it covers (``SubjectKey``) are those the desk computes for every comment, so a
    name given today holds for the comments of any later period; a key no subject covers is a
    subject of its own, named by its words.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        permissions = [
            ("name_subjects", "Can name and merge the brand's complaint subjects"),
        ]

    def __str__(self):
        return self.name or f"Subject #{self.pk}"


class SubjectKey(models.Model):
    """Which subject a key of a brand counts for: at most one."""

    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # led by subjectkey_brand_key
    key = models.CharField(max_length=255)
    subject = models.ForeignKey(ComplaintSubject, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "key"], name="subjectkey_brand_key"),
        ]

    def __str__(self):
        return f"{self.key} -> {self.subject_id}"
