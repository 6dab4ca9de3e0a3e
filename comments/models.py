"""Comments as they arrive and how they were classified.

The current classification is copied onto ``Comment`` (category, level, reasons) because the live
queue filters and orders by it on every poll; ``Classification`` keeps the full history, model and
human, and is only read on a comment's page.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.platforms import Platform
from core.taxonomy import NEGATIVE_CATEGORIES, Category, Level


class Author(models.Model):
    """A customer as one brand knows them: a troll flag at one brand says nothing at another."""

    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # led by author_brand_platform_handle
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    followers = models.PositiveBigIntegerField(default=0)
    is_troll = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [("flag_troll", "Can flag or unflag an author as a troll")]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "handle"], name="author_brand_platform_handle"
            ),
        ]
        indexes = [
            # The trolls a brand monitors: a few among its authors.
            models.Index(fields=["brand"], condition=Q(is_troll=True), name="author_troll"),
        ]

    def __str__(self):
        return f"{self.handle} ({self.get_platform_display()})"


class Ripple(models.Model):
    """A wave of the same complaint from many authors at one brand: the taxonomy's ripple.

    Created when a batch completes one (``comments.ripples``), and grown by later batches whose
    comments join it, so a wave that lasts all afternoon stays one cluster with one number that
    every member's reason names (``ripple: cluster #41, …``). Its figures are those of all the
    comments attached to it, recounted whenever it grows; the reason quotes the densest
    window-long span, so the two may differ for a long ripple.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    subject = models.JSONField(
        default=list, help_text="Concepts or stems most members share, most shared first."
    )
    first_at = models.DateTimeField(help_text="When its first member was posted.")
    last_at = models.DateTimeField(help_text="When its latest member was posted.")
    size = models.PositiveIntegerField(default=0, help_text="Comments attached.")
    authors = models.PositiveIntegerField(default=0, help_text="Distinct authors attached.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crisis_ripple"
        indexes = [
            # The crisis room lists a brand's latest ripples.
            models.Index(fields=["brand", "-last_at"], name="ripple_brand_latest"),
        ]

    def __str__(self):
        return f"Ripple #{self.pk} ({self.size} comments, {self.authors} authors)"


class Comment(models.Model):
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # led by the comment indexes below
    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=255)
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="comments", db_index=False
    )  # led by comment_author_posted
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    text = models.TextField()
    lang = models.CharField(max_length=8, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    thread_key = models.CharField(max_length=255, blank=True)
    account = models.CharField(max_length=255, blank=True)
    posted_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    author_followers = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    raw = models.JSONField(
        default=dict,
        help_text="The item as the client sent it, with the personal data in its texts masked.",
    )
    pii = models.JSONField(
        default=list,
        blank=True,
        help_text="The personal data found in the text at intake (core.pii): [[start, end, "
        "kind], …], masked when shown to someone who may not see it.",
    )
    deleted_at_source = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the platform said its author (or a moderator) removed it. The desk keeps "
        "it, in its case, shown as deleted.",
    )

    # Current classification, copied from the latest Classification row.
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    level_rank = models.PositiveSmallIntegerField()
    confidence = models.FloatField()
    reasons = models.JSONField(default=list)
    model_version = models.CharField(max_length=64, blank=True)
    classified_by_human = models.BooleanField(default=False)
    uncertain = models.BooleanField(
        default=False,
        help_text="The model chose with low confidence and no rule settled it: a person should "
        "look. Never lowers a level.",
    )

    # Ripple detection (``comments.ripples``). A JSON list rather than an ArrayField: the desk also
    # runs on SQLite, and PostgreSQL's jsonb still narrows the window with ``?|``. NULL for
    # comments that were not negative when they arrived: they are never compared.
    ripple_terms = models.JSONField(
        null=True, blank=True, help_text="The ripple signature: concepts, stems and hashtags."
    )
    ripple = models.ForeignKey(
        "comments.Ripple",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        db_index=False,
    )

    class Meta:
        constraints = [
            # The idempotency key is per brand: two brands' clients may push the same post.
            models.UniqueConstraint(
                fields=["brand", "platform", "external_id"],
                name="comment_brand_platform_external_id",
            ),
        ]
        indexes = [
            # An author's comments in time order: their history, and what the trolls monitored
            # wrote in a period (``reports.figures.trolls``).
            models.Index(fields=["author", "posted_at"], name="comment_author_posted"),
            # The live queue: a brand's most urgent level first, oldest first inside a level.
            models.Index(fields=["brand", "level_rank", "posted_at"], name="comment_queue_order"),
            # API listing with since/until and cursor pagination.
            models.Index(fields=["brand", "received_at", "id"], name="comment_received"),
            # Ripple detection loads a brand's negative comments posted inside the window
            # around each batch that are in no ripple yet (``comments.ripples._window``).
            models.Index(
                fields=["brand", "posted_at"],
                name="comment_ripple_window",
                condition=Q(category__in=NEGATIVE_CATEGORIES, ripple__isnull=True),
            ),
            # The retention purge (``comments.retention``): raw payloads still kept, oldest
            # first. Partial: a payload leaves it when emptied, so it holds one window's rows.
            models.Index(fields=["received_at"], name="comment_raw_kept", condition=~Q(raw={})),
            # A ripple's members: which of a batch's authors it already counts, and its recount
            # (``comments.ripples``). Partial: most comments are in none, and every insert would
            # otherwise pay for an entry.
            models.Index(
                fields=["ripple", "author"],
                name="comment_ripple_members",
                condition=Q(ripple__isnull=False),
            ),
        ]
        permissions = [
            ("ingest_comment", "Can push comments through the API"),
            ("view_queue", "Can work the live queue in the dashboard"),
            ("correct_classification", "Can correct a comment's category or level"),
        ]

    def __str__(self):
        return f"{self.platform}:{self.external_id}"


