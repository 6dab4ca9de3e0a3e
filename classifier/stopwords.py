"""Function words of Spanish and English, in folded form.

The model gets no weight on them (as words or as pairs of them) and explanations never name
them: "me" or "la" says nothing a community manager can check, and a model that leans on
them has learned the style of a corpus, not the taxonomy. Content words next to them ("me
cobraron") still count, as pairs and as character n-grams.
"""

FUNCTION_WORDS = frozenset(
    (
        # Spanish: articles, pronouns, prepositions, conjunctions, auxiliaries, fillers
        "a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque bien "
        "cada como con contra cual cuales cuando cuyo de del desde donde dos e el ella ellas "
        "ello ellos en entre era eran eres es esa esas ese eso esos esta estaba estaban estado "
        "estamos estan estar estas este esto estos estoy fue fueron ha habia han has hasta hay "
        "he hemos la las le les lo los mas me mi mia mis mismo mucho muy nada ni no nos "
        "nosotros nuestra nuestro nuestros o os otra otro otros para pero poco por porque pues "
        "q que quien quienes se sea ser si sido sin sobre solo son su sus tambien tan tanto te "
        "ti tiene tienen todo todos tu tus u un una uno unos unas usted ustedes vosotros y ya "
        "yo vez voy va van ir hace hacer esto eso aca alla ahi "
        # English
        "a about after again all am an and any are as at be been before being but by can "
        "could did do does doing for from had has have having he her here hers him his how i "
        "if im in into is it its itself just me more most my myself no nor not of off on once "
        "only or other our ours out over own same she should so some such than that the their "
        "them then there these they this those through to too under until up very was we were "
        "what when where which while who whom why will with would you your yours u ur ive "
        "dont cant youre thats theyre"
    ).split()
)


def is_function_word(word: str) -> bool:
    return word.lower() in FUNCTION_WORDS
