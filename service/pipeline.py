"""The one place that knows the order of stages. The API, the CLI and the web page call it.

profile -> validate -> normalise (decode avatar) -> features (embeddings, PDQ, keys) -> candidates
per channel, merged per banned account -> pairwise comparison -> calibrated probability with
per-signal evidence -> band."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from PIL import Image

from service.config import Settings
from service.domain import (
    Avatar,
    Band,
    Features,
    Match,
    PairFeature,
    Profile,
    StoredAccount,
    Vector,
    Verdict,
)
from service.errors import IndexCorrupt, InvalidInput, MirrorscanError, NotFound
from service.features import ngrams
from service.features.avatar import banned_avatar, query_avatar
from service.features.image import ImageEncoder, image_encoder
from service.features.keys import lookup_keys, profile_keys
from service.features.ngrams import name_vectors
from service.features.pdq import MATCH_BITS, MIN_QUALITY
from service.features.text import TextEncoder, text_encoder
from service.index.faiss_index import configure_faiss
from service.index.fit import fit_set
from service.index.plan import IndexPlan
from service.index.snapshot import ChannelSpec, IndexSet
from service.metrics import Metrics
from service.normalize.image import decode_image, thumbnail
from service.scoring.compare import BankContext, compare
from service.scoring.model import LogisticScorer, probability
from service.scoring.policy import BandPolicy
from service.store.bank import Store, Upsert, UpsertResult

log = logging.getLogger(__name__)
PDQ_BITS = 256
Progress = Callable[[int], None]


class ReadOnly(MirrorscanError):
    status = 409
    title = "Read-only pipeline"
    type_slug = "read-only"


@dataclass(frozen=True, slots=True)
class Candidate:
    row_id: int
    channels: dict[str, float]  # channel -> similarity (cosine) or distance (PDQ bits)


class Timer:
    """Milliseconds per stage of one request."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = self.ms.get(name, 0.0) + (time.perf_counter() - start) * 1000.0


