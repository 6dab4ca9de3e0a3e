"""What the demo brands know before a comment arrives: a few FAQ entries and verified facts, so
the reply box suggests answers, the refute step offers facts and the FAQ page has something to
show (one entry stale, one fact expired, to show what the desk leaves out)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from brands.models import Brand
from replies.models import Fact, FaqEntry


@dataclass(frozen=True)
class DemoFaq:
    question: str
    answer: str
    tags: tuple[str, ...]
    language: str = "es"
    days_since_review: int = 3


@dataclass(frozen=True)
class DemoFact:
    statement: str
    source: str
    tags: tuple[str, ...] = field(default=())
    days_valid: int = 180


DEMO_FAQ = {
    "aurora": (
        DemoFaq(
            "¿Qué hago si veo en mi tarjeta una compra que no reconozco?",
            "Hola {customer_name}, bloquea la tarjeta desde la app (Tarjetas > Bloquear) y "
            "repórtanos el cargo: lo reversamos mientras lo investigamos. Tu caso es el "
            "#{case_number}.",
            ("cargo no reconocido", "fraude", "clonaron", "no autorizado"),
        ),
        DemoFaq(
            "¿Cuánto tarda la devolución de una compra?",
            "Hola {customer_name}, las devoluciones llegan a tu tarjeta entre 5 y 10 días "
            "hábiles después de que el comercio las aprueba.",
            ("reembolso", "devolución", "plata"),
        ),
        DemoFaq(
            "¿Cómo activo las compras por internet con la tarjeta débito?",
            "Hola {customer_name}, en la app entra a Tarjetas > Débito > Compras en línea y "
            "actívalas; quedan listas al instante.",
            ("compras online", "activar", "internet"),
        ),
        DemoFaq(
            "¿A qué hora abren las sucursales?",
            "Hola {customer_name}, las sucursales abren de lunes a viernes de 8 a 17 y los "
            "sábados de 9 a 12.",
            ("horario", "sucursal", "domingo"),
        ),
        DemoFaq(
            "¿Cuál es la tasa del crédito de libre inversión?",
            "Hola {customer_name}, la tasa depende de tu perfil; la ves en la app antes de "
            "aceptar.",
            ("tasa", "interés", "crédito"),
            days_since_review=120,
        ),
    ),
    "rapimenu": (
        DemoFaq(
            "¿Dónde está mi pedido?",
            "Hola {customer_name}, en la app, en Mis pedidos, ves al repartidor en el mapa.",
            ("pedido", "demora", "repartidor"),
        ),
        DemoFaq(
            "Where is my order?",
            "Hi {customer_name}, open My orders in the app to see your courier on the map.",
            ("order", "late", "courier", "delivery"),
            language="en",
        ),
        DemoFaq(
            "How do I get a refund for a missing item?",
            "Hi {customer_name}, report the missing item in My orders within 24 hours and we "
            "refund it to your card.",
            ("refund", "missing", "item"),
            language="en",
        ),
    ),
}

DEMO_FACTS = {
    "aurora": (
        DemoFact(
            "Los cargos no reconocidos que se reportan en las primeras 48 horas se reversan "
            "mientras se investigan; el cliente no pierde ese dinero.",
            "Reglamento de tarjetas Aurora, cláusula 14",
            ("robo", "ladrones", "estafa", "roban", "fraude", "cargos"),
        ),
        DemoFact(
            "Banco Aurora está vigilado por la Superintendencia Financiera y los depósitos "
            "están asegurados por el seguro de depósitos.",
            "Certificado de la Superintendencia Financiera, 2026",
            ("quiebra", "quebrado", "ahorros", "cierre", "plata"),
        ),
        DemoFact(
            "La cuenta de ahorros Aurora Cero no cobra cuota de manejo.",
            "https://banco-aurora.example/tarifas-2026",
            ("cuota de manejo", "cobro oculto", "cobran"),
        ),
        DemoFact(
            "La app de Aurora estuvo disponible el 99,9 % del tiempo en 2024.",
            "Informe de disponibilidad 2024",
            ("app", "caida", "no funciona"),
            days_valid=-30,
        ),
    ),
    "rapimenu": (
        DemoFact(
            "Los repartidores de RapiMenu reciben el 100 % de las propinas.",
            "Política de propinas de RapiMenu, 2026",
            ("propinas", "tips", "roban", "ladrones"),
        ),
    ),
}

#: Who owns the demo entries and verified the facts, per brand: its supervisor.
_KEEPERS = {"aurora": "sam", "rapimenu": "sofia"}


@transaction.atomic
def seed_knowledge(brands: dict[str, Brand]) -> tuple[int, int]:
    """The entries and facts above, written again on every run (idempotent by question and by
    statement); answers how many of each the demo brands hold."""
    now = timezone.now()
    users = get_user_model().objects
    for slug, brand in brands.items():
        keeper = users.get(username=_KEEPERS[slug])
        for entry in DEMO_FAQ.get(slug, ()):
            FaqEntry.objects.update_or_create(
                brand=brand,
                language=entry.language,
                question=entry.question,
                defaults={
                    "answer": entry.answer,
                    "tags": list(entry.tags),
                    "owner": keeper,
                    "reviewed_at": now - timedelta(days=entry.days_since_review),
                },
            )
        for fact in DEMO_FACTS.get(slug, ()):
            Fact.objects.update_or_create(
                brand=brand,
                statement=fact.statement,
                defaults={
                    "source": fact.source,
                    "tags": list(fact.tags),
                    "verified_by": keeper,
                    "valid_until": timezone.localdate() + timedelta(days=fact.days_valid),
                },
            )
    brand_ids = [brand.pk for brand in brands.values()]
    return (
        FaqEntry.objects.filter(brand_id__in=brand_ids).count(),
        Fact.objects.filter(brand_id__in=brand_ids).count(),
    )
