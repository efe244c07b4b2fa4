"""The one profile record: the fields of DESIGN.md's JSON Lines contract, as the API's bodies
(``ProfileIn``, ``AccountIn``) and the lines of bank and candidate files (``FileRecord``: JSON
Lines, CSV, Parquet) carry them, validated by one pydantic model family and turned into a
``Profile`` one way. The pipeline then checks the configurable limits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.domain import BANK_NAME, Profile
from service.errors import InvalidInput, MirrorscanError, PayloadTooLarge
from service.ingest.avatar_features import parse_avatar_features
from service.ingest.encoding import decode_b64

_TEXT = 20_000  # hard backstop; the configurable limits are checked by the pipeline
_STRINGS = ("platform", "handle", "display_name", "bio")


class ProfileFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    platform: str = Field("", max_length=100, examples=["x"])
    handle: str = Field("", max_length=_TEXT, examples=["ttp_rnedia2"])
    display_name: str = Field("", max_length=_TEXT, examples=["TTP Media"])
    bio: str = Field("", max_length=_TEXT, examples=["Backup of the old account. t.me/ttpmedia2"])
    links: list[str] = Field(default_factory=list, max_length=500)
    avatar_b64: str | None = Field(None, description="the avatar image, base64 (JPEG/PNG/WEBP/GIF)")
    avatar_url: str | None = Field(None, max_length=4000)

    def to_profile(
        self, id_: str, group: str | None = None, avatar: bytes | None = None
    ) -> Profile:
        return Profile(
            id=id_,
            platform=self.platform,
            handle=self.handle,
            display_name=self.display_name,
            bio=self.bio,
            links=tuple(self.links),
            avatar=avatar if avatar is not None else decode_b64(self.avatar_b64),
            avatar_url=self.avatar_url,
            group=group,
        )


class ProfileIn(ProfileFields):
    id: str = Field("profile", min_length=1, max_length=200)

    def profile(self) -> Profile:
        return self.to_profile(self.id)


class AccountFields(ProfileFields):
    group: str | None = Field(None, max_length=200, examples=["Tehreek-e-Taliban Pakistan"])
    bank: str | None = Field(
        None, pattern=BANK_NAME, description="the bank it goes to (default: its current bank, or "
        "'default' for a new account)", examples=["pk-proscribed"],
    )  # fmt: skip


class AccountIn(AccountFields):
    id: str = Field(..., min_length=1, max_length=200)

    def profile(self) -> Profile:
        return self.to_profile(self.id, self.group)


class FileRecord(AccountIn):
    """One line of a profile file: an account's fields, any of them empty or null but ``id``,
    and the avatar inline (``avatar_b64``) or as a path relative to the file's folder.

    Exchange fields (``mirrorscan bank export``): the ``bank`` the account is in and its kind,
    its avatar's stored signals (``avatar_features``: PDQ hashes and quality, the embedding and
    its encoder; ``service.ingest.avatar_features``) so that an import scores as the source did,
    and ``removed`` for an account an incremental export withdraws."""

    model_config = ConfigDict(strict=True)

    avatar_path: str | None = None
    bank_kind: str | None = Field(None, pattern="^(banned|allow)$")
    # a bank export's stored avatar signals (``service.ingest.avatar_features``)
    avatar_features: str | None = Field(None, max_length=20_000)
    removed: bool = False

    @field_validator(*_STRINGS, mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("links", mode="before")
    @classmethod
    def _null_is_none(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("id")
    @classmethod
    def _some_id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty")
        return value

    def file_profile(self, base: Path | None, max_avatar_bytes: int) -> Profile:
        avatar = None if self.avatar_b64 else _read_avatar(self.avatar_path, base, max_avatar_bytes)
        profile = self.to_profile(self.id, self.group or None, avatar)
        stored = parse_avatar_features(self.avatar_features) if self.avatar_features else None
        return replace(profile, avatar_url=profile.avatar_url or None, avatar_features=stored)


FIELDS = frozenset(FileRecord.model_fields)
# what a field must be, for the one-line reason a malformed line is skipped
_MUST = {
    "id": "a non-empty string",
    "links": "a list of strings",
    "group": "a string or null",
    "avatar_url": "a string or null",
    "avatar_path": "a string or null",
    "avatar_b64": "a string",
    "bank": "a string or null",
    "bank_kind": '"banned" or "allow"',
    "avatar_features": "a string or null",
    "removed": "true or false",
    **{name: "a string" for name in _STRINGS},
}
_TYPE_ERRORS = ("string_type", "list_type", "missing", "value_error", "string_too_short",
                "string_pattern_mismatch", "greater_than_equal", "less_than_equal")  # fmt: skip


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str
    id: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    profile: Profile
    bank: str | None = None  # the exchange fields, when the line has them
    removed: bool = False
    bank_kind: str | None = None


def record_from_dict(
    data: Any, number: int, base: Path | None, max_avatar_bytes: int
) -> Record | LineError:
    """One file line's fields as a profile, or the reason (with its line number) it is not one.
    ``base``: the folder an ``avatar_path`` is relative to; None for a file that came over the
    network (an upload), whose ``avatar_path`` would name a file on the server."""
    try:
        record = file_record(data)
        profile = record.file_profile(base, max_avatar_bytes)
        return Record(number, profile, record.bank, record.removed, record.bank_kind)
    except MirrorscanError as exc:
        ident = data.get("id") if isinstance(data, dict) else None
        return LineError(number, exc.detail, ident if isinstance(ident, str) else None)


def profile_from_fields(data: Any, base: Path, max_avatar_bytes: int) -> Profile:
    return file_record(data).file_profile(base, max_avatar_bytes)


def file_record(data: Any) -> FileRecord:
    if not isinstance(data, dict):
        raise InvalidInput("a line must hold a JSON object")
    try:
        return FileRecord.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(_reason(exc)) from None


def _reason(exc: ValidationError) -> str:
    errors = exc.errors()
    unknown = sorted(str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden")
    if unknown:
        return f"unknown fields {unknown}"
    first = errors[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    if field in _MUST and (first["type"] in _TYPE_ERRORS or first["type"].endswith("_type")):
        return f"'{field}' must be {_MUST[field]}"
    return f"'{field}': {first['msg']}"


def _read_avatar(rel: str | None, base: Path | None, max_bytes: int) -> bytes | None:
    if not rel:
        return None
    if base is None:
        raise InvalidInput("avatar_path is not accepted in an uploaded file (it would name a "
                           "file on the server); put the picture inline as avatar_b64")  # fmt: skip
    path = (base / rel).resolve()
    if not path.is_file():
        raise InvalidInput(f"avatar_path {rel!r} is not a file (relative to {base})")
    size = path.stat().st_size
    if size > max_bytes:
        raise PayloadTooLarge(f"avatar {rel!r} is {size} bytes; the limit is {max_bytes}")
    return path.read_bytes()
