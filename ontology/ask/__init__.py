"""Questions in plain English or German answered from the KPI model.

Deterministic, no language model: normalise the words, spot the ontology terms and the live master
data by longest match, read time expressions with a closed grammar on the platform's calendar,
fill a query frame, validate it against the KPI catalog and run it through the KPI service.
`ask(question)` is the one entry point; docs/ask.md describes the grammar and the priorities.
"""

from .answer import answer_question
from .resolver import resolve_question

__all__ = ["answer_question", "resolve_question"]
