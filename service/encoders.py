"""Which encoders the settings name, and whether the scorer was trained on them: a scorer's
calibration and bands hold only for the encoders whose vectors it was fit on. ``serve`` runs the
preflight before it starts; ``Pipeline.open`` checks again when it loads."""

from __future__ import annotations

import logging

from service.config import Settings
from service.errors import MirrorscanError
from service.features.image import ImageEncoder, image_encoder
from service.features.text import TextEncoder, text_encoder
from service.scoring.model import LogisticScorer

log = logging.getLogger(__name__)


class EncoderMismatch(MirrorscanError):
    """The scorer was trained on other encoders than those loaded: its calibration and bands
    would silently not hold."""

    status = 500
    title = "The scorer was trained on other encoders"
    type_slug = "encoder-mismatch"
    public = False  # a configuration fault: the operator reads it in the log


def check_scorer_encoders(
    scorer: LogisticScorer, text_name: str, image_name: str, *, allow: bool
) -> None:
    """Refuse a scorer whose ``trained_on.encoders`` differ from the loaded encoders (the
    ``onnx-int8`` runtime, ``minilm``, the fake encoders against an e5 scorer). ``allow``
    (``models.allow_encoder_mismatch``) lets it start, logging an error on every start. An
    artifact that records no encoders is let through with a warning."""
    trained = scorer.metadata.get("trained_on") or {}
    recorded = trained.get("encoders") if isinstance(trained, dict) else None
    if not isinstance(recorded, dict):
        log.warning("scorer %s does not record the encoders it was trained on", scorer.version)
        return
    loaded = {"text": text_name, "image": image_name}
    differ = [f"{k}: trained on {recorded.get(k)!r}, loaded {v!r}"
              for k, v in loaded.items() if recorded.get(k) != v]  # fmt: skip
    if not differ:
        return
    message = (
        f"scorer {scorer.version} does not fit the loaded encoders ({'; '.join(differ)}): "
        "retrain it on these encoders, or configure the ones it was trained on"
    )
    if allow:
        log.error("MODELS__ALLOW_ENCODER_MISMATCH is set: %s; probabilities and bands are NOT "
                  "calibrated", message)  # fmt: skip
        return
    raise EncoderMismatch(message)


def configured_encoders(settings: Settings) -> tuple[TextEncoder, ImageEncoder]:
    """The encoders the settings name, not loaded yet (their names are known)."""
    m = settings.models
    text = text_encoder(m.text, settings.model_dir, m.text_query_prefix, m.fake,
                        m.text_runtime, m.text_cache_size)  # fmt: skip
    return text, image_encoder(m.image, m.fake, settings.model_dir)


def preflight(settings: Settings) -> None:
    """What ``serve`` checks before it starts: the scorer fits the configured encoders."""
    text, image = configured_encoders(settings)
    scorer = LogisticScorer.load(settings.models.scorer_path)
    check_scorer_encoders(scorer, text.name, image.name,
                          allow=settings.models.allow_encoder_mismatch)  # fmt: skip
