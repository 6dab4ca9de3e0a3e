"""A database made before cases, replies and ripples moved apps migrates in place.

The models moved with ``SeparateDatabaseAndState``: their tables, ids and rows stay, and the
content types move with their permissions, so what a role was granted is still granted.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from brands.roles import ROLE_PERMISSIONS, Role
from cases.customers import customer_personal_data
from cases.models import AuditEvent, Case, Department, DepartmentRequest, FollowUp
from comments.models import Author, Comment, Ripple
from crisis.models import Crisis
from replies.models import Protocol, Reply, ReplyTemplate

#: The last migrations of each app before the move.
BEFORE_THE_MOVE = [
    ("comments", "0013_drop_indexes_led_by_composites"),
    ("crisis", "0006_crisis_subjects_in_words"),
    ("cases", None),
    ("replies", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    targets = targets or leaves
    executor.migrate(targets)
    moved = {app for app, _ in targets}
    state_at = [node for node in targets if node[1]] + [n for n in leaves if n[0] not in moved]
    return executor.loader.project_state(state_at).apps


def _rows_at_the_old_layout(apps) -> dict:
    """One row of every moved model, written through the models as they were."""
    old = apps.get_model
    user = old("auth", "User").objects.create(username="alice")
    brand = old("brands", "Brand").objects.create(name="Banco Aurora", slug="aurora")
    now = timezone.now()
    author = old("comments", "Author").objects.create(
        brand=brand, platform="twitter", handle="@ana"
    )
    case = old("comments", "Case").objects.create(
        brand=brand,
        author=author,
        category="pqr",
        level="yellow",
        level_rank=1,
        due_at=now + timedelta(hours=4),
        personal_data={"phone": "3001234567"},
    )
    ripple = old("crisis", "Ripple").objects.create(
        brand=brand, subject=["unauthorized_charge"], first_at=now, last_at=now, size=12, authors=12
    )
    comment = old("comments", "Comment").objects.create(
        brand=brand,
        platform="twitter",
        external_id="t-1",
        author=author,
        case=case,
        text="Me cobraron dos veces",
        posted_at=now,
        category="pqr",
        level="yellow",
        level_rank=1,
        confidence=0.9,
        ripple=ripple,
    )
    crisis = old("crisis", "Crisis").objects.create(
        brand=brand, subject="Onda #1", ripple=ripple, first_comment_at=now, last_escalation_at=now
    )
    audit = old("comments", "AuditEvent").objects.create(
        action="case_opened", case=case, comment=comment, author=author
    )
    follow_up = old("comments", "FollowUp").objects.create(
        case=case, brand=brand, number=1, due_at=now
    )
    department = old("comments", "Department").objects.create(
        brand=brand, name="Billing", email="billing@example.com"
    )
    request = old("comments", "DepartmentRequest").objects.create(
        case=case,
        brand=brand,
        department=department,
        need="A refund",
        details="Order 7",
        requested_by=user,
    )
    protocol = old("comments", "Protocol").objects.create(
        brand=brand, category="pqr", level="yellow", steps="Answer", outcomes=["solved"]
    )
    template = old("comments", "ReplyTemplate").objects.create(
        protocol=protocol, name="Thanks", body="Hola {customer_name}"
    )
    reply = old("comments", "Reply").objects.create(
        case=case, brand=brand, author=user, template=template, body="Hola Ana"
    )
    return {
        "user": user.pk,
        "case": case.pk,
        "comment": comment.pk,
        "ripple": ripple.pk,
        "crisis": crisis.pk,
        "audit": audit.pk,
        "follow_up": follow_up.pk,
        "department": department.pk,
        "request": request.pk,
        "protocol": protocol.pk,
        "template": template.pk,
        "reply": reply.pk,
        "author": author.pk,
    }


def _grant_the_old_permissions(apps) -> int:
    """A group holding, under the old app labels, what a supervisor holds today."""
    content_types = apps.get_model("contenttypes", "ContentType")
    permissions = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.create(name="supervisors, before")
    old_labels = {
        "case": "comments",
        "reply": "comments",
        "protocol": "comments",
        "department": "comments",
        "author": "comments",
    }
    codenames = {
        "work_case": "case",
        "assign_case": "case",
        "flag_troll": "case",
        "approve_reply": "reply",
        "change_protocol": "protocol",
        "manage_department": "department",
    }
    for codename, model in codenames.items():
        content_type, _ = content_types.objects.get_or_create(
            app_label=old_labels[model], model=model
        )
        permission, _ = permissions.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": codename}
        )
        group.permissions.add(permission)
    content_types.objects.get_or_create(app_label="comments", model="author")
    return group.pk


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_move_keeps_every_row_and_every_grant():
    old_apps = _migrate(BEFORE_THE_MOVE)
    ids = _rows_at_the_old_layout(old_apps)
    group_id = _grant_the_old_permissions(old_apps)

    _migrate(None)

    case = Case.objects.get(pk=ids["case"])
    # Then the case's personal data moved to its customer (cases 0008).
    assert customer_personal_data(case.author) == {"phone": "3001234567"}
    assert case.author_id == ids["author"]
    comment = Comment.objects.select_related("case", "ripple").get(pk=ids["comment"])
    assert (comment.case.pk, comment.ripple.pk) == (ids["case"], ids["ripple"])
    assert Crisis.objects.get(pk=ids["crisis"]).ripple_id == ids["ripple"]
    assert Ripple.objects.get(pk=ids["ripple"]).size == 12
    assert AuditEvent.objects.get(pk=ids["audit"]).comment_id == ids["comment"]
    assert FollowUp.objects.get(pk=ids["follow_up"]).case_id == ids["case"]
    assert DepartmentRequest.objects.get(pk=ids["request"]).department_id == ids["department"]
    assert Department.objects.get(pk=ids["department"]).name == "Billing"
    assert ReplyTemplate.objects.get(pk=ids["template"]).protocol_id == ids["protocol"]
    reply = Reply.objects.get(pk=ids["reply"])
    assert (reply.case_id, reply.template_id) == (ids["case"], ids["template"])
    assert Protocol.objects.filter(pk=ids["protocol"]).exists()
    assert Author.objects.filter(pk=ids["author"]).exists()

    from django.contrib.auth.models import Group

    held = {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(pk=group_id).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    supervisor = set(ROLE_PERMISSIONS[Role.SUPERVISOR])
    assert held == {
        "cases.work_case",
        "cases.assign_case",
        "comments.flag_troll",
        "replies.approve_reply",
        "replies.change_protocol",
        "cases.manage_department",
    }
    assert held <= supervisor
