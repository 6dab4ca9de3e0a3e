"""Templates are the start of a draft, never a reply (the seed texts: no automatic answers).

``template_text`` fills a template for a case; ``template_refusal`` says why a reply that is
still a template may not go on. The rule, as a person reads it in the refusal:

- A reply is *from* a template when it shares most of its words with one of the brand's
  templates as filled for this case (word-level similarity of 0.6 or more). Anything else is
  the person's own writing and this rule says nothing about it.
- Such a reply must add words of its own: spaces, punctuation, capitals and accents do not
  count, and neither do words only removed.
- And what it adds must name something of this case that the template could not know: the
  customer's name or handle, the case number, a number (an amount, an order, a date, a
  deadline), a day or a month, or a word of the customer's own comments.
"""

import difflib
import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from cases.models import Case
from classifier.normalise import normalise
from classifier.stopwords import FUNCTION_WORDS
from replies.models import ReplyTemplate

#: How much of a reply must be a template's words for the reply to count as that template.
FROM_TEMPLATE = 0.6
#: Days and months, folded: "el lunes", "el 3 de mayo" are a case's dates.
_DATE_WORDS = frozenset(
    (
        "lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril mayo "
        "junio julio agosto septiembre setiembre octubre noviembre diciembre monday tuesday "
        "wednesday thursday friday saturday sunday january february march april june july "
        "august september october november december"
    ).split()
)
#: Words a customer writes to any brand: echoing them back names nothing of the case.
_GENERIC = frozenset(
    (
        "hola buenas buenos dias tardes noches gracias favor ayuda ayudar revisar responder "
        "contestar urgente please thanks thank hello help check reply answer urgent"
    ).split()
)
_WORD = re.compile(r"\w+")


def template_text(template: ReplyTemplate, case: Case, *, department: str = "") -> str:
    """A template with its placeholders filled: the start of a draft, never a reply."""
    values = {
        "customer_name": case.author.display_name or case.author.handle,
        "case_number": case.pk,
        "department": department or _("the team in charge"),
        "brand": case.brand.name,
    }
    text = template.body
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def template_refusal(body: str, case: Case) -> str | None:
    """Why this reply may not be sent on as it stands (it is a template, unchanged or with
    nothing of this case added), in words that say what to add; None when it may."""
    templates = ReplyTemplate.objects.filter(protocol__brand_id=case.brand_id)
    return refusal_against(body, case, templates, comments=_comment_texts(case))


def refusal_against(
    body: str, case: Case, templates: Iterable[ReplyTemplate], *, comments: Sequence[str]
) -> str | None:
    words = _words(body)
    best: tuple[float, ReplyTemplate, list[str]] | None = None
    for template in templates:
        filled = _words(template_text(template, case))
        ratio = difflib.SequenceMatcher(None, filled, words, autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, template, filled)
    if best is None or best[0] < FROM_TEMPLATE:
        return None
    _ratio, template, filled = best
    added = _added(filled, words)
    examples = ", ".join(f"«{example}»" for example in _examples(case, comments))
    if not added:
        return _(
            "This reply is still the template “%(template)s” with nothing of yours added. "
            "Before sending it on, name this customer or their case, for example: "
            "%(examples)s."
        ) % {"template": template.name, "examples": examples}
    if not any(_is_specific(word, _case_words(case, comments)) for word in added):
        return _(
            "This reply is mostly the template “%(template)s”, and what you added names "
            "nothing of this case. Add the customer's name, the case number, an amount, a date "
            "or something they wrote, for example: %(examples)s."
        ) % {"template": template.name, "examples": examples}
    return None


def _comment_texts(case: Case) -> list[str]:
    return list(case.comments.order_by("posted_at", "id").values_list("text", flat=True)[:20])


def _words(text: str) -> list[str]:
    """Folded words: no case, accents, punctuation or elongation ("holaaa")."""
    return [token for token in normalise(text).tokens if _WORD.search(token)]


def _added(before: list[str], after: list[str]) -> list[str]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [
        word
        for op, _i1, _i2, j1, j2 in matcher.get_opcodes()
        if op in ("insert", "replace")
        for word in after[j1:j2]
    ]


def _stem(word: str) -> str:
    """Four letters are enough to hear "cobro" in "me cobraron" and "cargo" in "cargos"."""
    return word[:4] if len(word) > 4 else word


def _content(word: str) -> bool:
    return len(word) >= 4 and word.isalpha() and word not in FUNCTION_WORDS | _GENERIC


def _case_words(case: Case, comments: Sequence[str]) -> frozenset[str]:
    handle = case.author.handle
    names = _words(f"{case.author.display_name} {handle} {handle.lstrip('@')}")
    said = [_stem(word) for text in comments for word in _words(text) if _content(word)]
    return frozenset([*names, *said, str(case.pk)])


def _is_specific(word: str, case_words: frozenset[str]) -> bool:
    return (
        any(character.isdigit() for character in word)
        or word in _DATE_WORDS
        or word in case_words
        or (_content(word) and _stem(word) in case_words)
    )


def _examples(case: Case, comments: Sequence[str]) -> list[str]:
    """What a person could add, in the customer's own spelling: their name, the case number,
    and up to three words of what they wrote."""
    examples = [case.author.display_name or case.author.handle, f"#{case.pk}"]
    seen: set[str] = set()
    for text in comments:
        for original in _WORD.findall(text):
            folded = _words(original)
            if len(folded) == 1 and _content(folded[0]) and folded[0] not in seen:
                seen.add(folded[0])
                examples.append(original)
                if len(examples) == 5:
                    return examples
    return examples
