"""``mirrorscan model`` (generate training data, train the scorer) and ``mirrorscan eval``:
offline work over the training package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import (
    DataDir,
    err,
    fail,
    print_json,
    settings_for,
    stage_progress,
)
from service.config import Settings
from service.scoring.model import DEFAULT_PATH


def need_training_extra() -> None:
    """Training and evaluation need the ``[train]`` extra, which a server install leaves out."""
    import importlib.util

    missing = [m for m in ("faker", "sklearn") if importlib.util.find_spec(m) is None]
    if missing:
        raise fail(
            f"this command needs {', '.join(missing)}, which a server install leaves out: "
            "pip install 'mirrorscan\\[train]'",
            2,
        )


app = typer.Typer(
    help="Generate training data, train and evaluate the scorer.", no_args_is_help=True
)


@app.command("generate")
def model_generate(
    out: Annotated[Path, typer.Argument(help="folder for the train/validation/test splits")],
    shared: Annotated[
        Path | None,
        typer.Option(
            help="reference data folder (default: $MIRRORSCAN_SHARED_DATA or ../shared/data)"
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    max_groups: Annotated[int | None, typer.Option(help="use at most this many groups")] = None,
    images: Annotated[
        str, typer.Option(help="'real' (npm logos, flags, emoji) or 'drawn'")
    ] = "real",
) -> None:
    """Generate labelled mirrors and hard negatives of real proscribed groups, split by group."""
    need_training_extra()
    from service.training.generate import Generator
    from service.training.images import drawn_images, real_images
    from service.training.sources import all_groups, dakshina, roman_to_urdu

    shared = shared or Settings().shared_data
    for need in (shared / "sanctions", shared / "translit-ur"):
        if not need.is_dir():
            raise fail(f"{need} is missing: generation needs the reference data", 2)
    groups = all_groups(shared / "sanctions")
    lexicon = dakshina(shared / "translit-ur" / "ur.translit.sampled.train.tsv")
    with err.status("preparing images"):
        pool = real_images(seed) if images == "real" else drawn_images(seed)
    gen = Generator(groups, pool, roman_to_urdu(lexicon), seed=seed)
    splits = gen.build(max_groups)
    counts = {}
    for name, split in splits.items():
        split.write(out / name)
        counts[name] = {"bank": len(split.bank), "candidates": len(split.candidates)}
    meta = {"seed": seed, "groups": len(groups), "max_groups": max_groups, "images": images,
            "sources": ["UN consolidated list", "OFAC SDN (SDGT)", "Dakshina ur (train)",
                        "Faker en_PK/ar_SA/fa_IR/ar_AE"], "splits": counts}  # fmt: skip
    (out / "generator.json").write_text(json.dumps(meta, indent=2))
    print_json(meta)


@app.command("train")
def model_train(
    data: Annotated[Path, typer.Option(help="generated splits (mirrorscan model generate)")],
    out: Annotated[Path, typer.Option(help="artifact to write")] = DEFAULT_PATH,
    with_decisions: Annotated[
        bool, typer.Option(help="add moderator decisions from the data dir's audit log")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Fit, calibrate and write the scorer; prints validation and test metrics."""
    need_training_extra()
    from service.training.card import render
    from service.training.fit import finite
    from service.training.run import train

    report = train(settings_for(data_dir), data, out, with_decisions=with_decisions,
                   progress=stage_progress)  # fmt: skip
    command = "mirrorscan model train --data DATA" + (" --with-decisions" if with_decisions else "")
    card = out.with_name("MODEL_CARD.md")
    card.write_text(render(json.loads(out.read_text()), command))
    err.print(f"wrote {out} and {card}", highlight=False)
    print_json(finite(report))


def evaluate_command(
    bank: Annotated[Path, typer.Argument(help="JSON Lines bank of banned accounts")],
    candidates: Annotated[Path, typer.Argument(help="JSON Lines profiles to score")],
    labels: Annotated[Path, typer.Argument(help='JSON Lines {"id", "account_id", "family"}')],
    prevalence: Annotated[
        float | None,
        typer.Option(help="score at this prevalence (default: the set's own share of mirrors)"),
    ] = None,
    encode_cache: Annotated[
        bool, typer.Option(help="keep the encoders' outputs beside the bank for the next run")
    ] = False,
    learn_traffic: Annotated[
        bool,
        typer.Option(
            help="let the service learn from the candidates as it goes, as a deployment does: "
            "common avatars, and how alike its avatars are to the bank"
        ),
    ] = False,
    details: Annotated[
        Path | None,
        typer.Option(help="write one JSON line per candidate: label, score, band, evidence"),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Score labelled candidates against a bank, at the set's own prevalence: legitimate
    accounts in block (by kind), the share of legitimate accounts in review, block precision and
    recall, calibration error, attribution, per evasion family; then curve summaries (ROC-AUC,
    AP, recall at a precision chosen on the set itself), beside naive peers."""
    need_training_extra()
    from service.training.fit import finite
    from service.training.run import evaluate

    for f in (bank, candidates, labels):
        if not f.is_file():
            raise fail(f"{f} is not a file", 2)
    if prevalence is not None and not 0 < prevalence < 1:
        raise fail("--prevalence must be between 0 and 1", 2)
    cache = bank.parent / ".encode-cache" if encode_cache else None
    settings = settings_for(data_dir)
    report = evaluate(
        settings,
        bank,
        candidates,
        labels,
        stage_progress,
        prevalence,
        cache,
        learn_traffic,
        details,
    )
    print_json(finite(report))
