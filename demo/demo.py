"""Demo data for the embedded mode: people for each role and realistic comments.

Comments go through ``intake.ingest``, the same path as the API, so the demo shows the real
classification, cases and escalations.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from brands.grants import grant_role
from brands.models import Brand, BrandAccount
from brands.roles import Role
from cases.models import Department
from classifier.corpus import load_corpus
from comments import intake
from comments.models import Author, Comment
from reports import complaints, rollups
from reports.models import SubjectKey

DEMO_SEED = 20261123
ITEM_FIELDS = ("platform", "text", "lang", "author_handle", "author_followers", "likes", "shares")


@dataclass(frozen=True)
class DemoBrand:
    slug: str
    name: str
    language: str
    accounts: tuple[tuple[str, str], ...]  # (platform, handle)


DEMO_BRANDS = (
    DemoBrand(
        "aurora",
        "Banco Aurora",
        "es",
        (
            ("twitter", "@BancoAurora"),
            ("facebook", "BancoAurora"),
            ("instagram", "@bancoaurora"),
            ("tiktok", "@bancoaurora"),
            ("youtube", "BancoAurora"),
            ("google_reviews", "Banco Aurora"),
        ),
    ),
    DemoBrand(
        "rapimenu",
        "RapiMenu",
        "en",
        (
            ("twitter", "@RapiMenu"),
            ("facebook", "RapiMenu"),
            ("instagram", "@rapimenu"),
            ("tiktok", "@rapimenu"),
            ("youtube", "RapiMenu"),
            ("google_reviews", "RapiMenu"),
        ),
    ),
)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    password: str
    first_name: str
    email: str
    roles: tuple[tuple[str, Role], ...] = ()  # (brand slug, role)
    superuser: bool = False


DEMO_PEOPLE = (
    DemoPerson(
        "alice",
        "semaforo-alice",
        "Alice",
        "alice@demo.local",
        (("aurora", Role.COMMUNITY_MANAGER),),
    ),
    DemoPerson("sam", "semaforo-sam", "Sam", "sam@demo.local", (("aurora", Role.SUPERVISOR),)),
    DemoPerson(
        "carla", "semaforo-carla", "Carla", "carla@demo.local", (("aurora", Role.CRISIS_COMMITTEE),)
    ),
    DemoPerson(
        "bruno",
        "semaforo-bruno",
        "Bruno",
        "bruno@demo.local",
        (("rapimenu", Role.COMMUNITY_MANAGER),),
    ),
    DemoPerson(
        "sofia", "semaforo-sofia", "Sofía", "sofia@demo.local", (("rapimenu", Role.SUPERVISOR),)
    ),
    DemoPerson(
        "diego",
        "semaforo-diego",
        "Diego",
        "diego@demo.local",
        (("rapimenu", Role.CRISIS_COMMITTEE),),
    ),
    DemoPerson(
        "lucia",
        "semaforo-lucia",
        "Lucía",
        "lucia@demo.local",
        (("aurora", Role.COMMUNITY_MANAGER), ("rapimenu", Role.COMMUNITY_MANAGER)),
    ),
    DemoPerson("admin", "semaforo-admin", "Admin", "admin@demo.local", superuser=True),
)


#: The teams a demo case can be routed to (``cases.departments``), per brand.
DEMO_DEPARTMENTS = {
    "aurora": (
        ("Facturación", "facturacion@demo.local"),
        ("Tarjetas", "tarjetas@demo.local"),
        ("Legal", "legal@demo.local"),
    ),
    "rapimenu": (
        ("Billing", "billing@demo.local"),
        ("Logistics", "logistics@demo.local"),
        ("Legal", "legal-rapimenu@demo.local"),
    ),
}


@transaction.atomic
def seed_brands() -> dict[str, Brand]:
    brands = {}
    for spec in DEMO_BRANDS:
        brand, _ = Brand.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "language": spec.language}
        )
        for platform, handle in spec.accounts:
            BrandAccount.objects.update_or_create(
                platform=platform, handle=handle, defaults={"brand": brand}
            )
        for name, email in DEMO_DEPARTMENTS.get(spec.slug, ()):
            Department.objects.update_or_create(brand=brand, name=name, defaults={"email": email})
        brands[spec.slug] = brand
    return brands


@transaction.atomic
def seed_people(brands: dict[str, Brand]) -> list[DemoPerson]:
    """Create (or reset) the demo people with a known password and their roles per brand."""
    users = get_user_model().objects
    for person in DEMO_PEOPLE:
        user, _ = users.get_or_create(username=person.username)
        user.first_name, user.email = person.first_name, person.email
        user.is_staff = user.is_superuser = person.superuser
        user.set_password(person.password)
        user.save()
        for slug, role in person.roles:
            grant_role(user, role, brand=brands[slug])
    return list(DEMO_PEOPLE)


def issue_demo_token(brand: Brand | None) -> str:
    """A REST client's token for ``brand``; ``None`` for a relay that files by account."""
    name = f"demo-{brand.slug}" if brand else "demo-relay"
    user, _ = get_user_model().objects.get_or_create(username=f"api:{name}")
    grant_role(user, Role.API_CLIENT)
    _, raw = ApiToken.issue(user=user, name=name, brand=brand)
    return raw


