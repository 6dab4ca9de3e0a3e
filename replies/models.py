"""How a brand answers (protocols and their templates) and the answers people write.

The tables keep the names they had when these models lived in ``comments`` (``db_table``).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brands.models import Language
from cases.models import Outcome
from core.taxonomy import Category, Level

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Protocol(models.Model):
    """How a brand answers one kind of case (category and level): the steps to follow, the
    reply templates, the ways out and whether a supervisor approves the replies.

    Supervisors edit it; each brand starts from the desk's seeded protocol (``protocols.py``).
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=20, choices=Category.choices)
    level = models.CharField(max_length=10, choices=Level.choices)
    outcomes = models.JSONField(default=list, help_text="The ways out a person may choose.")
    requires_approval = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "comments_protocol"
        ordering = ["brand", "category", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "category", "level"], name="protocol_brand_category_level"
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} / {self.get_level_display()}"

    def step_list(self) -> list[str]:
        return [step.text for step in self.step_rows.all()]

    def solution_names(self) -> list[str]:
        return [s.name for s in self.solutions.all()]

    def outcome_choices(self) -> list[tuple[str, "StrOrPromise"]]:
        """The ways out this protocol allows, in the desk's order, with their labels (lazy: they
        are translated where they are shown)."""
        return [(value, label) for value, label in Outcome.choices if value in self.outcomes]


class StepOwner(models.TextChoices):
    """Who does a protocol step, when no department does: the desk's working roles."""

    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    CRISIS_COMMITTEE = "crisis_committee", _("Crisis committee")


class ProtocolStep(models.Model):
    """One step of a protocol, with who owns it (a role, or one of the brand's departments)
    and the minutes it should take from the case's opening; ticked off on each case
    (``CaseStep``)."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="step_rows")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    owner_role = models.CharField(
        max_length=20, choices=StepOwner.choices, default=StepOwner.COMMUNITY_MANAGER
    )
    owner_department = models.ForeignKey(
        "cases.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="When set, the department owns the step rather than the role.",
    )
    expected_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Minutes after the case opens by which it should be done."
    )

    class Meta:
        ordering = ["protocol", "position"]

    def __str__(self):
        return self.text

    @property
    def owner_label(self) -> "StrOrPromise":
        return owner_in_words(self.owner_key)

    @property
    def owner_key(self) -> str:
        """Who owns it, in no one's language: the department's name, or the role's value."""
        if self.owner_department is not None:
            return self.owner_department.name
        return self.owner_role


def owner_in_words(owner_key: str) -> "StrOrPromise":
    """An ``owner_key`` in the reader's words: a role's label, or the department's name."""
    return StepOwner(owner_key).label if owner_key in StepOwner.values else owner_key


