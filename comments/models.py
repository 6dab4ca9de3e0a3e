"""Comments as they arrive, how they were classified, and the cases people work.

The current classification is copied onto ``Comment`` (category, level, reasons) because the live
queue filters and orders by it on every poll; ``Classification`` keeps the full history, model and
human, and is only read on a comment's page.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TWITTER = "twitter", "Twitter / X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    GOOGLE_REVIEWS = "google_reviews", "Google Reviews"
    OTHER = "other", _("Other")


class Category(models.TextChoices):
    PQR = "pqr", _("Question, complaint or claim")
    INSULT = "insult", _("Insult or attack")
    HIGH_LEVEL = "high_level", _("High-level complaint")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")

    @property
    def rank(self) -> int:
        """0 is the most urgent: the queue orders by rank ascending."""
        return LEVEL_RANK[self]


LEVEL_RANK = {Level.RED: 0, Level.YELLOW: 1, Level.GREEN: 2}

#: The categories a ripple is made of (the taxonomy's "negative").
NEGATIVE_CATEGORIES = [Category.PQR, Category.INSULT, Category.HIGH_LEVEL]


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
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "handle"], name="author_brand_platform_handle"
            ),
        ]

    def __str__(self):
        return f"{self.handle} ({self.get_platform_display()})"


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_DEPARTMENT = "waiting_department", _("Waiting on department")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_CASE_STATUSES = [s for s in CaseStatus if s not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)]


class Outcome(models.TextChoices):
    """The three ways out of a case, decided by a person (the seed texts' protocol)."""

    SOLVED = "solved", _("Our fault: solved fully")
    INTERMEDIATE = "intermediate", _("Upset without reason: intermediate solution")
    TROLL = "troll", _("Troll: monitor, do not feed")


class PrivateChannel(models.TextChoices):
    """Where the conversation went once personal data was needed."""

    PLATFORM_DM = "platform_dm", _("Private message on the platform")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")
    WHATSAPP = "whatsapp", _("WhatsApp")


class Case(models.Model):
    """The unit of work for a person: one open case per author and thread."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="cases", db_index=False
    )  # led by case_author_status
    thread_key = models.CharField(
        max_length=255,
        blank=True,
        help_text="external_id of the thread's first known comment; empty for top-level ones.",
    )
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    level_rank = models.PositiveSmallIntegerField()
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    satisfied = models.BooleanField(
        null=True, blank=True, help_text="The customer's answer when the case closed."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    breach_alerted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the assignee and supervisors were told the "
        "deadline passed; empty until it does.",
    )
    private_channel = models.CharField(
        max_length=20,
        choices=PrivateChannel.choices,
        blank=True,
        help_text="Set when the conversation moved to a private channel.",
    )
    personal_data = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the customer gave in private (privacy.PERSONAL_FIELDS). Shown in full "
        "only on the case page to the brand's people who work cases; masked "
        "everywhere else (privacy.mask_personal_data).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("work_case", "Can work the cases assigned to them"),
            ("assign_case", "Can assign cases to anyone in the brand"),
            ("flag_troll", "Can flag or unflag an author as a troll"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "thread_key"],
                condition=~Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]),
                name="case_one_open_per_author_thread",
            ),
        ]
        indexes = [
            # Intake looks up the open case of each author in a batch.
            models.Index(fields=["author", "status"], name="case_author_status"),
            # "Take next": a brand's most urgent unassigned case.
            models.Index(
                fields=["brand", "level_rank", "due_at"],
                condition=Q(status="new"),
                name="case_unassigned_urgent",
            ),
            # The deadline check: open cases whose breach nobody has been told of yet.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    breach_alerted_at=None,
                    status__in=[
                        "new",
                        "assigned",
                        "in_progress",
                        "waiting_customer",
                        "waiting_department",
                    ],
                ),
                name="case_deadline_watch",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.author.handle}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class Comment(models.Model):
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.PROTECT, related_name="+", db_index=False
    )  # led by the comment indexes below
    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(max_length=255)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="comments")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
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
    raw = models.JSONField(default=dict, help_text="The item as the client sent it.")

    # Current classification, copied from the latest Classification row.
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    level_rank = models.PositiveSmallIntegerField()
    confidence = models.FloatField()
    reasons = models.JSONField(default=list)
    model_version = models.CharField(max_length=64, blank=True)
    classified_by_human = models.BooleanField(default=False)

    # Ripple detection (``crisis.ripples``). A JSON list rather than an ArrayField: the desk also
    # runs on SQLite, and PostgreSQL's jsonb still narrows the window with ``?|``. NULL for
    # comments that were not negative when they arrived: they are never compared.
    ripple_terms = models.JSONField(
        null=True, blank=True, help_text="The ripple signature: concepts, stems and hashtags."
    )
    ripple = models.ForeignKey(
        "crisis.Ripple",
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
            # The live queue: a brand's most urgent level first, oldest first inside a level.
            models.Index(fields=["brand", "level_rank", "posted_at"], name="comment_queue_order"),
            # API listing with since/until and cursor pagination.
            models.Index(fields=["brand", "received_at", "id"], name="comment_received"),
            # Ripple detection loads a brand's negative comments posted inside the window
            # around each batch that are in no ripple yet (``crisis.ripples._window``).
            models.Index(
                fields=["brand", "posted_at"],
                name="comment_ripple_window",
                condition=Q(category__in=NEGATIVE_CATEGORIES, ripple__isnull=True),
            ),
            # A ripple's members: which of a batch's authors it already counts, and its recount
            # (``crisis.ripples``). Partial: most comments are in none, and every insert would
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


class AuditEvent(models.Model):
    """Who changed what and when, with the state before and after. Append-only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=50)
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} at {self.created_at:%Y-%m-%d %H:%M}"


