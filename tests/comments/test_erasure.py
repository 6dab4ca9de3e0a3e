"""Erasing one author (``comments.erasure``, ``manage.py erase_author``, the admin's action):
nothing of the person is left in any column of the desk, their counts stay, and the erasure is
audited without the handle."""

import io

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import models

from brands.models import BrandAccount
from cases import departments, notes, privacy, workflow
from cases.models import AuditAction, AuditEvent, CaseNote, Customer
from comments.connectors import inbox
from comments.models import Author, Comment, CommentRevision, WebhookDelivery
from comments.revisions import comment_edit_at_source
from crisis.escalation import escalation_notify
from crisis.models import Escalation
from replies import workflow as replies
from reports.models import HourlyRollup
from reports.rollups import rollups_rebuild
from tests.comments.meta_payloads import (
    PAGE_ID,
    SECRET,
    VERIFY_TOKEN,
    feed_comment,
    page_delivery,
    post_signed,
)
from tests.factories import comment_item, sign_in

pytestmark = pytest.mark.django_db

HANDLE = "2718281828"  # Meta's id for the person: the handle the desk files them under
NAME = "Lucía Ramírez"
EMAIL = "lucia.ramirez@gmail.com"
PHONE = "300 123 4567"
PRIVATE_EMAIL = "lucia.r@hotmail.com"
PRIVATE_PHONE = "3109876543"
DOCUMENT = "1020304050"
TEXT = f"Me cobraron dos veces, escríbanme a {EMAIL} o al {PHONE}; voy a ir a PROFECO"
TRACES = [HANDLE, NAME, EMAIL, PHONE, "3001234567", PRIVATE_EMAIL, PRIVATE_PHONE, DOCUMENT]


@pytest.fixture(autouse=True)
def meta_configured(settings):
    settings.META_APP_SECRET = SECRET
    settings.META_VERIFY_TOKEN = VERIFY_TOKEN


@pytest.fixture
def lucia(client, aurora, alice, sam, carla, ingest):
    """A customer the desk knows well: a Meta comment (and its edit), a case with her private
    details, a note, a reply draft, a department's request and its mail, and another customer
    who names her."""
    BrandAccount.objects.create(
        brand=aurora, platform="facebook", handle="BancoAuroraMX", platform_account_id=PAGE_ID
    )
    payload = page_delivery(
        feed_comment(comment_id="55501_9001", message=TEXT, author_id=HANDLE, author_name=NAME)
    )
    assert post_signed(client, payload).status_code == 200
    inbox.delivery_process(delivery_id=WebhookDelivery.objects.latest("pk").pk)
    comment = Comment.objects.get(external_id="55501_9001")
    for escalation in Escalation.objects.filter(comment=comment):  # as the crisis worker does
        escalation_notify(escalation_id=escalation.pk)
    edited = {
        "platform": "facebook",
        "external_id": "55501_9001",
        "author_handle": HANDLE,
        "text": f"{TEXT}. Sigo esperando, {NAME}",
    }
    comment_edit_at_source(item=edited, brand_id=aurora.pk)
    case_id = comment.case_id
    privacy.personal_data_record(
        case_id=case_id,
        actor=sam,
        data={
            "name": NAME,
            "email": PRIVATE_EMAIL,
            "phone": PRIVATE_PHONE,
            "document_id": DOCUMENT,
        },
    )
    notes.case_note_add(case_id=case_id, actor=sam, text=f"Llamé a {NAME} al {PRIVATE_PHONE}")
    replies.reply_draft(
        case_id=case_id, actor=sam, body=f"Hola {NAME}, le escribimos a {PRIVATE_EMAIL}."
    )
    billing = departments.department_create(
        brand_id=aurora.pk, actor=sam, name="Facturación", email="facturacion@aurora.example"
    )
    workflow.case_assign(case_id=case_id, actor=sam, assignee=sam)
    workflow.case_move(case_id=case_id, actor=sam, action="start")
    departments.department_request(
        case_id=case_id,
        actor=sam,
        department_id=billing.pk,
        need="Reembolso del doble cobro",
        details=f"{NAME}, cédula {DOCUMENT}, tel {PRIVATE_PHONE}, {PRIVATE_EMAIL}",
    )
    ingest([comment_item(text=f"A {NAME} le pasó lo mismo que a mí, pésimo servicio")])
    ingest([comment_item(text="Hola, mi correo es pedro@example.com, ¿abren el domingo?")])
    author = Author.objects.get(handle=HANDLE)
    LogEntry.objects.create(  # a superuser once changed her in the admin
        user=sam,
        content_type=ContentType.objects.get_for_model(Author),
        object_id=str(author.pk),
        object_repr=str(author),
        action_flag=CHANGE,
        change_message=f"Changed display name to {NAME}.",
    )
    return author


