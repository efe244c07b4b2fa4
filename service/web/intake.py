"""The check form to a scored profile: read the page behind a pasted URL (through the SSRF-safe
fetcher), let fields typed by hand fill or override what the page said, take an uploaded avatar,
and score it through the pipeline on the runtime's executor."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from service.domain import Profile, Verdict
from service.errors import FetchFailed, FetchRefused, InvalidInput, MirrorscanError
from service.ingest import platforms
from service.ingest.platforms import CanonicalURL
from service.ingest.profile_from_url import profile_from_url
from service.ingest.urls import SUPPORTED, canonicalize
from service.runtime import Runtime
from service.usecases.scoring import score_with_fallback

PLATFORMS: tuple[tuple[str, str], ...] = tuple((p.key, p.label) for p in platforms.PLATFORMS)
_LINK_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class CheckForm:
    """What the moderator typed; every field may be empty."""

    profile_url: str = ""
    platform: str = ""
    display_name: str = ""
    handle: str = ""
    bio: str = ""
    links: str = ""
    avatar: bytes | None = None

    @property
    def typed(self) -> bool:
        return any((self.display_name, self.handle, self.bio, self.links, self.avatar))

    def link_list(self) -> tuple[str, ...]:
        return tuple(x for x in _LINK_SPLIT.split(self.links.strip()) if x)


@dataclass(frozen=True, slots=True)
class Checked:
    profile: Profile
    verdict: Verdict
    thumbnail: bytes | None
    notes: tuple[str, ...]


class CheckProblem(MirrorscanError):
    """A check that could not run, said for a moderator: what happened and what to do next, with
    the form to show again (platform and handle filled in from the URL where it names them).
    Keeps the status and title of the error behind it."""

    def __init__(self, cause: MirrorscanError, what: str, next_step: str, form: CheckForm):
        super().__init__(f"{what} {next_step}", status=cause.status)
        self.title = cause.title
        self.type_slug = cause.type_slug
        self.what = what
        self.next_step = next_step
        self.form = form


async def run_check(runtime: Runtime, form: CheckForm) -> Checked:
    """Score what the form describes. A page that cannot be read is an error, unless fields were
    typed by hand: then those are scored, with the URL's platform and handle, and the failure is
    noted."""
    url = form.profile_url.strip()
    notes: list[str] = []
    if url:
        canonical = _canonical(form)
        try:
            fetched, extracted = await profile_from_url(url, runtime.fetcher)
            notes.extend(extracted.notes)
            profile = _overlay(fetched, form)
        except (FetchFailed, FetchRefused) as exc:
            what = _fetch_words(exc, canonical)
            if not form.typed:
                step, again = _next_step(canonical), _prefilled(form, canonical)
                raise CheckProblem(exc, what, step, again) from exc
            notes.append(f"{what} Scored the fields you typed instead.")
            base = Profile(id=canonical.key, platform=canonical.platform,
                           handle=canonical.handle or "")  # fmt: skip
            profile = _overlay(base, form)
    else:
        if not form.typed:
            raise InvalidInput("paste a profile URL, or type at least a name, handle or bio")
        profile = _overlay(Profile(id=_hand_id(form)), form)
    pipeline = runtime.pipeline
    # the moderator's own upload, if unusable, is an error on the form; the page's is dropped
    own = form.avatar is not None
    scored = await runtime.run(score_with_fallback, pipeline, profile, own_avatar=own)
    if scored.avatar_dropped:
        notes.append(f"the page's avatar was not used: {scored.avatar_dropped}")
    profile = scored.profile
    thumb = await runtime.run(pipeline.thumbnail_of, profile.avatar) if profile.avatar else None
    return Checked(profile, scored.verdict, thumb, tuple(notes))


def _overlay(base: Profile, form: CheckForm) -> Profile:
    """Fields typed by hand win over what the page said; empty ones leave it."""
    return replace(
        base,
        platform=form.platform.strip() or base.platform,
        display_name=form.display_name.strip() or base.display_name,
        handle=form.handle.strip().lstrip("@") or base.handle,
        bio=form.bio.strip() or base.bio,
        links=form.link_list() or base.links,
        avatar=form.avatar or base.avatar,
    )


def _hand_id(form: CheckForm) -> str:
    handle = form.handle.strip().lstrip("@")
    if not handle:
        return "typed-by-hand"
    return f"{form.platform.strip() or 'unknown'}:{handle}"[:200]


def _canonical(form: CheckForm) -> CanonicalURL:
    """The pasted URL read without any network; a link that names no profile on a supported
    platform is a problem with what to do instead."""
    try:
        return canonicalize(form.profile_url)
    except (FetchRefused, InvalidInput) as exc:
        what = f"This link cannot be checked: {exc.detail}."
        step = (
            f"Paste the link of the profile itself (mirrorscan reads profiles on {SUPPORTED}), "
            "or clear the Profile URL field and type what the profile shows below."
        )
        raise CheckProblem(exc, what, step, form) from None


def _label(platform: str) -> str:
    found = platforms.get(platform)
    return found.label if found is not None else platform


def _fetch_words(exc: MirrorscanError, canonical: CanonicalURL) -> str:
    """What happened when the page was fetched, in a moderator's words."""
    site = _label(canonical.platform)
    detail = exc.detail
    if "does not resolve" in detail or "could not read the page" in detail:
        said = f"could not reach {site} from the mirrorscan server"
    elif "did not answer" in detail:
        said = f"{site} did not answer in time"
    elif "login wall" in detail or "refused to serve" in detail or "no profile data" in detail:
        said = f"{site} does not show this profile to visitors who are not logged in"
    elif "does not exist" in detail:
        said = f"{site} says this profile does not exist: it may have been removed or renamed"
    elif isinstance(exc, FetchRefused):
        said = "the address was not fetched, for safety"
    else:
        said = f"could not read the profile page on {site}"
    status = re.search(r"HTTP \d+", detail)
    # the fetcher's own words, less its advice (the next step says that) or, where the sentence
    # already says what the answer meant, just the HTTP status
    technical = status.group(0) if status else detail.split("; enter ", 1)[0]
    text = f"{said} ({technical})."
    return text[:1].upper() + text[1:]


def _next_step(canonical: CanonicalURL) -> str:
    known = "platform and handle are" if canonical.handle else "platform is"
    handle = "" if canonical.handle else ", its handle"
    return (
        f"The {known} filled in below from the link. Open the profile in your own browser, type "
        f"its display name{handle}, bio and links, upload its avatar if you can, and press Check."
    )


def _prefilled(form: CheckForm, canonical: CanonicalURL) -> CheckForm:
    return replace(
        form,
        platform=form.platform or canonical.platform,
        handle=form.handle or (f"@{canonical.handle}" if canonical.handle else ""),
    )
