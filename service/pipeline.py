"""The one place that knows the order of stages. The API, the CLI and the web page call it.

profile -> validate -> normalise (decode avatar) -> features (embeddings, PDQ, keys) -> candidates
per channel, merged per banned account -> pairwise comparison -> calibrated probability with
per-signal evidence -> band."""

from __future__ import annotations

import io
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from service.bank_writer import AuditOf, BankWriter
from service.config import Settings
from service.domain import (
    Band,
    Features,
    Match,
    PairFeature,
    Profile,
    Progress,
    StoredAccount,
    Timer,
    Verdict,
)
from service.encoders import check_scorer_encoders, configured_encoders
from service.errors import MirrorscanError, NotFound
from service.features.image import ImageEncoder
from service.features.text import TextEncoder
from service.featurize import Featurizer, comparable, compared
from service.index.faiss_index import configure_faiss
from service.index.plan import IndexPlan
from service.index.snapshot import ChannelSpec, IndexSet
from service.indexing import IndexKeeper
from service.metrics import Metrics
from service.scoring.compare import BankContext, compare
from service.scoring.model import LogisticScorer, probability
from service.scoring.policy import BandPolicy, Decision
from service.search import Candidate, candidates
from service.store.audit import AuditNote
from service.store.bank import Store, UpsertResult
from service.store.banks import BankScope

log = logging.getLogger(__name__)
SIZES_TTL_S = 10.0  # how long the per-bank account counts (for that widening) are reused


