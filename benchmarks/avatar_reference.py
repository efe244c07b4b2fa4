"""Build the avatar channel's bundled data in ``service/data`` from real npm images, and measure
how well the commonness reference recognises shared pictures it was not built from.

``build`` (the default) writes:
1. ``avatar_common.npz``: the reference population of shared avatars, from several independent
   sources, each laid out as avatars are (``reference_population``): every country's flag as drawn
   by three packages (``svg-country-flags``, ``country-flag-icons``, twemoji's flag emoji), each
   square-cropped, letterboxed on white and on grey, circle-masked and small-upscaled; platform
   default silhouettes; emoji popular as avatars at several paddings and backgrounds; drawn
   state/party-style emblems. Per row: name, kind, source, layout, PDQ hash and quality, float16
   embedding, and the digest of the whitening the embeddings were made with.
2. with ``--whitening`` only, ``avatar_whitening.npz`` first: the PCA whitening of
   EfficientNet-Lite0 GeM descriptors, fit on the *fit partition* of the logos and emoji (a fixed
   quarter, chosen by a stable hash of the name); the avatar benchmark never uses that partition.
   Refitting changes every stored embedding (the bank must be re-embedded), so it is not done
   by default.

``measure`` holds one flag source out of the reference at a time and reports how its flags (as
laid out, and after the evaders' edits) are recognised as common, and how often ordinary pictures
(simple-icons logos and edits of them, twemoji emoji outside the reference, Meta's PDQ photos,
drawn group-like emblems) are wrongly taken for common, as a function of the cosine threshold;
``AvatarCommonness``'s thresholds were chosen from it. Embeddings are cached under
``~/.cache/mirrorscan-bench`` (per whitening), images are never committed.

    PYTHONPATH=. OMP_NUM_THREADS=1 nice python benchmarks/avatar_reference.py [build|measure]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from service.features.image import EfficientNetLite0Encoder, Whitening  # noqa: E402
from service.features.pdq import MATCH_BITS, codes, distance_matrix, pdq_dihedral  # noqa: E402
from service.normalize.image import decode_image  # noqa: E402
from service.scoring.avatar import REFERENCE_COSINE, reference_cosine, whitening_digest  # noqa: E402
from service.training import avatar_edits as edits  # noqa: E402
from service.training import avatar_sources as data  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "service" / "data"
WHITEN_DIM = 256
DEDUP_COSINE = 0.97  # a layout this close to a kept one of the same picture adds nothing
FLAG_EDITS = ("jpeg_q30", "crop", "border", "circle", "resize_96")
LIMITS = {"max_bytes": 20_000_000, "max_pixels": 40_000_000}


def in_fit_partition(name: str) -> bool:
    """The quarter of logos/emoji reserved for fitting; the benchmark leaves it out."""
    return hashlib.blake2b(name.encode(), digest_size=2).digest()[0] % 4 == 0


def shared_population() -> list[data.Source]:
    """The avatar benchmark's shared avatars (one rendering each, kept as they were so that the
    benchmark's bank and pool stay comparable across versions); not the commonness reference."""
    return data.flags() + data.default_avatars() + data.emoji(data.POPULAR_EMOJI)


@dataclass(frozen=True)
class Ref:
    key: str  # unique: "flag/twemoji/pk/crop"
    name: str  # what the label shows: "flag:pk"
    kind: str  # flag | default | emoji | emblem
    source: str
    layout: str
    image: Image.Image


