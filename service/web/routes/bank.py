"""The banks and their accounts: search (in one bank or all), add by form, edit, upload a file
of accounts with a result per line, remove (scope ``bank:write``); create, enable, disable and
remove banks; export and import a bank (admins); and the accounts' avatar thumbnails, served by
the service itself (never hot-linked).

Nothing is replaced or removed on one click: adding an id that is already in a bank shows the
account beside the new version and asks (``bank_confirm.html``), a removal asks first, and a
confirmation carries the version it was shown, so a change made by someone else in between
is asked about again rather than overwritten."""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from service.domain import Profile, StoredAccount
from service.errors import Forbidden, InvalidInput, MirrorscanError, NotFound, PayloadTooLarge
from service.usecases import bank as bank_changes
from service.usecases.bank_upload import Uploaded, upload_accounts
from service.usecases.exchange import MEDIA_TYPES, export_bank, import_bytes
from service.web import pending
from service.web.intake import PLATFORMS
from service.web.pages import (
    BankEditor,
    CsrfOk,
    PageContext,
    PageRoute,
    Viewer,
    read_upload,
    redirect,
    render,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=20_000)]
AccountId = Annotated[str, Form(max_length=200)]
Version = Annotated[str, Form(max_length=100)]
FIELDS = ("platform", "display_name", "handle", "bio", "links", "group")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("/bank")
async def bank(
    ctx: BankEditor,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    added: str | None = None,
    removed: str | None = None,
    replaced: Annotated[str | None, Query(max_length=200)] = None,
    bank: Annotated[str, Query(max_length=100)] = "",
    done: Annotated[str, Query(max_length=300)] = "",
) -> Response:
    return await _bank_page(ctx, q, page, added=added, removed=removed, bank=bank, done=done,
                            replaced=replaced)  # fmt: skip


@router.post("/bank/banks/create")
async def create_bank(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[Literal["banned", "allow"], Form()] = "banned",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    store = ctx.runtime.pipeline.store
    try:
        await ctx.runtime.run(bank_changes.create_bank, store, ctx.label, name.strip(), kind,
                              description.strip())  # fmt: skip
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail, error_at="banks")
    return _back(ctx, done=f"created bank {name.strip()}")


@router.post("/bank/banks/state")
async def bank_state(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=100)] = "",
    enabled: Annotated[bool, Form()] = False,
) -> Response:
    store = ctx.runtime.pipeline.store
    await ctx.runtime.run(bank_changes.update_bank, store, ctx.label, name, enabled=enabled)
    word = "enabled" if enabled else "disabled"
    return _back(ctx, done=f"{word} bank {name}")


@router.post("/bank/banks/remove")
async def remove_bank(
    ctx: BankEditor,
    _csrf: CsrfOk,
    name: Annotated[str, Form(max_length=100)] = "",
    purge: Annotated[bool, Form()] = False,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if purge and not ctx.session.can("admin"):
        raise Forbidden("removing a bank with its accounts needs the 'admin' scope")
    store = ctx.runtime.pipeline.store
    stats = await ctx.runtime.run(store.banks.stats, name)  # NotFound for a bank that is gone
    if not confirm:
        return render(ctx, "bank_confirm.html", what="bank", stats=stats, purge=purge)
    try:
        await ctx.runtime.run(bank_changes.remove_bank, ctx.runtime.pipeline, ctx.label, name,
                              purge=purge)  # fmt: skip
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail, error_at="banks")
    return _back(ctx, done=f"removed bank {name}")


@router.get("/bank/export")
async def export(
    ctx: BankEditor,
    bank: Annotated[str, Query(max_length=100)] = "",
    format: Annotated[Literal["jsonl", "csv", "stix", "pdq"], Query()] = "jsonl",
) -> Response:
    """A bank (or every bank) as a file: JSON Lines and CSV read back by the upload, STIX and
    PDQ lists for other systems (``service.usecases.exchange.export_bank``)."""
    if not ctx.session.can("admin"):
        raise Forbidden("exporting the bank needs the 'admin' scope: it sends the accounts "
                        "out of this service")  # fmt: skip
    pipeline = ctx.runtime.pipeline
    tmp_dir = ctx.runtime.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    suffix = {"jsonl": "jsonl", "csv": "csv", "stix": "json", "pdq": "csv"}[format]
    fd, name = tempfile.mkstemp(prefix="export-", suffix=f".{suffix}", dir=tmp_dir)
    os.close(fd)
    path = Path(name)
    try:
        await ctx.runtime.run(export_bank, pipeline, pipeline.store, path, format,
                              bank=bank or None)  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stem = bank or "all-banks"
    filename = f"{stem}.pdq.csv" if format == "pdq" else f"{stem}.{suffix}"
    return FileResponse(path, media_type=MEDIA_TYPES[format], filename=filename,
                        background=BackgroundTask(path.unlink, missing_ok=True))  # fmt: skip


