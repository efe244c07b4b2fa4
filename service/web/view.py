"""What the result page shows, computed once in Python so the templates stay plain: the band in
words, matched names cut into highlighted segments, and evidence rows with a bar width."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain import Band, Evidence, Match, Profile
from service.web.explain import Family, families
from service.web.highlight import Segment, highlight_pair

BAND_WORDS = {
    Band.BLOCK: "Block — very likely a mirror",
    Band.REVIEW: "Review — possibly a mirror",
    Band.ALLOW: "Allow — unlikely to be a mirror",
}
BAR_STEPS = 20  # the stylesheet has classes w0..w20
BAR_SCALE = 5.0  # log-odds of a full bar (larger contributions are drawn full)


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    signal: str
    contribution: float
    detail: str
    width: int  # 0..BAR_STEPS
    direction: str  # "for" (evidence of a mirror), "against", or "none"


@dataclass(frozen=True, slots=True)
class MatchView:
    rank: int
    account: Profile
    group: str
    score: float
    band: Band
    band_words: str
    band_reason: str
    checked_name: list[Segment]
    account_name: list[Segment]
    checked_handle: list[Segment]
    account_handle: list[Segment]
    evidence: list[EvidenceRow]
    families: list[Family]  # the evidence in plain sentences, per signal family
    numbers: list[tuple[Family, list[EvidenceRow]]]  # the rows behind each family
    log_likelihood_ratio: float


def percent(p: float) -> str:
    """A probability for people: one decimal, and never "100 %" or "0 %" for an estimate."""
    value = 100.0 * p
    if 99.9 < value < 100.0:
        return "> 99.9 %"
    if 0.0 < value < 0.1:
        return "< 0.1 %"
    return f"{value:.1f} %"


def share(p: float) -> str:
    """A prevalence for people: "1 in 20"."""
    if 0.0 < p < 0.5:
        return f"1 in {round(1 / p):,}"
    return f"{100 * p:.0f} %"


def evidence_rows(evidence: tuple[Evidence, ...]) -> list[EvidenceRow]:
    rows = []
    for e in sorted(evidence, key=lambda e: -abs(e.contribution)):
        share = min(abs(e.contribution) / BAR_SCALE, 1.0)
        width = round(share * BAR_STEPS)
        direction = "none" if width == 0 else ("for" if e.contribution > 0 else "against")
        rows.append(EvidenceRow(e.signal, e.contribution, e.detail, width, direction))
    return rows


def match_views(checked: Profile, matches: tuple[Match, ...]) -> list[MatchView]:
    views = []
    for rank, m in enumerate(matches, start=1):
        account = m.account or Profile(id=m.account_id, group=m.group)
        checked_name, account_name = highlight_pair(checked.display_name, account.display_name)
        checked_handle, account_handle = highlight_pair(checked.handle, account.handle)
        band = m.band
        grouped = families(m.evidence)
        views.append(
            MatchView(
                rank=rank,
                account=account,
                group=m.group,
                score=m.score,
                band=band,
                band_words=BAND_WORDS[band],
                band_reason=m.band_reason,
                checked_name=checked_name,
                account_name=account_name,
                checked_handle=checked_handle,
                account_handle=account_handle,
                evidence=evidence_rows(m.evidence),
                families=grouped,
                numbers=[(f, evidence_rows(f.rows)) for f in grouped],
                log_likelihood_ratio=m.log_likelihood_ratio,
            )
        )
    return views
