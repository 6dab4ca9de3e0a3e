"""A case's two clocks: the first response (the old ``due_at``) and the resolution, with
pauses, warnings and one ``alarm_at`` for the deadline watch."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.db.models import Min, Q

OPEN = ["new", "assigned", "in_progress", "waiting_customer", "waiting_department"]


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Reply = apps.get_model("replies", "Reply")
    resolve = settings.SEMAFORO["RESOLVE_MINUTES"]
    warn = timedelta(minutes=settings.SEMAFORO["DEADLINE_WARN_MIN"])
    first_replies = dict(
        Reply.objects.filter(published_at__isnull=False)
        .values("case_id")
        .annotate(first=Min("published_at"))
        .values_list("case_id", "first")
    )
    for case in Case.objects.all().iterator():
        case.resolution_due_at = case.opened_at + timedelta(minutes=resolve[case.level])
        case.responded_at = first_replies.get(case.pk)
        case.response_warned_at = case.response_breached_at
        moments = []
        if case.status in OPEN:
            if case.responded_at is None and case.response_breached_at is None:
                moments.append(case.response_due_at - warn)
            moments.append(case.resolution_due_at - warn)
        case.alarm_at = min(moments) if moments else None
        case.save(
            update_fields=["resolution_due_at", "responded_at", "response_warned_at", "alarm_at"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_classifier_versions"),
        ("replies", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_unassigned_urgent"),
        migrations.RemoveIndex(model_name="case", name="case_deadline_watch"),
        migrations.RenameField(model_name="case", old_name="due_at", new_name="response_due_at"),
        migrations.AlterField(
            model_name="case",
            name="response_due_at",
            field=models.DateTimeField(help_text="When the first response is due."),
        ),
        migrations.RenameField(
            model_name="case", old_name="breach_alerted_at", new_name="response_breached_at"
        ),
        migrations.AlterField(
            model_name="case",
            name="response_breached_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="responded_at",
            field=models.DateTimeField(
                blank=True, help_text="When the first reply was published.", null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_due_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="paused_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Since when the case waits on the customer or a department.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="paused_seconds",
            field=models.PositiveIntegerField(
                default=0, help_text="Time spent waiting, not counted against the resolution."
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="response_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_warned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_breached_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="alarm_at",
            field=models.DateTimeField(
                blank=True, help_text="The next warning or breach to tell; empty: none.", null=True
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="resolution_due_at",
            field=models.DateTimeField(
                help_text="When the resolution is due; moved on by every pause."
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=Q(status="new"),
                fields=["brand", "level_rank", "response_due_at"],
                name="case_unassigned_urgent",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=Q(alarm_at__isnull=False), fields=["alarm_at"], name="case_alarm_watch"
            ),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('case_opened', 'Case opened'), ('case_assigned', 'Assigned'), ('case_start', 'Work started'), ('case_wait_customer', 'Waiting on the customer'), ('case_wait_department', 'Waiting on a department'), ('case_resume', 'Work resumed'), ('case_resolve', 'Resolved'), ('case_close', 'Closed'), ('case_reopen', 'Reopened'), ('case_lowered', "Lowered to its comments' level"), ('classification_corrected', 'Classification corrected'), ('classifier_changed', 'Classifier version changed'), ('deadline_warned', 'Deadline near; team warned'), ('deadline_breached', 'Deadline passed; team told'), ('first_response', 'First response published'), ('follow_up_due', 'Follow-up due; the person on the case was asked'), ('follow_up_answered', 'The customer answered the follow-up'), ('reply_drafted', 'Reply drafted'), ('reply_submitted', 'Reply sent on'), ('reply_approved', 'Reply approved'), ('reply_sent_back', 'Reply sent back'), ('reply_published', 'Reply published'), ('department_requested', 'Sent to a department'), ('department_created', 'Department added'), ('department_answered', 'The department answered'), ('private_handoff', 'Moved to a private channel'), ('personal_data_recorded', "Customer's details recorded"), ('protocol_changed', 'Protocol changed'), ('troll_flagged', 'Author flagged as troll'), ('troll_unflagged', 'Troll flag removed')], max_length=50),
        ),
    ]
