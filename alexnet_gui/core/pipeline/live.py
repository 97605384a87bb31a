"""Frames from a camera or a video file, classified one at a time with one layer's feature maps (the Deep
Visualization Toolbox's live view). OpenCV reads the frames (any camera it knows, any file FFmpeg decodes); each
frame goes through the card's recipe like a photo, and one backend run gives its scores and the layer's maps."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from alexnet_gui.core.errors import UserError


@dataclass(frozen=True)
class LiveFrame:
    """One classified frame: its number, pixels (H, W, 3 RGB), top predictions, the layer's maps, seconds taken."""

    index: int
    rgb: np.ndarray
    top: tuple
    activations: np.ndarray | None
    seconds: float


class VideoSource:
    """A camera (a number: 0 is the first) or a video file, read a frame at a time."""

    def __init__(self, source: str | int) -> None:
        import cv2

        self.source = source
        self._capture = cv2.VideoCapture(int(source) if str(source).isdigit() else str(source))
        if not self._capture.isOpened():
            what = f"camera {source}" if str(source).isdigit() else f"video {source}"
            raise UserError(f"cannot open {what} (no such device, or a file OpenCV cannot decode)")
        self.index = -1

    @property
    def frame_count(self) -> int | None:
        """Frames in a video file (None for a camera, or when the file does not say)."""
        import cv2

        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        return count if count > 0 else None

    def read(self) -> np.ndarray | None:
        """The next frame as RGB, or None at the end of a file."""
        import cv2

        ok, bgr = self._capture.read()
        if not ok:
            return None
        self.index += 1
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        """Release the camera or file."""
        self._capture.release()


def classify_frame(backend, rgb: np.ndarray, index: int = 0, *, layer: str | None = None,
                   top_k: int = 5) -> LiveFrame:
    """Classify one frame by the backend's card, with `layer`'s maps when asked (one run of the model)."""
    from PIL import Image

    from alexnet_gui.core.model.preprocess import preprocess
    from alexnet_gui.core.pipeline.scores import to_probabilities, top_predictions

    start = time.perf_counter()
    card = backend.card
    x = preprocess(Image.fromarray(rgb), card.preprocess)[None]
    if layer is not None:
        scores, maps = backend.predict_with_activations(x, [layer])
        activations = maps[layer][0]
    else:
        scores, activations = backend.predict(x), None
    probs = to_probabilities(scores, card.output)[0]
    top = top_predictions(probs, min(top_k, card.classes), card.labels)
    return LiveFrame(index, rgb, tuple(top), activations, time.perf_counter() - start)