def reference_population(flag_sources: Iterable[str] = data.FLAG_SOURCES) -> list[Ref]:
    out: list[Ref] = []
    for src in flag_sources:
        for s in data.flag_sources(src):
            code = s.name.split(":", 1)[1]
            for layout, im in data.avatar_layouts(s.image).items():
                out.append(Ref(f"flag/{src}/{code}/{layout}", s.name, "flag", src, layout, im))
        if src == "country-flag-icons":  # its square designs too (a square avatar of the flag)
            for s in data.flag_sources("country-flag-icons-1x1"):
                code = s.name.split(":", 1)[1]
                for layout, im in data.avatar_layouts(s.image, ("crop", "circle")).items():
                    key = f"flag/{src}/{code}/1x1-{layout}"
                    out.append(Ref(key, s.name, "flag", src, f"1x1-{layout}", im))
    for s in data.default_avatars():
        for layout, im in data.avatar_layouts(s.image, ("crop", "fit-grey", "circle")).items():
            out.append(Ref(f"default/{s.name}/{layout}", s.name, "default", "drawn", layout, im))
    for k, s in enumerate(data.more_default_avatars()):
        out.append(Ref(f"default/{s.name}/{k}", s.name, "default", "drawn", "as-is", s.image))
    for s in data.emoji_glyphs(data.AVATAR_EMOJI):
        for layout, im in data.emoji_layouts(s.image).items():
            out.append(Ref(f"emoji/{s.name}/{layout}", s.name, "emoji", "twemoji", layout, im))
    for s in data.emblems():
        out.append(Ref(f"emblem/{s.name}", "emblem:drawn", "emblem", "drawn", "as-is", s.image))
    return out


class VectorCache:
    """``encode`` vectors (what a banned avatar stores) by image key, on disk per whitening."""

    def __init__(self, enc: EfficientNetLite0Encoder, digest: str) -> None:
        self._enc = enc
        self._path = data.CACHE / "vectors" / f"encode-{digest}.npz"
        self._vec: dict[str, np.ndarray] = {}
        if self._path.exists():
            with np.load(self._path) as z:
                self._vec = dict(zip((str(k) for k in z["keys"]), z["vectors"], strict=True))

    def _save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(self._vec)), vectors=np.stack(list(self._vec.values())))
        tmp.replace(self._path)

    def get(self, items: list[tuple[str, Callable[[], Image.Image]]], what: str) -> np.ndarray:
        todo = [(k, make) for k, make in items if k not in self._vec]
        t0, last = time.time(), time.time()
        for i in range(0, len(todo), 32):
            chunk = todo[i : i + 32]
            vecs = self._enc.encode([make() for _, make in chunk])
            for (k, _), v in zip(chunk, vecs, strict=True):
                self._vec[k] = v.astype(np.float16)
            if time.time() - last > 60 or i + 32 >= len(todo):
                self._save()
                last = time.time()
                rate = (i + len(chunk)) / (time.time() - t0)
                done = i + len(chunk)
                print(f"  {what}: {done}/{len(todo)} encoded, {rate:.1f} img/s", flush=True)
        return np.stack([self._vec[k] for k, _ in items]).astype(np.float32)


def encoder(whitening: Whitening | None = None) -> EfficientNetLite0Encoder:
    enc = EfficientNetLite0Encoder(
        cache_dir=data.CACHE / "onnx", fine=False, whitening=whitening or Whitening.load()
    )
    enc.load()
    return enc


def dedup(refs: list[Ref], vec: np.ndarray) -> list[int]:
    """Indices to keep: a row within ``DEDUP_COSINE`` of a kept row of the same name is dropped."""
    keep: list[int] = []
    by_name: dict[str, list[int]] = {}
    for i, r in enumerate(refs):
        kept = by_name.setdefault(r.name, [])
        if kept and float((vec[kept] @ vec[i]).max()) >= DEDUP_COSINE:
            continue
        kept.append(i)
        keep.append(i)
    return keep


def fit_whitening() -> None:
    enc = EfficientNetLite0Encoder(
        cache_dir=data.CACHE / "onnx",
        fine=False,
        whitening=Whitening(np.zeros(1280, np.float32), np.eye(1280, dtype=np.float32)),
    )
    enc.load()
    shared = {s.name for s in shared_population()}
    fit = [
        s
        for s in data.logos() + data.emoji()
        if in_fit_partition(s.name)
        and s.name not in shared
        and s.name.removeprefix("emoji:") not in data.SILHOUETTE_EMOJI
    ]
    t = time.time()
    white = Whitening.fit(enc.pooled([s.image for s in fit]), WHITEN_DIM)
    white.save(OUT / "avatar_whitening.npz")
    print(f"whitening: {len(fit)} images -> {WHITEN_DIM} dims in {time.time() - t:.0f} s")


