"""How a brand answers (protocols and their templates) and the answers people write.

The tables keep the names they had when these models lived in ``comments`` (``db_table``).
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    steps = models.TextField(help_text="One step per line.")
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
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    def outcome_choices(self) -> list[tuple[str, "StrOrPromise"]]:
        """The ways out this protocol allows, in the desk's order, with their labels (lazy: they
        are translated where they are shown)."""
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