class FollowUp(models.Model):
    """A check with the customer of a resolved case: the day after, then daily until they
    answer, at most ``SEMAFORO['FOLLOW_UP_MAX']`` times.

    The desk never writes to the customer itself: when one falls due, the person working the
    case is asked to send it (with a signed satisfaction link) or to record the answer.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(help_text="1 for the first check, then 2, 3…")
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Claimed by a scheduler pass."
    )
    prompted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person was asked to send it."
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfied = models.BooleanField(null=True, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the customer answered through the link.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="followup_case_number"),
        ]
        indexes = [
            # schedule_follow_ups: the due ones not yet claimed, oldest first. Partial, so a
            # pass costs what is due, not what the table holds.
            models.Index(
                fields=["due_at"],
                condition=Q(enqueued_at=None, cancelled_at=None, answered_at=None),
                name="followup_due",
            ),
        ]

    def __str__(self):
        return f"Follow-up {self.number} of case #{self.case_id}"


class Protocol(models.Model):
    """How a brand answers one kind of case (category and level): the steps to follow, the
    reply templates, the ways out and whether a supervisor approves the replies.

    Supervisors edit it; each brand starts from the desk's seeded protocol (``protocols.py``).
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    steps = models.TextField(help_text="One step per line.")
    outcomes = models.JSONField(default=list, help_text="The ways out a person may choose.")
    requires_approval = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["brand", "category", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "category", "level"], name="protocol_brand_category_level"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} / {self.get_level_display()}"

    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    def outcome_choices(self) -> list[tuple[str, str]]:
        """The ways out this protocol allows, in the desk's order, with their labels."""
        return [(value, label) for value, label in Outcome.choices if value in self.outcomes]


class ReplyTemplate(models.Model):
    """A suggestion a person edits before anything is sent: never sent as it stands.

    Placeholders: ``{customer_name}``, ``{case_number}``, ``{department}``, ``{brand}``.
    """

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=120)
    language = models.CharField(max_length=5, default="es")
    body = models.TextField()
    private_handoff = models.BooleanField(
        default=False,
        help_text="The public reply that moves the conversation to a private channel.",
    )

    class Meta:
        ordering = ["protocol", "language", "name"]

    def __str__(self):
        return self.name


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    CHANGES_REQUESTED = "changes_requested", _("Sent back with comments")
    APPROVED = "approved", _("Approved, ready to publish")
    PUBLISHED = "published", _("Published through the connector")
    SENT_BY_HAND = "sent_by_hand", _("Sent by hand")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    PRIVATE = "private", _("Private message")


class Reply(models.Model):
    """An answer to a customer, written by a person and, where the policy says, approved by a
    supervisor. Only a person's action publishes it (``replies.reply_publish``)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ReplyTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    needs_approval = models.BooleanField(default=False)
    tone_warnings = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    delivery_id = models.BigIntegerField(
        null=True, blank=True, help_text="The outbound delivery that carried it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The supervisors' approval queue: a brand's replies waiting, oldest first.
            models.Index(
                fields=["brand", "submitted_at"],
                condition=Q(status="pending_approval"),
                name="reply_pending_approval",
            ),
        ]
        permissions = [("approve_reply", "Can approve, edit or send back replies")]

    def __str__(self):
        return f"Reply {self.pk} to case #{self.case_id}"


class Department(models.Model):
    """A team of the brand that solves what the desk cannot (billing, logistics, legal…).

    Departments do not log in: they get the gathered information by e-mail with a signed link
    to answer (``departments.py``).
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["brand", "name"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="department_brand_name"),
        ]
        permissions = [("manage_department", "Can add and change the brand's departments")]

    def __str__(self):
        return self.name


class DepartmentRequest(models.Model):
    """A case handed to a department with everything gathered from the customer, written once
    so nobody asks the customer again (the CRM record the seed texts ask for)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="department_requests")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="requests")
    need = models.TextField(help_text="What the customer needs, in one or two sentences.")
    details = models.TextField(help_text="Everything gathered from the customer.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the department answered through its link.",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at=None) | ~Q(answer=""), name="department_request_answer_text"
            ),
        ]
        indexes = [
            # "Is the case still waiting on a department?" when one answers.
            models.Index(
                fields=["case"], condition=Q(answered_at=None), name="department_request_waiting"
            ),
        ]

    def __str__(self):
        return f"{self.department} for case #{self.case_id}"
