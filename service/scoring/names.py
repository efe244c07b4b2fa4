"""Pairwise name and handle features: the name channel's comparator for the scorer.

:func:`compare_names` takes a query profile's display name and handle and a banned account's, and
returns :class:`~service.domain.PairFeature` values (signals ``"name"`` and ``"handle"``), each with
a sentence a moderator can read. Every measure runs on the normalised layers of
``service.normalize.names`` (look-alikes folded, transliterated, affixes stripped), so ``Tеhreek``,
``tahrik`` and ``تحریک`` are compared as the same word. Shared words are weighed by rarity
(:class:`~service.scoring.rarity.TokenRarity`): sharing "Muhammad" or "Media" counts little.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, JaroWinkler

from service.domain import PairFeature, Vector
from service.features.ngrams import forms_vector
from service.normalize.names import CONNECTORS, NameForms, analyse_handle, analyse_name
from service.scoring.rarity import TokenRarity

MATCH_THRESHOLD = 0.85  # word similarity above which two words count as the same word
MAX_SHARED_BITS = 60.0
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
    return [[word_similarity(q, i, c, j) for j in range(len(c.tokens))]
            for i in range(len(q.tokens))]


def match_words(q: NameForms, c: NameForms, rarity: TokenRarity,
                sims: list[list[float]] | None = None) -> list[WordMatch]:
    """Pair the words of two names, order-free: equal and look-alike words first, then a word
    run together on one side (``ttpmedia``) with two or three adjacent words on the other
    (``ttp media``), then initials (``ttp`` ↔ ``tehreek taliban pakistan``), then the most similar
    remaining words (similarity at least ``MATCH_THRESHOLD``)."""
    sims = sims if sims is not None else similarity_matrix(q, c)
    pairs = sorted(((sim, i, j) for i, row in enumerate(sims) for j, sim in enumerate(row)),
                   reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    out = _greedy(q, c, [p for p in pairs if p[0] >= 0.98], used_q, used_c, rarity)
    out.extend(_joined_matches(q, c, used_q, used_c, rarity, flip=False))
    out.extend(_joined_matches(c, q, used_c, used_q, rarity, flip=True))
    out.extend(_acronym_matches(q, c, used_q, used_c, rarity, flip=False))
    out.extend(_acronym_matches(c, q, used_c, used_q, rarity, flip=True))
    out.extend(_greedy(q, c, [p for p in pairs if MATCH_THRESHOLD <= p[0] < 0.98], used_q,
                       used_c, rarity))
    return out


def _greedy(q: NameForms, c: NameForms, pairs: list[tuple[float, int, int]], used_q: set[int],
            used_c: set[int], rarity: TokenRarity) -> list[WordMatch]:
    out: list[WordMatch] = []
    for sim, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        bits = min(_bits(q, i, rarity), _bits(c, j, rarity))
        out.append(WordMatch(q.tokens[i], c.tokens[j], sim, bits))
    return out


def _acronym_matches(a: NameForms, b: NameForms, used_a: set[int], used_b: set[int],
                     rarity: TokenRarity, flip: bool) -> list[WordMatch]:
    """An unmatched word of ``a`` that is the initials of unmatched words of ``b`` (TTP ↔
    Tehreek-e-Taliban Pakistan) shares their evidence, up to its own."""
    if not _latin_written(a) or len(b.acronym) < 3:
        return []
    content = [k for k, t in enumerate(b.tokens)
               if t not in CONNECTORS and t[:1].isalpha() and k not in used_b]
    out: list[WordMatch] = []
    for i, word in enumerate(a.tokens):
        if i in used_a or not _may_be_acronym(word, rarity):
            continue
        for start in range(len(content) - len(word) + 1):
            run = content[start : start + len(word)]
            if any(k in used_b for k in run) or "".join(b.tokens[k][0] for k in run) != word:
                continue
            bits = min(sum(_bits(b, k, rarity) for k in run), max(_bits(a, i, rarity), 12.0))
            joined = " ".join(b.tokens[k] for k in run)
            pair = (joined, word) if flip else (word, joined)
            out.append(WordMatch(pair[0], pair[1], 1.0, bits))
            used_a.add(i)
            used_b.update(run)
            break
    return out


def _joined_matches(a: NameForms, b: NameForms, used_a: set[int], used_b: set[int],
                    rarity: TokenRarity, flip: bool) -> list[WordMatch]:
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
                        len(cons) >= 3 and a.consonants[i] == cons):
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


def _total_bits(forms: NameForms, rarity: TokenRarity) -> float:
    return sum(_bits(forms, i, rarity) for i in range(len(forms.tokens)))


def best_readings(a: NameForms, b: NameForms) -> tuple[NameForms, NameForms]:
    """The readings of two names (Urdu or Arabic values for Arabic script) that agree best."""
    if a.alternate is None and b.alternate is None:
        return a, b
    pairs = [(x, y) for x in (a, a.alternate) if x is not None
             for y in (b, b.alternate) if y is not None]
    return max(pairs, key=lambda p: name_similarity(p[0], p[1]))


def _latin_written(forms: NameForms) -> bool:
    return forms.scripts <= {"latin", "cyrillic", "greek"}


def _may_be_acronym(word: str, rarity: TokenRarity) -> bool:
    """3 to 8 letters and not a common name word: 'Aziz' is a name, not the initials of
    'Ahmad Zaki Izzat Zaki'."""
    return 3 <= len(word) <= 8 and word.isalpha() and rarity.probability(word) < ACRONYM_MAX_P


def _acronym_of(a: NameForms, b: NameForms, rarity: TokenRarity) -> str | None:
    """A word of ``a`` (written in Latin letters, 3 to 8 of them) that is the initials of a run of
    words of ``b`` whose other words ``a`` also has: ``TTP`` ↔ ``Tehreek-e-Taliban Pakistan``,
    ``TTP Media`` ↔ ``Tehreek-e-Taliban Pakistan Media``. Connectors (e, ul, al) are skipped."""
    if not _latin_written(a) or len(b.acronym) < 3:
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


def _one_in(bits: float) -> str:
    return f"1 name in {2 ** bits:,.0f}"


@lru_cache(maxsize=32768)
def _vector(forms: NameForms) -> Vector:
    return forms_vector([forms])


def _cosine(a: NameForms, b: NameForms) -> float:
    return float(np.dot(_vector(a), _vector(b)))


def _sorted_latin(forms: NameForms) -> str:
    return " ".join(sorted(forms.tokens))


def _name_features(q: NameForms, c: NameForms, rarity: TokenRarity,
                   name_cosine: float | None) -> list[PairFeature]:
    shown = f"{q.raw!r} vs {c.raw!r}"
    jw = max(JaroWinkler.normalized_similarity(_sorted_latin(q), _sorted_latin(c)),
             JaroWinkler.normalized_similarity(q.visual_joined, c.visual_joined))
    token_set = float(fuzz.token_set_ratio(q.latin, c.latin)) / 100.0
    cos = max(0.0, _cosine(q, c))
    visual_equal = float(q.visual_joined == c.visual_joined)
    cons_sim = Indel.normalized_similarity(q.consonant_joined, c.consonant_joined)
    skeleton_equal = float(q.consonant_joined == c.consonant_joined
                           and len(q.consonant_joined) >= 3)
    matches = match_words(q, c, rarity)
    shared = sum(m.similarity * m.bits for m in matches)
    q_bits, c_bits = _total_bits(q, rarity), _total_bits(c, rarity)
    dice = min(1.0, 2.0 * shared / (q_bits + c_bits)) if q_bits + c_bits > 0 else 0.0
    # Containment: a mirror may keep only part of the banned name, or add to it.
    covered = min(1.0, shared / min(q_bits, c_bits)) if min(q_bits, c_bits) > 0 else 0.0
    words = ", ".join(f"{m.query!r}~{m.candidate!r} ({_one_in(m.bits)})"
                      for m in sorted(matches, key=lambda m: -m.bits)) or "none"
    via = f"read as {q.latin!r} vs {c.latin!r}"
    out = [
        PairFeature("name", "name.jaro_winkler", jw,
                    f"display names {shown} are {jw:.2f} alike (Jaro-Winkler, {via})"),
        PairFeature("name", "name.token_set", token_set,
                    f"display names {shown} share {token_set:.0%} of their words in any order"),
        PairFeature("name", "name.ngram_cosine", cos,
                    f"display names {shown}: letter-pattern cosine {cos:.2f}"),
        PairFeature("name", "name.visual_equal", visual_equal,
                    f"display names {shown} look "
                    + ("identical" if visual_equal else "different")
                    + " once look-alike letters, decorations and affixes are folded"),
        PairFeature("name", "name.consonant_similarity", cons_sim,
                    f"consonant skeletons {q.consonant_joined!r} vs {c.consonant_joined!r}: "
                    f"{cons_sim:.2f} alike (spelling and transliteration variants meet here)"),
        PairFeature("name", "name.skeleton_equal", skeleton_equal,
                    f"consonant skeletons {q.consonant_joined!r} and {c.consonant_joined!r} are "
                    + ("equal" if skeleton_equal else "not equal")),
        PairFeature("name", "name.rare_overlap", dice,
                    f"shared words weighted by rarity: {dice:.2f} of the names' evidence; "
                    f"shared: {words}"),
        PairFeature("name", "name.contained", covered,
                    f"{covered:.0%} of the evidence of the shorter name "
                    f"({(q if q_bits <= c_bits else c).raw!r}) is found in the other"),
        PairFeature("name", "name.shared_bits", min(MAX_SHARED_BITS, float(shared)),
                    f"shared words carry {shared:.1f} bits of evidence ({words})"),
    ]
    acronym = _acronym_of(q, c, rarity) or _acronym_of(c, q, rarity)
    if acronym:
        out.append(PairFeature("name", "name.acronym", 1.0,
                               f"{acronym.upper()!r} is the initials of the other name ({shown})"))
    if q.lookalikes and max(jw, visual_equal) >= 0.9:
        out.append(PairFeature(
            "name", "name.lookalike", 1.0,
            f"the query writes {', '.join(map(repr, q.lookalikes))} with look-alike letters or "
            f"leetspeak, and then matches {c.raw!r}"))
    if name_cosine is not None:
        out.append(PairFeature("name", "name.embedding", float(name_cosine),
                               f"multilingual name-embedding cosine {name_cosine:.2f} "
                               f"({shown}; carries names across scripts)"))
    if q.decorations and c.decorations:
        qd, cd = set(q.decorations), set(c.decorations)
        shared_d = len(qd & cd) / len(qd | cd)
        out.append(PairFeature("name", "name.decorations_shared", shared_d,
                               f"decorations {''.join(q.decorations)} vs {''.join(c.decorations)}"
                               f": {shared_d:.0%} shared"))
    return out


def _handle_features(q: NameForms, c: NameForms) -> list[PairFeature]:
    shown = f"@{q.raw} vs @{c.raw}"
    jw = JaroWinkler.normalized_similarity(q.visual_joined, c.visual_joined)
    exact = float(q.joined == c.joined)
    visual = float(q.visual_joined == c.visual_joined)
    out = [
        PairFeature("handle", "handle.exact", exact,
                    f"handles {shown} are " + ("the same" if exact else "different")
                    + f" once affixes and separators are stripped ({q.joined!r}, {c.joined!r})"),
        PairFeature("handle", "handle.visual_equal", visual,
                    f"handles {shown} look " + ("identical" if visual else "different")
                    + f" after look-alike folding ({q.visual_joined!r}, {c.visual_joined!r})"),
        PairFeature("handle", "handle.jaro_winkler", jw,
                    f"handles {shown} are {jw:.2f} alike (Jaro-Winkler after look-alike folding)"),
    ]
    extra = sorted(set(q.affixes) - set(c.affixes))
    if extra and jw >= 0.9:
        out.append(PairFeature("handle", "handle.evasion_affix", jw,
                               f"handle @{q.raw} is @{c.raw}'s core {c.joined!r} plus "
                               f"{', '.join(map(repr, extra))}"))
    if q.lookalikes and jw >= 0.9:
        out.append(PairFeature("handle", "handle.lookalike", 1.0,
                               f"handle @{q.raw} uses look-alike letters or leetspeak "
                               f"({', '.join(map(repr, q.lookalikes))}) to imitate @{c.raw}"))
    return out


def _cross_features(qn: NameForms, qh: NameForms, cn: NameForms,
                    ch: NameForms) -> list[PairFeature]:
    best, text = -1.0, ""
    for a, b, what in ((qh, cn, "query handle @{a} vs display name {b!r}"),
                       (qn, ch, "query display name {a!r} vs handle @{b}")):
        if a.empty or b.empty:
            continue
        sim = JaroWinkler.normalized_similarity(a.visual_joined, b.visual_joined)
        if sim > best:
            best, text = sim, what.format(a=a.raw, b=b.raw)
    if best < 0:
        return []
    return [PairFeature("handle", "handle.name_cross", best,
                        f"{text}: {best:.2f} alike after look-alike folding")]


def compare_names(query_name: str, query_handle: str, cand_name: str, cand_handle: str,
                  rarity: TokenRarity, name_cosine: float | None = None) -> list[PairFeature]:
    """Name and handle features of a (query profile, banned account) pair. Name features need
    both display names, handle features both handles, the cross feature a handle on one side and
    a display name on the other; what is missing contributes no feature. ``name_cosine`` is the
    multilingual name-embedding cosine the pipeline already computed (it carries cross-script
    pairs that transliteration misses); None leaves it out."""
    qn, cn = best_readings(analyse_name(query_name), analyse_name(cand_name))
    qh, ch = best_readings(analyse_handle(query_handle), analyse_handle(cand_handle))
    out: list[PairFeature] = []
    if not qn.empty and not cn.empty:
        out.extend(_name_features(qn, cn, rarity, name_cosine))
    if not qh.empty and not ch.empty:
        out.extend(_handle_features(qh, ch))
    out.extend(_cross_features(qn, qh, cn, ch))
    acronym = None
    if not qh.empty and not cn.empty:
        acronym = _acronym_of(qh, cn, rarity)
    if acronym and not any(f.name == "name.acronym" for f in out):
        out.append(PairFeature("handle", "handle.acronym", 1.0,
                               f"handle @{qh.raw} is the initials {acronym.upper()!r} of "
                               f"{cn.raw!r}"))
    return out
