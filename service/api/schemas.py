"""Request and response bodies of the JSON API, and their conversion to domain values. Profiles
and accounts come in as the one record model of ``service.ingest.records``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from service.domain import Match, Profile, StoredAccount, Verdict
from service.ingest.records import AccountIn, ProfileIn
from service.store.banks import Provenance
from service.store.jobs import Job
from service.usecases.explain import family_lines


class EvidencePart(BaseModel):
    feature: str = Field(description="the comparison feature (stable name)")
    signal: str
    contribution: float
    detail: str


class EvidenceOut(BaseModel):
    signal: str = Field(description="the signal family: name (names and handles), identity, "
                        "avatar, bio, links")  # fmt: skip
    contribution: float = Field(description="log-odds this signal adds (negative: against)")
    detail: str
    parts: list[EvidencePart] | None = Field(
        None, description="with ?detail=full: each feature of the family"
    )

    @model_serializer(mode="wrap")
    def _drop_absent_parts(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("parts") is None:
            data.pop("parts", None)
        return data


class AccountSummary(BaseModel):
    id: str
    platform: str
    handle: str
    display_name: str
    bio: str
    links: list[str]
    group: str | None


class MatchOut(BaseModel):
    account_id: str
    group: str
    score: float = Field(description="probability at the configured prevalence")
    log_likelihood_ratio: float = Field(
        description="natural log of how much more likely this pair's evidence is for a mirror "
        "than for an unrelated account (independent of prevalence)"
    )
    band: Literal["block", "review", "allow"]
    band_reason: str
    bank: str = Field("", description="the bank the account is in")
    evidence: list[EvidenceOut] = Field(
        description="one line per signal family (zero ones left out); ?detail=full adds each "
        "family's features"
    )
    account: AccountSummary | None = None

    @classmethod
    def of(cls, m: Match, full: bool = False) -> MatchOut:
        return cls(
            account_id=m.account_id,
            group=m.group,
            score=round(m.score, 6),
            log_likelihood_ratio=round(m.log_likelihood_ratio, 4),
            band=m.band.value,
            band_reason=m.band_reason,
            bank=m.bank,
            evidence=[EvidenceOut.model_validate(line)
                      for line in family_lines(m.evidence, full=full)],
            account=summary(m.account) if m.account else None,
        )  # fmt: skip


class VerdictOut(BaseModel):
    id: str
    score: float = Field(
        description="calibrated probability that the profile is a mirror, among profiles of "
        "which `prevalence` are mirrors"
    )
    log_likelihood_ratio: float | None = Field(
        description="the best match's log-likelihood ratio; null when nothing matched"
    )
    prevalence: float = Field(description="the configured share of mirrors the score is for")
    band: Literal["block", "review", "allow"]
    band_reason: str = Field(description="which rule set the band, in words")
    matches: list[MatchOut]
    model_version: str
    timings_ms: dict[str, float]
    compared: list[str] = Field(
        default_factory=list,
        description="the channels compared: those the profile had something for (name, "
        "handle, identity, bio, links, avatar)",
    )
    banks: list[str] = Field(default_factory=list, description="the banned-account banks read")
    allowed: list[MatchOut] = Field(
        default_factory=list,
        description="allow-listed accounts the profile resembles (they can overrule a block)",
    )

    @classmethod
    def of(cls, v: Verdict, full: bool = False, min_score: float = 0.0) -> VerdictOut:
        return cls(
            id=v.id,
            score=round(v.score, 6),
            log_likelihood_ratio=None
            if v.log_likelihood_ratio is None
            else round(v.log_likelihood_ratio, 4),
            prevalence=v.prevalence,
            band=v.band.value,
            band_reason=v.band_reason,
            matches=[MatchOut.of(m, full) for m in v.matches if m.score >= min_score],
            model_version=v.model_version,
            timings_ms=v.timings_ms,
            compared=list(v.compared),
            banks=list(v.banks),
            allowed=[MatchOut.of(m, full) for m in v.allowed if m.score >= min_score],
        )


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profiles: list[ProfileIn] = Field(..., min_length=1)


class BatchItem(BaseModel):
    id: str
    result: VerdictOut | None = None
    error: dict[str, Any] | None = None


class BatchOut(BaseModel):
    results: list[BatchItem]


def summary(p: Profile) -> AccountSummary:
    return AccountSummary(
        id=p.id,
        platform=p.platform,
        handle=p.handle,
        display_name=p.display_name,
        bio=p.bio,
        links=list(p.links),
        group=p.group,
    )


class ProvenanceOut(BaseModel):
    source: str
    fetched_at: datetime


class AccountOut(AccountSummary):
    bank: str = Field(description="the bank the account is in")
    has_avatar: bool
    avatar_pdq: str | None = Field(None, description="PDQ hash (hex) of the avatar as given")
    avatar_quality: int | None = None
    provenance: ProvenanceOut | None = Field(
        None, description="where an imported account came from"
    )

    @classmethod
    def of(cls, a: StoredAccount, provenance: Provenance | None = None) -> AccountOut:
        avatar = a.features.avatar
        return cls(
            **summary(a.profile).model_dump(),
            bank=a.bank,
            has_avatar=avatar is not None,
            avatar_pdq=avatar.pdq[0].hex() if avatar else None,
            avatar_quality=avatar.pdq_quality if avatar else None,
            provenance=ProvenanceOut(source=provenance.source, fetched_at=provenance.fetched_at)
            if provenance
            else None,
        )


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accounts: list[AccountIn] = Field(..., min_length=1)


class BulkItem(BaseModel):
    id: str
    status: Literal["created", "updated", "unchanged", "restored", "error"]
    error: dict[str, Any] | None = None


class BulkOut(BaseModel):
    results: list[BulkItem]
    counts: dict[str, int]


class Health(BaseModel):
    status: str
    detail: str | None = None
    accounts: int | None = None
    indexed: dict[str, int] | None = None
    snapshot: str | None = None
    store_seq: int | None = Field(
        None, description="the store's bank changes this replica has applied (its change number)"
    )
    model_version: str | None = None
    at: datetime | None = None


class UrlIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(
        ..., min_length=1, max_length=2000, examples=["https://t.me/ttpmedia_official"]
    )


class ExtractedOut(BaseModel):
    platform: str
    handle: str
    display_name: str
    bio: str
    links: list[str]
    avatar_url: str | None
    account_id: str | None
    notes: list[str]


class UrlVerdictOut(VerdictOut):
    profile: ExtractedOut = Field(description="what was read from the profile's page")


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["rebuild"] = Field(
        "rebuild",
        description="rebuild: re-encode what other models encoded, build every index from the "
        "store beside the live ones, write a snapshot and swap it in",
    )


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float = Field(description="0 to 1")
    done: int
    total: int | None
    error: str | None
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @field_validator("created_at", "started_at", "finished_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        """SQLite gives back naive datetimes for what was written in UTC: say so."""
        return value.replace(tzinfo=UTC) if value is not None and not value.tzinfo else value

    @classmethod
    def of(cls, job: Job) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            status=job.status,
            progress=round(job.progress, 4),
            done=job.done,
            total=job.total,
            error=job.error,
            result=job.result,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


class JobList(BaseModel):
    jobs: list[JobOut]