class Classification(models.Model):
    """One decision about a comment, by the model or by a person; never edited."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="classifications")
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    confidence = models.FloatField()
    reasons = models.JSONField(default=list)
    model_version = models.CharField(max_length=64, blank=True)
    uncertain = models.BooleanField(default=False)
    is_human = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [
            ("view_model_figures", "Can see the running model's cross-validated figures"),
        ]
        indexes = [
            # Retraining reads the human corrections only.
            models.Index(
                fields=["created_at"], condition=Q(is_human=True), name="classification_human"
            ),
        ]

    def __str__(self):
        who = "human" if self.is_human else self.model_version
        return f"{self.category}/{self.level} by {who}"


class ClassifierVersion(models.Model):
    """A model a brand's corrections trained, kept in the database so every web and worker
    process reads the same one; the brand's ``active`` row classifies its comments, and with
    none the shipped model does.

    A row is a retrain from request to verdict: queued, training, then active (it passed the
    gate), refused (it found fewer reds than the model it would replace) or failed. A row that
    stops being active is ``ready``, and a supervisor can roll back to it.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        TRAINING = "training", _("Training")
        ACTIVE = "active", _("Active")
        READY = "ready", _("Ready")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    version = models.CharField(max_length=64, blank=True, help_text="Set when trained.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty for the nightly retrain.",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    trained_through = models.DateTimeField(
        null=True, blank=True, help_text="The latest correction it could learn from."
    )
    corrections_learned = models.PositiveIntegerField(default=0)
    corrections_held_back = models.PositiveIntegerField(default=0)
    level_corrections = models.PositiveIntegerField(
        default=0, help_text="Corrections of the level alone: the rules set it, not the model."
    )
    figures = models.JSONField(
        default=dict, blank=True, help_text="Its figures and its predecessor's on the slice."
    )
    verdict = models.TextField(blank=True, help_text="Why it was refused, or what failed.")
    weights = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand"], condition=Q(state="active"), name="classifier_one_active"
            ),
            # One retrain at a time per brand: a second press would only race the first.
            models.UniqueConstraint(
                fields=["brand"],
                condition=Q(state__in=["queued", "training"]),
                name="classifier_one_in_flight",
            ),
        ]
        permissions = [
            ("retrain_classifier", "Can retrain the brand's classifier and choose its version")
        ]

    def __str__(self):
        return self.version or f"retrain #{self.pk} ({self.state})"


