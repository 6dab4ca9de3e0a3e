import itertools

import factory

from comments.models import Author

_ids = itertools.count(1)


def comment_item(**overrides) -> dict:
    """A valid API item; every call gets a new external id unless one is given."""
    n = next(_ids)
    item = {
        "platform": "twitter",
        "external_id": f"t-{n}",
        "text": "Hola, como activo las compras online con la tarjeta de debito?",
        "author_handle": f"@customer{n}",
        "author_followers": 150,
        "likes": 0,
        "shares": 0,
    }
    item.update(overrides)
    return item


RED_TEXT = "Voy a denunciar ante la PROFECO, me intoxique con la comida que me vendieron"
GREEN_TEXT = "Hola, a que hora abren la sucursal del centro el domingo?"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    platform = "twitter"
    handle = factory.Sequence(lambda n: f"@author{n}")
    followers = 100
