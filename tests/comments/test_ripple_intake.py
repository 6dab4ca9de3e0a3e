"""Ripple detection at intake: the taxonomy's "10 similar negative comments from distinct authors
inside 60 minutes make the whole cluster red", on the real intake and database."""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from comments import corrections, intake
from comments.models import Classification, Comment, Ripple
from core.taxonomy import Level
from crisis.models import Escalation
from tests.factories import comment_item

pytestmark = pytest.mark.django_db

# The window's query: it reads the stored signatures as text.
WINDOW_QUERY = re.compile(r'\("comments_comment"\."ripple_terms"\)::text')

#: One complaint (a double charge on the card) in twelve people's words.
DOUBLE_CHARGE = [
    "@BancoAurora me cobraron dos veces la compra del super, revisen por favor",
    "doble cobro en mi tarjeta de credito, alguien me explica?",
    "Me aparece un cargo duplicado en el extracto, que paso?",
    "otra vez me descontaron dos veces el mismo pago 😡",
    "COBRO DUPLICADO en la compra de ayer, quiero mi plata de vuelta",
    "pague una sola vez y me cobraron doble, q onda @BancoAurora",
    "tengo un cargo repetido en la tarjeta y nadie me responde",
    "me hicieron el cobro 2 veces de la mensualidad, devuelvanme",
    "Buenas, el debito salio duplicado en mi cuenta, necesito que lo reversen",
    "cobraron doble la cuota del prestamo, esto no puede ser",
    "me llegaron dos cargos por la misma compra en linea",
    "el pago de la tarjeta me lo debitaron dos veces, solucionen ya",
]

#: Twelve negative comments about twelve different things.
UNRELATED = [
    "la app no abre desde esta mañana, no puedo ver mi saldo",
    "me bloquearon la tarjeta sin razon y estoy de viaje",
    "pesimo, la fila en la sucursal del centro es eterna, dos horas parado y nadie atiende",
    "el cajero automatico se trago mi tarjeta y nadie me da solucion, que hago?",
    "la sucursal del norte cerro sin avisar y nadie me dice donde hago el tramite",
    "la transferencia a otro banco lleva tres dias sin llegar",
    "no me llega el codigo de verificacion por SMS",
    "me cambiaron la clave sin pedirla, quiero una explicacion ya",
    "me cobran una comision por manejo de cuenta que nunca acepte, quiero que la quiten",
    "quiero cerrar mi cuenta de ahorros y no me dejan",
    "el cajero me entrego billetes rotos y en la sucursal no me los cambian",
    "la pagina web se cae cada vez que intento pagar el recibo de luz",
]


def _items(texts, *, prefix="rpl", start=None, step_minutes=4, **extra):
    """One item per text, each by its own author, posted ``step_minutes`` apart."""
    start = start or timezone.now() - timedelta(minutes=50)
    return [
        comment_item(
            text=text,
            external_id=f"{prefix}-{n}",
            author_handle=f"@{prefix}_{n}",
            posted_at=(start + timedelta(minutes=n * step_minutes)).isoformat(),
            **extra,
        )
        for n, text in enumerate(texts)
    ]


def _ripple_reasons(comment):
    return [r["evidence"] for r in comment.reasons if r["signal"] == "ripple"]


def test_twelve_paraphrases_from_twelve_authors_turn_red_as_one_ripple(ingest):
    results = ingest(_items(DOUBLE_CHARGE))

    comments = Comment.objects.filter(pk__in=[r.id for r in results])
    assert {c.level for c in comments} == {Level.RED}
    ripple = Ripple.objects.get()
    assert {c.ripple_id for c in comments} == {ripple.pk}
    assert (ripple.size, ripple.authors) == (12, 12)
    assert ripple.last_at - ripple.first_at == timedelta(minutes=44)
    assert "~double_charge" in ripple.subject
    for comment in comments:
        [evidence] = _ripple_reasons(comment)
        assert evidence.startswith(f"cluster #{ripple.pk}, 12 authors in 44 min, 12 comments")
        assert "@rpl_0" in evidence
        assert "~double_charge" in comment.ripple_terms
    assert Escalation.objects.filter(comment__in=comments).count() == 12


