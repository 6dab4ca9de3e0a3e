"""Where the desk sends things (a brand's publishing tool, its committee's chat, people's mail
boxes) and what it sent.

A ``Delivery`` is written in the transaction of the action that causes it (an approved reply, a
crisis notice), so the promise to send survives a broker outage; workers claim it, POST it, and
leave one ``DeliveryAttempt`` per try, which is the record people read when a receiver says it
never got anything.

A ``Mail`` is the same promise for an e-mail (``outbound.mails``); it and a crisis member's
notice share the outbox's fields (``OutboxRow``) and the one way to send them (``outbound.outbox``).
"""

import secrets

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    """256 random bits; the prefix makes a leaked secret recognisable in logs and scanners."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class Purpose(models.TextChoices):
    PUBLISHING = "publishing", _("publishing tool (approved replies)")
    CHAT = "chat", _("crisis committee chat")


class Endpoint(models.Model):
    """A receiver of signed webhooks for one brand and one purpose.

    The secret is stored as is: signing needs it, so a digest (as for API tokens) cannot work.
    It is generated here, never typed by a person, shown in full only once (when created or
    rotated) and masked everywhere else. Deactivate an endpoint instead of deleting it: its
    deliveries are the record of what was sent.
    """

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="endpoints")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            # delivery_create picks "the" endpoint of a brand and purpose: there must be one.
            models.UniqueConstraint(
                fields=["brand", "purpose"],
                condition=Q(active=True),
                name="endpoint_one_active_per_brand_purpose",
            ),
        ]
        ordering = ["brand__name", "purpose"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return f"{self.brand} · {self.get_purpose_display()} · {self.url}"

    @property
    def masked_secret(self) -> str:
        return f"{SECRET_PREFIX}…{self.secret[-4:]}"


class Delivery(models.Model):
    """One event for one endpoint, sent until it is delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    # PROTECT: a delivery is a record of what left the desk; deactivate the endpoint instead.
    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.CharField(max_length=100)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Idempotency key chosen by the caller, e.g. reply:42:publish.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="delivery_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="delivery_pending_has_next_attempt",
            ),
        ]
        indexes = [
            # The sweep: pending deliveries whose next attempt is due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.event} #{self.pk} ({self.get_status_display()})"


class DeliveryAttempt(models.Model):
    """One POST: what the receiver answered (``status_code``) or why it could not (``error``)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"


class OutboxRow(models.Model):
    """A message the desk promised to send: written in the transaction that decided it, sent
    once in effect by ``outbound.outbox`` (claimed, sent, then marked), retried with backoff
    while it fails, and given up (a dead letter, with its error) only after
    ``SEMAFORO_OUTBOX_GIVE_UP_H`` hours. Pending: neither ``sent_at`` nor ``failed_at``."""

    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="When it is tried next; empty once sent or given up."
    )
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="Held by a worker since; a stale claim is taken over."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Sends started, failed or not.")
    last_error = models.TextField(blank=True, help_text="Why the last send failed.")
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Given up after failing for SEMAFORO_OUTBOX_GIVE_UP_H hours: a dead letter.",
    )

    class Meta:
        abstract = True


class MailKind(models.TextChoices):
    DEPARTMENT_REQUEST = "department_request", _("Request to a department")
    DEPARTMENT_REMINDER = "department_reminder", _("Reminder to a department")
    FOLLOW_UP_PROMPT = "follow_up_prompt", _("Follow-up to send")
    FOLLOW_UP_CLOSED = "follow_up_closed", _("Case closed without an answer")
    DEADLINE_ALERT = "deadline_alert", _("Deadline alert")
    WEEKLY_SUMMARY = "weekly_summary", _("Weekly summary")


class Mail(OutboxRow):
    """One e-mail, written whole (recipients, subject, body) in the transaction that decided it,
    so what a broker or a mail server outage delays is never lost nor sent twice."""

    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=MailKind.choices)
    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="Idempotency key chosen by the caller, e.g. department-request:42.",
    )
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    about = models.CharField(
        max_length=300, blank=True, help_text="The page it is about (a case), for its errors."
    )

    class Meta:
        indexes = [
            # The sweep: pending mails whose next attempt is due, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at=None, failed_at=None),
                name="mail_pending_due",
            ),
            # "Deliveries with errors": a brand's mails that failed and are not sent.
            models.Index(
                fields=["brand", "created_at"],
                condition=Q(sent_at=None) & ~Q(last_error=""),
                name="mail_with_errors",
            ),
        ]
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"
