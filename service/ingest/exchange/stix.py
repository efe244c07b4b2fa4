"""STIX 2.1 bundles of accounts, built and parsed with the ``stix2`` library and validated with
``stix2-validator``.

An account is a ``user-account`` (``account_type`` from the platform: ``twitter`` for X, else
the platform's key; ``user_id`` and ``account_login`` the handle; ``display_name``), with
mirrorscan's fields as ``x_mirrorscan_*`` custom properties (id, platform, bank and its kind,
bio, links, avatar URL, the avatar's PDQ hash and quality, its embedding with the encoder's
name, ``removed`` in an incremental export). The group is an ``intrusion-set`` (a banned bank's
account) or an ``identity`` of class ``organization`` (an allow list's: a party, an outlet), and
a ``relationship`` (``attributed-to``) ties the account to it. Ids are deterministic (UUIDv5), so
exporting twice gives the same objects and importing twice changes nothing.

Reading takes any valid bundle: a partner's with unknown extra properties or object types is
read for what it has (the account id is then the ``user-account`` id). Any invalid object
refuses the whole bundle, with each object's errors; nothing is written."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import stix2
from stix2validator import ValidationOptions, validate_instance

from service.domain import Profile, StoredAccount, StoredAvatar
from service.ingest.avatar_features import decode_f16, encode_f16
from service.ingest.exchange import Problems
from service.ingest.records import Record

NAMESPACE = uuid.UUID("5b0c6f0e-7a0e-4d8c-9c52-2f3c0b1a9e11")  # mirrorscan's UUIDv5 namespace
ACCOUNT_TYPE = {"x": "twitter", "facebook": "facebook"}
PLATFORM_OF = {"twitter": "x", "x": "x"}
GROUP_TYPES = ("intrusion-set", "identity")
MAX_LINKS = 500
_OPTIONS = ValidationOptions(version="2.1")


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


# --- writing -----------------------------------------------------------------------------


def bundle_objects(
    accounts: Iterable[StoredAccount], kinds: dict[str, str], *, encoder: str
) -> list[Any]:
    """The STIX objects of ``accounts`` (``kinds``: bank name -> banned|allow)."""
    objects: list[Any] = []
    groups: dict[tuple[str, str], str] = {}
    for account in accounts:
        kind = kinds.get(account.bank, "banned")
        ua = _user_account(account, kind, encoder)
        objects.append(ua)
        group = account.profile.group
        if not group:
            continue
        gtype = "identity" if kind == "allow" else "intrusion-set"
        gid = groups.get((gtype, group))
        if gid is None:
            gid = groups[(gtype, group)] = _id(gtype, group)
            if gtype == "identity":
                objects.append(stix2.Identity(id=gid, name=group, identity_class="organization",
                                              created=_EPOCH, modified=_EPOCH))  # fmt: skip
            else:
                objects.append(stix2.IntrusionSet(id=gid, name=group, created=_EPOCH,
                                                  modified=_EPOCH))  # fmt: skip
        objects.append(
            stix2.Relationship(
                id=_id("relationship", f"{account.profile.id}->{gid}"),
                source_ref=ua.id,
                target_ref=gid,
                relationship_type="attributed-to",
                created=_EPOCH,
                modified=_EPOCH,
            )
        )
    return objects


_EPOCH = "2020-01-01T00:00:00.000Z"  # fixed, so that an unchanged bank exports the same bytes


def _user_account(account: StoredAccount, kind: str, encoder: str) -> Any:
    p = account.profile
    props: dict[str, Any] = {
        "id": _id("user-account", p.id),
        "account_type": ACCOUNT_TYPE.get(p.platform, p.platform or "unknown"),
        "x_mirrorscan_id": p.id,
        "x_mirrorscan_platform": p.platform,
        "x_mirrorscan_bank": account.bank,
        "x_mirrorscan_bank_kind": kind,
    }
    if p.handle:
        props["user_id"] = p.handle
        props["account_login"] = p.handle
    if p.display_name:
        props["display_name"] = p.display_name
    if p.bio:
        props["x_mirrorscan_bio"] = p.bio
    if p.links:
        props["x_mirrorscan_links"] = list(p.links)
    if p.avatar_url:
        props["x_mirrorscan_avatar_url"] = p.avatar_url
    if account.removed:
        props["x_mirrorscan_removed"] = True
    avatar = account.features.avatar
    if avatar is not None and avatar.pdq and not account.removed:
        props["x_mirrorscan_pdq"] = avatar.pdq[0].hex()
        props["x_mirrorscan_pdq_quality"] = avatar.pdq_quality
        if len(avatar.pdq) > 1:  # its dihedral variants (what commonness is measured with)
            props["x_mirrorscan_pdq_dihedral"] = [h.hex() for h in avatar.pdq[1:]]
        if avatar.embedding is not None:
            props["x_mirrorscan_avatar_embedding"] = {
                "model": encoder,
                "f16": encode_f16(avatar.embedding),
            }
    return stix2.UserAccount(allow_custom=True, **props)


def write_bundle(path: Path, objects: list[Any], cursor: str | None = None) -> None:
    extra = {"x_mirrorscan_cursor": cursor} if cursor is not None else {}
    bundle = stix2.Bundle(objects=objects, allow_custom=True,
                          id=_id("bundle", json.dumps(sorted(o.id for o in objects))),
                          **extra)  # fmt: skip
    path.write_text(bundle.serialize(pretty=True), encoding="utf-8")


# --- reading -----------------------------------------------------------------------------


def read_bundle(path: Path) -> list[Record]:
    """The accounts of a bundle; ``ImportRefused`` (every object's errors) when any object is
    invalid, or the file is not a bundle."""
    problems = Problems()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        problems.add(f"byte {exc.start}: not UTF-8")
        data = None
    except json.JSONDecodeError as exc:
        problems.add(f"line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}")
        data = None
    except RecursionError:
        problems.add("not valid JSON: nested too deeply")
        data = None
    problems.raise_if_any("the bundle")
    if not isinstance(data, dict) or data.get("type") != "bundle":
        problems.add('not a STIX bundle: the top level must be {"type": "bundle", ...}')
    elif not isinstance(data.get("objects", []), list):
        problems.add("'objects' must be a list")
    problems.raise_if_any("the bundle")
    raw = [o for o in data.get("objects", [])]
    parsed = _validated(raw, problems)
    problems.raise_if_any("the bundle")
    return _records(parsed, problems)


def _where(i: int, obj: Any) -> str:
    ident = obj.get("id") if isinstance(obj, dict) else None
    return f"object {i}" + (f" ({str(ident)[:100]})" if ident else "")


def _validated(objects: list[Any], problems: Problems) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for i, obj in enumerate(objects, start=1):
        where = _where(i, obj)
        if not isinstance(obj, dict):
            problems.add(f"{where}: not a JSON object")
            continue
        try:
            result = validate_instance(obj, _OPTIONS)
        except Exception as exc:  # the validator's own failures on odd input are errors too
            problems.add(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if not result.is_valid:
            for error in result.errors[:5]:
                problems.add(f"{where}: {_message(error)}")
            continue
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except Exception as exc:  # stix2 raises many error types for one bad object
            problems.add(f"{where}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        out.append((i, obj))
    return out


def _message(error: Any) -> str:
    text = str(error)
    return text.split(": ", 1)[1] if text.startswith(("user-account--", "relationship--")) else text


def _records(objects: list[tuple[int, dict[str, Any]]], problems: Problems) -> list[Record]:
    groups = {o["id"]: str(o.get("name") or "") for _, o in objects if o["type"] in GROUP_TYPES}
    group_kind = {o["id"]: o["type"] for _, o in objects if o["type"] in GROUP_TYPES}
    group_of: dict[str, str] = {}
    for _, o in sorted(objects, key=lambda io: str(io[1]["id"])):
        if o["type"] != "relationship":
            continue
        src, dst = str(o.get("source_ref")), str(o.get("target_ref"))
        if dst in groups and src.startswith("user-account--"):
            group_of.setdefault(src, dst)
        elif src in groups and dst.startswith("user-account--"):
            group_of.setdefault(dst, src)
    records = []
    for i, o in objects:
        if o["type"] != "user-account":
            continue
        try:
            gid = group_of.get(o["id"])
            records.append(_record(i, o, groups.get(gid or ""), group_kind.get(gid or "")))
        except ValueError as exc:
            problems.add(f"{_where(i, o)}: {exc}")
    problems.raise_if_any("the bundle")
    return records


def _record(i: int, o: dict[str, Any], group: str | None, group_type: str | None) -> Record:
    platform = _text(o, "x_mirrorscan_platform")
    if "x_mirrorscan_platform" not in o:
        account_type = str(o.get("account_type") or "")
        platform = PLATFORM_OF.get(account_type, account_type if account_type != "unknown" else "")
    handle = str(o.get("user_id") or o.get("account_login") or "").lstrip("@")
    links = o.get("x_mirrorscan_links") or []
    if not isinstance(links, list) or not all(isinstance(x, str) for x in links):
        raise ValueError("x_mirrorscan_links must be a list of strings")
    if len(links) > MAX_LINKS:
        raise ValueError(f"more than {MAX_LINKS} links")
    profile = Profile(
        id=_text(o, "x_mirrorscan_id") or str(o["id"]),
        platform=platform,
        handle=handle,
        display_name=str(o.get("display_name") or ""),
        bio=_text(o, "x_mirrorscan_bio"),
        links=tuple(links),
        avatar_url=_text(o, "x_mirrorscan_avatar_url") or None,
        group=group or None,
        avatar_features=_signals(o),
    )
    kind = _text(o, "x_mirrorscan_bank_kind") or ("allow" if group_type == "identity" else None)
    if kind not in (None, "banned", "allow"):
        raise ValueError("x_mirrorscan_bank_kind must be 'banned' or 'allow'")
    removed = o.get("x_mirrorscan_removed", False)
    if not isinstance(removed, bool):
        raise ValueError("x_mirrorscan_removed must be true or false")
    return Record(i, profile, _text(o, "x_mirrorscan_bank") or None, removed, kind)


def _text(o: dict[str, Any], key: str) -> str:
    value = o.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def _signals(o: dict[str, Any]) -> StoredAvatar | None:
    pdq = o.get("x_mirrorscan_pdq", o.get("x_pdq"))
    if pdq is None:
        return None
    if not isinstance(pdq, str) or len(pdq) != 64:
        raise ValueError("x_mirrorscan_pdq must be 64 hexadecimal digits")
    try:
        hashed = bytes.fromhex(pdq)
    except ValueError:
        raise ValueError("x_mirrorscan_pdq must be 64 hexadecimal digits") from None
    variants = o.get("x_mirrorscan_pdq_dihedral", [])
    if (
        not isinstance(variants, list)
        or len(variants) > 7
        or not all(isinstance(v, str) and _is_hash(v) for v in variants)
    ):
        raise ValueError("x_mirrorscan_pdq_dihedral must be up to 7 PDQ hashes (hex)")
    hashes = (hashed, *(bytes.fromhex(v) for v in variants))
    quality = o.get("x_mirrorscan_pdq_quality", 100)
    if not isinstance(quality, int) or isinstance(quality, bool) or not 0 <= quality <= 100:
        raise ValueError("x_mirrorscan_pdq_quality must be an integer from 0 to 100")
    emb = o.get("x_mirrorscan_avatar_embedding")
    if emb is None:
        return StoredAvatar("", hashes, quality)
    if not isinstance(emb, dict) or not isinstance(emb.get("model"), str):
        raise ValueError('x_mirrorscan_avatar_embedding must be {"model": str, "f16": str}')
    try:
        vec = decode_f16(str(emb.get("f16", "")), "x_mirrorscan_avatar_embedding.f16")
    except Exception as exc:
        raise ValueError(str(getattr(exc, "detail", exc))) from None
    return StoredAvatar(emb["model"], hashes, quality, vec)


def _is_hash(value: str) -> bool:
    try:
        return len(value) == 64 and len(bytes.fromhex(value)) == 32
    except ValueError:
        return False