def test_members_stored_before_the_tenth_arrived_turn_red_and_are_escalated(ingest):
    items = _items(DOUBLE_CHARGE)
    early = ingest(items[:9])
    early_ids = [r.id for r in early]
    assert not Ripple.objects.exists()
    assert not any(_ripple_reasons(c) for c in Comment.objects.filter(pk__in=early_ids))
    already_red = set(
        Comment.objects.filter(pk__in=early_ids, level=Level.RED).values_list("pk", flat=True)
    )

    late = ingest(items[9:])

    ripple = Ripple.objects.get()
    assert (ripple.size, ripple.authors) == (12, 12)
    assert all(r.level == Level.RED for r in late)
    assert all(f"cluster #{ripple.pk}, 12 authors" in _ripple_reasons_of(r)[0] for r in late)
    for comment in Comment.objects.filter(pk__in=early_ids):
        assert comment.level == Level.RED
        assert comment.level_rank == 0
        assert comment.ripple_id == ripple.pk
        [evidence] = _ripple_reasons(comment)
        assert evidence.startswith(f"cluster #{ripple.pk}, 12 authors in 44 min")
        latest = comment.classifications.last()
        assert latest.level == Level.RED
        assert latest.is_human is False
        assert _ripple_reasons(latest) == [evidence]
    escalated = set(
        Escalation.objects.filter(comment_id__in=early_ids).values_list("comment_id", flat=True)
    )
    assert escalated == set(early_ids)
    assert already_red <= escalated  # escalated once, at arrival, not twice
    assert Escalation.objects.count() == 12


def test_the_cases_of_members_stored_before_the_tenth_turn_red_with_them(ingest):
    items = _items(DOUBLE_CHARGE)
    early = ingest(items[:9])
    cases = Case.objects.filter(comments__in=[r.id for r in early]).distinct()
    assert cases.count() == 9
    calm = {case.pk: case.response_due_at for case in cases if case.level != Level.RED}
    assert calm, "some members were not red on their own"

    ingest(items[9:])

    for case in Case.objects.filter(pk__in=calm):
        assert (case.level, case.level_rank) == (Level.RED, Level.RED.rank)
        assert case.response_due_at < calm[case.pk]


def _ripple_reasons_of(result):
    return [r["evidence"] for r in result.reasons if r["signal"] == "ripple"]


def test_a_growing_ripple_stays_one_cluster(ingest):
    items = _items(DOUBLE_CHARGE, step_minutes=3)
    ingest(items[:10])
    ripple = Ripple.objects.get()
    assert ripple.size == 10
    [late] = ingest(items[10:11])
    assert late.level == Level.RED
    ripple.refresh_from_db()
    assert Ripple.objects.count() == 1
    assert (ripple.size, ripple.authors) == (11, 11)
    assert Comment.objects.get(pk=late.id).ripple_id == ripple.pk
    assert _ripple_reasons_of(late)[0].startswith(f"cluster #{ripple.pk}, 11 authors")


def test_twelve_unrelated_complaints_form_no_ripple(ingest):
    results = ingest(_items(UNRELATED))
    assert {r.category for r in results} <= {"pqr", "insult", "high_level"}
    assert not Ripple.objects.exists()
    assert not any(_ripple_reasons_of(r) for r in results)
    assert not Comment.objects.exclude(ripple=None).exists()


def test_nine_authors_are_not_a_ripple(ingest):
    results = ingest(_items(DOUBLE_CHARGE[:9]))
    assert not Ripple.objects.exists()
    assert not any(_ripple_reasons_of(r) for r in results)


def test_one_author_posting_twelve_times_is_not_a_ripple(ingest):
    items = _items(DOUBLE_CHARGE)
    for item in items:
        item["author_handle"] = "@angry_one"
    ingest(items)
    assert not Ripple.objects.exists()


def test_comments_spread_over_more_than_the_window_are_not_a_ripple(ingest):
    start = timezone.now() - timedelta(hours=3)
    ingest(_items(DOUBLE_CHARGE, start=start, step_minutes=15))  # 4 per hour at most
    assert not Ripple.objects.exists()


def test_an_import_of_old_comments_starts_no_ripple_but_keeps_their_signatures(ingest):
    start = timezone.now() - timedelta(days=2)
    ingest(_items(DOUBLE_CHARGE, start=start))
    assert not Ripple.objects.exists()
    assert not Comment.objects.filter(ripple_terms=None).exists()


def test_a_ripple_does_not_form_across_two_brands(ingest, rapimenu):
    ingest_rapimenu = partial(intake.ingest, brand_id=rapimenu.pk)
    items = _items(DOUBLE_CHARGE)
    ingest(items[:6])
    ingest_rapimenu(items[6:])
    assert not Ripple.objects.exists()
    assert not Comment.objects.filter(reasons__contains=[{"signal": "ripple"}]).exists()


