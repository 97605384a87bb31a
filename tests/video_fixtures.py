"""A generated video file (there is no camera here): scikit-image's photos panning across 640x480 frames, MJPG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_video(path: Path, frames: int = 60, size: tuple[int, int] = (640, 480), fps: int = 30) -> Path:
    """Write `frames` frames that pan across the cat and the coffee photos; return the path."""
    import cv2
    from skimage import data

    wide = np.concatenate([np.asarray(Image.fromarray(p).resize((size[0], size[1]))) for p in
                           (data.chelsea(), data.coffee(), data.chelsea())], axis=1)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    try:
        for i in range(frames):
            x = int(i * (wide.shape[1] - size[0]) / max(frames - 1, 1))
            writer.write(cv2.cvtColor(np.ascontiguousarray(wide[:, x:x + size[0]]), cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    return path
