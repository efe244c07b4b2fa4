"""Word-level comparison of two analysed names: how alike two words are, which words of one name
pair with which of the other (order-free; joined words; initials), and what the pairs are worth
in bits of rarity. ``service.scoring.names`` turns these into the features the scorer weighs."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel, JaroWinkler

from service.normalize.names import CONNECTORS, NameForms
from service.scoring.rarity import TokenRarity

MATCH_THRESHOLD = 0.85  # word similarity above which two words count as the same word
ACRONYM_MAX_P = 1 / 500  # a word in more names than this is a name word, not initials


def word_similarity(a: NameForms, i: int, b: NameForms, j: int) -> float:
    """Similarity in [0, 1] of word ``i`` of ``a`` and word ``j`` of ``b``: 1 when equal, 0.98
    when they look alike, else the best of Jaro-Winkler on the Latin spelling, on the look-alike
    key, and the mean of Latin Jaro-Winkler and consonant-skeleton similarity (which carries
    transliterations: ``tehreek``/``tahrik``)."""
    la, lb = a.tokens[i], b.tokens[j]
    if la == lb:
        return 1.0
    if a.visual[i] == b.visual[j]:
        return 0.98
    jw = JaroWinkler.normalized_similarity(la, lb)
    jv = JaroWinkler.normalized_similarity(a.visual[i], b.visual[j])
    ca, cb = a.consonants[i], b.consonants[j]
    cons = Indel.normalized_similarity(ca, cb) if ca and cb else 0.0
    return max(jw, jv, (jw + cons) / 2)


def name_similarity(a: NameForms, b: NameForms) -> float:
    """:func:`word_similarity`'s measure on whole names run together (word order kept): the one
    number validated against Dakshina's attested Roman spellings of Urdu words."""
    la, lb = a.joined, b.joined
    if not la or not lb:
        return 0.0
    if la == lb:
        return 1.0
    if a.visual_joined == b.visual_joined:
        return 0.98
    jw = JaroWinkler.normalized_similarity(la, lb)
    jv = JaroWinkler.normalized_similarity(a.visual_joined, b.visual_joined)
    cons = Indel.normalized_similarity(a.consonant_joined, b.consonant_joined)
    return max(jw, jv, (jw + cons) / 2)


@dataclass(frozen=True, slots=True)
class WordMatch:
    query: str
    candidate: str
    similarity: float
    bits: float


def _bits(forms: NameForms, i: int, rarity: TokenRarity) -> float:
    return rarity.bits(forms.tokens[i])


def similarity_matrix(q: NameForms, c: NameForms) -> list[list[float]]:
    """:func:`word_similarity` of every word of ``q`` with every word of ``c``."""
    return [
        [word_similarity(q, i, c, j) for j in range(len(c.tokens))] for i in range(len(q.tokens))
    ]


def match_words(
    q: NameForms, c: NameForms, rarity: TokenRarity, sims: list[list[float]] | None = None
) -> list[WordMatch]:
    """Pair the words of two names, order-free: equal and look-alike words first, then a word
    run together on one side (``ttpmedia``) with two or three adjacent words on the other
    (``ttp media``), then initials (``ttp`` ↔ ``tehreek taliban pakistan``), then the most similar
    remaining words (similarity at least ``MATCH_THRESHOLD``)."""
    sims = sims if sims is not None else similarity_matrix(q, c)
    pairs = sorted(
        ((sim, i, j) for i, row in enumerate(sims) for j, sim in enumerate(row)), reverse=True
    )
    used_q: set[int] = set()
    used_c: set[int] = set()
    out = _greedy(q, c, [p for p in pairs if p[0] >= 0.98], used_q, used_c, rarity)
    out.extend(_joined_matches(q, c, used_q, used_c, rarity, flip=False))
    out.extend(_joined_matches(c, q, used_c, used_q, rarity, flip=True))
    out.extend(_acronym_matches(q, c, used_q, used_c, rarity, flip=False))
    out.extend(_acronym_matches(c, q, used_c, used_q, rarity, flip=True))
    out.extend(
        _greedy(q, c, [p for p in pairs if MATCH_THRESHOLD <= p[0] < 0.98], used_q, used_c, rarity)
    )
    return out


def _greedy(
    q: NameForms,
    c: NameForms,
    pairs: list[tuple[float, int, int]],
    used_q: set[int],
    used_c: set[int],
    rarity: TokenRarity,
) -> list[WordMatch]:
    out: list[WordMatch] = []
    for sim, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        bits = min(_bits(q, i, rarity), _bits(c, j, rarity))
        out.append(WordMatch(q.tokens[i], c.tokens[j], sim, bits))
    return out