@router.post("/bank/import")
async def import_file(
    ctx: BankEditor,
    _csrf: CsrfOk,
    bank: Annotated[str, Form(max_length=100)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    if not ctx.session.can("admin"):
        raise Forbidden("importing into a bank needs the 'admin' scope")
    data = await _read_file(ctx, file)
    if data is None:
        return await _bank_page(ctx, "", 1, status=422, error="choose a file to import",
                                error_at="import")  # fmt: skip
    try:
        if len(data) > ctx.runtime.settings.limits.max_body_bytes:
            raise _too_large(ctx)
        source = f"page:{file.filename if file else ''}"
        result = await ctx.runtime.run(import_bytes, ctx.runtime.pipeline, ctx.label, data,
                                       bank=bank or None, source=source)  # fmt: skip
    except MirrorscanError as exc:
        errors = "; ".join(getattr(exc, "errors", [])[:5])
        return await _bank_page(ctx, "", 1, status=exc.status, error_at="import",
                                error=exc.detail + (f" ({errors})" if errors else ""))  # fmt: skip
    counts = ", ".join(f"{v} {k}" for k, v in sorted(result.outcomes.items())) or "nothing"
    return _back(ctx, done=f"imported {result.format}: {counts}")


@router.post("/bank/upload")
async def upload(
    ctx: BankEditor,
    _csrf: CsrfOk,
    bank: Annotated[str, Form(max_length=100)] = "",
    replace: Annotated[bool, Form()] = False,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """A JSON Lines or CSV file of accounts; a page with what became of every line."""
    data = await _read_file(ctx, file)
    name = _SAFE_NAME.sub("_", Path(file.filename or "").name if file else "")[-100:]
    try:
        if data is None:
            raise InvalidInput("choose a JSON Lines or CSV file to upload")
        if not data:
            raise InvalidInput(f"the file {name} is empty" if name else "the file is empty")
        if len(data) > ctx.runtime.settings.limits.max_body_bytes:
            raise _too_large(ctx)
        result = await ctx.runtime.run(_upload, ctx, data, name or "upload", bank or None, replace)
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail,
                                error_at="upload")  # fmt: skip
    counts = result.counts
    status = 422 if counts.get("refused") and len(counts) == 1 else 200  # nothing was taken
    return render(ctx, "bank_upload.html", status, result=result, name=name, bank=bank,
                  replace=replace)  # fmt: skip


def _upload(ctx: PageContext, data: bytes, name: str, bank: str | None, replace: bool) -> Uploaded:
    """Blocking: the bytes in a private folder, under the uploaded name (its suffix tells the
    format; error messages name it), read and written by the use case."""
    tmp_dir = ctx.runtime.settings.data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=tmp_dir))
    try:
        path = folder / name
        path.write_bytes(data)
        return upload_accounts(ctx.runtime.pipeline, ctx.label, path, bank=bank, replace=replace,
                               max_lines=ctx.runtime.settings.limits.max_bulk)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/bank/add")
