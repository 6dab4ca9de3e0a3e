"""Cases, the unit of work for a person, with their audit log, follow-ups and departments.

The tables keep the names they had when these models lived in ``comments`` (``db_table``):
the move to this app changed no row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Brand
from core.taxonomy import Category, Level


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
        "comments.Author", on_delete=models.PROTECT, related_name="cases", db_index=False
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
    # The two clocks (``cases.clocks``): the first response, and the resolution.
    response_due_at = models.DateTimeField(help_text="When the first response is due.")
    responded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first reply was published."
    )
    resolution_due_at = models.DateTimeField(
        help_text="When the resolution is due; moved on by every pause."
    )
    paused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Since when the case waits on the customer or a department.",
    )
    paused_seconds = models.PositiveIntegerField(
        default=0, help_text="Time spent waiting, not counted against the resolution."
    )
    response_warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    alarm_at = models.DateTimeField(
        null=True, blank=True, help_text="The next warning or breach to tell; empty: none."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    intermediate_solution = models.CharField(
        max_length=200,
        blank=True,
        help_text="The approved intermediate solution chosen, as the protocol named it then.",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    satisfied = models.BooleanField(
        null=True, blank=True, help_text="The customer's answer when the case closed."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    alert_attempts = models.PositiveIntegerField(
        default=0,
        help_text="Passes that could not tell this case's alarm (its mail is an outbox row).",
    )
    alert_error = models.TextField(
        blank=True, help_text="Why its alarm could not be told; armed again after a backoff."
    )
    private_channel = models.CharField(
        max_length=20,
        choices=PrivateChannel.choices,
        blank=True,
        help_text="Set when the conversation moved to a private channel.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "comments_case"
        permissions = [
            ("work_case", "Can work the cases assigned to them"),
            ("assign_case", "Can assign cases to anyone in the brand"),
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
            # The overview's cohort: a brand's cases opened in a period (``reports.figures``).
            models.Index(fields=["brand", "opened_at"], name="case_brand_opened"),
            # "Take next": a brand's most urgent unassigned case.
            models.Index(
                fields=["brand", "level_rank", "response_due_at"],
                condition=Q(status="new"),
                name="case_unassigned_urgent",
            ),
            # The retention purge (``comments.retention``): cases closed before the window.
            models.Index(
                fields=["closed_at"], condition=Q(status="closed"), name="case_closed_retention"
            ),
            # The deadline watch: the cases with a warning or a breach still to tell.
            models.Index(
                fields=["alarm_at"], condition=Q(alarm_at__isnull=False), name="case_alarm_watch"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.author.handle}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class AuditAction(models.TextChoices):
    """Every change the audit log records, with the words the case history shows."""

    CASE_OPENED = "case_opened", _("Case opened")
    CASE_ASSIGNED = "case_assigned", _("Assigned")
    CASE_START = "case_start", _("Work started")
    CASE_WAIT_CUSTOMER = "case_wait_customer", _("Waiting on the customer")
    CASE_WAIT_DEPARTMENT = "case_wait_department", _("Waiting on a department")
    CASE_RESUME = "case_resume", _("Work resumed")
    CASE_RESOLVE = "case_resolve", _("Resolved")
    CASE_CLOSE = "case_close", _("Closed")
    CASE_REOPEN = "case_reopen", _("Reopened")
    CASE_LOWERED = "case_lowered", _("Lowered to its comments' level")
    CASE_CLOSED_NO_ANSWER = "case_closed_no_answer", _("Closed: the customer never answered")
    PUBLIC_CLOSING_SKIPPED = "public_closing_skipped", _("Public closing skipped")
    CLASSIFICATION_CORRECTED = "classification_corrected", _("Classification corrected")
    CLASSIFIER_CHANGED = "classifier_changed", _("Classifier version changed")
    DEADLINE_WARNED = "deadline_warned", _("Deadline near; team warned")
    DEADLINE_BREACHED = "deadline_breached", _("Deadline passed; team told")
    FIRST_RESPONSE = "first_response", _("First response published")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due; the person on the case was asked")
    FOLLOW_UP_ANSWERED = "follow_up_answered", _("The customer answered the follow-up")
    REPLY_DRAFTED = "reply_drafted", _("Reply drafted")
    REPLY_SUBMITTED = "reply_submitted", _("Reply sent on")
    REPLY_APPROVED = "reply_approved", _("Reply approved")
    REPLY_SENT_BACK = "reply_sent_back", _("Reply sent back")
    REPLY_PUBLISHED = "reply_published", _("Reply published")
    DEPARTMENT_REQUESTED = "department_requested", _("Sent to a department")
    DEPARTMENT_CREATED = "department_created", _("Department added")
    DEPARTMENT_ANSWERED = "department_answered", _("The department answered")
    PRIVATE_HANDOFF = "private_handoff", _("Moved to a private channel")
    PERSONAL_DATA_RECORDED = "personal_data_recorded", _("Customer's details recorded")
    PROTOCOL_CHANGED = "protocol_changed", _("Protocol changed")
    TROLL_FLAGGED = "troll_flagged", _("Author flagged as troll")
    TROLL_UNFLAGGED = "troll_unflagged", _("Troll flag removed")
    CUSTOMER_LINKED = "customer_linked", _("Handle linked as the same customer")
    CUSTOMER_UNLINKED = "customer_unlinked", _("Handle unlinked from the customer")
    NOTE_ADDED = "note_added", _("Note added")
    DEPARTMENT_REMINDED = "department_reminded", _("The department was reminded")
    COMPLAINT_SUBJECT_NAMED = "complaint_subject_named", _("Complaint subject named")
    COMPLAINT_SUBJECTS_MERGED = "complaint_subjects_merged", _("Complaint subjects merged")
    COMPLAINT_SUBJECT_SPLIT = "complaint_subject_split", _("Complaint subject split")
    AUTHOR_ERASED = "author_erased", _("Author's personal data erased")
    STEP_DONE = "step_done", _("Protocol step done")
    STEP_UNDONE = "step_undone", _("Protocol step marked not done")


class Customer(models.Model):
    """One person at one brand, remembered across their cases: the handles a person linked as
    the same customer (``customers.py``) and what they gave in private, recorded once for all
    their cases (``privacy.py``).

    An author nobody linked and whose data nobody recorded has no row: a customer of one handle.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    personal_data = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the customer gave in private (privacy.PERSONAL_FIELDS). Shown in full "
        "only to the brand's people who work cases; masked everywhere else "
        "(privacy.mask_personal_data).",
    )
    personal_data_at = models.DateTimeField(
        null=True, blank=True, help_text="When the personal data was last recorded."
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Customer #{self.pk}"


class CustomerHandle(models.Model):
    """An author (one handle on one platform) counted as this customer; at most one each."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="handles")
    author = models.OneToOneField(
        "comments.Author", on_delete=models.CASCADE, related_name="customer_handle"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.author_id} of customer #{self.customer_id}"


class CaseNote(models.Model):
    """A person's free note on a case: what the customer said on the phone, what to remember
    next time. Shown on the case and on the customer's page; each one is audited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="case_note_text")]

    def __str__(self):
        return f"Note on case #{self.case_id}"


class AuditEvent(models.Model):
    """Who changed what and when, with the state before and after.

    Append-only, and the database enforces it: on PostgreSQL a trigger refuses every UPDATE and
    DELETE of these rows (migration 0012), except inside ``cases.audit.audit_erasure``, the one
    place that anonymises what a person asked to have erased. The rows outlive what they name:
    the references are neither cascaded nor constrained, and the brand and the actor's name are
    copied onto the row, so deleting a case, a comment or a person leaves their history whole.
    """

    brand = models.ForeignKey(
        "brands.Brand",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=50, choices=AuditAction.choices)
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    author = models.ForeignKey(
        "comments.Author",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_events",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "comments_auditevent"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["brand", "created_at"], name="audit_brand_created")]

    def __str__(self):
        return f"{self.action} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        """Fill in the brand and the actor's name from what the event names, so that the
        twenty-odd places that record an event need not, and refuse a second save."""
        if not self._state.adding:
            raise ValueError("an audit event is append-only; record a new one")
        if self.brand_id is None:
            self.brand_id = self._subject_brand_id()
        if self.actor is not None and not self.actor_name:
            self.actor_name = self.actor.get_username()
        super().save(*args, **kwargs)

    def _subject_brand_id(self) -> int | None:
        for subject in ("case", "comment", "author"):
            if getattr(self, f"{subject}_id") is not None:
                return getattr(self, subject).brand_id
        for state in (self.after, self.before):
            brand = state.get("brand") if isinstance(state, dict) else None
            if isinstance(brand, int):
                return brand
            if isinstance(brand, str):  # a snapshot that names the brand by its slug
                return Brand.objects.filter(slug=brand).values_list("pk", flat=True).first()
        return None


class FollowUp(models.Model):
    """A check with the customer of a resolved case: the day after, then daily until they
    answer, at most ``SEMAFORO['FOLLOW_UP_MAX']`` times.

    The desk never writes to the customer itself: when one falls due, the person working the
    case is asked to send it (with a signed satisfaction link) or to record the answer.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(help_text="The case's checks in order, 1, 2, 3…")
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first check after a resolution, then 2, 3…"
    )
    closes_case = models.BooleanField(
        default=False,
        help_text="The day after the last unanswered check: the case closes as 'no answer'.",
    )
    due_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Claimed by a scheduler pass."
    )
    prompted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person was asked to send it."
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Prompts that failed (their mail is an outbox row)."
    )
    last_error = models.TextField(
        blank=True, help_text="Why the last prompt failed; it is retried alone."
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
        db_table = "comments_followup"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="followup_case_number"),
        ]
        indexes = [
            # schedule_follow_ups: the due ones not yet prompted (a stale claim is taken
            # again), oldest first. Partial, so a pass costs what is due, not the table.
            models.Index(
                fields=["due_at"],
                condition=Q(prompted_at=None, cancelled_at=None, answered_at=None),
                name="followup_due",
            ),
        ]

    def __str__(self):
        return f"Follow-up {self.number} of case #{self.case_id}"


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
        db_table = "comments_department"
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
    # The reminders (``departments.py``): one some hours before ``due_at``, one at it, each once.
    due_at = models.DateTimeField(help_text="When the department's answer is due.")
    remind_at = models.DateTimeField(
        null=True, blank=True, help_text="The next reminder to send; empty: none (or claimed)."
    )
    reminded_before_at = models.DateTimeField(null=True, blank=True)
    reminded_due_at = models.DateTimeField(null=True, blank=True)
    remind_attempts = models.PositiveIntegerField(
        default=0, help_text="Reminders that could not be written (their mail is an outbox row)."
    )
    remind_error = models.TextField(
        blank=True,
        help_text="Why the last reminder could not be written; armed again after a backoff.",
    )

    class Meta:
        db_table = "comments_departmentrequest"
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
            # The reminder pass: the requests with a reminder still to send, by when.
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False),
                name="department_request_remind",
            ),
        ]

    def __str__(self):
        return f"{self.department} for case #{self.case_id}"
