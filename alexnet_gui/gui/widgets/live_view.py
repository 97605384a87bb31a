"""Tools > Live view: a camera or a video file, its top-5 and one layer's feature maps updating frame by frame,
with Pause, Step and Snapshot (the frame saved as a PNG and added to the main table).

Frames are read and classified on the window's inference worker, one request at a time: the next frame is asked
for when the last one has been drawn, so a slow model drops nothing and never queues up, and the window's own
model (its card, its backend) is what runs. The capture lives on the worker thread only.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from alexnet_gui.gui.accessibility import describe
from alexnet_gui.gui.widgets.image_canvas import ImageCanvas
from alexnet_gui.gui.widgets.prediction_bars import PredictionBars

VIDEO_FILTER = QT_TRANSLATE_NOOP("LiveDialog", "Videos (*.mp4 *.avi *.mkv *.mov *.webm *.mpg *.mpeg);;All files (*)")


class LiveDialog(QDialog):
    """The live view of one camera or video."""

    def __init__(self, context) -> None:
        super().__init__(context.parent)
        self.context = context  # the app's AppContext: its jobs, the loaded card, add_paths
        self.setWindowTitle(self.tr("Live view"))
        self.source_edit = QLineEdit("0")
        self.source_edit.setToolTip(self.tr("A camera number (0 is the first camera) or a video file"))
        browse = QPushButton(self.tr("Video file…"))
        browse.clicked.connect(self._browse)
        self.layer = QComboBox()
        self.layer.addItem(self.tr("no feature maps"), None)
        card = context.card()
        for name in (card.layer_names() if card is not None else ()):
            self.layer.addItem(name, name)
        self.layer.setCurrentIndex(max(0, self.layer.findData("relu2")))
        self.start_button = QPushButton(self.tr("Start"))
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton(self.tr("Pause"))
        self.pause_button.setCheckable(True)
        self.pause_button.setEnabled(False)
        self.pause_button.toggled.connect(self._on_pause)
        self.step_button = QPushButton(self.tr("Step"))
        self.step_button.setEnabled(False)
        self.step_button.clicked.connect(self.step)
        self.snapshot_button = QPushButton(self.tr("Snapshot to table"))
        self.snapshot_button.setEnabled(False)
        self.snapshot_button.clicked.connect(self.snapshot)
        self.frame = ImageCanvas(smooth=True, message=self.tr("Press Start"))
        describe(self.frame, self.tr("Video frame"), self.tr("The frame being classified"))
        self.maps = ImageCanvas(message="")
        describe(
            self.maps, self.tr("Feature maps of the frame"), self.tr("The chosen layer's activations for this frame")
        )
        self.bars = PredictionBars()
        describe(self.bars, self.tr("Top-5 of the frame"))
        describe(self.source_edit, self.tr("Source"))
        describe(self.layer, self.tr("Feature maps"), self.tr("Which layer's activations to show beside the frame"))
        browse.setToolTip(self.tr("Choose a video file instead of a camera"))
        self.start_button.setToolTip(self.tr("Open the source and classify its frames one after another"))
        self.pause_button.setToolTip(self.tr("Stop asking for frames; Resume goes on"))
        self.step_button.setToolTip(self.tr("While paused: classify one more frame"))
        self.snapshot_button.setToolTip(self.tr("Save the frame shown as a PNG and add it to the main table"))
        self.status = QLabel("")
        self._lay_out(browse)

    def _lay_out(self, browse) -> None:
        controls = QHBoxLayout()
        for w in (
            QLabel(self.tr("Source")),
            self.source_edit,
            browse,
            QLabel(self.tr("Feature maps")),
            self.layer,
            self.start_button,
            self.pause_button,
            self.step_button,
            self.snapshot_button,
        ):
            controls.addWidget(w)
        side = QVBoxLayout()
        side.addWidget(self.bars)
        side.addWidget(self.maps, 1)
        body = QHBoxLayout()
        body.addWidget(self.frame, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(body, 1)
        layout.addWidget(self.status)
        self.resize(1200, 640)
        self.running = False
        self.last = None
        self.frames_shown = 0
        self.fps = 0.0
        self._started = 0.0
        self._capture: dict = {}  # the VideoSource, touched only by jobs on the worker thread

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Video file"), "", self.tr(VIDEO_FILTER))
        if path:
            self.source_edit.setText(path)

    def start(self) -> None:
        """Open the source (again) and run frame after frame."""
        self.stop()
        source = self.source_edit.text().strip()
        capture = self._capture

        def open_job(_backend):
            from alexnet_gui.core.pipeline.live import VideoSource

            if capture.get("source") is not None:
                capture["source"].close()
            capture["source"] = VideoSource(source)
            return "opened"

        self.running = True
        self.frames_shown = 0
        self._started = time.perf_counter()
        self.pause_button.setChecked(False)
        for button in (self.pause_button, self.snapshot_button):
            button.setEnabled(True)
        self.status.setText(self.tr("opening {source}…").format(source=source))
        self._ask(open_job)
        self._ask_frame()

    def _ask_frame(self) -> None:
        capture = self._capture
        layer = self.layer.currentData()

        def frame_job(backend):
            from alexnet_gui.core.pipeline.live import classify_frame

            source = capture.get("source")
            if source is None:
                return None
            rgb = source.read()
            while isinstance(rgb, str):  # a frame that cannot be decoded or used: the view shows the next one
                rgb = source.read()
            if rgb is None:
                return "end"
            return classify_frame(backend, rgb, source.index, layer=layer)

        # No supersede key: the view asks for one frame at a time anyway, and none may be skipped.
        self._ask(frame_job)

    def _ask(self, job) -> None:
        """Run `job(backend)` on the inference thread; its answer comes back to this dialog only."""
        handle = self.context.jobs.submit(lambda run: job(run.backend))
        handle.done.connect(self._on_ready)
        handle.failed.connect(self._on_failed)

    def _on_ready(self, payload) -> None:
        if payload in ("opened", None):
            return
        if payload == "end":
            self.running = False
            self.step_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.status.setText(
                self.tr("end of the video: %n frame(s) at {fps:.1f} frames/s", "", self.frames_shown).format(
                    fps=self.fps
                )
            )
            return
        self.show_frame(payload)
        if self.running and not self.pause_button.isChecked():
            self._ask_frame()

    def _on_failed(self, message: str) -> None:
        self.running = False
        # Nothing to pause, step or snapshot once the source failed (a camera that cannot be opened among them).
        for button in (self.pause_button, self.step_button):
            button.setEnabled(False)
        self.snapshot_button.setEnabled(self.frames_shown > 0)
        self.status.setText(message)

    def show_frame(self, frame) -> None:
        """Draw one classified frame."""
        from alexnet_gui.core.analysis.visualize import feature_grid

        self.last = frame
        self.frames_shown += 1
        elapsed = time.perf_counter() - self._started
        self.fps = self.frames_shown / elapsed if elapsed > 0 else 0.0
        self.frame.set_array(frame.rgb)
        self.bars.set_predictions(frame.top)
        if frame.activations is not None:
            scale = max(1, 96 // frame.activations.shape[1])
            self.maps.set_array(feature_grid(frame.activations, scale=scale)[0])
        else:
            self.maps.set_array(None, "")
        self.status.setText(
            self.tr("frame {index} · {fps:.1f} frames/s · model {ms:.0f} ms · {label} {prob:.1f}%").format(
                index=frame.index,
                fps=self.fps,
                ms=1000 * frame.seconds,
                label=frame.top[0].label if frame.top else frame.error,
                prob=100 * frame.top[0].prob if frame.top else float("nan"),
            )
        )

    def _on_pause(self, paused: bool) -> None:
        self.step_button.setEnabled(paused and self.running)
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if not paused and self.running:
            self._started = time.perf_counter()
            self.frames_shown = 0
            self._ask_frame()

    def step(self) -> None:
        """While paused: one frame more."""
        if self.running and self.pause_button.isChecked():
            self._ask_frame()

    def snapshot(self) -> str | None:
        """Save the frame shown as a PNG (in the cache's snapshots folder) and add it to the main table."""
        from alexnet_gui.core.analysis.visualize import save_png
        from alexnet_gui.core.cache_paths import cache_path

        if self.last is None:
            return None
        folder = cache_path("snapshots")
        folder.mkdir(parents=True, exist_ok=True)
        name = os.path.splitext(os.path.basename(self.source_edit.text().strip()))[0] or "camera"
        path = folder / f"{name}-frame{self.last.index:06d}-{int(time.time())}.png"
        save_png(self.last.rgb, path)
        self.context.add_paths([str(path)])
        self.status.setText(
            self.tr("saved frame {index} as {path} and added it to the table").format(index=self.last.index, path=path)
        )
        return str(path)

    def stop(self) -> None:
        """Stop asking for frames and release the source (on the worker, where it lives)."""
        self.running = False
        capture = self._capture

        def close_job(_backend):
            if capture.get("source") is not None:
                capture.pop("source").close()
            return None

        self._ask(close_job)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.stop()
        super().closeEvent(event)