def test_a_human_correction_keeps_its_decision_inside_a_ripple(ingest, alice):
    items = _items(DOUBLE_CHARGE)
    early = ingest(items[:9])
    corrected = corrections.classification_correct(
        comment_id=early[0].id, user=alice, category="pqr", level="yellow"
    )
    history = corrected.classifications.count()

    ingest(items[9:])

    corrected.refresh_from_db()
    assert (corrected.category, corrected.level) == ("pqr", "yellow")
    assert corrected.classified_by_human
    assert not _ripple_reasons(corrected)
    assert corrected.classifications.count() == history
    assert corrected.ripple_id == Ripple.objects.get().pk  # still counted in the wave
    assert not Escalation.objects.filter(comment=corrected).exists()
    others = Comment.objects.filter(pk__in=[r.id for r in early[1:]])
    assert {c.level for c in others} == {Level.RED}


def test_a_retried_batch_doubles_nothing(ingest):
    items = _items(DOUBLE_CHARGE)
    ingest(items[:9])
    first = ingest(items[9:])
    counts = (Ripple.objects.count(), Classification.objects.count(), Escalation.objects.count())

    again = ingest(items[9:])
    ingest(items)

    assert [(r.id, r.level, r.reasons) for r in again] == [
        (r.id, r.level, r.reasons) for r in first
    ]
    assert (
        Ripple.objects.count(),
        Classification.objects.count(),
        Escalation.objects.count(),
    ) == counts
    assert Ripple.objects.get().size == 12


@pytest.mark.parametrize("brand_setting", [{"ripple_min_authors": 4}])
def test_a_brand_can_lower_the_authors_a_ripple_needs(ingest, aurora, brand_setting):
    for name, value in brand_setting.items():
        setattr(aurora, name, value)
    aurora.save()
    results = ingest(_items(DOUBLE_CHARGE[:4]))
    assert all(_ripple_reasons_of(r) for r in results)
    assert Ripple.objects.get().authors == 4


def _ingest_queries(ingest, items) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        ingest(items)
    return [query["sql"] for query in queries]


def _paraphrases(n: int, *, prefix: str) -> list[dict]:
    return _items(
        [DOUBLE_CHARGE[i % len(DOUBLE_CHARGE)] for i in range(n)], prefix=prefix, step_minutes=0
    )


@pytest.mark.parametrize("size", [3, 60])
def test_query_count_of_a_ripple_batch_does_not_grow_with_the_batch(ingest, size):
    # Nine stored members wait, each with a case; the batch completes the ripple.
    ingest(_paraphrases(9, prefix=f"stored{size}"))
    queries = _ingest_queries(ingest, _paraphrases(size, prefix=f"batch{size}"))
    assert Ripple.objects.get().size == 9 + size
    # 14 of intake (two transactions) and the brands' active classifier versions (read at most
    # every SEMAFORO_CLASSIFIER_RECHECK_S; every time in tests), then the ripple's: the brand's
    # ripple lock, active ripples, window, handles of the
    # named authors, new ripple, lock the stored members, update them, their history; their
    # cases follow (read the members and their open cases, raise them), their escalations,
    # recount.
    assert len(queries) == 28, "\n".join(sql[:100] for sql in queries)
    window = [sql for sql in queries if WINDOW_QUERY.search(sql)]
    assert len(window) == 1, "the window is read in one query"


@pytest.mark.parametrize("size", [3, 60])
def test_query_count_without_a_ripple_does_not_grow_with_the_batch(ingest, size):
    texts = [UNRELATED[i % len(UNRELATED)] for i in range(size)]
    start = timezone.now() - timedelta(minutes=50)
    items = [
        comment_item(text=text, posted_at=(start + timedelta(minutes=i)).isoformat())
        for i, text in enumerate(texts[:9])
    ]
    # Few enough authors per subject that no ripple forms whatever the batch size.
    items += [
        comment_item(text=text, author_handle=f"@few_{i % 3}") for i, text in enumerate(texts[9:])
    ]
    queries = _ingest_queries(ingest, items)
    assert not Ripple.objects.exists()
    # 13 of intake (two transactions), the active classifier versions, the brand's ripple lock,
    # the active ripples and the window.
    assert len(queries) == 17, "\n".join(sql[:100] for sql in queries)


@pytest.mark.parametrize("size", [3, 60])
def test_query_count_of_a_batch_joining_an_active_ripple_does_not_grow(ingest, size):
    ingest(_paraphrases(10, prefix=f"first{size}"))
    queries = _ingest_queries(ingest, _paraphrases(size, prefix=f"join{size}"))
    ripple = Ripple.objects.get()
    assert (ripple.size, ripple.authors) == (10 + size, 10 + size)
    # 14 of intake (two transactions) and the active classifier versions, then the brand's
    # ripple lock, the active ripples, the authors they already count, their growth.
    assert len(queries) == 19, "\n".join(sql[:100] for sql in queries)
    assert not any(WINDOW_QUERY.search(sql) for sql in queries), (
        "comments that join an active ripple need no window"
    )