def _acronym_matches(
    a: NameForms, b: NameForms, used_a: set[int], used_b: set[int], rarity: TokenRarity, flip: bool
) -> list[WordMatch]:
    """An unmatched word of ``a`` that is the initials of unmatched words of ``b`` (TTP ↔
    Tehreek-e-Taliban Pakistan) shares their evidence, up to its own."""
    if not latin_written(a) or len(b.acronym) < 3:
        return []
    content = [
        k
        for k, t in enumerate(b.tokens)
        if t not in CONNECTORS and t[:1].isalpha() and k not in used_b
    ]
    out: list[WordMatch] = []
    for i, word in enumerate(a.tokens):
        if i in used_a or not _may_be_acronym(word, rarity):
            continue
        for start in range(len(content) - len(word) + 1):
            run = content[start : start + len(word)]
            if any(k in used_b for k in run) or "".join(b.tokens[k][0] for k in run) != word:
                continue
            bits = min(sum(_bits(b, k, rarity) for k in run), _bits(a, i, rarity))
            joined = " ".join(b.tokens[k] for k in run)
            pair = (joined, word) if flip else (word, joined)
            out.append(WordMatch(pair[0], pair[1], 1.0, bits))
            used_a.add(i)
            used_b.update(run)
            break
    return out


def _joined_matches(
    a: NameForms, b: NameForms, used_a: set[int], used_b: set[int], rarity: TokenRarity, flip: bool
) -> list[WordMatch]:
    out: list[WordMatch] = []
    for i in range(len(a.tokens)):
        if i in used_a:
            continue
        for span in (2, 3):
            for j in range(len(b.tokens) - span + 1):
                run = range(j, j + span)
                if any(k in used_b for k in run):
                    continue
                cons = "".join(b.consonants[k] for k in run)
                if a.visual[i] != "".join(b.visual[k] for k in run) and not (
                    len(cons) >= 3 and a.consonants[i] == cons
                ):
                    continue
                bits = min(_bits(a, i, rarity), sum(_bits(b, k, rarity) for k in run))
                joined = " ".join(b.tokens[k] for k in run)
                pair = (joined, a.tokens[i]) if flip else (a.tokens[i], joined)
                out.append(WordMatch(pair[0], pair[1], 1.0, bits))
                used_a.add(i)
                used_b.update(run)
                break
            if i in used_a:
                break
    return out


def total_bits(forms: NameForms, rarity: TokenRarity) -> float:
    return sum(_bits(forms, i, rarity) for i in range(len(forms.tokens)))


def best_readings(a: NameForms, b: NameForms) -> tuple[NameForms, NameForms]:
    """The readings of two names (Urdu or Arabic values for Arabic script) that agree best."""
    if a.alternate is None and b.alternate is None:
        return a, b
    pairs = [
        (x, y) for x in (a, a.alternate) if x is not None for y in (b, b.alternate) if y is not None
    ]
    return max(pairs, key=lambda p: name_similarity(p[0], p[1]))


def latin_written(forms: NameForms) -> bool:
    return forms.scripts <= {"latin", "cyrillic", "greek"}


def _may_be_acronym(word: str, rarity: TokenRarity) -> bool:
    """3 to 8 letters and not a common name word: 'Aziz' is a name, not the initials of
    'Ahmad Zaki Izzat Zaki'."""
    return 3 <= len(word) <= 8 and word.isalpha() and rarity.probability(word) < ACRONYM_MAX_P


def acronym_of(a: NameForms, b: NameForms, rarity: TokenRarity) -> str | None:
    """A word of ``a`` (written in Latin letters, 3 to 8 of them) that is the initials of a run of
    words of ``b`` whose other words ``a`` also has: ``TTP`` ↔ ``Tehreek-e-Taliban Pakistan``,
    ``TTP Media`` ↔ ``Tehreek-e-Taliban Pakistan Media``. Connectors (e, ul, al) are skipped."""
    if not latin_written(a) or len(b.acronym) < 3:
        return None
    content = [i for i, t in enumerate(b.tokens) if t not in CONNECTORS and t[:1].isalpha()]
    a_words = set(a.visual)
    for word in a.tokens:
        n = len(word)
        if not _may_be_acronym(word, rarity):
            continue
        for start in range(len(content) - n + 1):
            run = content[start : start + n]
            if "".join(b.tokens[i][0] for i in run) != word:
                continue
            rest = [b.visual[i] for i in content if i not in run]
            if all(v in a_words for v in rest):
                return word
    return None
