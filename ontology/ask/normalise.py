"""Turn a question into comparable tokens.

The same function normalises ontology terms and master-data names, so matching compares like with
like: case and accents folded, punctuation dropped, number words turned into digits, a plural "s"
stripped. Dates written as 2026-03-01 or 01.03.2026 stay single tokens for the time grammar.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{1,2}\.(?=\s)|[^\W_]+|%", re.UNICODE)
ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|\.)$")

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14", "thirty": "30",
    # "second" stays a word: it is also the unit.
    "eins": "1", "ein": "1", "zwei": "2", "drei": "3", "vier": "4", "funf": "5", "sechs": "6", "sieben": "7",
    "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwolf": "12", "first": "1",
    "third": "3", "fourth": "4", "erste": "1", "erstes": "1", "ersten": "1", "zweite": "2", "zweiten": "2",
    "dritte": "3", "dritten": "3", "vierte": "4", "vierten": "4",
}

# German words for the structural nouns the matcher knows in English; the ontology holds the rest.
STRUCTURAL = {"linie": "line", "maschine": "machine", "anlage": "machine", "schicht": "shift", "bereich": "area"}


def fold(text: str) -> str:
    """Lower case without accents; ß becomes ss."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(token: str) -> str:
    """English plurals only (machines, lines, presses, classes); German forms are matched by their terms."""
    if len(token) > 4 and token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss") and not token.isdigit():
        return token[:-1]
    return token


@dataclass(frozen=True)
class Token:
    text: str  # as written (folded), for messages
    key: str  # what matching compares


def tokenize(text: str) -> list[Token]:
    tokens = []
    for raw in TOKEN.findall(fold(text) + " "):
        ordinal = ORDINAL.match(raw)
        value = ordinal.group(1) if ordinal else raw
        value = NUMBER_WORDS.get(value, value)
        value = STRUCTURAL.get(value, value)
        tokens.append(Token(raw, stem(value)))
    return tokens


def key_of(phrase: str) -> tuple[str, ...]:
    """The match key of a term or a master-data name."""
    return tuple(token.key for token in tokenize(phrase))