class CommentRevision(models.Model):
    """A text the comment held before its author edited it on the platform; never edited.

    The comment carries its latest text; these keep what the desk saw before, so an answer or a
    decision made on an earlier text can still be read against it.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(help_text="The text before this edit.")
    edited_at = models.DateTimeField(
        default=timezone.now, help_text="When the desk heard of the edit."
    )

    class Meta:
        ordering = ["comment", "edited_at", "id"]
        indexes = [
            # A comment's page lists its earlier texts.
            models.Index(fields=["comment", "edited_at"], name="commentrevision_comment"),
        ]

    def __str__(self):
        return f"{self.comment} before {self.edited_at:%Y-%m-%d %H:%M}"


class WebhookDelivery(models.Model):
    """A platform's webhook delivery, stored as received once its signature verified.

    The platform hears 200 as soon as this row is committed; a worker then turns its changes into
    comments (``comments.connectors.inbox``), and a sweep retries what failed. So a delivery the
    platform was told we have is never lost: at worst it waits here with its error.
    """

    class Source(models.TextChoices):
        META = "meta", _("Meta (Facebook and Instagram)")

    source = models.CharField(max_length=20, choices=Source.choices)
    body = models.BinaryField(help_text="The raw body, byte for byte as signed.")
    received_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker or the sweep should take it next."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="A worker is turning it into comments."
    )
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="Every change it carries reached the desk."
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(
        blank=True, help_text="Why its last attempt failed, change by change."
    )
    outcome = models.JSONField(
        default=dict, blank=True, help_text="What its changes did: created, edited, removed…"
    )

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The sweep's query: what is still to process and due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="webhookdelivery_due",
                condition=Q(processed_at=None),
            ),
        ]

    def __str__(self):
        return f"{self.source} delivery #{self.pk}"


class ImportJob(models.Model):
    """One import of a file of comments into a brand, from the page or the command, and its
    checkpoint: ``lines_done`` and ``bytes_done`` are where its last committed batch ended,
    written in that batch's transaction, so a run that stopped anywhere resumes there
    (``comments.importing``).

    An upload keeps its file (``file``) for the worker; the command names the file it read
    (``path``) and finds its unfinished job again by the brand and the file's SHA-256.
    """

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded on the page")
        COMMAND = "command", _("The import_comments command")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who uploaded it; empty for the command.",
    )
    name = models.CharField(max_length=255, help_text="The file's name as given.")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=500, blank=True)
    path = models.CharField(max_length=1000, blank=True, help_text="The command's file.")
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0, help_text="Bytes.")
    format = models.CharField(max_length=10, choices=Format.choices)
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Their header → our field, as --map gives it."
    )
    ignore_unknown = models.BooleanField(
        default=False, help_text="Columns that are no field of ours are left out."
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    lines_total = models.PositiveBigIntegerField(null=True, blank=True)
    lines_done = models.PositiveBigIntegerField(
        default=0, help_text="The file's last line whose batch is committed."
    )
    bytes_done = models.PositiveBigIntegerField(default=0)
    created = models.PositiveBigIntegerField(default=0)
    unchanged = models.PositiveBigIntegerField(default=0, help_text="Already at the desk.")
    rejected = models.PositiveBigIntegerField(default=0)
    rejects = models.CharField(
        max_length=1000, blank=True, help_text="Where the rejected lines are written."
    )
    rejects_bytes = models.PositiveBigIntegerField(
        default=0, help_text="The rejects written by the committed batches."
    )
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Its last batch.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            # The command's resume: the unfinished job of this brand and file.
            models.Index(
                fields=["brand", "sha256"],
                name="importjob_unfinished",
                condition=~Q(state="done"),
            ),
            models.Index(fields=["brand", "-requested_at"], name="importjob_brand_latest"),
        ]
        permissions = [("import_comments", "Can import a file of comments into a brand")]

    def __str__(self):
        return f"import #{self.pk} of {self.name} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.lines_total:
            return 100 if self.state == self.State.DONE else None
        return min(100, round(100 * self.lines_done / self.lines_total))