_SEARCHED = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def _desk_columns():
    """Every text, JSON and binary column of every model the registry knows, Django's too."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, _SEARCHED):
                yield model, field


def _traces_left(needles) -> list[tuple[str, str, str]]:
    left = []
    for model, field in _desk_columns():
        for value in model._default_manager.values_list(field.name, flat=True):
            if value is None:
                continue
            if isinstance(field, models.BinaryField):
                text = bytes(value).decode("utf-8", errors="replace")
            else:
                text = str(value) if not isinstance(field, models.JSONField) else repr(value)
            folded = text.casefold()
            left += [
                (model._meta.label, field.name, needle)
                for needle in needles
                if needle.casefold() in folded
            ]
    return left


def _counts():
    return sorted(
        HourlyRollup.objects.values_list("hour", "level", "category", "comments", "cases_opened")
    )


def test_nothing_of_the_person_is_left_after_the_erasure(lucia, aurora):
    columns = list(_desk_columns())
    assert len(columns) > 50  # the registry, not a hand list
    assert ("admin.LogEntry", "object_repr") in {(m._meta.label, f.name) for m, f in columns}
    assert _traces_left(TRACES)  # the fixture did leave traces everywhere
    rollups_rebuild(brand_ids=[aurora.pk])
    before = _counts()

    out = io.StringIO()
    call_command("erase_author", "facebook", HANDLE, stdout=out)

    assert _traces_left(TRACES) == []
    assert "erased 1 authors at aurora" in out.getvalue()
    # The others' words stay: the one who named her loses her name only.
    assert Comment.objects.filter(text="A […] le pasó lo mismo que a mí, pésimo servicio").exists()
    assert Comment.objects.filter(text__contains="pedro@example.com").exists()
    rollups_rebuild(brand_ids=[aurora.pk])
    assert _counts() == before


def test_the_erasure_keeps_the_rows_and_their_counts_and_takes_their_words(lucia):
    comment_id = Comment.objects.get(author=lucia).pk
    call_command("erase_author", "facebook", HANDLE, stdout=io.StringIO())
    lucia.refresh_from_db()
    comment = Comment.objects.get(pk=comment_id)
    assert lucia.handle.startswith("erased-")
    assert lucia.display_name == ""
    assert (comment.text, comment.raw, comment.pii, comment.ripple_terms) == ("[…]", {}, [], None)
    assert comment.level == "red"
    assert comment.case_id is not None
    assert all(reason["evidence"] == "" for reason in comment.reasons)
    assert not CommentRevision.objects.filter(comment=comment).exists()
    assert not Customer.objects.exists()
    assert list(CaseNote.objects.values_list("text", flat=True)) == ["[…]"]
    # The audit events stay, anonymised.
    assert AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_RECORDED).count() == 1


def test_the_erasure_is_audited_without_the_handle_and_a_rerun_changes_nothing(lucia):
    call_command("erase_author", "facebook", HANDLE, stdout=io.StringIO())
    [event] = AuditEvent.objects.filter(action=AuditAction.AUTHOR_ERASED)
    assert event.actor is None
    assert event.after == {"platform": "facebook", "brand": "aurora", "comments": 1, "cases": 1}
    assert HANDLE not in repr(event.before) + repr(event.after)

    out = io.StringIO()
    call_command("erase_author", "facebook", HANDLE, stdout=out)
    assert "already erased" in out.getvalue()
    assert AuditEvent.objects.filter(action=AuditAction.AUTHOR_ERASED).count() == 1


def test_an_unknown_author_is_a_clear_error(lucia):
    with pytest.raises(CommandError, match="no author '@nadie' on twitter: nothing erased"):
        call_command("erase_author", "twitter", "@nadie")
    with pytest.raises(CommandError, match="no brand 'nowhere'"):
        call_command("erase_author", "facebook", HANDLE, "--brand", "nowhere")
    assert Author.objects.filter(handle=HANDLE).exists()


def test_the_command_exits_non_zero_for_an_unknown_author(db):
    with pytest.raises(SystemExit) as exit_:
        call_command_from_shell("erase_author", "twitter", "@nadie")
    assert exit_.value.code != 0


def call_command_from_shell(*argv):
    """As ``manage.py`` runs it: a CommandError becomes a message and a non-zero exit."""
    ManagementUtility(["manage.py", *argv]).execute()


def test_a_superuser_erases_an_author_from_the_admin(client, lucia):
    get_user_model().objects.create_superuser("root", "root@example.com", "x")
    sign_in(client, "root")
    response = client.post(
        "/admin/comments/author/",
        {"action": "erase_personal_data", "_selected_action": [lucia.pk]},
        follow=True,
    )
    assert response.status_code == 200
    lucia.refresh_from_db()
    assert lucia.handle.startswith("erased-")
    [event] = AuditEvent.objects.filter(action=AuditAction.AUTHOR_ERASED)
    assert event.actor.username == "root"
