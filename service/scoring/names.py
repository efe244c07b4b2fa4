"""Pairwise name and handle features: the name channel's comparator for the scorer.

:func:`compare_names` takes a query profile's display name and handle and a banned account's, and
returns :class:`~service.domain.PairFeature` values (signals ``"name"`` and ``"handle"``), each with
a sentence a moderator can read. Every measure runs on the normalised layers of
``service.normalize.names`` (look-alikes folded, transliterated, affixes stripped), so ``Tеhreek``,
``tahrik`` and ``تحریک`` are compared as the same word. Shared words are weighed by rarity
(:class:`~service.scoring.rarity.TokenRarity`): sharing "Muhammad" or "Media" counts little.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, JaroWinkler

from service.domain import PairFeature, Vector
from service.features.ngrams import forms_vector
from service.normalize.names import NameForms, analyse_handle, analyse_name
from service.scoring.name_words import (
    acronym_of,
    best_readings,
    match_words,
    total_bits,
)
from service.scoring.rarity import TokenRarity

MAX_SHARED_BITS = 60.0


def _one_in(bits: float) -> str:
    return f"1 name in {2**bits:,.0f}"


@lru_cache(maxsize=32768)
def _vector(forms: NameForms) -> Vector:
    return forms_vector([forms])


def _cosine(a: NameForms, b: NameForms) -> float:
    return float(np.dot(_vector(a), _vector(b)))


def _sorted_latin(forms: NameForms) -> str:
    return " ".join(sorted(forms.tokens))


def _name_features(
    q: NameForms, c: NameForms, rarity: TokenRarity, name_cosine: float | None
) -> list[PairFeature]:
    shown = f"{q.raw!r} vs {c.raw!r}"
    jw = max(
        JaroWinkler.normalized_similarity(_sorted_latin(q), _sorted_latin(c)),
        JaroWinkler.normalized_similarity(q.visual_joined, c.visual_joined),
    )
    token_set = float(fuzz.token_set_ratio(q.latin, c.latin)) / 100.0
    cos = max(0.0, _cosine(q, c))
    visual_equal = float(q.visual_joined == c.visual_joined)
    cons_sim = Indel.normalized_similarity(q.consonant_joined, c.consonant_joined)
    skeleton_equal = float(
        q.consonant_joined == c.consonant_joined and len(q.consonant_joined) >= 3
    )
    matches = match_words(q, c, rarity)
    shared = sum(m.similarity * m.bits for m in matches)
    q_bits, c_bits = total_bits(q, rarity), total_bits(c, rarity)
    dice = min(1.0, 2.0 * shared / (q_bits + c_bits)) if q_bits + c_bits > 0 else 0.0
    # Containment: a mirror may keep only part of the banned name, or add to it.
    covered = min(1.0, shared / min(q_bits, c_bits)) if min(q_bits, c_bits) > 0 else 0.0
    words = (
        ", ".join(
            f"{m.query!r}~{m.candidate!r} ({_one_in(m.bits)})"
            for m in sorted(matches, key=lambda m: -m.bits)
        )
        or "none"
    )
    via = f"read as {q.latin!r} vs {c.latin!r}"
    out = [
        PairFeature(
            "name",
            "name.jaro_winkler",
            jw,
            f"display names {shown} are {jw:.2f} alike (Jaro-Winkler, {via})",
        ),
        PairFeature(
            "name",
            "name.token_set",
            token_set,
            f"display names {shown} share {token_set:.0%} of their words in any order",
        ),
        PairFeature(
            "name",
            "name.ngram_cosine",
            cos,
            f"display names {shown}: letter-pattern cosine {cos:.2f}",
        ),
        PairFeature(
            "name",
            "name.visual_equal",
            visual_equal,
            f"display names {shown} look "
            + ("identical" if visual_equal else "different")
            + " once look-alike letters, decorations and affixes are folded",
        ),
        PairFeature(
            "name",
            "name.consonant_similarity",
            cons_sim,
            f"consonant skeletons {q.consonant_joined!r} vs {c.consonant_joined!r}: "
            f"{cons_sim:.2f} alike (spelling and transliteration variants meet here)",
        ),
        PairFeature(
            "name",
            "name.skeleton_equal",
            skeleton_equal,
            f"consonant skeletons {q.consonant_joined!r} and {c.consonant_joined!r} are "
            + ("equal" if skeleton_equal else "not equal"),
        ),
        PairFeature(
            "name",
            "name.rare_overlap",
            dice,
            f"shared words weighted by rarity: {dice:.2f} of the names' evidence; shared: {words}",
        ),
        PairFeature(
            "name",
            "name.contained",
            covered,
            f"{covered:.0%} of the word evidence of the less distinctive name "
            f"({(q if q_bits <= c_bits else c).raw!r}) is found in the other",
        ),
        PairFeature(
            "name",
            "name.shared_bits",
            min(MAX_SHARED_BITS, float(shared)),
            f"shared words carry {shared:.1f} bits of evidence ({words})",
        ),
        # evidence against: what distinguishes the banned name is missing from the profile's
        # ("Tehreek-e-Insaf Pakistan" keeps the common words of "Tehreek-e-Taliban Pakistan"
        # but not "Taliban")
        PairFeature(
            "name",
            "name.missing_bits",
            min(MAX_SHARED_BITS, max(0.0, c_bits - shared)),
            f"words of the banned name {c.raw!r} missing from {q.raw!r} carry "
            f"{max(0.0, c_bits - shared):.1f} bits",
        ),
    ]
    acronym = acronym_of(q, c, rarity) or acronym_of(c, q, rarity)
    if acronym:
        out.append(
            PairFeature(
                "name",
                "name.acronym",
                1.0,
                f"{acronym.upper()!r} is the initials of the other name ({shown})",
            )
        )
    if q.lookalikes and max(jw, visual_equal) >= 0.9:
        out.append(
            PairFeature(
                "name",
                "name.lookalike",
                1.0,
                f"the query writes {', '.join(map(repr, q.lookalikes))} with look-alike letters or "
                f"leetspeak, and then matches {c.raw!r}",
            )
        )
    if name_cosine is not None:
        out.append(
            PairFeature(
                "name",
                "name.embedding",
                float(name_cosine),
                f"multilingual name-embedding cosine {name_cosine:.2f} "
                f"({shown}; carries names across scripts)",
            )
        )
        if q.scripts and c.scripts and not q.scripts & c.scripts:
            # across scripts the spelling features see little: the embedding weighs on its own
            out.append(
                PairFeature(
                    "name",
                    "name.embedding_cross_script",
                    float(name_cosine),
                    f"written in different scripts ({', '.join(sorted(q.scripts))} vs "
                    f"{', '.join(sorted(c.scripts))}); their meanings are {name_cosine:.2f} alike",
                )
            )
    if q.decorations and c.decorations:
        qd, cd = set(q.decorations), set(c.decorations)
        shared_d = len(qd & cd) / len(qd | cd)
        out.append(
            PairFeature(
                "name",
                "name.decorations_shared",
                shared_d,
                f"decorations {''.join(q.decorations)} vs {''.join(c.decorations)}"
                f": {shared_d:.0%} shared",
            )
        )
    return out


def _handle_features(q: NameForms, c: NameForms) -> list[PairFeature]:
    shown = f"@{q.raw} vs @{c.raw}"
    jw = JaroWinkler.normalized_similarity(q.visual_joined, c.visual_joined)
    exact = float(q.joined == c.joined)
    visual = float(q.visual_joined == c.visual_joined)
    out = [
        PairFeature(
            "handle",
            "handle.exact",
            exact,
            f"handles {shown} are "
            + ("the same" if exact else "different")
            + f" once affixes and separators are stripped ({q.joined!r}, {c.joined!r})",
        ),
        PairFeature(
            "handle",
            "handle.visual_equal",
            visual,
            f"handles {shown} look "
            + ("identical" if visual else "different")
            + f" after look-alike folding ({q.visual_joined!r}, {c.visual_joined!r})",
        ),
        PairFeature(
            "handle",
            "handle.jaro_winkler",
            jw,
            f"handles {shown} are {jw:.2f} alike (Jaro-Winkler after look-alike folding)",
        ),
    ]
    extra = sorted(set(q.affixes) - set(c.affixes))
    if extra and jw >= 0.9:
        out.append(
            PairFeature(
                "handle",
                "handle.evasion_affix",
                jw,
                f"handle @{q.raw} is @{c.raw}'s core {c.joined!r} plus "
                f"{', '.join(map(repr, extra))}",
            )
        )
    if q.lookalikes and jw >= 0.9:
        out.append(
            PairFeature(
                "handle",
                "handle.lookalike",
                1.0,
                f"handle @{q.raw} uses look-alike letters or leetspeak "
                f"({', '.join(map(repr, q.lookalikes))}) to imitate @{c.raw}",
            )
        )
    return out


def _handle_unexplained(qh: NameForms, ch: NameForms, qn: NameForms) -> list[PairFeature]:
    """A handle core that equals the banned account's and that the profile's own display name
    does not explain: a re-created account taking the next handle in a series under a new name
    (``reporter1`` -> ``reporter2``). A namesake's handle made from the shared name is explained
    by that name and is not this evidence. Longer cores are stronger (``ali1`` ~ ``ali2`` is
    weak)."""
    if not (qh.joined == ch.joined or qh.visual_joined == ch.visual_joined):
        return []
    core = ch.visual_joined
    if len(core) < 4:
        return []
    if not qn.empty:
        own = qn.visual_joined
        if (
            JaroWinkler.normalized_similarity(core, own) >= 0.9
            or (len(own) >= 4 and own in core)
            or (len(core) >= 4 and core in own)
        ):
            return []
    strength = min(1.0, (len(core) - 3) / 7.0)
    why = f"the display name {qn.raw!r} does not explain it" if not qn.empty else "no display name"
    return [
        PairFeature(
            "handle",
            "handle.unexplained_core",
            strength,
            f"handle @{qh.raw} keeps @{ch.raw}'s core {ch.joined!r} and {why} "
            "(a sequel or re-creation under a new name)",
        )
    ]


def _cross_features(
    qn: NameForms, qh: NameForms, cn: NameForms, ch: NameForms
) -> list[PairFeature]:
    best, text = -1.0, ""
    for a, b, what in (
        (qh, cn, "query handle @{a} vs display name {b!r}"),
        (qn, ch, "query display name {a!r} vs handle @{b}"),
    ):
        if a.empty or b.empty:
            continue
        sim = JaroWinkler.normalized_similarity(a.visual_joined, b.visual_joined)
        if sim > best:
            best, text = sim, what.format(a=a.raw, b=b.raw)
    if best < 0:
        return []
    return [
        PairFeature(
            "handle",
            "handle.name_cross",
            best,
            f"{text}: {best:.2f} alike after look-alike folding",
        )
    ]


def compare_names(
    query_name: str,
    query_handle: str,
    cand_name: str,
    cand_handle: str,
    rarity: TokenRarity,
    name_cosine: float | None = None,
) -> list[PairFeature]:
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
        out.extend(_handle_unexplained(qh, ch, qn))
    out.extend(_cross_features(qn, qh, cn, ch))
    acronym = None
    if not qh.empty and not cn.empty:
        acronym = acronym_of(qh, cn, rarity)
    if acronym and not any(f.name == "name.acronym" for f in out):
        out.append(
            PairFeature(
                "handle",
                "handle.acronym",
                1.0,
                f"handle @{qh.raw} is the initials {acronym.upper()!r} of {cn.raw!r}",
            )
        )
    return out
