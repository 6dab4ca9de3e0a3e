"""Demo data for the embedded mode: people for each role and realistic comments.

Comments go through ``intake.ingest``, the same path as the API, so the demo shows the real
classification, cases and escalations.
"""

import json
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from accounts.roles import Role, grant_role
from comments import intake
from comments.models import Author

CORPUS = Path(__file__).resolve().parent / "classifier" / "data" / "corpus.jsonl"
DEMO_SEED = 20261123
ITEM_FIELDS = ("platform", "text", "lang", "author_handle", "author_followers", "likes", "shares")


@dataclass(frozen=True)
class DemoPerson:
    username: str
    password: str
    role: Role | None
    first_name: str
    email: str
    superuser: bool = False


DEMO_PEOPLE = (
    DemoPerson("alice", "semaforo-alice", Role.COMMUNITY_MANAGER, "Alice", "alice@demo.local"),
    DemoPerson("sam", "semaforo-sam", Role.SUPERVISOR, "Sam", "sam@demo.local"),
    DemoPerson("carla", "semaforo-carla", Role.CRISIS_COMMITTEE, "Carla", "carla@demo.local"),
    DemoPerson("admin", "semaforo-admin", None, "Admin", "admin@demo.local", superuser=True),
)


@transaction.atomic
def seed_people() -> list[DemoPerson]:
    """Create (or reset) one person per role with a known password."""
    users = get_user_model().objects
    for person in DEMO_PEOPLE:
        user, _ = users.get_or_create(username=person.username)
        user.first_name, user.email = person.first_name, person.email
        user.is_staff = user.is_superuser = person.superuser
        user.set_password(person.password)
        user.save()
        if person.role:
            grant_role(user, person.role)
    return list(DEMO_PEOPLE)


def issue_demo_token() -> str:
    users = get_user_model().objects
    user, _ = users.get_or_create(username="api:demo-listener")
    grant_role(user, Role.API_CLIENT)
    _, raw = ApiToken.issue(user=user, name="demo-listener")
    return raw


def corpus_rows() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def demo_item(row: dict, *, external_id: str, posted_at) -> dict:
    item = {name: row[name] for name in ITEM_FIELDS if name in row}
    item.update(external_id=external_id, posted_at=posted_at.isoformat())
    return item


def seed_comments(count: int = 300) -> int:
    """Load ``count`` corpus comments, spread over the last six hours. Idempotent."""
    rows = random.Random(DEMO_SEED).sample(corpus_rows(), count)
    _flag_trolls(rows)
    now = timezone.now()
    items = [
        demo_item(row, external_id=f"demo-{row['id']}",
                  posted_at=now - timedelta(minutes=(count - n) * 360 // count))
        for n, row in enumerate(rows)
    ]
    created = 0
    for start in range(0, len(items), 100):
        created += sum(r.created for r in intake.ingest(items[start:start + 100]))
    return created


def _flag_trolls(rows: list[dict]) -> None:
    """The corpus knows which authors the desk has flagged; the demo's authors agree."""
    for row in rows:
        if row.get("author_is_troll"):
            Author.objects.update_or_create(
                platform=row["platform"], handle=row["author_handle"],
                defaults={"is_troll": True, "followers": row.get("author_followers", 0)},
            )


def live_item(rng: random.Random, rows: list[dict], *, sequence: int) -> dict:
    """A fresh comment for the live trickle; every fourth one is drawn from the reds."""
    pool = [r for r in rows if r["level"] == "red"] if sequence % 4 == 0 else rows
    row = rng.choice(pool)
    return demo_item(row, external_id=f"live-{timezone.now():%Y%m%d%H%M%S}-{sequence}",
                     posted_at=timezone.now())
