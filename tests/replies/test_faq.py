"""The brand's FAQ: suggested in the reply box by the classifier's matching, never sent as it
stands, counted when a draft made from it is submitted, stale entries left out."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from brands.roles import Role
from cases import workflow
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import faq, templated
from replies import workflow as replies
from replies.models import FaqEntry, FaqUse, ReplyStatus
from tests.conftest import _person
from tests.factories import CommentFactory, case_with_comment

pytestmark = pytest.mark.django_db
REFUND_COMMENT = "hace 10 dias pedi la devolusion de mis compras y nada, cuanto tardan??"
REFUND_ANSWER = (
    "Hola {customer_name}, las devoluciones de compras llegan a tu tarjeta en 5 a 10 días "
    "hábiles desde que el comercio las aprueba."
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _entry(brand, owner, question, answer="Una respuesta aprobada.", **fields) -> FaqEntry:
    return FaqEntry.objects.create(
        brand=brand, owner=owner, question=question, answer=answer, **fields
    )


@pytest.fixture
def refund_case(aurora, alice):
    case = case_with_comment(
        brand=aurora,
        level=Level.GREEN,
        comment__text=REFUND_COMMENT,
        author__display_name="Ana",
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


@pytest.fixture
def aurora_faq(aurora, sam):
    return {
        "hours": _entry(aurora, sam, "¿A qué hora abre la sucursal?", tags=["horario"]),
        "refund": _entry(
            aurora,
            sam,
            "¿Cuánto tarda la devolución de una compra?",
            REFUND_ANSWER,
            tags=["reembolso"],
        ),
        "card": _entry(aurora, sam, "¿Cómo bloqueo mi tarjeta si la pierdo?", tags=["robo"]),
    }


def test_the_matching_entry_is_suggested_first_for_a_comment_in_other_words(
    refund_case, aurora_faq
):
    suggested = faq.faq_suggestions(refund_case)
    assert suggested[0].item == aurora_faq["refund"]
    assert "devolucion" in suggested[0].match.words


def test_the_search_field_finds_entries_by_what_the_person_types(refund_case, aurora_faq):
    assert (
        faq.faq_suggestions(refund_case, query="horarios sucursal")[0].item == (aurora_faq["hours"])
    )


def test_a_stale_entry_is_not_suggested_until_someone_reviews_it(refund_case, aurora_faq, sam):
    refund = aurora_faq["refund"]
    FaqEntry.objects.filter(pk=refund.pk).update(reviewed_at=timezone.now() - timedelta(days=91))
    assert refund not in [s.item for s in faq.faq_suggestions(refund_case)]
    assert faq.suggested_entry(refund_case, refund.pk) is None
    with override_settings(SEMAFORO={**faq.settings.SEMAFORO, "FAQ_STALE_DAYS": 120}):
        assert faq.faq_suggestions(refund_case)[0].item == refund
    faq.faq_mark_reviewed(entry_id=refund.pk, actor=sam)
    assert faq.faq_suggestions(refund_case)[0].item == refund


def test_another_brands_faq_never_shows(refund_case, rapimenu, bruno, aurora_faq):
    theirs = _entry(rapimenu, bruno, "¿Cuánto tarda la devolución de una compra?", REFUND_ANSWER)
    assert theirs not in [s.item for s in faq.faq_suggestions(refund_case, query="devolución")]
    assert faq.suggested_entry(refund_case, theirs.pk) is None
    with pytest.raises(DomainError, match="not offered"):
        replies.reply_draft(
            case_id=refund_case.pk,
            actor=refund_case.assignee,
            body="Hola Ana, tu devolución llega en 5 días.",
            faq_entry_id=theirs.pk,
        )


def test_an_unchanged_faq_answer_is_refused_like_an_unchanged_template(
    refund_case, alice, aurora_faq
):
    """Templates are suggestions that a person edits; a FAQ answer is one as well."""
    unchanged = templated.faq_text(aurora_faq["refund"], refund_case)
    assert "Ana" in unchanged
    assert "{" not in unchanged
    reply = replies.reply_draft(
        case_id=refund_case.pk,
        actor=alice,
        body=unchanged,
        faq_entry_id=aurora_faq["refund"].pk,
    )
    with pytest.raises(DomainError, match="FAQ"):
        replies.reply_submit(reply_id=reply.pk, actor=alice)
    assert FaqUse.objects.count() == 0


def test_a_use_is_counted_once_when_the_edited_draft_is_submitted(
    aurora, refund_case, alice, sam, aurora_faq
):
    refund = aurora_faq["refund"]
    edited = (
        templated.faq_text(refund, refund_case)
        + " Tu solicitud de hace 10 días ya está en trámite con el caso "
        + f"#{refund_case.pk}."
    )
    reply = replies.reply_draft(
        case_id=refund_case.pk, actor=alice, body=edited, faq_entry_id=refund.pk
    )
    assert FaqUse.objects.count() == 0, "a draft is not a use until it is sent on"
    workflow_protocol = replies.protocols.protocol_for(
        brand=aurora, category=Category.PQR, level=Level.GREEN
    )
    workflow_protocol.requires_approval = True
    workflow_protocol.save()
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    assert reply.status == ReplyStatus.PENDING_APPROVAL
    use = FaqUse.objects.get()
    assert (use.entry, use.reply, use.used_by) == (refund, reply, alice)
    # Sent back, edited, submitted again: still one use.
    replies.reply_review(reply_id=reply.pk, actor=sam, approve=False, note="add the date")
    replies.reply_draft(
        case_id=refund_case.pk, actor=alice, body=edited + " Hoy es lunes.", reply_id=reply.pk
    )
    replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    assert FaqUse.objects.filter(entry=refund).count() == 1
    row = next(
        r for r in faq.faq_rows(frozenset({aurora.pk}), now=timezone.now()) if r.entry == refund
    )
    assert (row.uses, row.recent_uses, row.stale) == (1, 1, False)


def test_a_supervisor_keeps_the_faq_of_their_own_brand_only(aurora, rapimenu, sam, alice, bruno):
    edit = faq.FaqEdit("es", "  ¿Dónde   pago mi factura? ", "En la app.", ["pago"], sam.pk)
    entry = faq.faq_save(actor=sam, edit=edit, brand_id=aurora.pk)
    assert entry.question == "¿Dónde pago mi factura?"
    with pytest.raises(DomainError, match="already"):
        faq.faq_save(actor=sam, edit=edit, brand_id=aurora.pk)
    with pytest.raises(DomainError, match="brands"):
        faq.faq_save(actor=sam, edit=edit, brand_id=rapimenu.pk)
    with pytest.raises(DomainError, match="owner"):
        faq.faq_save(
            actor=sam,
            edit=faq.FaqEdit("es", "Otra pregunta", "Otra respuesta", [], bruno.pk),
            brand_id=aurora.pk,
        )
    with pytest.raises(DomainError, match="placeholder"):
        faq.faq_save(
            actor=sam,
            edit=faq.FaqEdit("es", "Otra pregunta", "Hola {nombre}", [], alice.pk),
            brand_id=aurora.pk,
        )
    rapi_supervisor = _person("sofia", Role.SUPERVISOR, rapimenu)
    with pytest.raises(FaqEntry.DoesNotExist):
        faq.faq_save(actor=rapi_supervisor, edit=edit, entry_id=entry.pk)
    with pytest.raises(DomainError):  # a community manager does not keep the FAQ
        faq.faq_save(actor=alice, edit=edit, brand_id=aurora.pk)


def test_frequent_questions_without_a_good_entry_are_listed_as_missing(aurora, sam, aurora_faq):
    asked = [
        "se puede pagar la tarjeta con PSE?",
        "como pago la tarjeta por PSE",
        "Puedo pagar mi tarjeta desde PSE??",
    ]
    answered = ["a que hora abre la sucursal?", "a que hora abren las sucursales?"]
    for text in [*asked, *answered, "me cobraron dos veces"]:
        CommentFactory(brand=aurora, text=text, category=Category.PQR)
    CommentFactory(
        brand=aurora,
        text="como pago la tarjeta por PSE?",
        category=Category.PQR,
        posted_at=timezone.now() - timedelta(days=40),
    )
    missing = faq.missing_questions(frozenset({aurora.pk}), now=timezone.now())
    assert [(m.asked, "pse" in m.example.lower()) for m in missing] == [(3, True)]