class Pipeline:
    """Scoring, over the live indexes (``service.indexing``) and the bank's writer
    (``service.bank_writer``); the feature stage is ``service.featurize``."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        text: TextEncoder,
        image: ImageEncoder,
        scorer: LogisticScorer,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics or Metrics(settings.budget.as_ms())
        self.store = store
        self.text = text
        self.image = image
        self.scorer = scorer
        self.features = Featurizer(settings, text, image)
        self.keeper = IndexKeeper(settings, store, self.features)
        self.writer = BankWriter(store, self.features, self.keeper)
        sc = settings.scoring
        self.bands = BandPolicy.resolve(
            scorer,
            prevalence=sc.prevalence,
            block_precision=sc.block_precision,
            review_precision=sc.review_precision,
            family_min_llr=sc.family_min_llr,
            block=settings.bands.block,
            review=settings.bands.review,
        )
        self.context.likeness.min_profiles = sc.likeness_min_profiles
        self.readonly = store.readonly
        self.ready = False
        self._sizes: tuple[float, dict[str, int]] = (-math.inf, {})
        self._purged_at = 0.0

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, *, readonly: bool = False, indexes: bool = True) -> Pipeline:
        """Open the store, load the models and the indexes (snapshot + catch-up), warm up.

        ``readonly``: a batch worker's pipeline. It opens the store so that nothing can be
        written, loads the current snapshot and catches up in memory, and refuses upserts,
        removals and snapshot writes, so any number of workers can share one data dir.
        ``indexes=False``: leave the indexes empty (the doctor inspects the snapshot itself)."""
        configure_faiss(1)
        if readonly:
            store = Store(settings.db_url, readonly=True)
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            store = Store(settings.db_url)
            store.create_all()
        text, image = configured_encoders(settings)
        scorer = LogisticScorer.load(settings.models.scorer_path)
        check_scorer_encoders(scorer, text.name, image.name,
                              allow=settings.models.allow_encoder_mismatch)  # fmt: skip
        text.load()
        image.load()
        pipeline = cls(settings, store, text, image, scorer)
        if indexes:
            pipeline.load_indexes()
            minimum = settings.scoring.traffic_min_sightings
            if minimum:
                pipeline.context.traffic.min_sightings = minimum
                pipeline.context.traffic.update(store.sightings.counts(minimum))
        pipeline.warm_up()
        return pipeline

    def close(self) -> None:
        self.store.close()

    def warm_up(self) -> None:
        """Run the real path once on synthetic input, so the first request is not the slow one."""
        img = Image.radial_gradient("L").convert("RGB")
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        probe = Profile(id="warm-up", handle="warm_up", display_name="Warm up", bio="warm up",
                        avatar=buf.getvalue())  # fmt: skip
        self.derive([probe], bank=True)
        self.score(probe)
        self.ready = True

    # --- the indexes and the bank (service.indexing, service.bank_writer) -----------------

    @property
    def indexes(self) -> IndexSet:
        return self.keeper.indexes

    @property
    def context(self) -> BankContext:
        return self.keeper.context

    @property
    def encoder_version(self) -> str:
        return self.features.encoder_version

    def channel_specs(self) -> dict[str, ChannelSpec]:
        return self.keeper.channel_specs()

    def load_indexes(self, progress: Progress | None = None) -> None:
        self.keeper.load(progress)

    def build_indexes(self, progress: Progress | None = None) -> IndexSet:
        return self.keeper.build(progress)

    def catch_up(self, indexes: IndexSet) -> int:
        return self.keeper.catch_up(indexes)

    def write_snapshot(self) -> Path:
        return self.keeper.write_snapshot()

    def rebuild_indexes(self, progress: Progress | None = None) -> IndexSet:
        return self.keeper.rebuild(progress)

    def fit_indexes(self) -> dict[str, IndexPlan]:
        return self.keeper.fit()

    def upsert(
        self,
        profiles: Sequence[Profile],
        progress: Progress | None = None,
        audit: AuditOf | None = None,
        *,
        bank: str | None = None,
    ) -> list[UpsertResult | MirrorscanError]:
        return self.writer.upsert(profiles, progress, audit, bank=bank)

    def remove_bank(self, bank: str) -> int:
        return self.writer.remove_bank(bank)

    def remove(self, account_id: str, audit: AuditNote | None = None) -> bool:
        return self.writer.remove(account_id, audit)

    # --- features (service.featurize) -----------------------------------------------------

    def validate(self, profile: Profile) -> Profile:
        return self.features.validate(profile)

    def derive(
        self, profiles: Sequence[Profile], timer: Timer | None = None, *, bank: bool = False
    ) -> list[Features | MirrorscanError]:
        return self.features.derive(profiles, timer, bank=bank)

    def thumbnail_of(self, data: bytes) -> bytes:
        """A display thumbnail of untrusted image bytes (decoded safely)."""
        return self.features.thumbnail_of(data)

    # --- scoring --------------------------------------------------------------------------

    def scope(self, banks: Sequence[str] | None = None) -> BankScope:
        """The banks a request reads: the named banned banks (else every enabled one) and every
        enabled allow list. The banks are read from the store on every call (a bank disabled
        on one replica is out of scope on all at once); their sizes, which only tune the
        search width, are reused for ``SIZES_TTL_S``."""
        at, sizes = self._sizes
        if time.monotonic() - at > SIZES_TTL_S:
            sizes = self.store.banks.sizes()
            self._sizes = (time.monotonic(), sizes)
        return self.store.banks.scope(banks, sizes)

    def score(
        self, profile: Profile, scope: BankScope | None = None, limit: int | None = None
    ) -> Verdict:
        result = self.score_many([profile], scope, limit)[0]
        if isinstance(result, MirrorscanError):
            raise result
        return result

    def score_many(
        self,
        profiles: Sequence[Profile],
        scope: BankScope | None = None,
        limit: int | None = None,
    ) -> list[Verdict | MirrorscanError]:
        """Verdicts over ``scope`` (None: the default scope, ``scope()``); at most ``limit``
        matches each (None: ``search.matches_returned``)."""
        scope = scope or self.scope()
        results: list[Verdict | MirrorscanError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile]] = []
        for i, p in enumerate(profiles):
            try:
                valid.append((i, comparable(self.validate(p))))
            except MirrorscanError as exc:
                results[i] = exc
        timer = Timer()
        derived = self.derive([p for _, p in valid], timer)
        per_item_ms = {k: v / max(len(valid), 1) for k, v in timer.ms.items()}
        for (i, p), f in zip(valid, derived, strict=True):
            if isinstance(f, MirrorscanError):
                results[i] = f
                continue
            t = Timer()
            t.ms.update(per_item_ms)
            results[i] = self._score_one(p, f, t, scope, limit)
        return [r for r in results if r is not None]

    def pairs(
        self,
        profile: Profile,
        features: Features,
        timer: Timer | None = None,
        scope: BankScope | None = None,
    ) -> list[tuple[StoredAccount, list[PairFeature]]]:
        """Every candidate account (of ``scope``; None: every account) with the pair's
        comparison features (what the scorer weighs; training reads them here too)."""
        timer = timer or Timer()
        with timer.stage("search"):
            candidates = self.candidates(profile, features, scope)
            accounts = self.store.get_rows(c.row_id for c in candidates)
        found = [a for c in candidates if (a := accounts.get(c.row_id)) and not a.removed]
        with timer.stage("compare"), self.context.lock.read():
            # the warm-up's synthetic probe is not traffic
            context = self.context.for_query(
                features, found, self.scorer.avatar_likeness, record=self.ready
            )
            return [(a, compare(profile, features, a, context)) for a in found]

    def judge(self, account: StoredAccount, pair: Sequence[PairFeature]) -> Match:
        """One pair scored (its likelihood ratio, the probability at the configured prevalence)
        and banded by the policy, with the evidence."""
        llr, evidence = self.scorer.explain(pair)
        prob = probability(llr, self.bands.prevalence)
        decision = self.bands.decide(prob, evidence)
        p = account.profile
        return Match(p.id, p.group or "", prob, evidence, p, tuple(pair), llr, decision.band,
                     decision.reason, account.bank)  # fmt: skip

    def _score_one(
        self,
        profile: Profile,
        features: Features,
        timer: Timer,
        scope: BankScope,
        limit: int | None = None,
    ) -> Verdict:
        matches: list[Match] = []
        allowed: list[Match] = []
        row_of: dict[str, int] = {}
        for account, pair in self.pairs(profile, features, timer, scope):
            with timer.stage("score"):
                (allowed if account.bank in scope.allow else matches).append(
                    self.judge(account, pair)
                )
            row_of[account.profile.id] = account.row_id
        if self.ready and features.avatar is not None:
            self._observe_traffic(profile, matches, row_of)
        matches.sort(key=lambda m: -m.score)
        allowed.sort(key=lambda m: -m.score)
        limit = limit or self.settings.search.matches_returned
        top = matches[:limit]
        best = top[0] if top else None
        # the verdict takes the most severe band any match earned (a corroborated match can
        # block even when a single-family match scores higher)
        deciding = min(matches, key=lambda m: (_SEVERITY[m.band], -m.score), default=None)
        if deciding is not None and deciding not in top:
            top = [*top[:-1], deciding]
        band = deciding.band if deciding else Band.ALLOW
        reason = deciding.band_reason if deciding else "no banned account resembles this profile"
        if deciding is not None and best is not None and deciding is not best:
            reason = f"{deciding.account_id}: {reason}"
        if allowed:  # an allow-listed account is never blocked (BandPolicy.allow_listed)
            a = allowed[0]
            overruled = self.bands.allow_listed(
                Decision(band, reason), best.log_likelihood_ratio if best else None,
                a.log_likelihood_ratio, a.evidence, a.account_id)  # fmt: skip
            band, reason = overruled.band, overruled.reason
        if self.ready:  # the warm-up request is not traffic
            self.metrics.observe_stages(timer.ms, band)
        return Verdict(
            id=profile.id,
            score=best.score if best else 0.0,
            band=band,
            matches=tuple(top),
            model_version=self.scorer.version,
            timings_ms={k: round(v, 3) for k, v in timer.ms.items()},
            log_likelihood_ratio=best.log_likelihood_ratio if best else None,
            prevalence=self.bands.prevalence,
            band_reason=reason,
            compared=compared(profile, features),
            banks=tuple(scope.names()),
            allowed=tuple(allowed[:limit]),
        )

    def _observe_traffic(
        self, profile: Profile, matches: list[Match], row_of: dict[str, int]
    ) -> None:
        """Note avatars of banned accounts seen on this profile with nothing else in common
        (``service.scoring.traffic``); write them to the store when due and read the counts
        back, so every replica learns which pictures are common."""
        traffic = self.context.traffic
        minimum = self.settings.scoring.traffic_min_sightings
        if minimum == 0 or self.readonly:
            return
        traffic.min_sightings = minimum
        traffic.observe(profile, matches, self.bands.family_min_llr, row_of)
        if not traffic.due():
            return
        sightings = self.store.sightings
        sightings.record(traffic.drain())
        now = time.monotonic()
        if now - self._purged_at > 86_400:
            sightings.forget_before(self.settings.scoring.traffic_retention_days)
            self._purged_at = now
        traffic.update(sightings.counts(minimum))

    def assess(self, profile: Profile, account_id: str) -> Match:
        """The pair (profile, one named banned account), scored and explained, whether or not
        search would have retrieved it (a moderator's decision names the account)."""
        profile = comparable(self.validate(profile))
        [features] = self.derive([profile])
        if isinstance(features, MirrorscanError):
            raise features
        account = self.store.get(account_id)
        if account is None or account.removed:
            raise NotFound(f"no banned account with id {account_id!r}")
        with self.context.lock.read():
            context = self.context.for_query(features, [account], self.scorer.avatar_likeness)
            pair = compare(profile, features, account, context)
        return self.judge(account, pair)

    def candidates(
        self, profile: Profile, features: Features, scope: BankScope | None = None
    ) -> list[Candidate]:
        """The banned accounts worth comparing (``service.search.candidates``)."""
        return candidates(self.settings, self.indexes, self.store, profile, features, scope)


_SEVERITY = {Band.BLOCK: 0, Band.REVIEW: 1, Band.ALLOW: 2}