def build(args: argparse.Namespace) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    if args.whitening:
        fit_whitening()
    white = Whitening.load(OUT / "avatar_whitening.npz")
    digest = whitening_digest(OUT / "avatar_whitening.npz")
    cache = VectorCache(encoder(white), digest)
    pop = reference_population()
    vec = cache.get([(r.key, lambda r=r: r.image) for r in pop], "reference")
    keep = dedup(pop, vec)
    pop, vec = [pop[i] for i in keep], vec[keep]
    hashes = [pdq_dihedral(r.image) for r in pop]
    path = OUT / "avatar_common.npz"
    np.savez_compressed(
        path,
        names=np.array([r.name for r in pop]),
        kinds=np.array([r.kind for r in pop]),
        sources=np.array([r.source for r in pop]),
        layouts=np.array([r.layout for r in pop]),
        pdq=codes([h[0][0] for h in hashes]),
        quality=np.array([h[1] for h in hashes], np.int16),
        embedding=vec.astype(np.float16),
        whitening=np.array(digest),
    )
    kinds = sorted({r.kind for r in pop})
    counts = ", ".join(f"{k} {sum(r.kind == k for r in pop)}" for k in kinds)
    flags = {
        src: len({r.name for r in pop if r.source == src and r.kind == "flag"})
        for src in data.FLAG_SOURCES
    }
    print(f"reference: {len(pop)} rows after dedup ({counts}); flags per source {flags}")
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


# --- measure -----------------------------------------------------------------------------------


def _stable_half(text: str) -> bool:
    """A fixed half of the flags gets the evaders' edits (the encoding time is the limit here)."""
    return hashlib.blake2b(text.encode(), digest_size=1).digest()[0] % 2 == 0


def _decoded(raw: bytes) -> Image.Image:
    return decode_image(raw, **LIMITS)


def group_emblems() -> list[tuple[str, Image.Image]]:
    """Drawn pictures in the style of armed groups' logos and banners (a black or white banner
    with a seal and lettering, a badge with a weapon-like bar, a wreath-and-star badge): what a
    group's own logo may look like. None must be taken for common."""
    font = ImageFont.load_default(size=30)
    out = []
    black, white, green = (0, 0, 0), (255, 255, 255), (20, 60, 20)
    for k, (bg, fg) in enumerate(((black, white), (white, black), (green, (240, 240, 240)))):
        img = Image.new("RGB", (384, 256), bg)
        d = ImageDraw.Draw(img)
        d.text((40, 30), "LA ILAHA ILLA", fill=fg, font=font)
        d.ellipse((142, 90, 242, 190), fill=fg)
        d.text((160, 125), "SEAL", fill=bg, font=font)
        d.text((70, 205), "ALLAH", fill=fg, font=font)
        for layout, im in data.avatar_layouts(img, ("crop", "fit-white", "circle")).items():
            out.append((f"banner{k}/{layout}", im))
    for k, (bg, ring) in enumerate((((150, 20, 20), (255, 210, 0)), ((30, 30, 30), (200, 0, 0)))):
        img = Image.new("RGB", (256, 256), (255, 255, 255))
        d = ImageDraw.Draw(img)
        d.ellipse((16, 16, 240, 240), fill=ring)
        d.ellipse((36, 36, 220, 220), fill=bg)
        d.rectangle((60, 118, 196, 138), fill=ring)  # a rifle-like bar
        d.polygon([(128, 50), (140, 90), (116, 90)], fill=ring)
        d.text((70, 160), "FRONT", fill=ring, font=font)
        out.append((f"badge{k}", img))
        out.append((f"badge{k}/circle", data.avatar_layouts(img, ("circle",))["circle"]))
    return out