class Pipeline:
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
        self.indexes = IndexSet(self.channel_specs())
        self.context = BankContext()
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
        self._write_lock = threading.Lock()
        self.ready = False

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
        text = text_encoder(
            settings.models.text,
            settings.model_dir,
            settings.models.text_query_prefix,
            settings.models.fake,
            settings.models.text_runtime,
            settings.models.text_cache_size,
        )
        image = image_encoder(settings.models.image, settings.models.fake, settings.model_dir)
        text.load()
        image.load()
        pipeline = cls(
            settings, store, text, image, LogisticScorer.load(settings.models.scorer_path)
        )
        if indexes:
            pipeline.load_indexes()
        pipeline.warm_up()
        return pipeline

    def close(self) -> None:
        self.store.close()

    @property
    def encoder_version(self) -> str:
        return f"{self.text.name}:{self.text.dim}|{self.image.name}:{self.image.dim}"

    def channel_specs(self) -> dict[str, ChannelSpec]:
        return {
            "name": ChannelSpec("name", "float", self.text.dim, self.text.name),
            "name_grams": ChannelSpec(
                "name_grams", "float", ngrams.DIM, f"char-ngrams-{ngrams.DIM}"
            ),
            "bio": ChannelSpec("bio", "float", self.text.dim, self.text.name),
            "avatar": ChannelSpec("avatar", "float", self.image.dim, self.image.name),
            "pdq": ChannelSpec("pdq", "binary", PDQ_BITS, "pdq"),
        }

    def load_indexes(self, progress: Progress | None = None) -> None:
        """The current snapshot caught up with the store; a missing, unreadable or other-model
        snapshot is rebuilt from the store (the source of truth). Accounts whose vectors were
        made by other encoders are re-encoded first (see ``service.reindex``)."""
        from service.reindex import ensure_current_vectors

        ensure_current_vectors(self, progress)
        try:
            loaded = IndexSet.load_current(self.settings.index_dir, self.channel_specs())
        except IndexCorrupt as exc:
            log.warning("index snapshot unusable (%s); rebuilding from the store", exc.detail)
            loaded = None
        if loaded is None:
            loaded = self.build_indexes(progress)
        self.catch_up(loaded)
        fit_set(loaded, self.settings.index.policy())
        self.indexes = loaded

    def build_indexes(self, progress: Progress | None = None) -> IndexSet:
        """A fresh index set from the store's stored vectors (no re-encoding)."""
        indexes = IndexSet(self.channel_specs(), store_seq=self.store.max_seq())
        for batch in self.store.iter_accounts(batch=2000):
            self._index(indexes, batch)
            if progress:
                progress(len(batch))
        return indexes

    def catch_up(self, indexes: IndexSet) -> int:
        """Apply the store changes the index set has not seen; returns how many."""
        target = self.store.max_seq()
        changed = 0
        for batch in self.store.iter_changes(indexes.store_seq):
            removed = np.array([a.row_id for a in batch if a.removed], dtype=np.int64)
            for index in indexes.channels.values():
                index.remove(removed)
            self.context.forget(removed.tolist())
            self._index(indexes, [a for a in batch if not a.removed])
            changed += len(batch)
        indexes.store_seq = max(indexes.store_seq, target)
        return changed

    def _index(self, indexes: IndexSet, accounts: Sequence[StoredAccount]) -> None:
        _index_accounts(indexes, accounts)
        self.context.observe(accounts)

    def write_snapshot(self) -> Path:
        """Give each channel the index its size calls for (writes held off meanwhile), then write
        the live indexes as a new snapshot; upserts go on while it is written (see
        ``IndexSet.write_snapshot``)."""
        if self.readonly:
            raise ReadOnly("a read-only pipeline does not write snapshots")
        with self._write_lock:
            self.fit_indexes()
        return self.indexes.write_snapshot(self.settings.index_dir)

    def rebuild_indexes(self, progress: Progress | None = None) -> IndexSet:
        """Build a new index set from the store beside the live one, snapshot it, then swap.

        Searches and upserts go on during the build: upserts update the store and the live set,
        and the new set catches up on them from the store. The swap happens under the write
        lock after a final catch-up, so no upsert is lost; a search holding the old set finishes
        on it. Nothing ever searches a half-built set."""
        if self.readonly:
            raise ReadOnly("a read-only pipeline does not rebuild indexes")
        fresh = self.build_indexes(progress)
        self.catch_up(fresh)
        fit_set(fresh, self.settings.index.policy())
        fresh.write_snapshot(self.settings.index_dir)
        with self._write_lock:
            self.catch_up(fresh)
            self.indexes = fresh
        log.info("swapped to index snapshot %s: %s", fresh.version, fresh.counts())
        return fresh

    def fit_indexes(self) -> dict[str, IndexPlan]:
        """Give each channel the index its size calls for (exact, or an inverted file trained
        on its vectors); searches continue meanwhile. Call with writes held off."""
        return fit_set(self.indexes, self.settings.index.policy())

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

    # --- features -------------------------------------------------------------------------

    def validate(self, profile: Profile) -> Profile:
        limits = self.settings.limits
        if not profile.id or len(profile.id) > 200:
            raise InvalidInput("id must be 1 to 200 characters")
        for name in ("platform", "handle", "display_name", "bio"):
            value = getattr(profile, name)
            if len(value) > limits.max_text_chars:
                raise InvalidInput(f"{name} is longer than {limits.max_text_chars} characters")
        if len(profile.links) > limits.max_links:
            raise InvalidInput(f"more than {limits.max_links} links")
        if any(len(link) > 2000 for link in profile.links):
            raise InvalidInput("a link is longer than 2000 characters")
        return replace(profile, handle=profile.handle.strip(), platform=profile.platform.strip())

    def decode_avatar(self, data: bytes) -> Image.Image:
        limits = self.settings.limits
        return decode_image(
            data,
            max_bytes=limits.max_image_bytes,
            max_pixels=limits.max_image_pixels,
            max_side=limits.max_image_side,
            max_aspect=limits.max_image_aspect,
        )

    def derive(
        self, profiles: Sequence[Profile], timer: Timer | None = None, *, bank: bool = False
    ) -> list[Features | MirrorscanError]:
        """Features of each profile, or the error that makes it unusable (a bad avatar). A banned
        account's avatar gets the one vector the index stores; a checked profile's gets its
        region views too (crops, frames and screenshots are found through them)."""
        timer = timer or Timer()
        out: list[Features | MirrorscanError | None] = [None] * len(profiles)
        avatars: dict[int, Avatar] = {}
        for i, p in enumerate(profiles):
            if not p.avatar:
                continue
            try:
                with timer.stage("decode"):
                    img = self.decode_avatar(p.avatar)
                with timer.stage("hash"):
                    avatars[i] = (banned_avatar if bank else query_avatar)(img, self.image)
            except MirrorscanError as exc:
                out[i] = exc
        with timer.stage("embed"):
            texts = [p.name_text for p in profiles] + [p.bio.strip() for p in profiles]
            vecs = self.text.encode(texts)
            grams = name_vectors([(p.display_name, p.handle) for p in profiles])
        n = len(profiles)
        for i in range(n):
            if out[i] is None:
                out[i] = Features(
                    _nonzero(vecs[i]), _nonzero(vecs[n + i]), avatars.get(i), _nonzero(grams[i])
                )
        return [o for o in out if o is not None]

    # --- the bank -------------------------------------------------------------------------

    def upsert(
        self, profiles: Sequence[Profile], progress: Progress | None = None
    ) -> list[UpsertResult | MirrorscanError]:
        """Store and index banned accounts (upsert by id). Unchanged accounts are not
        re-encoded. A bad item gets its error; the others are written."""
        if self.readonly:
            raise ReadOnly("a read-only pipeline does not write to the bank")
        results: list[UpsertResult | MirrorscanError | None] = [None] * len(profiles)
        valid: list[tuple[int, Profile, str]] = []
        for i, p in enumerate(profiles):
            try:
                p = self.validate(p)
            except MirrorscanError as exc:
                results[i] = exc
                continue
            valid.append((i, p, content_hash(p)))
        known = self.store.fingerprints([p.id for _, p, _ in valid])
        todo = []
        for i, p, h in valid:
            fp = known.get(p.id)
            if fp and (fp.content_hash, fp.encoder_version, fp.removed) == (
                h,
                self.encoder_version,
                False,
            ):
                results[i] = UpsertResult(p.id, fp.row_id, "unchanged")
            else:
                todo.append((i, p, h))
        derived = self.derive([p for _, p, _ in todo], bank=True)
        writes: list[tuple[int, Upsert]] = []
        for (i, p, h), f in zip(todo, derived, strict=True):
            if isinstance(f, MirrorscanError):
                results[i] = f
            else:
                writes.append(
                    (
                        i,
                        Upsert(
                            replace(p, avatar=None), f, profile_keys(p), h, self.encoder_version
                        ),
                    )
                )
        with self._write_lock:
            written = self.store.upsert([u for _, u in writes]) if writes else []
            for (i, _), r in zip(writes, written, strict=True):
                results[i] = r
            # replay from the store, not from what was just written: another process may have
            # written too, and setting ``store_seq`` past its changes would lose them
            self.catch_up(self.indexes)
        if progress:
            progress(len(profiles))
        return [r for r in results if r is not None]

    def remove(self, account_id: str) -> bool:
        with self._write_lock:
            row_id = self.store.remove(account_id)
            if row_id is None:
                return False
            self.catch_up(self.indexes)
            return True

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
        for account, pair in self.pairs(profile, features, timer):
            with timer.stage("score"):
                matches.append(self.judge(account, pair))
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
        """Top-k per channel, merged per banned account (store row id)."""
        k = self.settings.search.candidates_per_channel
        merged: dict[int, dict[str, float]] = {}

        def add(
            channel: str, ids: np.ndarray, scores: np.ndarray, best: Callable[[float, float], float]
        ) -> None:
            for row_id, s in zip(ids.tolist(), scores.tolist(), strict=True):
                if row_id < 0:
                    continue
                slot = merged.setdefault(row_id, {})
                slot[channel] = best(slot.get(channel, s), s)

        channels = self.indexes.channels
        for name, vec in (
            ("name", features.name_vec),
            ("name_grams", features.name_grams),
            ("bio", features.bio_vec),
        ):
            if vec is not None and channels[name].ntotal:
                hits = channels[name].search(vec[None, :], k)
                add(name, hits.ids[0], hits.scores[0], max)
        avatar = features.avatar
        if avatar is not None:
            views = avatar.views if avatar.views is not None else avatar.embedding
            if views is not None and channels["avatar"].ntotal:
                rows = np.atleast_2d(views)
                hits = channels["avatar"].search(rows, max(2, k // 4))
                for row in range(len(rows)):
                    add("avatar", hits.ids[row], hits.scores[row], max)
            if avatar.pdq_quality >= MIN_QUALITY and channels["pdq"].ntotal:
                queries = np.frombuffer(b"".join(avatar.pdq), dtype=np.uint8).reshape(-1, 32)
                hits = channels["pdq"].search(queries, k)
                for row in range(len(queries)):
                    # beyond PDQ's match threshold a hash is another image: such "neighbours"
                    # carry no evidence, and 8 dihedral hashes x k of them would be compared
                    near = hits.scores[row] <= MATCH_BITS
                    add("pdq", hits.ids[row][near], hits.scores[row][near], min)
        for row_id, shared in self.store.rows_for_keys(lookup_keys(profile)).items():
            merged.setdefault(row_id, {})["keys"] = float(len(shared))
        return [Candidate(r, c) for r, c in merged.items()]

    def thumbnail_of(self, data: bytes) -> bytes:
        """A display thumbnail of untrusted image bytes (decoded safely)."""
        return thumbnail(self.decode_avatar(data))


_SEVERITY = {Band.BLOCK: 0, Band.REVIEW: 1, Band.ALLOW: 2}


def _nonzero(vec: Vector) -> Vector | None:
    return vec if vec.any() else None


def content_hash(profile: Profile) -> str:
    """What an upsert compares to decide whether an account changed."""
    fields = {
        "platform": profile.platform,
        "handle": profile.handle,
        "display_name": profile.display_name,
        "bio": profile.bio,
        "links": list(profile.links),
        "group": profile.group,
        "avatar_url": profile.avatar_url,
        "avatar": hashlib.sha256(profile.avatar).hexdigest() if profile.avatar else None,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def channel_vectors(account: StoredAccount, grams: Vector | None = None) -> dict[str, np.ndarray]:
    """What each channel index holds for an account (a channel it has nothing for is absent).
    The n-gram vector is derived from the name and handle (pass it when computed in a batch)."""
    f, p = account.features, account.profile
    if grams is None:
        grams = name_vectors([(p.display_name, p.handle)])[0]
    vectors: dict[str, np.ndarray | None] = {
        "name": f.name_vec,
        "name_grams": _nonzero(grams),
        "bio": f.bio_vec,
    }
    if f.avatar is not None:
        vectors["avatar"] = f.avatar.embedding
        if f.avatar.pdq_quality >= MIN_QUALITY and f.avatar.pdq:
            vectors["pdq"] = np.frombuffer(f.avatar.pdq[0], dtype=np.uint8)
    return {name: vec for name, vec in vectors.items() if vec is not None}


def _index_accounts(indexes: IndexSet, accounts: Sequence[StoredAccount]) -> None:
    """Put the accounts' stored vectors in every channel (replacing what the ids had)."""
    if not accounts:
        return
    ids = np.array([a.row_id for a in accounts], dtype=np.int64)
    channels = indexes.channels
    for index in channels.values():
        index.remove(ids)
    per_channel: dict[str, tuple[list[int], list[np.ndarray]]] = {n: ([], []) for n in channels}
    grams = name_vectors([(a.profile.display_name, a.profile.handle) for a in accounts])
    for a, gram in zip(accounts, grams, strict=True):
        for name, vec in channel_vectors(a, gram).items():
            per_channel[name][0].append(a.row_id)
            per_channel[name][1].append(vec)
    for name, (row_ids, vecs) in per_channel.items():
        if row_ids:
            channels[name].upsert(np.array(row_ids, dtype=np.int64), np.stack(vecs))
