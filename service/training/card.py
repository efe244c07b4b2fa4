"""The model card: what the scorer was trained on, its features and weights, and its measured
quality on held-out groups beside the naive peers, written next to the artifact."""

from __future__ import annotations

from typing import Any

HEADLINE = (
    ("legit_in_block", "legitimate accounts in block"),
    ("legit_in_review_share", "share of legitimate accounts in review"),
    ("block.precision", "block precision"),
    ("block.recall", "block recall"),
    ("recall_review_or_block", "recall in review or block"),
    ("ece", "expected calibration error (at the set's prevalence)"),
    ("roc_auc", "ROC-AUC (curve summary)"),
    ("average_precision", "average precision (curve summary)"),
    ("recall_at_precision_0.99", "recall at precision 0.99 chosen on the set (curve summary)"),
    ("recall_at_fpr_0.001", "recall at FPR 0.1% chosen on the set (curve summary)"),
    ("attribution_top1", "attribution top-1 (right banned account)"),
    ("group_top1", "group top-1"),
)


PEERS = ("rapidfuzz_name_only", "phash_avatar_only")


def _get(metrics: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        metrics = metrics.get(part) if isinstance(metrics, dict) else None  # type: ignore[assignment]
    return metrics


def _f(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def render(artifact: dict[str, Any], command: str) -> str:
    metrics = artifact["metrics"]
    test, val = metrics["test"], metrics["validation"]
    peers = metrics.get("peers_test", {})
    trained = artifact["trained_on"]
    gen = trained.get("generator") or {}
    lines = [
        f"# Model card: mirrorscan scorer `{artifact['version']}`",
        "",
        "## What it is",
        artifact.get("description", ""),
        "Every (profile, banned account) pair gets named comparison features (name, handle, bio,",
        "links, identity, avatar); each present feature contributes `a·w·(x − c)` log-odds, where",
        "`c` is its typical value on unrelated pairs, so the explanation of a score is exact.",
        "An absent channel contributes nothing. Account score = best pair.",
        "",
        "## Training data",
        f"- Reproduce: `mirrorscan model generate DATA --seed {gen.get('seed', 7)} "
        f"--images {gen.get('images', 'real')}`, then `{command}` (DATA was "
        f"`{trained.get('data')}`)",
        f"- Generator: seed {gen.get('seed')}, {gen.get('groups')} groups, images: "
        f"{gen.get('images')}; sources: {', '.join(gen.get('sources', []))}.",
        "- Splits by group (a test group is never trained on): "
        + "; ".join(
            f"{name} {c['bank']} banned accounts, {c['candidates']} candidates"
            for name, c in (gen.get("splits") or {}).items()
        ),
        f"- Fitted on {trained['pairs']} pairs ({trained['positive_pairs']} positive), "
        f"{trained['moderator_decisions']} moderator decisions; encoders: {trained['encoders']}.",
        *_likeness(artifact.get("avatar_likeness")),
        "",
        "## Probability, prevalence and bands",
        "The model gives a log-likelihood ratio (the calibration's own prior, "
        f"{_f(artifact['calibration'].get('prevalence', 0.5))} mirrors among its candidates, "
        "taken out); the service applies it to the configured prevalence "
        "(`MIRRORSCAN_SCORING__PREVALENCE`). Bands are precision targets at that prevalence, "
        "computed from the calibration data kept in the artifact, and `block` also needs "
        "decisive identity evidence or two agreeing signal families "
        "(`service/scoring/policy.py`).",
        "",
        "| prevalence | block ≥ (probability / LLR) | review ≥ (probability / LLR) |",
        "|---|---|---|",
        *(
            f"| {_f(b['prevalence'])} ({where}) | {_f(b['block'])} / {_f(b['block_llr'])} | "
            f"{_f(b['review'])} / {_f(b['review_llr'])} |"
            for where, b in (artifact.get("bands") or {}).items()
            if isinstance(b, dict) and "prevalence" in b
        ),
        "",
        f"On test, at its own prevalence: `block` precision {_f(test['block']['precision'])}, "
        f"recall {_f(test['block']['recall'])}, {test['block'].get('legit', '?')} legitimate "
        f"accounts in block; `review` holds {_f(test.get('legit_in_review_share'))} of the "
        "legitimate accounts.",
        "",
        "## Quality on held-out test groups",
        "",
        "| metric | mirrorscan | validation | rapidfuzz name-only | pHash avatar-only |",
        "|---|---|---|---|---|",
    ]
    for key, label in HEADLINE:
        row = [_f(_get(test, key)), _f(_get(val, key))]
        row += [
            _f(_get(peers.get(p, {}), key)) for p in ("rapidfuzz_name_only", "phash_avatar_only")
        ]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    lines += [
        "",
        f"Test set: {test['candidates']} candidates, {test['positives']} mirrors, "
        f"{test['negatives']} hard negatives and ordinary accounts.",
        "",
        "### Per evasion family (test)",
        "",
        "| family | n | ROC-AUC | recall in block | recall in review or block | group top-1 |",
        "|---|---|---|---|---|---|",
    ]
    fams = test["families"]
    for name, m in fams.items():
        if m["kind"] == "mirror":
            lines.append(
                f"| {name} | {m['count']} | {_f(m['roc_auc'])} | {_f(m['recall_block'])} | "
                f"{_f(m['recall_review_or_block'])} | {_f(m['group_top1'])} |"
            )
    lines += [
        "",
        "| negative kind | n | in block | in review | max score |",
        "|---|---|---|---|---|",
    ]
    for name, m in fams.items():
        if m["kind"] == "negative":
            lines.append(
                f"| {name} | {m['count']} | {m['in_block']} | {m['in_review']} | "
                f"{_f(m['max_score'])} |"
            )
    lines += ["", "## Weights", "", "| feature | weight | center |", "|---|---|---|"]
    for name, w in sorted(artifact["weights"].items(), key=lambda kv: -abs(kv[1])):
        lines.append(f"| `{name}` | {w:.3f} | {artifact['centers'].get(name, 0.0):.3f} |")
    lines += [
        "",
        "## Limits",
        "- Trained on generated evasions of real group names; real mirrors may evade in ways the",
        "  generator does not know. Moderator decisions (`--with-decisions`) correct for that.",
        "- Calibration is measured on generated held-out groups; the share of mirrors among real",
        "  traffic is far lower, so a score is the probability *given* the candidates of such a",
        "  population; re-calibrate on decisions before automating on a new platform.",
        "",
    ]
    return "\n".join(lines)


def _likeness(raw: Any) -> list[str]:
    """The avatar likeness reference line (``service/scoring/likeness.py``), when stored."""
    if not isinstance(raw, dict):
        return []
    return [
        f"- Avatar likeness reference: the unrelated training candidates' best avatar cosine is "
        f"{_f(raw.get('cosine', 0.0))} at quantile {raw.get('quantile')} ({raw.get('profiles')} "
        "profiles); a deployment whose scored profiles are more alike to the bank weighs avatar "
        "cosines on this scale (docs/scoring.md)."
    ]
