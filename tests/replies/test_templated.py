"""A template is the start of a draft: a reply that is still a template, unchanged or with nothing
of the case added, is refused with words that say what to add; a personal one goes on."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases import workflow
from core.errors import DomainError
from core.taxonomy import Category, Level
from replies import protocols, templated
from replies import workflow as replies
from replies.models import ReplyStatus, ReplyTemplate
from tests.factories import case_with_comment

pytestmark = pytest.mark.django_db
COMMENT = "Me cobraron dos veces la cuota de este mes en la tarjeta, pueden revisar por favor?"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def case(aurora, alice):
    case = case_with_comment(
        brand=aurora,
        level=Level.GREEN,
        category=Category.PQR,
        author__display_name="Ana",
        author__handle="@anap",
        comment__text=COMMENT,
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


def _template(case, language: str = "es") -> ReplyTemplate:
    protocol = protocols.protocol_for(brand=case.brand, category=case.category, level=case.level)
    return protocol.templates.filter(language=language, private_handoff=False).first()


def _filled(case, language: str = "es") -> str:
    return templated.template_text(_template(case, language), case)


def _bare_template(case) -> ReplyTemplate:
    """A template a supervisor wrote with no placeholder: it names nobody by itself."""
    protocol = protocols.protocol_for(brand=case.brand, category=case.category, level=case.level)
    return ReplyTemplate.objects.create(
        protocol=protocol,
        name="Genérica",
        body="Lamentamos lo ocurrido. Ya revisamos lo que nos cuentas y te escribimos pronto.",
    )


GUILTY = {
    "the template as it stands": lambda case: _filled(case),
    "the English template as it stands": lambda case: _filled(case, "en"),
    "only spaces, capitals, accents and punctuation changed": lambda case: (
        "  " + _filled(case).upper().replace("Á", "A").replace(".", "!!") + " "
    ),
    "only words taken away": lambda case: _filled(case).replace(" hoy mismo", ""),
    "a courtesy added": lambda case: _filled(case) + " Gracias por tu paciencia.",
    "an English courtesy added": lambda case: _filled(case, "en") + " Thanks for your patience!",
    "the customer's own courtesy echoed": lambda case: _filled(case) + " Con gusto, por favor.",
    "a bare template with a sign-off": lambda case: (
        _bare_template(case).body + " Saludos cordiales del equipo."
    ),
}
INNOCENT = {
    "a word of the customer's comment": lambda case: (
        _filled(case) + " Ya anulamos el segundo cobro de la cuota."
    ),
    "an amount": lambda case: _filled(case) + " Son $120 que vuelven a tu cuenta.",
    "a day": lambda case: _filled(case) + " El reembolso llega el lunes.",
    "a deadline in numbers": lambda case: _filled(case, "en") + " You will see it in 3 days.",
    "the name, in a template without it": lambda case: "Ana, " + _bare_template(case).body,
    "the handle": lambda case: _bare_template(case).body + " Te escribimos a @anap.",
    "the card the customer named": lambda case: (
        _bare_template(case).body + " Ya bloqueamos la tarjeta por seguridad."
    ),
    "the person's own writing": lambda case: (
        "Hola Ana, lamentamos el doble cobro; lo devolvemos hoy a tu cuenta."
    ),
}


@pytest.mark.parametrize("name", GUILTY)
def test_a_reply_that_is_still_a_template_is_refused_saying_what_to_add(case, name):
    refusal = templated.template_refusal(GUILTY[name](case), case)
    assert refusal is not None
    assert "template" in refusal
    # It names what would make it this customer's reply: their name, the case, their words.
    assert "«Ana»" in refusal
    assert f"«#{case.pk}»" in refusal
    assert "«cobraron»" in refusal
    assert "«favor»" not in refusal


@pytest.mark.parametrize("name", INNOCENT)
def test_a_reply_that_names_the_case_goes_on(case, name):
    assert templated.template_refusal(INNOCENT[name](case), case) is None


def test_nothing_added_and_nothing_of_the_case_added_read_differently(case):
    unchanged = templated.template_refusal(_filled(case), case) or ""
    generic = templated.template_refusal(_filled(case) + " Gracias por tu paciencia.", case) or ""
    assert "nothing of yours added" in unchanged
    assert "names nothing of this case" in generic


def test_submit_refuses_the_template_and_takes_it_once_edited(case, alice):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=_filled(case))
    with pytest.raises(DomainError, match="still the template"):
        replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    assert reply.__class__.objects.get(pk=reply.pk).status == ReplyStatus.DRAFT
    replies.reply_draft(
        case_id=case.pk,
        actor=alice,
        reply_id=reply.pk,
        body=_filled(case) + " Ya anulamos el segundo cobro de la cuota.",
    )
    reply = replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    assert reply.status == ReplyStatus.APPROVED


def test_an_approver_cannot_put_the_template_back(aurora, alice, sam):
    yellow = case_with_comment(
        brand=aurora, level=Level.YELLOW, category=Category.PQR, author__display_name="Ana"
    )
    workflow.case_assign(case_id=yellow.pk, actor=alice, assignee=alice)
    reply = replies.reply_draft(
        case_id=yellow.pk, actor=alice, body=_filled(yellow) + " El reembolso llega el lunes."
    )
    replies.reply_submit(reply_id=reply.pk, actor=alice, tone_reviewed=True)
    with pytest.raises(DomainError, match="still the template"):
        replies.reply_review(reply_id=reply.pk, actor=sam, approve=True, body=_filled(yellow))
    assert reply.__class__.objects.get(pk=reply.pk).status == ReplyStatus.PENDING_APPROVAL


def test_the_case_page_tells_the_person_why(client, case, alice):
    reply = replies.reply_draft(case_id=case.pk, actor=alice, body=_filled(case))
    client.force_login(alice)
    page = client.post(
        reverse("reply-submit", args=[reply.pk]),
        {"tone_reviewed": "1", "next": reverse("case-detail", args=[case.pk])},
        headers={"Accept-Language": "en"},
        follow=True,
    ).content.decode()
    assert "still the template" in page
    assert "«Ana»" in page
