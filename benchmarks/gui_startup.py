"""Launch the desktop app exactly as `alexnet-gui IMAGE` does, and report when the window was first painted
and when the first top-5 bars were shown; then close the window. Used by `bench.py` with
QT_QPA_PLATFORM=offscreen. Timestamps are wall-clock (time.time()) so the parent can subtract its launch time.

The hooks are observers installed before launch: a paint-event filter and a wrapper around
`PredictionBars.set_predictions`; the app's own start-up order is unchanged.
"""

import atexit
import runpy
import sys
import time


def main() -> None:
    image = sys.argv[1]
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.widgets.prediction_bars import PredictionBars

    stamps: dict[str, float] = {}

    def report() -> None:
        for key, value in stamps.items():
            print(f"STAMP {key} {value:.6f}", file=sys.stderr, flush=True)
        print(f"TORCH_IMPORTED {'torch' in sys.modules}", file=sys.stderr, flush=True)

    atexit.register(report)

    class PaintWatcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if "window" not in stamps and event.type() == QEvent.Type.Paint:
                win = obj.window() if hasattr(obj, "window") else None
                if isinstance(win, MainWindow):
                    stamps["window"] = time.time()
            return False

    watcher = PaintWatcher()
    original_show = MainWindow.show

    def show(self):
        QApplication.instance().installEventFilter(watcher)
        return original_show(self)

    MainWindow.show = show
    original_set = PredictionBars.set_predictions

    def set_predictions(self, predictions, message=""):
        original_set(self, predictions, message)
        if predictions and "top5" not in stamps:
            stamps["top5"] = time.time()
            win = self.window()
            QTimer.singleShot(0, win.close)

    PredictionBars.set_predictions = set_predictions
    # A safety net: never hang the benchmark on a start-up that does not finish.
    QTimer_guard = [None]

    def arm_guard():
        if QTimer_guard[0] is None and QApplication.instance() is not None:
            QTimer_guard[0] = True
            QTimer.singleShot(60_000, QApplication.instance().quit)

    original_show2 = MainWindow.show

    def show_with_guard(self):
        arm_guard()
        return original_show2(self)

    MainWindow.show = show_with_guard
    sys.argv = ["alexnet-gui", image]
    try:
        runpy.run_module("alexnet_gui", run_name="__main__", alter_sys=True)
    except SystemExit:
        pass


if __name__ == "__main__":
    main()
