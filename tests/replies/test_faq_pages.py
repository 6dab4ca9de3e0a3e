"""The FAQ and facts pages and the case page's reply box, in both languages, brand by brand."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import workflow
from cases.models import AuditEvent
from core.taxonomy import Category, Level
from replies import facts
from replies.models import Fact, FalseClaim, FaqEntry
from tests.factories import case_with_comment, sign_in

pytestmark = pytest.mark.django_db
QUESTION = "¿Cuánto tarda la devolución de una compra?"
ANSWER = "Hola {customer_name}, las devoluciones llegan en 5 a 10 días hábiles."
CLAIM = "dicen que el banco esta quebrado y se va a quedar con los ahorros"


def _client(client, user):
    sign_in(client, user.username)
    return client


@pytest.fixture
def refund(aurora, sam):
    return FaqEntry.objects.create(
        brand=aurora, owner=sam, question=QUESTION, answer=ANSWER, tags=["reembolso"]
    )


@pytest.fixture
def solvency(aurora, sam):
    return Fact.objects.create(
        brand=aurora,
        verified_by=sam,
        statement="Banco Aurora cumple el capital mínimo; los ahorros están asegurados.",
        source="Informe de solvencia 2026",
        tags=["quebrado", "quiebra"],
        valid_until=timezone.localdate() + timedelta(days=60),
    )


def _case(aurora, alice, text, category=Category.PQR, level=Level.GREEN):
    case = case_with_comment(
        brand=aurora, level=level, category=category, comment__text=text, author__display_name="Ana"
    )
    return workflow.case_assign(case_id=case.pk, actor=alice, assignee=alice)


@pytest.mark.parametrize(
    ("language", "title", "missing"),
    [
        ("es", "Preguntas", "Faltan: preguntas frecuentes sin entrada"),
        ("en", "Question", "Missing: frequent questions with no entry"),
    ],
)
def test_the_faq_page_renders_in_both_languages(client, sam, refund, language, title, missing):
    html = _client(client, sam).get(reverse("faq"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert QUESTION in html
    assert title in html
    assert missing in html


@pytest.mark.parametrize(
    ("language", "heading"), [("es", "Datos verificados"), ("en", "Verified facts")]
)
def test_the_facts_page_renders_in_both_languages(client, sam, solvency, language, heading):
    html = (
        _client(client, sam).get(reverse("facts"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    )
    assert heading in html
    assert "Informe de solvencia 2026" in html


def test_a_community_manager_may_not_keep_the_faq_nor_the_facts(client, alice):
    _client(client, alice)
    assert client.get(reverse("faq")).status_code == 403
    assert client.get(reverse("facts")).status_code == 403


def test_a_supervisor_sees_and_edits_only_their_brands_entries(
    client, sam, rapimenu, bruno, refund
):
    theirs = FaqEntry.objects.create(
        brand=rapimenu, owner=bruno, question="Where is my order?", answer="On its way."
    )
    _client(client, sam)
    html = client.get(reverse("faq")).content.decode()
    assert QUESTION in html
    assert "Where is my order?" not in html
    assert client.get(reverse("faq-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("faq-reviewed", args=[theirs.pk])).status_code == 404


def test_a_supervisor_adds_an_entry_from_the_page_and_bad_input_is_a_form_error(
    client, aurora, sam
):
    _client(client, sam)
    data = {
        "brand": aurora.pk,
        "language": "es",
        "question": "¿Dónde pago mi factura?",
        "answer": "En la app, sección Pagos.",
        "tags": "pago, factura, pago",
        "owner": sam.pk,
    }
    response = client.post(reverse("faq"), {**data, "answer": "Hola {nombre}"})
    assert response.status_code == 400
    assert "{nombre}" in response.content.decode()
    response = client.post(reverse("faq"), data)
    entry = FaqEntry.objects.get(question="¿Dónde pago mi factura?")
    assert response.url == reverse("faq-edit", args=[entry.pk])
    assert entry.tags == ["pago", "factura"]


def test_the_case_page_suggests_the_matching_entry_and_fills_the_draft_from_it(
    client, aurora, alice, refund
):
    case = _case(aurora, alice, "hace una semana pedi la devolusion de 2 compras, cuanto tardan??")
    _client(client, alice)
    url = reverse("case-detail", args=[case.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-faq-id="{refund.pk}"' in html
    assert "Use this answer" in html
    html = client.get(url + f"?faq={refund.pk}").content.decode()
    assert "Hola Ana, las devoluciones llegan en 5 a 10 días hábiles." in html
    assert f'name="faq" value="{refund.pk}"' in html
    assert "De la FAQ" in html


def test_the_faq_search_partial_answers_what_the_person_types(client, aurora, alice, refund):
    case = _case(aurora, alice, "hola, tengo una duda")
    _client(client, alice)
    url = reverse("case-faq-search", args=[case.pk])
    assert f'data-faq-id="{refund.pk}"' in client.get(url, {"faq_q": "reembolsos"}).content.decode()
    empty = client.get(url, {"faq_q": "horario"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No FAQ entry matches this search." in empty


def test_the_case_page_never_shows_another_brands_entry(client, aurora, rapimenu, bruno, alice):
    theirs = FaqEntry.objects.create(brand=rapimenu, owner=bruno, question=QUESTION, answer=ANSWER)
    case = _case(aurora, alice, "cuanto tarda la devolucion de una compra?")
    _client(client, alice)
    url = reverse("case-detail", args=[case.pk])
    html = client.get(url + f"?faq={theirs.pk}").content.decode()
    assert f'data-faq-id="{theirs.pk}"' not in html
    assert "5 a 10 días" not in html
    search = client.get(reverse("case-faq-search", args=[case.pk]), {"faq_q": "devolución"})
    assert f'data-faq-id="{theirs.pk}"' not in search.content.decode()


def test_the_refute_step_offers_the_fact_and_a_person_marks_the_false_claim(
    client, aurora, alice, sam, solvency
):
    expired = Fact.objects.create(
        brand=aurora,
        verified_by=sam,
        statement="El banco no está quebrado (dato de 2024).",
        source="Informe 2024",
        tags=["quebrado"],
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    case = _case(aurora, alice, CLAIM, category=Category.INSULT, level=Level.YELLOW)
    _client(client, alice)
    url = reverse("case-detail", args=[case.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-fact-id="{solvency.pk}"' in html
    assert f'data-fact-id="{expired.pk}"' not in html
    assert f'<option value="{expired.pk}">El banco no' not in html
    assert "Rebut with this fact" in html
    rebuttal = client.get(url + f"?fact={solvency.pk}").content.decode()
    assert "queremos aclarar algo" in rebuttal
    assert "Informe de solvencia 2026" in rebuttal
    response = client.post(
        reverse("case-false-claim", args=[case.pk]),
        {"fact": solvency.pk, "comment": case.comments.get().pk, "note": "rumor"},
    )
    assert response.status_code == 302
    assert FalseClaim.objects.get().fact == solvency
    event = AuditEvent.objects.get(action=facts.FALSE_CLAIM_MARKED)
    assert event.actor == alice
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Marcado como difusor de una afirmación falsa" in html
    assert "Afirmaciones falsas marcadas" in html


def test_a_pqr_case_has_no_refute_step_and_offers_no_fact(client, aurora, alice, solvency):
    case = _case(aurora, alice, CLAIM)
    _client(client, alice)
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert f'data-fact-id="{solvency.pk}"' not in html
