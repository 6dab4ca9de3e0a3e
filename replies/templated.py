"""Templates are the start of a draft, never a reply (the seed texts: no automatic answers).

The same holds for every suggestion the desk puts in the reply box: a protocol's template, a
FAQ answer, a rebuttal quoting a verified fact. ``template_text``, ``faq_text`` and
``rebuttal_text`` fill one for a case; ``template_refusal`` says why a reply that is still a
suggestion may not go on. The rule, as a person reads it in the refusal:

- A reply is *from* a suggestion when it shares most of its words with one of the brand's
  templates, FAQ answers or rebuttals as filled for this case (word-level similarity of 0.6 or
  more). Anything else is the person's own writing and this rule says nothing about it.
- Such a reply must add words of its own: spaces, punctuation, capitals and accents do not
  count, and neither do words only removed.
- And what it adds must name something of this case that the template could not know: the
  customer's name or handle, the case number, a number (an amount, an order, a date, a
  deadline), a day or a month, or a word of the customer's own comments.
"""

import difflib
import re
from collections.abc import Iterable, Sequence

from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cases.models import Case
from classifier.normalise import normalise
from classifier.stopwords import FUNCTION_WORDS
from replies.models import Fact, FaqEntry, ReplyTemplate

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


def fill_placeholders(text: str, case: Case, *, department: str = "") -> str:
    values = {
        "customer_name": case.author.display_name or case.author.handle,
        "case_number": case.pk,
        "department": department or _("the team in charge"),
        "brand": case.brand.name,
    }
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def template_text(template: ReplyTemplate, case: Case, *, department: str = "") -> str:
    """A template with its placeholders filled: the start of a draft, never a reply."""
    return fill_placeholders(template.body, case, department=department)


def faq_text(entry: FaqEntry, case: Case) -> str:
    """A FAQ answer with its placeholders filled: the start of a draft, never a reply."""
    return fill_placeholders(entry.answer, case)


def rebuttal_text(fact: Fact, case: Case) -> str:
    """A rebuttal that quotes the fact and its source, in the brand's language: the start of a
    draft the person makes this customer's."""
    with translation.override(case.brand.language):
        return _(
            "Hi %(name)s, we want to set the record straight: %(statement)s (source: %(source)s)."
        ) % {
            "name": case.author.display_name or case.author.handle,
            "statement": fact.statement.strip().rstrip("."),
            "source": fact.source.strip(),
        }


def template_refusal(body: str, case: Case) -> str | None:
    """Why this reply may not be sent on as it stands (it is a template, a FAQ answer or a
    rebuttal, unchanged or with nothing of this case added), in words that say what to add;
    None when it may."""
    return refusal_against(body, case, _suggestions(case), comments=_comment_texts(case))


def _suggestions(case: Case) -> list[tuple[str, str]]:
    """Every suggestion the reply box offers this case, as ``(name, filled text)``."""
    templates = ReplyTemplate.objects.filter(protocol__brand_id=case.brand_id)
    entries = FaqEntry.objects.filter(brand_id=case.brand_id)
    facts = Fact.objects.filter(brand_id=case.brand_id)
    return [
        *((t.name, template_text(t, case)) for t in templates),
        *((_("FAQ: %(question)s") % {"question": e.question}, faq_text(e, case)) for e in entries),
        *(
            (
                _("rebuttal: %(statement)s") % {"statement": Truncator(f.statement).chars(60)},
                rebuttal_text(f, case),
            )
            for f in facts
        ),
    ]


def refusal_against(
    body: str, case: Case, suggestions: Iterable[tuple[str, str]], *, comments: Sequence[str]
) -> str | None:
    """``suggestions``: ``(name, text as filled for this case)`` of each template or answer."""
    words = _words(body)
    best: tuple[float, str, list[str]] | None = None
    for name, text in suggestions:
        filled = _words(text)
        ratio = difflib.SequenceMatcher(None, filled, words, autojunk=False).ratio()
        if best is None or ratio > best[0]:
            best = (ratio, name, filled)
    if best is None or best[0] < FROM_TEMPLATE:
        return None
    _ratio, name, filled = best
    added = _added(filled, words)
    examples = ", ".join(f"«{example}»" for example in _examples(case, comments))
    if not added:
        return _(
            "This reply is still the template “%(template)s” with nothing of yours added. "
            "Before sending it on, name this customer or their case, for example: "
            "%(examples)s."
        ) % {"template": name, "examples": examples}
    if not any(_is_specific(word, _case_words(case, comments)) for word in added):
        return _(
            "This reply is mostly the template “%(template)s”, and what you added names "
            "nothing of this case. Add the customer's name, the case number, an amount, a date "
            "or something they wrote, for example: %(examples)s."
        ) % {"template": name, "examples": examples}
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
