"""The one place that knows the order of stages. The API, the CLI and the web page call it.

profile -> validate -> normalise (decode avatar) -> features (embeddings, PDQ, keys) -> candidates
per channel, merged per banned account -> pairwise comparison -> calibrated probability with
per-signal evidence -> band."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from service.bank_writer import AuditOf, BankWriter
from service.channels import CHANNELS
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
from service.errors import MirrorscanError, NotFound
from service.features.image import ImageEncoder, image_encoder
from service.features.keys import lookup_keys
from service.features.text import TextEncoder, text_encoder
from service.featurize import Featurizer
from service.index.faiss_index import configure_faiss
from service.index.plan import IndexPlan
from service.index.snapshot import ChannelSpec, IndexSet
from service.indexing import IndexKeeper
from service.metrics import Metrics
from service.scoring.compare import BankContext, compare
from service.scoring.model import LogisticScorer, probability
from service.scoring.policy import BandPolicy
from service.store.audit import AuditNote
from service.store.bank import Store, UpsertResult

log = logging.getLogger(__name__)


class EncoderMismatch(MirrorscanError):
    """The scorer was trained on other encoders than those loaded: its calibration and bands
    would silently not hold."""

    status = 500
    title = "The scorer was trained on other encoders"
    type_slug = "encoder-mismatch"
    public = False  # a configuration fault: the operator reads it in the log


def check_scorer_encoders(
    scorer: LogisticScorer, text_name: str, image_name: str, *, allow: bool
) -> None:
    """Refuse a scorer whose ``trained_on.encoders`` differ from the loaded encoders (the
    ``onnx-int8`` runtime, ``minilm``, the fake encoders against an e5 scorer). ``allow``
    (``models.allow_encoder_mismatch``) lets it start, logging an error on every start. An
    artifact that records no encoders is let through with a warning."""
    trained = scorer.metadata.get("trained_on") or {}
    recorded = trained.get("encoders") if isinstance(trained, dict) else None
    if not isinstance(recorded, dict):
        log.warning("scorer %s does not record the encoders it was trained on", scorer.version)
        return
    loaded = {"text": text_name, "image": image_name}
    differ = [f"{k}: trained on {recorded.get(k)!r}, loaded {v!r}"
              for k, v in loaded.items() if recorded.get(k) != v]  # fmt: skip
    if not differ:
        return
    message = (
        f"scorer {scorer.version} does not fit the loaded encoders ({'; '.join(differ)}): "
        "retrain it on these encoders, or configure the ones it was trained on"
    )
    if allow:
        log.error("MODELS__ALLOW_ENCODER_MISMATCH is set: %s; probabilities and bands are NOT "
                  "calibrated", message)  # fmt: skip
        return
    raise EncoderMismatch(message)


def configured_encoders(settings: Settings) -> tuple[TextEncoder, ImageEncoder]:
    """The encoders the settings name, not loaded yet (their names are known)."""
    m = settings.models
    text = text_encoder(m.text, settings.model_dir, m.text_query_prefix, m.fake,
                        m.text_runtime, m.text_cache_size)  # fmt: skip
    return text, image_encoder(m.image, m.fake, settings.model_dir)


def preflight(settings: Settings) -> None:
    """What ``serve`` checks before it starts: the scorer fits the configured encoders."""
    text, image = configured_encoders(settings)
    scorer = LogisticScorer.load(settings.models.scorer_path)
    check_scorer_encoders(scorer, text.name, image.name,
                          allow=settings.models.allow_encoder_mismatch)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    row_id: int
    channels: dict[str, float]  # channel -> similarity (cosine) or distance (PDQ bits)


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
        self.readonly = store.readonly
        self.ready = False
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
    ) -> list[UpsertResult | MirrorscanError]:
        return self.writer.upsert(profiles, progress, audit)

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

    def score(self, profile: Profile) -> Verdict:
        result = self.score_many([profile])[0]
        if isinstance(result, MirrorscanError):
            raise result
        return result

    def score_many(self, profiles: Sequence[Profile]) -> list[Verdict | MirrorscanError]:
        results: list[Verdict | MirrorscanError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile]] = []
        for i, p in enumerate(profiles):
            try:
                valid.append((i, self.validate(p)))
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
            results[i] = self._score_one(p, f, t)
        return [r for r in results if r is not None]

    def pairs(
        self, profile: Profile, features: Features, timer: Timer | None = None
    ) -> list[tuple[StoredAccount, list[PairFeature]]]:
        """Every candidate banned account with the pair's comparison features (what the scorer
        weighs; training reads them here too)."""
        timer = timer or Timer()
        with timer.stage("search"):
            candidates = self.candidates(profile, features)
            accounts = self.store.get_rows(c.row_id for c in candidates)
        found = [a for c in candidates if (a := accounts.get(c.row_id)) and not a.removed]
        with timer.stage("compare"), self.context.lock.read():
            context = self.context.for_query(features, found)
            return [(a, compare(profile, features, a, context)) for a in found]

    def judge(self, account: StoredAccount, pair: Sequence[PairFeature]) -> Match:
        """One pair scored (its likelihood ratio, the probability at the configured prevalence)
        and banded by the policy, with the evidence."""
        llr, evidence = self.scorer.explain(pair)
        prob = probability(llr, self.bands.prevalence)
        decision = self.bands.decide(prob, evidence)
        p = account.profile
        return Match(p.id, p.group or "", prob, evidence, p, tuple(pair), llr, decision.band,
                     decision.reason)  # fmt: skip

    def _score_one(self, profile: Profile, features: Features, timer: Timer) -> Verdict:
        matches: list[Match] = []
        row_of: dict[str, int] = {}
        for account, pair in self.pairs(profile, features, timer):
            with timer.stage("score"):
                matches.append(self.judge(account, pair))
            row_of[account.profile.id] = account.row_id
        if self.ready and features.avatar is not None:
            self._observe_traffic(profile, matches, row_of)
        matches.sort(key=lambda m: -m.score)
        top = matches[: self.settings.search.matches_returned]
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
        profile = self.validate(profile)
        [features] = self.derive([profile])
        if isinstance(features, MirrorscanError):
            raise features
        account = self.store.get(account_id)
        if account is None or account.removed:
            raise NotFound(f"no banned account with id {account_id!r}")
        with self.context.lock.read():
            context = self.context.for_query(features, [account])
            pair = compare(profile, features, account, context)
        return self.judge(account, pair)

    def candidates(self, profile: Profile, features: Features) -> list[Candidate]:
        """Top-k per channel (``service.channels``), merged per banned account (store row id),
        and the accounts sharing an exact key (platform + handle, a contact)."""
        k = self.settings.search.candidates_per_channel
        merged: dict[int, dict[str, float]] = {}
        indexes = self.indexes.channels
        for channel in CHANNELS:
            rows = channel.query_rows(features)
            index = indexes[channel.name]
            if rows is None or not index.ntotal:
                continue
            hits = index.search(rows, channel.k(k))
            for row in range(len(rows)):
                ids, scores = channel.hits(hits.ids[row], hits.scores[row])
                for row_id, score in zip(ids.tolist(), scores.tolist(), strict=True):
                    if row_id < 0:
                        continue
                    slot = merged.setdefault(row_id, {})
                    slot[channel.name] = channel.merge(slot.get(channel.name, score), score)
        for row_id, shared in self.store.rows_for_keys(lookup_keys(profile)).items():
            merged.setdefault(row_id, {})["keys"] = float(len(shared))
        return [Candidate(r, c) for r, c in merged.items()]


_SEVERITY = {Band.BLOCK: 0, Band.REVIEW: 1, Band.ALLOW: 2}