def account_for(brand_slug: str, platform: str) -> str:
    spec = next(spec for spec in DEMO_BRANDS if spec.slug == brand_slug)
    return dict(spec.accounts)[platform]


def demo_item(row: dict, *, external_id: str, account: str, posted_at) -> dict:
    item = {name: row[name] for name in ITEM_FIELDS if name in row}
    item.update(external_id=external_id, account=account, posted_at=posted_at.isoformat())
    return item


def seed_comments(brands: dict[str, Brand], count: int = 300) -> int:
    """Load ``count`` corpus comments, spread over the last six hours and shared between the
    brands (Spanish to Banco Aurora, English to RapiMenu, as their audiences write).
    Idempotent."""
    rows = random.Random(DEMO_SEED).sample(load_corpus(), count)
    now = timezone.now()
    created = 0
    for slug, brand in brands.items():
        _flag_trolls(brand, [row for row in rows if _brand_of_row(row) == slug])
        items = [
            demo_item(
                row,
                external_id=f"demo-{row['id']}",
                account=account_for(slug, row["platform"]),
                posted_at=now - timedelta(minutes=(count - n) * 360 // count),
            )
            for n, row in enumerate(rows)
            if _brand_of_row(row) == slug
        ]
        for start in range(0, len(items), 100):
            created += sum(
                r.created for r in intake.ingest(items[start : start + 100], brand_id=brand.pk)
            )
    return created


#: The wave the demo starts with: a dozen Banco Aurora customers reporting card charges they
#: never made, in their own words, over the last hour. Ten distinct authors within the hour make
#: a ripple (TAXONOMY.md), so the demo has a ripple, its crisis with a live spread, and cases whose
#: "others affected" are filled.
RIPPLE_WAVE = (
    "me aparecen dos compras en la tarjeta que no reconozco, @BancoAurora que pasa?",
    "tengo cargos no autorizados en mi tarjeta de credito desde anoche",
    "alguien mas con compras no reconocidas en su tarjeta Aurora?? devuelvan la plata",
    "me clonaron la tarjeta, hay un cargo en dolares que yo no hice",
    "@BancoAurora en mi extracto hay un consumo que desconozco, bloqueen eso",
    "movimientos no reconocidos en la cuenta, nadie contesta en la linea",
    "me hicieron un cargo no autorizado de 300 mil pesos, quiero una explicacion",
    "me cobraron una compra no reconocida en la tarjeta debito, exijo que la reversen",
    "me llego una alerta de compra que nunca hice, tarjeta de Aurora",
    "cargos que no autorice en la tarjeta, ya van tres, que seguridad es esta",
    "a mi tambien me hicieron un retiro no reconocido en el cajero, quiero mi dinero",
    "transaccion no autorizada en mi tarjeta, llevo una hora en espera",
)


def seed_ripple(brand: Brand) -> int:
    """The wave above, one customer per comment, four minutes apart up to now; answers how many
    of its comments are in a ripple. Idempotent."""
    now = timezone.now()
    items = [
        {
            "platform": "twitter",
            "external_id": f"demo-wave-{n}",
            "text": text,
            "author_handle": f"@aurora_cliente_{n}",
            "author_followers": 150 + 40 * n,
            "account": account_for(brand.slug, "twitter"),
            "posted_at": (now - timedelta(minutes=4 * (len(RIPPLE_WAVE) - n))).isoformat(),
        }
        for n, text in enumerate(RIPPLE_WAVE)
    ]
    intake.ingest(items, brand_id=brand.pk)
    return Comment.objects.filter(
        brand=brand, external_id__startswith="demo-wave-", ripple__isnull=False
    ).count()


#: Two weeks of complaints, so the top complaints have a trend to show: per brand and subject,
#: what its customers write and how many days ago each one did (this week: 0 to 6; the week
#: before: 7 to 13). Cards rise at Banco Aurora and wrong orders at RapiMenu; app failures and
#: refunds fall; double charges and late deliveries hold.
COMPLAINT_HISTORY = {
    "aurora": {
        "card": (
            (0, 0, 1, 1, 2, 3, 9),
            (
                "me bloquearon la tarjeta sin avisar, no puedo pagar nada",
                "la tarjeta de debito aparece bloqueada desde ayer",
                "mi tarjeta fue rechazada en el supermercado otra vez",
                "tarjeta bloqueada y nadie me explica por que",
                "otra vez rechazada la tarjeta en la farmacia, que verguenza",
                "la tarjeta no funciona en ningun cajero",
                "tengo la tarjeta bloqueada hace dos dias",
            ),
        ),
        "double": (
            (1, 2, 4, 5, 8, 9, 11, 12),
            (
                "me cobraron dos veces la cuota de manejo",
                "cobro duplicado en mi tarjeta de credito, revisen",
                "me hicieron un cargo doble por la misma compra",
                "otra vez el cobro doble de la cuota, ya basta",
                "me descontaron dos veces el mismo pago",
            ),
        ),
        "app": (
            (2, 5, 7, 8, 9, 10, 12),
            (
                "la app no abre desde esta manana",
                "la aplicacion se cae cada vez que intento transferir",
                "no puedo entrar a la app, sale error",
                "la app se cierra sola al iniciar sesion",
                "la banca en linea no carga nada",
                "otra vez la app caida, que pasa",
            ),
        ),
        "queue": (
            (1, 3, 4),
            (
                "llevo una hora en la fila de la sucursal, solo hay una caja",
                "fila eterna en la sucursal del centro, pesima atencion",
                "dos horas de fila para un tramite sencillo",
            ),
        ),
    },
    "rapimenu": {
        "wrong": (
            (0, 1, 1, 2, 4, 10),
            (
                "got the wrong order, this is not what i ordered",
                "wrong order delivered, missing my drinks",
                "they brought the wrong food, i ordered chicken",
                "received the wrong order twice this week",
                "wrong items in my order, again",
            ),
        ),
        "late": (
            (1, 3, 5, 6, 8, 9, 11, 13),
            (
                "my order is two hours late and still not here",
                "food never arrived, been waiting since 8pm",
                "delivery is delayed again, third time this week",
                "order still on the way after 90 minutes",
            ),
        ),
        "refund": (
            (2, 8, 10, 12),
            (
                "still waiting for my refund after 10 days",
                "where is my refund? you promised 48 hours",
            ),
        ),
    },
}
#: A subject the demo's supervisor has named, so the page shows a name that sticks.
DEMO_SUBJECT_NAMES = {"aurora": ("~card_problem", "sam", "Tarjetas bloqueadas o rechazadas")}


def seed_complaints(brands: dict[str, Brand]) -> int:
    """Two weeks of complaints (``COMPLAINT_HISTORY``), the rollups rebuilt so the reports show
    them at once, and the named subject. Answers the complaints stored. Idempotent."""
    now = timezone.now()
    stored = 0
    for slug, subjects in COMPLAINT_HISTORY.items():
        brand = brands[slug]
        items = []
        for subject, (days, texts) in subjects.items():
            for n, days_ago in enumerate(days):
                items.append(
                    {
                        "platform": "twitter",
                        "external_id": f"demo-complaint-{subject}-{n}",
                        "text": texts[n % len(texts)],
                        "author_handle": f"@{slug}_{subject}_{n}",
                        "author_followers": 90 + 13 * n,
                        "account": account_for(slug, "twitter"),
                        "posted_at": (now - timedelta(days=days_ago, hours=1 + n)).isoformat(),
                    }
                )
        stored += len(intake.ingest(items, brand_id=brand.pk))
    rollups.rollups_rebuild(brand_ids=sorted(brand.pk for brand in brands.values()))
    for slug, (key, username, name) in DEMO_SUBJECT_NAMES.items():
        if not SubjectKey.objects.filter(brand=brands[slug], key=key).exists():
            complaints.subject_name(
                actor=get_user_model().objects.get(username=username),
                brand_id=brands[slug].pk,
                key=key,
                name=name,
            )
    return stored


def _brand_of_row(row: dict) -> str:
    return "aurora" if row.get("lang", "es") == "es" else "rapimenu"


def _flag_trolls(brand: Brand, rows: list[dict]) -> None:
    """The corpus knows which authors the desk has flagged; the demo's authors agree."""
    for row in rows:
        if row.get("author_is_troll"):
            Author.objects.update_or_create(
                brand=brand,
                platform=row["platform"],
                handle=row["author_handle"],
                defaults={"is_troll": True, "followers": row.get("author_followers", 0)},
            )


def live_item(rng: random.Random, rows: list[dict], *, sequence: int) -> dict:
    """A fresh comment for the live trickle, addressed to one brand's account (the relay
    token files it there); every fourth one is drawn from the reds."""
    pool = [r for r in rows if r["level"] == "red"] if sequence % 4 == 0 else rows
    row = rng.choice(pool)
    return demo_item(
        row,
        external_id=f"live-{timezone.now():%Y%m%d%H%M%S}-{sequence}",
        account=account_for(_brand_of_row(row), row["platform"]),
        posted_at=timezone.now(),
    )
