"""Signal lexicons, one module per language, merged into one matcher.

Each module exposes `POSITIVE` (signal -> phrases that fire it) and `INNOCENT` (signal ->
phrases that, when they overlap a firing phrase, mean the word is used innocently: "mi abuelo
era policía", "se hizo viral lo rico que está"). The phrase syntax is described in
`classifier.matcher`. Mixed Spanish-English comments are common, so both languages
are always matched.
"""

from collections.abc import Mapping

from classifier.lexicons import en, es


def merged(name: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for module in (es, en):
        table: Mapping[str, list[str]] = getattr(module, name)
        for signal, phrases in table.items():
            result.setdefault(signal, []).extend(phrases)
    return result


POSITIVE = merged("POSITIVE")
INNOCENT = merged("INNOCENT")

#: Words that, a few tokens before a trigger, negate it ("no voy a denunciar").
NEGATORS = frozenset(es.NEGATORS | en.NEGATORS)
#: Words that make the following negator conditional ("si no me devuelven... los denuncio").
CONDITIONALS = frozenset(es.CONDITIONALS | en.CONDITIONALS)
#: Words that end a negation's scope ("no me contestan y los voy a denunciar").
SCOPE_BREAKERS = frozenset(es.SCOPE_BREAKERS | en.SCOPE_BREAKERS)
#: Substrings of @handles of news outlets, shows and amplifiers.
MEDIA_HANDLE_PARTS = tuple(es.MEDIA_HANDLE_PARTS + en.MEDIA_HANDLE_PARTS)
#: Substrings of @handles of authorities and regulators.
AUTHORITY_HANDLE_PARTS = tuple(es.AUTHORITY_HANDLE_PARTS + en.AUTHORITY_HANDLE_PARTS)
#: Substrings of #hashtags that make a campaign against a brand.
CAMPAIGN_HASHTAG_PARTS = tuple(es.CAMPAIGN_HASHTAG_PARTS + en.CAMPAIGN_HASHTAG_PARTS)
#: Regulators and consumer offices named outright: naming one is high_level by itself.
REGULATORS = frozenset(es.REGULATORS | en.REGULATORS)
