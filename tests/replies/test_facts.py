"""Verified facts: offered at the protocol's refute step when they match and still hold,
quoted with their source in a rebuttal, and the false claim marked in the audit log."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from cases import workflow
from cases.models import AuditEvent
from comments.templatetags.desk import audit_label
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import facts, protocols, templated
from replies.models import Fact, FalseClaim
from tests.factories import CommentFactory, case_with_comment

pytestmark = pytest.mark.django_db
CLAIM = "dicen que el banco aurora esta quebrado y se va a quedar con los ahorros de todos"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _fact(brand, who, statement, *, days=30, **fields) -> Fact:
    return Fact.objects.create(
        brand=brand,
        verified_by=who,
        statement=statement,
        source=fields.pop("source", "https://example.com/informe-2026.pdf"),
        valid_until=timezone.localdate() + timedelta(days=days),
        **fields,
    )


@pytest.fixture
def insult_case(aurora, alice):
    case = case_with_comment(
        brand=aurora,
        level=Level.YELLOW,
        category=Category.INSULT,
        comment__text=CLAIM,
        author__display_name="Pedro",
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


@pytest.fixture
def solvency(aurora, sam):
    return _fact(
        aurora,
        sam,
        "Banco Aurora cumple con holgura el capital mínimo que exige la Superintendencia; "
        "los ahorros están asegurados por el seguro de depósitos.",
        tags=["quiebra", "quebrado", "ahorros"],
        source="Informe de solvencia, Superintendencia Financiera, marzo 2026",
    )


def test_the_insult_protocol_has_a_refute_step_and_a_pqr_protocol_does_not(aurora):
    insult = protocols.protocol_for(brand=aurora, category=Category.INSULT, level=Level.YELLOW)
    step = facts.refute_step(insult)
    assert step is not None
    assert "Refuta" in insult.step_list()[step]
    pqr = protocols.protocol_for(brand=aurora, category=Category.PQR, level=Level.GREEN)
    assert facts.refute_step(pqr) is None


def test_the_matching_fact_is_offered_and_an_expired_one_is_not(insult_case, aurora, sam, solvency):
    expired = _fact(
        aurora, sam, "Banco Aurora no está quebrado: informe de 2024.", days=-1, tags=["quebrado"]
    )
    unrelated = _fact(aurora, sam, "Las sucursales abren los domingos de 9 a 13.")
    offered = [ranked.item for ranked in facts.fact_suggestions(insult_case)]
    assert offered == [solvency]
    assert expired not in offered
    assert unrelated not in offered
    assert facts.offered_fact(insult_case, expired.pk) is None


def test_another_brands_fact_is_never_offered(insult_case, rapimenu, bruno, solvency):
    theirs = _fact(rapimenu, bruno, "Banco Aurora no está quebrado.", tags=["quebrado"])
    assert theirs not in [r.item for r in facts.fact_suggestions(insult_case)]
    with pytest.raises(DomainError, match="still holds"):
        facts.false_claim_mark(
            case_id=insult_case.pk, actor=insult_case.assignee, fact_id=theirs.pk
        )


def test_a_rebuttal_quotes_the_fact_and_its_source_and_must_be_edited(insult_case, solvency):
    text = templated.rebuttal_text(solvency, insult_case)
    assert "Pedro" in text
    assert "capital mínimo" in text
    assert "Informe de solvencia, Superintendencia Financiera, marzo 2026" in text
    assert text.startswith("Hola"), "in the brand's language, whatever the page's"
    refusal = templated.template_refusal(text, insult_case)
    assert refusal
    assert "rebuttal" in refusal
    edited = text + " Sobre tus ahorros: puedes consultarlo tú mismo en el informe."
    assert templated.template_refusal(edited, insult_case) is None


def test_marking_a_false_claim_writes_one_audit_event(insult_case, alice, solvency):
    comment = insult_case.comments.get()
    claim = facts.false_claim_mark(
        case_id=insult_case.pk,
        actor=alice,
        fact_id=solvency.pk,
        comment_id=comment.pk,
        note="rumor copiado de un grupo",
    )
    again = facts.false_claim_mark(
        case_id=insult_case.pk, actor=alice, fact_id=solvency.pk, comment_id=comment.pk
    )
    assert again == claim
    event = AuditEvent.objects.get(action=facts.FALSE_CLAIM_MARKED)
    assert (event.case_id, event.comment_id, event.actor) == (insult_case.pk, comment.pk, alice)
    assert event.after["fact"] == solvency.pk
    assert event.after["source"] == solvency.source
    assert audit_label(event.action) == "Marked as spreading a false claim"
    # The whole case is a mark of its own.
    facts.false_claim_mark(case_id=insult_case.pk, actor=alice, fact_id=solvency.pk)
    assert FalseClaim.objects.filter(case=insult_case).count() == 2
    assert AuditEvent.objects.filter(action=facts.FALSE_CLAIM_MARKED).count() == 2


def test_a_claim_is_marked_only_with_a_valid_fact_on_a_comment_of_the_case(
    insult_case, aurora, alice, bruno, mallory, sam, solvency
):
    expired = _fact(aurora, sam, "Un dato viejo.", days=-3)
    with pytest.raises(DomainError, match="still holds"):
        facts.false_claim_mark(case_id=insult_case.pk, actor=alice, fact_id=expired.pk)
    elsewhere = CommentFactory(brand=aurora)
    with pytest.raises(DomainError, match="comments"):
        facts.false_claim_mark(
            case_id=insult_case.pk, actor=alice, fact_id=solvency.pk, comment_id=elsewhere.pk
        )
    for outsider in (bruno, mallory):
        with pytest.raises(insult_case.DoesNotExist):
            facts.false_claim_mark(case_id=insult_case.pk, actor=outsider, fact_id=solvency.pk)
    assert not AuditEvent.objects.filter(action=facts.FALSE_CLAIM_MARKED).exists()


def test_a_fact_that_answered_a_claim_is_not_deleted_but_left_to_expire(
    insult_case, alice, sam, solvency
):
    facts.false_claim_mark(case_id=insult_case.pk, actor=alice, fact_id=solvency.pk)
    with pytest.raises(DomainError, match="expire"):
        facts.fact_delete(fact_id=solvency.pk, actor=sam)
    edit = facts.FactEdit(solvency.statement, solvency.source, timezone.localdate(), [])
    assert facts.fact_save(actor=sam, edit=edit, fact_id=solvency.pk).verified_by == sam