async def add(
    ctx: BankEditor,
    _csrf: CsrfOk,
    account_id: AccountId = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    display_name: Text = "",
    handle: Text = "",
    bio: Text = "",
    links: Text = "",
    group: Annotated[str, Form(max_length=200)] = "",
    bank: Annotated[str, Form(max_length=100)] = "",
    avatar: Annotated[UploadFile | None, File()] = None,
    replaces: Version = "",
    pending_avatar: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Add an account; an id already in a bank is shown beside the new version and replaced
    only once the moderator confirms (the form then carries ``replaces``: the version shown)."""
    values = {
        "account_id": account_id, "platform": platform, "display_name": display_name,
        "handle": handle, "bio": bio, "links": links, "group": group, "bank": bank,
    }  # fmt: skip
    runtime = ctx.runtime
    pipeline, data_dir = runtime.pipeline, runtime.settings.data_dir
    try:
        if not account_id.strip():
            raise InvalidInput("give the account an id (for example x-ttp-media-1)")
        picture = await read_upload(ctx, avatar)
        if picture is None and pending_avatar:
            picture = await runtime.run(pending.take, data_dir, pending_avatar)
            if picture is None:
                raise InvalidInput("the avatar chosen before the confirmation has expired; "
                                   "choose it again")  # fmt: skip
        profile = _profile(account_id.strip(), values, picture)
        existing = await runtime.run(bank_changes.active_account, pipeline.store, profile.id)
        version = await runtime.run(bank_changes.version_of, pipeline.store, profile.id)
        moving = existing is not None and bank and bank != existing.bank  # refused: a 409
        if existing is not None and version != replaces and not moving:
            thumb = await runtime.run(pipeline.thumbnail_of, picture) if picture else None
            token = await runtime.run(pending.keep, data_dir, picture) if picture else ""
            return render(ctx, "bank_confirm.html", what="replace", old=existing, new=profile,
                          values=values, version=version, pending_avatar=token,
                          new_thumb=base64.b64encode(thumb).decode() if thumb else "",
                          changed=_changes(existing, profile, picture is not None),
                          bank=bank)  # fmt: skip
        await runtime.run(bank_changes.put_account, pipeline, ctx.label, profile, bank or None)
    except MirrorscanError as exc:
        return await _bank_page(ctx, "", 1, status=exc.status, error=exc.detail, values=values)
    word = "replaced" if existing is not None else "added"
    return _back(ctx, q=profile.id, **{word: profile.id})


@router.get("/bank/edit")
async def edit_form(ctx: BankEditor, id: Annotated[str, Query(max_length=200)]) -> Response:
    store = ctx.runtime.pipeline.store
    account = await ctx.runtime.run(bank_changes.active_account, store, id)
    if account is None:
        raise NotFound(f"no banned account with id {id!r}; it may have been removed")
    version = await ctx.runtime.run(bank_changes.version_of, store, id)
    return _edit_page(ctx, account, version, _values_of(account.profile))


@router.post("/bank/edit")
async def edit(
    ctx: BankEditor,
    _csrf: CsrfOk,
    account_id: AccountId = "",
    version: Version = "",
    platform: Annotated[str, Form(max_length=100)] = "",
    display_name: Text = "",
    handle: Text = "",
    bio: Text = "",
    links: Text = "",
    group: Annotated[str, Form(max_length=200)] = "",
    avatar: Annotated[UploadFile | None, File()] = None,
    remove_avatar: Annotated[bool, Form()] = False,
) -> Response:
    """Save an edit through the API's upsert (audited); refused when the account changed
    since the form was opened."""
    values = {"platform": platform, "display_name": display_name, "handle": handle, "bio": bio,
              "links": links, "group": group}  # fmt: skip
    runtime = ctx.runtime
    try:
        picture = await read_upload(ctx, avatar)
        profile = _profile(account_id, values, picture)
        result = await runtime.run(bank_changes.edit_account, runtime.pipeline, ctx.label,
                                   profile, version=version,
                                   keep_avatar=not remove_avatar)  # fmt: skip
    except MirrorscanError as exc:
        account = await runtime.run(bank_changes.active_account, runtime.pipeline.store,
                                    account_id)  # fmt: skip
        if account is None:
            raise
        if exc.status == 409:  # show what is there now, with the moderator's typing lost
            version = await runtime.run(bank_changes.version_of, runtime.pipeline.store,
                                        account_id)  # fmt: skip
            values = _values_of(account.profile)
        return _edit_page(ctx, account, version, values, exc.status, exc.detail)
    done = "no change to" if result.outcome == "unchanged" else "saved"
    return _back(ctx, q=account_id, done=f"{done} {account_id}")


@router.get("/bank/remove")
async def remove_form(ctx: BankEditor, id: Annotated[str, Query(max_length=200)]) -> Response:
    return await _remove_page(ctx, id)


@router.post("/bank/remove")
async def remove(
    ctx: BankEditor,
    _csrf: CsrfOk,
    account_id: AccountId = "",
    version: Version = "",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    """Remove an account once confirmed on the page that shows it; a POST without the
    confirmation, or for a version other than the one shown, asks (again)."""
    store = ctx.runtime.pipeline.store
    now = await ctx.runtime.run(bank_changes.version_of, store, account_id)
    if not confirm or now != version:
        again = "the account changed after you opened this page; check it again" if (
            confirm and now) else None  # fmt: skip
        return await _remove_page(ctx, account_id, 409 if again else 200, again)
    await ctx.runtime.run(bank_changes.remove_account, ctx.runtime.pipeline, ctx.label, account_id)
    return _back(ctx, removed=account_id)


@router.get("/bank/avatar")
async def avatar(ctx: Viewer, id: Annotated[str, Query(max_length=200)]) -> Response:
    thumb = await ctx.runtime.run(ctx.runtime.pipeline.store.thumbnail, id)
    if not thumb:
        raise NotFound("this account has no avatar")
    headers = {"Cache-Control": "private, max-age=600", "Content-Disposition": "inline"}
    return Response(thumb, media_type="image/webp", headers=headers)


def _profile(account_id: str, values: dict[str, str], picture: bytes | None) -> Profile:
    return Profile(
        id=account_id,
        platform=values["platform"].strip(),
        handle=values["handle"].strip().lstrip("@"),
        display_name=values["display_name"].strip(),
        bio=values["bio"].strip(),
        links=tuple(values["links"].split()),
        avatar=picture,
        group=values["group"].strip() or None,
    )


def _values_of(p: Profile) -> dict[str, str]:
    return {"platform": p.platform, "display_name": p.display_name, "handle": p.handle,
            "bio": p.bio, "links": "\n".join(p.links), "group": p.group or ""}  # fmt: skip


def _changes(old: StoredAccount, new: Profile, new_avatar: bool) -> set[str]:
    """The fields the new version changes (what the confirmation marks)."""
    before, after = _values_of(old.profile), _values_of(new)
    out = {k for k in FIELDS if before[k].split() != after[k].split()}
    if new_avatar or old.features.avatar is not None:
        out.add("avatar")  # a new picture, or the old one dropped by a replacement without one
    return out


def _edit_page(
    ctx: PageContext,
    account: StoredAccount,
    version: str,
    values: dict[str, str],
    status: int = 200,
    error: str | None = None,
) -> Response:
    return render(ctx, "bank_edit.html", status, account=account, version=version,
                  values=values, platforms=PLATFORMS, error=error,
                  has_avatar=account.features.avatar is not None)  # fmt: skip


async def _remove_page(
    ctx: PageContext, account_id: str, status: int = 200, error: str | None = None
) -> Response:
    store = ctx.runtime.pipeline.store
    account = await ctx.runtime.run(bank_changes.active_account, store, account_id)
    if account is None:
        raise NotFound(f"no banned account with id {account_id!r}; it may have been removed")
    version = await ctx.runtime.run(bank_changes.version_of, store, account_id)
    return render(ctx, "bank_confirm.html", status, what="remove", old=account, version=version,
                  error=error)  # fmt: skip


async def _read_file(ctx: PageContext, file: UploadFile | None) -> bytes | None:
    """An uploaded file's bytes, read to one byte past the body limit (the caller refuses
    more); None when no file was chosen."""
    if file is None:
        return None
    data = await file.read(ctx.runtime.settings.limits.max_body_bytes + 1)
    await file.close()
    return data if data or file.filename else None


def _too_large(ctx: PageContext) -> PayloadTooLarge:
    cap = ctx.runtime.settings.limits.max_body_bytes
    return PayloadTooLarge(f"the file is larger than {cap:,} bytes; split it into smaller "
                           "files, or ask an admin to run `mirrorscan bank import`")  # fmt: skip


async def _bank_page(
    ctx: PageContext,
    q: str,
    page: int,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
    added: str | None = None,
    removed: str | None = None,
    bank: str = "",
    done: str = "",
    error_at: str = "add",
    replaced: str | None = None,
) -> Response:
    size = ctx.web.settings.web.page_size
    store = ctx.runtime.pipeline.store
    found = await ctx.runtime.run(store.search_text, q, limit=size + 1, offset=(page - 1) * size,
                                  bank=bank or None)  # fmt: skip
    banks = await ctx.runtime.run(bank_changes.list_banks, store)
    return render(
        ctx,
        "bank.html",
        status,
        q=q,
        page=page,
        accounts=[a.profile for a in found[:size]],
        has_avatar={a.profile.id for a in found if a.features.avatar is not None},
        more=len(found) > size,
        error=error,
        error_at=error_at,
        values=values or {},
        platforms=PLATFORMS,
        added=added,
        replaced=replaced,
        removed=removed,
        bank=bank,
        banks=banks,
        bank_of={a.profile.id: a.bank for a in found},
        done=done,
        admin=ctx.session.can("admin"),
        max_bytes=ctx.runtime.settings.limits.max_body_bytes,
        max_lines=ctx.runtime.settings.limits.max_bulk,
    )


def _back(ctx: PageContext, **query: str) -> Response:
    """Back to the bank page, with what was done (or what to show) in its query."""
    return redirect(ctx, "/bank?" + urlencode(query))
