"""The request benchmark's bank: N synthetic banned accounts imported through the real pipeline
(e5 for names and bios, EfficientNet-Lite0 and PDQ for the few with avatars), cached under
``~/.cache/mirrorscan-bench`` because encoding 20,000 accounts takes many minutes on 2 cores.

    PYTHONPATH=$PWD python benchmarks/http_bank.py --accounts 20000

The cache folder is named by the account count, the generator version and the text model, and
holds a ``READY`` marker written only after the import and the snapshot completed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from benchmarks.profiles import GENERATOR_VERSION, write_bank_jsonl

CACHE = Path.home() / ".cache" / "mirrorscan-bench"


def bank_dir(n: int, text_model: str = "e5-small") -> Path:
    return CACHE / f"http-bank-{n}-g{GENERATOR_VERSION}-{text_model}"


def ensure_bank(n: int, text_model: str = "e5-small") -> Path:
    """The data dir of an imported bank of ``n`` accounts; builds it when absent."""
    folder = bank_dir(n, text_model)
    data_dir = folder / "data"
    if (folder / "READY").exists():
        return data_dir
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from service.cli.common import progress_bar
    from service.config import ModelSettings, Settings
    from service.ingest.files import count_lines
    from service.pipeline import Pipeline
    from service.usecases.batch import import_file

    if folder.exists():
        shutil.rmtree(folder)  # an interrupted build
    source = write_bank_jsonl(n, folder / "source")
    settings = Settings(data_dir=data_dir, models=ModelSettings(text=text_model))
    started = time.perf_counter()
    pipeline = Pipeline.open(settings)
    try:
        with progress_bar("importing the benchmark bank", count_lines(source)) as advance:
            report = import_file(pipeline, source, batch_size=256, advance=advance)
        pipeline.write_snapshot()
    finally:
        pipeline.close()
    summary = {**report.as_dict(), "import_s": round(time.perf_counter() - started, 1)}
    (folder / "READY").write_text(json.dumps(summary))
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--text-model", default="e5-small")
    args = parser.parse_args()
    data_dir = ensure_bank(args.accounts, args.text_model)
    print(data_dir)
    print((data_dir.parent / "READY").read_text())


if __name__ == "__main__":
    main()
