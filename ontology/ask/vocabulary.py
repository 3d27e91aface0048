"""Function words of questions in English and German: what the resolver reads as structure (group,
order, comparison), what it may skip without saying so, and what it declines."""

from __future__ import annotations

from .normalise import fold, key_of


def words(*phrases: str) -> frozenset[str]:
    return frozenset(key_of(phrase)[0] for phrase in phrases if key_of(phrase))


STOPWORDS = words(
    # English
    "a", "an", "the", "of", "for", "in", "on", "at", "to", "by", "per", "with", "and", "or", "was", "were", "is",
    "are", "be", "been", "what", "whats", "what's", "how", "did", "do", "does", "doing", "show", "me", "give",
    "tell", "list", "get", "please", "our", "my", "we", "us", "it", "its", "there", "their", "this", "that", "s",
    "during", "over", "across", "all", "value", "values", "kpi", "kpis", "figure", "number", "numbers", "report",
    "had", "has", "have", "performed", "perform", "run", "ran", "go", "went", "look", "like", "about", "so", "far",
    "can", "you", "i", "see", "let", "know", "want", "need", "from", "up", "as", "than", "much", "many", "which",
    "where", "when", "who", "overall", "total", "whole", "entire", "result", "results", "trend", "compare",
    "between", "did", "rate", "ratio", "our", "current", "currently", "latest", "recent", "time", "period",
    "the", "ranking", "rank", "rated", "level", "score", "breakdown", "broken", "down", "split", "each", "every",
    # German
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen", "und", "oder",
    "von", "vom", "zu", "zum", "zur", "im", "in", "am", "an", "auf", "fur", "mit", "bei", "ist", "war", "waren",
    "sind", "wie", "was", "welche", "welcher", "welches", "wo", "wann", "hoch", "zeige", "zeig", "mir", "gib",
    "bitte", "unsere", "unser", "unserer", "hatte", "hat", "haben", "lief", "liefen", "laufen", "gesamt",
    "insgesamt", "wert", "werte", "kennzahl", "pro", "je", "nach", "uber", "bis", "seit", "als", "es", "sie", "wir",
    "ich", "mochte", "wissen", "vergleiche", "vergleich", "zwischen", "aufgeschlusselt", "rangliste", "ab",
)
GROUP_PREFIX = words("by", "per", "each", "every", "across", "pro", "nach", "je", "jede", "jeden", "jeder",
                     "jedes", "breakdown", "split", "aufgeschlusselt")
WHICH = words("which", "welche", "welcher", "welches", "welchen", "what")
BEST = words("best", "beste", "besten", "bester", "bestes")
WORST = words("worst", "schlechteste", "schlechtesten", "schlechtester", "schlechtestes")
HIGHEST = words("highest", "top", "most", "maximum", "hochste", "hochsten", "hochster", "meisten",
                "groste", "grossten", "grosste")
LOWEST = words("lowest", "bottom", "least", "minimum", "niedrigste", "niedrigsten", "niedrigster",
               "geringste", "geringsten", "wenigsten")
RANK = words("rank", "ranking", "ranked", "rangliste", "sort", "sorted", "sortiert")
COMPARE = words("vs", "versus", "compared", "against", "gegenuber", "vergleich", "verglichen", "vs.")
COMPARE_VERB = words("compare", "vergleiche", "vergleich")
# Questions the platform cannot answer from recorded KPIs: causes, forecasts, money, writes.
OUT_OF_SCOPE = {
    **dict.fromkeys(words("why", "warum", "weshalb", "wieso", "cause", "causes", "ursache"), "cause"),
    **dict.fromkeys(words("forecast", "predict", "prediction", "will", "expected", "prognose", "vorhersage",
                          "wird", "werden"), "forecast"),
    **dict.fromkeys(words("cost", "costs", "price", "revenue", "profit", "salary", "money", "euro", "eur", "dollar",
                          "kosten", "preis", "umsatz", "gewinn", "gehalt"), "money"),
    **dict.fromkeys(words("delete", "drop", "update", "insert", "remove", "change", "set", "create", "loschen",
                          "andern", "entfernen", "anlegen", "sql", "select"), "write"),
    **dict.fromkeys(words("weather", "wetter", "joke", "witz", "news", "nachrichten"), "topic"),
}
GERMAN_MARKERS = frozenset(fold(word) for word in (
    "der", "die", "das", "den", "dem", "des", "und", "wie", "war", "welche", "welcher", "letzte", "letzten",
    "gestern", "heute", "schicht", "linie", "woche", "monat", "im", "vom", "fur", "zeige", "mir", "seit",
    "zwischen", "pro", "nach", "quartal", "jahr", "hatte", "ist", "schlechteste", "beste", "vorgestern",
    "maschine", "anlage", "nachtschicht", "frühschicht", "spätschicht", "ausschussquote", "verfügbarkeit",
    "maschinen", "linien", "schichten", "tag", "tage", "tagen", "wochen", "gib", "zeig", "zeige", "mir", "seit",
    "montag", "letztes", "vorwoche", "vortag", "gegenüber", "kw", "geschäftsjahr", "im", "am", "bis", "vom",
))
