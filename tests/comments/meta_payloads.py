"""Meta deliveries in the shapes Meta documents, and signing them as Meta does."""

import json

from comments.connectors.meta import signature_of

SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
PAGE_ID = "104532198765"
IG_ACCOUNT_ID = "17841405309211844"


def feed_comment(
    *,
    comment_id: str,
    message: str = "",
    verb: str = "add",
    page_id: str = PAGE_ID,
    author_id: str = "2718281828",
    author_name: str = "Lucía Ramírez",
    parent_id: str | None = None,
    created_time: int = 1_764_670_000,
) -> dict:
    """A Page ``feed`` change for one comment (Webhooks for Pages, field ``feed``)."""
    post_id = f"{page_id}_55501"
    value = {
        "from": {"id": author_id, "name": author_name},
        "post": {"status_type": "added_photos", "is_published": True, "id": post_id},
        "post_id": post_id,
        "comment_id": comment_id,
        "created_time": created_time,
        "item": "comment",
        "parent_id": parent_id or post_id,
        "verb": verb,
    }
    if verb != "remove":
        value["message"] = message
    return {"field": "feed", "value": value}


def page_delivery(*changes: dict, page_id: str = PAGE_ID) -> dict:
    return {
        "object": "page",
        "entry": [{"id": page_id, "time": 1_764_670_005, "changes": list(changes)}],
    }


def instagram_delivery(
    *, comment_id: str, text: str, username: str = "cliente.feliz", account_id=IG_ACCOUNT_ID
) -> dict:
    """An Instagram ``comments`` change (Instagram webhooks, field ``comments``)."""
    return {
        "object": "instagram",
        "entry": [
            {
                "id": account_id,
                "time": 1_764_670_010,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": "9988776655", "username": username},
                            "media": {"id": "18023345989012587", "media_product_type": "FEED"},
                            "id": comment_id,
                            "text": text,
                        },
                    }
                ],
            }
        ],
    }


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def post_signed(client, payload: dict, *, secret: str = SECRET, signature: str | None = None):
    body = body_of(payload)
    header = signature if signature is not None else signature_of(body, secret=secret)
    return client.post(
        "/webhooks/meta/",
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": header} if header else {},
    )
