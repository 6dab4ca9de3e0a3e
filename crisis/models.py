from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbound.models import OutboxRow


class Escalation(models.Model):
    """A red comment that the crisis committee must hear about.

    Written in the same transaction as the comment, so the promise to notify survives a broker
    outage; the ``crisis`` worker claims it, notifies, and records when, which makes
    time-to-notify a fact.
    """

    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="escalation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    last_error = models.TextField(
        blank=True, help_text="Why the last notice failed; the escalation is retried alone."
    )
    crisis = models.ForeignKey(
        "Crisis", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )

    class Meta:
        indexes = [
            # The sweep looks only at what is still waiting to be notified.
            models.Index(
                fields=["created_at"], condition=Q(notified_at=None), name="escalation_pending"
            ),
        ]

    def __str__(self):
        return f"Escalation of comment {self.comment_id}"


class CrisisStatus(models.TextChoices):
    DETECTED = "detected", _("Detected")
    COMMITTEE_NOTIFIED = "committee_notified", _("Committee notified")
    RESPONDING = "responding", _("Responding")
    CONTAINED = "contained", _("Contained")
    CLOSED = "closed", _("Closed")


#: Statuses in which nobody has taken the crisis in hand yet: the acknowledgement watch.
UNACKNOWLEDGED_STATUSES = [CrisisStatus.DETECTED, CrisisStatus.COMMITTEE_NOTIFIED]


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Crisis(models.Model):
    """Reds of one brand about one thing, handled together by the committee.

    Opened or joined by ``crisis.opening.crisis_open_or_join`` in the crisis worker; every status
    keeps its own timestamp so the post-mortem reads facts, never estimates.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=255)
    subject_key = models.CharField(
        max_length=80, help_text="What reds must share to join: the ripple or the main signal."
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.HIGH
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CrisisStatus.choices, default=CrisisStatus.DETECTED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ripple = models.ForeignKey(
        "comments.Ripple", null=True, blank=True, on_delete=models.SET_NULL, related_name="crises"
    )
    escalations_count = models.PositiveIntegerField(default=0)
    first_comment_at = models.DateTimeField(help_text="Earliest posting of a related comment.")
    last_escalation_at = models.DateTimeField()
    opened_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    contact_level = models.PositiveSmallIntegerField(
        default=1, help_text="The deepest contact level notified so far."
    )
    level_notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current contact level was notified."
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responding_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(
        null=True, blank=True, help_text="When the committee marked it contained."
    )
    rate_contained_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Measured: when the related comments' rate fell back under the ripple "
        "threshold (crisis.containment); empty while it is over.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        # The builtin ``view_crisis`` opens the crisis room.
        permissions = [
            ("manage_crisis", "Can log decisions, draft statements and move a crisis on"),
        ]
        indexes = [
            # crisis_open_or_join: the brand's open crises sharing a subject.
            models.Index(
                fields=["brand", "subject_key"],
                condition=~Q(status="closed"),
                name="crisis_open_subject",
            ),
            # crises_escalate_unacknowledged: notified, nobody acknowledged yet.
            models.Index(
                fields=["level_notified_at"],
                condition=Q(acknowledged_at=None, status__in=["detected", "committee_notified"]),
                name="crisis_ack_watch",
            ),
        ]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")

    def __str__(self):
        return f"Crisis #{self.pk}: {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status != CrisisStatus.CLOSED


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    JOINED = "joined", _("Red joined")
    NOTIFIED = "notified", _("Committee notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    LEVEL_ESCALATED = "level_escalated", _("Next contact level called")
    STATUS = "status", _("Status changed")
    RATE_CONTAINED = "rate_contained", _("Rate back under the ripple threshold")
    RATE_OVER = "rate_over", _("Rate over the ripple threshold again")
    DECISION = "decision", _("Decision")
    STATEMENT = "statement", _("Statement")
    POSTMORTEM = "postmortem", _("Evaluation")


class CrisisEvent(models.Model):
    """The crisis timeline: append-only, one row per thing that happened, with its time."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["crisis", "at"], name="crisisevent_timeline")]

    def __str__(self):
        return f"{self.kind} at {self.at:%H:%M:%S}"


class CommitteeRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    MARKETING = "marketing", _("Marketing")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    LEGAL = "legal", _("Legal")


#: Committee roles with decision power: they approve the public statement.
DECISION_ROLES = [CommitteeRole.MANAGER]
#: The deepest contact level of a committee: a seat's level is 1 to 3 (its check constraint).
MAX_LEVEL = 3


class CommitteeMember(models.Model):
    """A person's seat on a brand's crisis committee, hung on their membership of that brand.

    Level 1 is called at once; levels 2 and 3 only when nobody acknowledged in time. A person
    in the committee role without this profile counts as level 1 with no decision power.
    """

    membership = models.OneToOneField(
        "brands.Membership", on_delete=models.CASCADE, related_name="committee"
    )
    committee_role = models.CharField(
        _("committee role"), max_length=20, choices=CommitteeRole.choices
    )
    contact_level = models.PositiveSmallIntegerField(
        _("contact level"), default=1, choices=[(1, "1"), (2, "2"), (3, "3")]
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    chat_handle = models.CharField(_("chat handle"), max_length=100, blank=True)
    is_spokesperson = models.BooleanField(_("spokesperson"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(contact_level__in=[1, 2, 3]), name="committeemember_level_1_to_3"
            ),
        ]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self):
        return f"{self.membership} · {self.get_committee_role_display()} · L{self.contact_level}"


class CrisisNotification(OutboxRow):
    """One person told of one crisis: the row makes "exactly one notice per member" checkable
    and holds their acknowledgement. An outbox row (``outbound.outbox``): claimed before the
    mail, marked sent after it, retried with backoff while the mail server fails, and swept,
    so a level's notice outlives an outage of hours."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crisis", "user"], name="crisisnotification_once"),
        ]
        indexes = [
            # The notices' sweep: the ones still to send, by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at=None, failed_at=None),
                name="crisisnotification_pending",
            ),
        ]

    def __str__(self):
        return f"{self.user} of crisis #{self.crisis_id}"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved, ready to publish")
    PUBLISHED = "published", _("Published through the connector")
    SENT_BY_HAND = "sent_by_hand", _("Sent by hand")


class Statement(models.Model):
    """The brand's public word on a crisis: drafted by the spokesperson, approved by a member
    with decision power, published only when a person presses publish (``crisis.statements``)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="statements")
    body = models.TextField()
    tone_warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="classifier.tone warnings of the body, checked on every save.",
    )
    status = models.CharField(
        max_length=20, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    delivery_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["drafted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft"]) | Q(approved_at__isnull=False),
                name="statement_approved_before_out",
            ),
        ]

    def __str__(self):
        return f"Statement {self.pk} of crisis #{self.crisis_id}"


class PostMortem(models.Model):
    """The evaluation once a crisis closes: measured facts (frozen at closing, recomputable)
    and what the committee writes about them."""

    crisis = models.OneToOneField(Crisis, on_delete=models.CASCADE, related_name="postmortem")
    facts = models.JSONField(default=dict)
    what_failed = models.TextField(_("what failed"), blank=True)
    what_to_improve = models.TextField(_("what to improve"), blank=True)
    reply_quality = models.TextField(_("quality of the replies"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Evaluation of crisis #{self.crisis_id}"