def measure(args: argparse.Namespace) -> None:
    digest = whitening_digest(OUT / "avatar_whitening.npz")
    cache = VectorCache(encoder(), digest)
    rng = random.Random(7)

    # positives: every source's flags, as laid out and after the evaders' edits
    pos_keys: list[tuple[str, str, str, str]] = []  # (cache key, source, code, how)
    items: list[tuple[str, Callable[[], Image.Image]]] = []
    stickers = data.emoji(data.POPULAR_EMOJI)
    for src in data.FLAG_SOURCES:
        for s in data.flag_sources(src):
            code = s.name.split(":", 1)[1]
            for layout in data.LAYOUTS:
                key = f"flag/{src}/{code}/{layout}"
                items.append((key, lambda s=s, lo=layout: data.avatar_layouts(s.image, (lo,))[lo]))
                pos_keys.append((key, src, code, layout))
            for name in FLAG_EDITS if _stable_half(f"{src}/{code}") else ():
                key = f"edit/{name}/flag/{src}/{code}"

                def make(s: data.Source = s, name: str = name, key: str = key) -> Image.Image:
                    r = random.Random(key)
                    crop = data.avatar_layouts(s.image, ("crop",))["crop"]
                    return _decoded(edits.EDITS[name](crop, r, r.choice(stickers).image))

                items.append((key, make))
                pos_keys.append((key, src, code, f"edit:{name}"))
    pos_vec = cache.get(items, "flags")
    refs = reference_population()
    ref_vec = cache.get([(r.key, lambda r=r: r.image) for r in refs], "reference")

    # negatives: ordinary pictures
    neg: list[tuple[str, str, Callable[[], Image.Image]]] = []  # (key, category, make)
    logos = data.logos()
    rng.shuffle(logos)
    for s in logos[: args.logos]:
        neg.append((f"neg/{s.name}", "logo", lambda s=s: s.image))
    for s in logos[: args.logo_edits]:
        for name in ("border", "circle", "crop", "jpeg_q30"):
            key = f"neg/edit/{name}/{s.name}"

            def make_e(s: data.Source = s, name: str = name, key: str = key) -> Image.Image:
                r = random.Random(key)
                return _decoded(edits.EDITS[name](s.image, r, r.choice(stickers).image))

            neg.append((key, "logo-edit", make_e))
    excluded = set(data.AVATAR_EMOJI) | set(data.SILHOUETTE_EMOJI)
    emo = [  # emoji outside the reference; a skin-tone variant of a member is that member
        s
        for s in data.emoji()
        if s.name[6:].split("-")[0] not in excluded
        and data.twemoji_flag_code(s.name[6:]) is None
        and not s.name[6:].startswith(("1f3f3", "1f3f4"))
    ]
    rng.shuffle(emo)
    for s in emo[: args.emoji]:
        neg.append((f"neg/{s.name}", "emoji", lambda s=s: s.image))
    for s in data.photos():
        neg.append((f"neg/{s.name}", "photo", lambda s=s: s.image))
    for name, im in group_emblems():
        neg.append((f"neg/group/{name}", "group-emblem", lambda im=im: im))
    neg_vec = cache.get([(k, m) for k, _, m in neg], "negatives")
    neg_cat = np.array([c for _, c, _ in neg])

    results: dict = {"thresholds": {}, "holdout": {}}
    kinds = np.array([r.kind for r in refs])
    src_of = np.array([r.source for r in refs])
    names = np.array([r.name for r in refs])
    for held in data.FLAG_SOURCES:
        use = src_of != held
        rv, rk, rn = ref_vec[use], kinds[use], names[use]
        held_rows = [i for i, p in enumerate(pos_keys) if p[1] == held]
        pcos = pos_vec[held_rows] @ rv.T
        ncos = neg_vec @ rv.T
        pbest, nbest = pcos.max(axis=1), ncos.max(axis=1)
        # per kind: the negatives' best cosine to that kind's rows
        nk = {k: ncos[:, rk == k].max(axis=1) for k in np.unique(rk)}
        out: dict = {"flags": len(held_rows)}
        for tau in args.taus:
            rec = pbest >= tau
            hows = sorted({pos_keys[i][3] for i in held_rows})
            per_how = {h: float(rec[[pos_keys[i][3] == h for i in held_rows]].mean()) for h in hows}
            label_ok = [
                rn[int(pcos[j].argmax())] == f"flag:{pos_keys[i][2]}"
                for j, i in enumerate(held_rows)
                if rec[j]
            ]
            fp = {c: float((nbest[neg_cat == c] >= tau).mean()) for c in np.unique(neg_cat)}
            fp_kind = {k: int((v >= tau).sum()) for k, v in nk.items()}
            out[f"{tau:.2f}"] = {
                "recognised": float(rec.mean()),
                "per_layout_or_edit": per_how,
                "label_is_the_country": float(np.mean(label_ok)) if label_ok else 0.0,
                "false_common": fp,
                "false_common_all": float((nbest >= tau).mean()),
                "false_common_by_matched_kind": fp_kind,
            }
        results["holdout"][held] = out
        print(f"held out {held}: {len(held_rows)} flag images")
        for tau in args.taus:
            o = out[f"{tau:.2f}"]
            print(
                f"  tau {tau:.2f}: recognised {o['recognised']:.3f} "
                f"(label right {o['label_is_the_country']:.3f}), false common "
                f"{o['false_common_all']:.4f} "
                + " ".join(f"{c} {v:.4f}" for c, v in o["false_common"].items())
            )
    chosen = np.array([reference_cosine(r.kind, r.layout) for r in refs])
    print(f"at the chosen thresholds {REFERENCE_COSINE}:")
    for held in data.FLAG_SOURCES:
        use = src_of != held
        held_rows = [i for i, p in enumerate(pos_keys) if p[1] == held]
        m_pos = (pos_vec[held_rows] @ ref_vec[use].T - chosen[use]).max(axis=1) >= 0
        m_neg = (neg_vec @ ref_vec[use].T - chosen[use]).max(axis=1) >= 0
        hows = [pos_keys[i][3] for i in held_rows]
        per_how = {h: float(m_pos[[x == h for x in hows]].mean()) for h in sorted(set(hows))}
        fp = {c: float(m_neg[neg_cat == c].mean()) for c in np.unique(neg_cat)}
        results["holdout"][held]["chosen"] = {
            "recognised": float(m_pos.mean()),
            "per_layout_or_edit": per_how,
            "false_common": fp,
        }
        print(
            f"  held out {held}: recognised {m_pos.mean():.3f} ("
            + ", ".join(f"{h} {v:.2f}" for h, v in per_how.items())
            + "); false common "
            + ", ".join(f"{c} {v:.4f}" for c, v in fp.items())
        )
    # the chosen thresholds on the full reference (all sources): negatives only
    ncos = neg_vec @ ref_vec.T
    margin = (ncos - chosen[None]).max(axis=1)
    results["chosen"] = {
        "thresholds": REFERENCE_COSINE,
        "false_common": {
            c: f"{int((margin[neg_cat == c] >= 0).sum())}/{int((neg_cat == c).sum())}"
            for c in np.unique(neg_cat)
        },
        "false_common_examples": [
            (neg[i][0], names[int((ncos[i] - chosen).argmax())], float(ncos[i].max()))
            for i in np.where(margin >= 0)[0][:20]
        ],
    }
    pdq_fp = _pdq_false(neg, refs)
    results["chosen"]["pdq_false_matches"] = pdq_fp
    print(json.dumps(results["chosen"], indent=1))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    print(f"wrote {args.json}")


