"""Avatar likeness weighed against ordinary traffic (issue 12): how alike a profile's avatar is
to its closest banned avatar means different things on different picture populations.

The avatar calibration (``avatar_calibration.json``) was fitted on one image collection, where
unrelated pictures rarely reach an embedding cosine of 0.6. Where profile pictures are drawn
emblems, flat-colour logos or stylised portraits, unrelated pictures reach 0.6-0.7 all the time,
and the calibration reads them as edited copies (on the independent evaluation set, legitimate
accounts' best avatar cosine had a median of 0.63, read as "same picture with probability 0.76",
and was the leading evidence of 11 of the 14 legitimate accounts it blocked).

So the service keeps, per process, a window of the best avatar cosine of the profiles it scores
(most of them unrelated to any banned account) and compares a low quantile of it (the *anchor*,
``ANCHOR_QUANTILE``: robust while mirrors stay a minority of the traffic) with the same quantile
on the unrelated profiles of the scorer's training data (stored with the scorer). When this
traffic's avatars are more alike than the training data's, a cosine is weighed on the piecewise
linear scale through (0, 0), (anchor, reference) and (1, 1) before the calibration reads it: the
ordinary likeness here counts as the ordinary likeness there, and a copy (cosine near 1) stays a
copy. It only ever takes weight off; the anchor is capped at ``MAX_ANCHOR`` so that a flood of
look-alike profiles cannot discount a real copy.

Limits: the window is per process and starts empty (until ``min_profiles`` have been scored,
cosines are read as they are); replicas each learn from their share of the traffic; a profile
scored twice counts twice, moderators' checks included. An edited copy is discounted too: with
the anchor at its cap (0.8) and a reference of 0.4, a copy at cosine 0.85 counts as 0.55. The
statistic is a best cosine over the retrieved accounts, so it rises with the bank's size: a
bank much larger than the training data's reads as more alike than it is (a fixed-rank
neighbour would not; not done). The "same picture" test of bank commonness reads raw cosines,
which can only add commonness (take weight off)."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np

ANCHOR_QUANTILE = 0.25
MAX_ANCHOR = 0.8
_RECOMPUTE = 100  # profiles between two computations of the anchor


def anchored(cos: float, anchor: float | None, reference: float | None) -> float:
    """``cos`` on the scale where this traffic's ``anchor`` is the training data's
    ``reference``; unchanged when either is unknown or this traffic is not more alike."""
    if anchor is None or reference is None or anchor <= reference or cos <= 0.0:
        return cos
    if cos >= anchor:
        return reference + (cos - anchor) * (1.0 - reference) / (1.0 - anchor)
    return cos * reference / anchor


class AvatarLikeness:
    """A bounded window of the best avatar cosine of recently scored profiles."""

    def __init__(self, window: int = 5000, min_profiles: int = 500) -> None:
        self.min_profiles = min_profiles
        self._seen: deque[float] = deque(maxlen=window)
        self._lock = threading.Lock()
        self._anchor: float | None = None
        self._since = 0

    def __len__(self) -> int:
        return len(self._seen)

    def record(self, best_cosine: float) -> None:
        with self._lock:
            self._seen.append(best_cosine)
            self._since += 1

    def quantile(self, q: float = ANCHOR_QUANTILE) -> float | None:
        """The ``q`` quantile of the window (None when it is empty)."""
        with self._lock:
            values = np.fromiter(self._seen, np.float64, len(self._seen))
        return float(np.quantile(values, q)) if values.size else None

    def anchor(self) -> float | None:
        """This traffic's anchor (None until ``min_profiles`` are in the window, or when
        learning is off: ``min_profiles`` 0)."""
        if self.min_profiles <= 0 or len(self._seen) < self.min_profiles:
            return None
        with self._lock:
            due = self._anchor is None or self._since >= _RECOMPUTE
            if due:
                self._since = 0
        if due:
            value = self.quantile()
            self._anchor = None if value is None else min(value, MAX_ANCHOR)
        return self._anchor
