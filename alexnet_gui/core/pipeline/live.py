"""Frames from a camera or a video file, classified one at a time with one layer's feature maps (the Deep
Visualization Toolbox's live view). OpenCV reads the frames (any camera it knows, any file FFmpeg decodes); each
frame goes through the card's recipe like a photo, and one backend run gives its scores and the layer's maps."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass

import numpy as np

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.language import N_, gettext

#: camera numbers OpenCV is asked for: a larger number is no camera (and overflows OpenCV's int)
MAX_CAMERA = 255
#: a frame OpenCV cannot decode is a row with this reason
UNDECODABLE_FRAME = N_("the frame cannot be decoded")
#: this many undecodable frames in a row end the video: a file damaged from there on is not read to its end
MAX_BAD_FRAMES_IN_A_ROW = 100


@dataclass(frozen=True)
class LiveFrame:
    """One classified frame: its number, pixels (H, W, 3 RGB), top predictions, the layer's maps, seconds taken;
    `error` is why it has no predictions ("" when it has)."""

    index: int
    rgb: np.ndarray
    top: tuple
    activations: np.ndarray | None
    seconds: float
    error: str = ""


class VideoSource:
    """A camera (a number: 0 is the first) or a video file, read a frame at a time."""

    def __init__(self, source: str | int) -> None:
        # FFmpeg's own lines ("[mjpeg @ 0x...] No JPEG data found in image") would repeat what a frame's row says.
        os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
        import cv2

        self.source = source
        camera = str(source).isdigit()
        if camera:
            if int(source) > MAX_CAMERA:
                raise UserError(gettext("there is no camera {source} (camera numbers go from 0 to {most})").format(
                    source=source, most=MAX_CAMERA))
        else:
            check_video_file(str(source))
        self._capture = cv2.VideoCapture(int(source) if camera else str(source))
        if not self._capture.isOpened():
            what = f"camera {source}" if camera else f"video {source}"
            raise UserError(f"cannot open {what} (no such device, or a file OpenCV cannot decode)")
        size = (int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)))
        problem = frame_size_problem(*size) if min(size) > 0 else None
        if problem is not None:
            self._capture.release()
            raise UserError(gettext("{source}: {problem}").format(source=source, problem=problem))
        self.index = -1
        self._bad_in_a_row = 0

    @property
    def frame_count(self) -> int | None:
        """Frames in a video file (None for a camera, or when the file does not say)."""
        import cv2

        count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        return count if count > 0 else None

    def read(self) -> np.ndarray | str | None:
        """The next frame as RGB, the reason it cannot be used (a frame FFmpeg cannot decode, one past the size
        bounds), or None at the end (of a file; of a camera that stops giving frames)."""
        import cv2

        ok, bgr = self._capture.read()
        if not ok:
            count = self.frame_count
            # A failed read before the file's last frame is a damaged frame, not the end: FFmpeg goes on with the
            # next one. Cameras, and files that do not say their length, end at the first failed read.
            if count is None or self.index + 1 >= count or self._bad_in_a_row >= MAX_BAD_FRAMES_IN_A_ROW:
                return None
            self._bad_in_a_row += 1
            self.index += 1
            return UNDECODABLE_FRAME
        self._bad_in_a_row = 0
        self.index += 1
        problem = frame_size_problem(bgr.shape[1], bgr.shape[0])
        if problem is not None:
            return problem
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)

    def close(self) -> None:
        """Release the camera or file."""
        self._capture.release()


def check_video_file(path: str) -> None:
    """Refuse a video path that is not a regular file: OpenCV would wait forever on a FIFO (inside FFmpeg, where no
    signal reaches Python), and read a device without end."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return  # OpenCV says it cannot open it, in the usual sentence
    if not stat.S_ISREG(st.st_mode):
        raise UserError(gettext("{path} is not a regular file (a FIFO or a device cannot be read as a video; a "
                                "camera is given by its number)").format(path=path))


def frame_size_problem(width: int, height: int) -> str | None:
    """Why frames of this size are refused, by the bounds `classify` sets on images (`images.MAX_PIXELS`,
    `images.MAX_ASPECT_RATIO`), or None."""
    from alexnet_gui.core.pipeline.images import MAX_ASPECT_RATIO, MAX_PIXELS

    if width * height > MAX_PIXELS:
        return gettext("frames of {width}x{height} pixels are too large (at most {most} pixels)").format(
            width=width, height=height, most=MAX_PIXELS)
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        return gettext("frames of {width}x{height} pixels are too elongated to classify (at most {ratio}:1)").format(
            width=width, height=height, ratio=MAX_ASPECT_RATIO)
    return None


def classify_frame(backend, rgb: np.ndarray, index: int = 0, *, layer: str | None = None,
                   top_k: int = 5) -> LiveFrame:
    """Classify one frame by the backend's card, with `layer`'s maps when asked (one run of the model). Scores that
    are not numbers give a frame with no predictions and `scores.NAN_SCORES` as its error."""
    from PIL import Image

    from alexnet_gui.core.model.preprocess import preprocess
    from alexnet_gui.core.pipeline.scores import ranked_or_reason, to_probabilities

    start = time.perf_counter()
    card = backend.card
    x = preprocess(Image.fromarray(rgb), card.preprocess)[None]
    if layer is not None:
        scores, maps = backend.predict_with_activations(x, [layer])
        activations = maps[layer][0]
    else:
        scores, activations = backend.predict(x), None
    probs = to_probabilities(scores, card.output)[0]
    top = ranked_or_reason(probs, min(top_k, card.classes), card.labels)
    if isinstance(top, str):
        return LiveFrame(index, rgb, (), activations, time.perf_counter() - start, top)
    return LiveFrame(index, rgb, tuple(top), activations, time.perf_counter() - start)