def _pdq_false(neg: list, refs: list[Ref]) -> dict:
    """Ordinary pictures whose PDQ hash matches a reference row (usable hashes, <= 31 bits)."""
    rh = [pdq_dihedral(r.image) for r in refs]
    ok = np.array([q >= 50 for _, q in rh])
    rcodes = codes([h[0] for h, _ in rh])[ok]
    hits: dict[str, int] = {}
    for _key, cat, make in neg:
        h, q = pdq_dihedral(make())
        if q < 50 or not len(rcodes):
            continue
        if int(distance_matrix(codes(list(h)), rcodes).min()) <= MATCH_BITS:
            hits[cat] = hits.get(cat, 0) + 1
    return hits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", choices=("build", "measure"), default="build")
    ap.add_argument("--whitening", action="store_true", help="refit the whitening too")
    ap.add_argument("--logos", type=int, default=1000)
    ap.add_argument("--logo-edits", type=int, default=150)
    ap.add_argument("--emoji", type=int, default=800)
    ap.add_argument("--taus", type=float, nargs="*", default=[0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8])
    ap.add_argument("--json", type=Path, default=data.CACHE / "commonness-measure.json")
    args = ap.parse_args()
    build(args) if args.what == "build" else measure(args)


if __name__ == "__main__":
    main()
