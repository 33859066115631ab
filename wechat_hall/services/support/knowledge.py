"""Knowledge-base answers (CS-2): which entry answers a question. Pure functions."""
import re
from dataclasses import dataclass

_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Entry:
    id: int
    queue: str | None  # queue code, None = every queue
    question: str
    keywords: tuple


def keywords_of(text):
    return tuple(k for k in _SPLIT.split(text or "") if k)


def score(entry, text):
    """How many of the entry's keywords the text contains (the question itself counts
    as matching all of them)."""
    if entry.question and entry.question.strip() == text.strip():
        return len(entry.keywords) + 10
    return sum(1 for k in entry.keywords if k.lower() in text.lower())


def _bigrams(text):
    text = re.sub(r"[\s，。？！?!,.、“”]", "", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)}


def similarity(a, b):
    """Share of the character pairs of ``a`` found in ``b`` (Chinese has no spaces)."""
    pairs = _bigrams(a)
    return len(pairs & _bigrams(b)) / len(pairs) if pairs else 0.0


def best_match(entries, text, queue=None):
    """The entry that answers ``text`` best, or None.

    An entry must match at least one keyword. More keywords win; then entries of
    ``queue`` over entries for every queue; then the entry whose question is most like
    the text; then the earlier entry. With ``queue`` given, entries of that queue or of
    every queue answer first; when none of them does, another queue's entry still
    answers (issue 16: a question on activating the 一码通 asked in 沪市 gets the 账户
    answer rather than a person).
    """
    best = _best_of(entries, text, queue, in_scope=True)
    if best is None and queue is not None:
        best = _best_of(entries, text, queue, in_scope=False)
    return best


def _best_of(entries, text, queue, in_scope):
    text = (text or "").strip()
    if not text:
        return None
    best, best_key = None, None
    for order, entry in enumerate(entries):
        if queue is not None and in_scope and entry.queue not in (None, queue):
            continue
        points = score(entry, text)
        if points < 1:
            continue
        key = (points, entry.queue is not None and entry.queue == queue,
               similarity(text, entry.question), -order)
        if best_key is None or key > best_key:
            best, best_key = entry, key
    return best
