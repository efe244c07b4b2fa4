"""The model card: what the scorer was trained on, its features and weights, and its measured
quality on held-out groups beside the naive peers, written next to the artifact."""

from __future__ import annotations

from typing import Any

HEADLINE = (
    ("roc_auc", "ROC-AUC"),
    ("average_precision", "average precision"),
    ("recall_at_precision_0.99", "recall at precision 0.99"),
    ("recall_at_fpr_0.001", "recall at FPR 0.1%"),
    ("ece", "expected calibration error"),
    ("attribution_top1", "attribution top-1 (right banned account)"),
    ("group_top1", "group top-1"),
)


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
        "",
        "## Bands (chosen on validation, reported on test)",
        f"- `block` ≥ {artifact['bands']['block']}: precision "
        f"{_f(test['block']['precision'])}, recall {_f(test['block']['recall'])} on test.",
        f"- `review` ≥ {artifact['bands']['review']}: precision "
        f"{_f(test['review']['precision'])} for the review band alone.",
        "",
        "## Quality on held-out test groups",
        "",
        "| metric | mirrorscan | validation | rapidfuzz name-only | pHash avatar-only |",
        "|---|---|---|---|---|",
    ]
    for key, label in HEADLINE:
        row = [_f(test.get(key)), _f(val.get(key))]
        row += [_f(peers.get(p, {}).get(key)) for p in ("rapidfuzz_name_only", "phash_avatar_only")]
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