class IntermediateSolution(models.Model):
    """A middle way out the brand approved in advance (a discount, a partial refund, a
    replacement): a case resolved with the intermediate outcome names one of these."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="solutions")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["protocol", "name"]
        constraints = [
            models.UniqueConstraint(fields=["protocol", "name"], name="solution_protocol_name")
        ]

    def __str__(self):
        return self.name


class CaseStep(models.Model):
    """A protocol step done on a case: by whom and when. The step's text and owner are kept
    as they were, so an edit of the protocol later does not rewrite what was done."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="steps_done")
    step = models.ForeignKey(
        ProtocolStep, null=True, on_delete=models.SET_NULL, related_name="done_on"
    )
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    owner = models.CharField(
        max_length=200, help_text="A role's value, or the department's name (``owner_key``)."
    )
    expected_minutes = models.PositiveIntegerField(null=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step"], condition=Q(step__isnull=False), name="case_step_once"
            )
        ]

    def __str__(self):
        return self.text


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
        db_table = "comments_replytemplate"
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

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="replies")
    brand = models.ForeignKey("brands.Brand", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ReplyTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    faq_entry = models.ForeignKey(
        "replies.FaqEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The FAQ answer the draft started from; its use is counted on submission.",
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
    closes_publicly = models.BooleanField(
        default=False,
        help_text="The short public thanks on the thread after the customer said it is solved.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "comments_reply"
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


class VersionReason(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    EDITED = "edited", _("Edited by the author")
    APPROVER_CHANGED = "approver_changed", _("Changed by the approver")
    SENT_BACK = "sent_back", _("Sent back")


class ReplyVersion(models.Model):
    """One text of a reply as someone left it, and why: the draft, each edit, each approver's
    change, each send-back (with its note). Written only by ``replies.history.reply_body_write``
    and never changed, so the evaluation of reply quality after a crisis reads what each person
    actually wrote, not only the text that went out."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=VersionReason.choices)
    note = models.TextField(blank=True, help_text="The approver's comment, when sent back.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reply", "number"]
        constraints = [
            # Versions are numbered 1, 2, … per reply; a second writer racing for the same
            # number fails here instead of interleaving the history.
            models.UniqueConstraint(fields=["reply", "number"], name="replyversion_reply_number"),
        ]

    def __str__(self):
        return f"Reply {self.reply_id} v{self.number}"


class FaqEntry(models.Model):
    """A question the brand's customers ask often, with the answer a supervisor approved.

    Like a template, it is a suggestion a person makes this customer's in the reply box, never
    an answer sent as it stands (``replies.templated``). An entry not reviewed for
    ``SEMAFORO['FAQ_STALE_DAYS']`` days is stale: the desk stops suggesting it, because an old
    answer (a fee, a deadline, an address) is worse than none.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.SPANISH
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
        help_text=_("Who keeps this answer true."),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand", "language", "question"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "language", "question"], name="faqentry_brand_language_question"
            ),
        ]
        indexes = [
            # The reply box reads a brand's entries reviewed since the stale cut-off.
            models.Index(fields=["brand", "reviewed_at"], name="faqentry_brand_reviewed"),
        ]

    def __str__(self):
        return self.question


class FaqUse(models.Model):
    """One reply a person drafted from a FAQ answer and sent on (written by
    ``replies.faq.faq_use_record`` at submission): what the supervisors' page counts as used.
    One per reply, so a reply sent back and submitted again counts once."""

    entry = models.ForeignKey(FaqEntry, on_delete=models.CASCADE, related_name="uses")
    reply = models.OneToOneField(Reply, on_delete=models.CASCADE, related_name="faq_use")
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "used_at"]
        indexes = [
            # The FAQ page counts each entry's uses of the last days.
            models.Index(fields=["entry", "used_at"], name="faquse_entry_used"),
        ]

    def __str__(self):
        return f"{self.entry_id} used in reply {self.reply_id}"


class Fact(models.Model):
    """A statement the brand verified, to rebut a false claim with: where it comes from, who
    verified it and until when it holds. An expired fact is never offered (``replies.facts``):
    a rebuttal quoting last year's figure is a new false claim."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    statement = models.TextField(_("statement"))
    source = models.CharField(
        _("source"), max_length=500, help_text=_("A link, or the name of the document.")
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["brand", "-valid_until", "id"]
        verbose_name = _("verified fact")
        verbose_name_plural = _("verified facts")
        indexes = [
            # The refute step reads a brand's facts still valid today.
            models.Index(fields=["brand", "valid_until"], name="fact_brand_valid_until"),
        ]

    def __str__(self):
        return self.statement[:80]


class FalseClaim(models.Model):
    """A case, or one of its comments, marked as spreading a false claim, with the fact that
    answers it (``replies.facts.false_claim_mark``, which also writes the audit event)."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="claims")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "comments.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["marked_at", "id"]
        constraints = [
            # Marking twice is one mark: per fact, once for the case and once per comment.
            models.UniqueConstraint(
                fields=["fact", "case"],
                condition=Q(comment__isnull=True),
                name="falseclaim_fact_case",
            ),
            models.UniqueConstraint(
                fields=["fact", "comment"],
                condition=Q(comment__isnull=False),
                name="falseclaim_fact_comment",
            ),
        ]

    def __str__(self):
        return f"False claim on case #{self.case_id}"
