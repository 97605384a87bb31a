"""A long stress of the desktop app under faulthandler: while folders are classified again and again, switch
between the Filters, Feature maps and Grad-CAM tabs, click rows, sort, filter, and switch the backend — the mix
after which a segfault in the worker thread was once seen. Any crash prints every thread's Python stack; any
exception in a slot fails the run.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -X faulthandler benchmarks/gui_stress.py [--minutes 5] [--seed 0]

(or under Xvfb with DISPLAY set, for a real X connection). Exit 0 with a count of the actions done, 1 if an
exception escaped, or the crash's signal.
"""

from __future__ import annotations

import argparse
import faulthandler
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--images", type=int, default=120)
    args = parser.parse_args()
    faulthandler.enable(all_threads=True)
    home = Path(tempfile.mkdtemp(prefix="alexnet-gui-stress-"))
    os.environ["ALEXNET_GUI_CACHE"] = str(home / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    errors: list[str] = []
    previous_hook = sys.excepthook

    def record(kind, value, tb):  # an exception raised in a Qt slot arrives here
        errors.append(f"{kind.__name__}: {value}")
        previous_hook(kind, value, tb)

    sys.excepthook = record
    try:
        from alexnet_gui.gui.widgets.insight_views import install_views
        from PIL import Image
        from PySide6.QtCore import QSettings, Qt, QTimer
        from PySide6.QtWidgets import QApplication

        from alexnet_gui.gui.main_window import MainWindow
        from alexnet_gui.gui.settings import Settings

        folder = home / "images"
        folder.mkdir()
        rng = random.Random(args.seed)
        for i in range(args.images):
            size = (rng.randint(64, 640), rng.randint(64, 480))
            Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(
                folder / f"img{i:04d}.{'jpg' if i % 2 else 'png'}")
        app = QApplication(sys.argv[:1])
        settings = Settings(QSettings(str(home / "settings.ini"), QSettings.Format.IniFormat))
        settings.weights_mode, settings.backend = "untrained", "onnx"
        window = MainWindow(settings)
        views = install_views(window)
        window.show()
        window.start()
        tabs = [window.tabs.widget(i) for i in range(window.tabs.count())]
        counts: dict[str, int] = {}
        end = time.monotonic() + args.minutes * 60

        def act() -> None:
            if time.monotonic() > end:
                app.quit()
                return
            choice = rng.random()
            if not window.is_busy() and choice < 0.05:
                name = "classify the folder again"
                window.model.clear()
                window.add_paths([str(folder)])
            elif choice < 0.45:
                name = "switch tab"
                window.tabs.setCurrentWidget(rng.choice(tabs))
            elif choice < 0.8 and window.model.rowCount():
                name = "click a row"
                window.table.selectRow(rng.randrange(window.model.rowCount()))
            elif choice < 0.87:
                name = "sort"
                window.table.sortByColumn(rng.choice([1, 2, 3, 4]), rng.choice(list(Qt.SortOrder)))
            elif choice < 0.93:
                name = "filter"
                window.filter_edit.setText(rng.choice(["", "m", "ma", "sa", "x"]))
            elif choice < 0.97:
                name = "switch backend"
                window.backend_combo.setCurrentIndex(1 - window.backend_combo.currentIndex())
            else:
                name = "switch layer"
                combo = views["features"].layer
                combo.setCurrentIndex(rng.randrange(combo.count()))
            counts[name] = counts.get(name, 0) + 1
            QTimer.singleShot(rng.randint(5, 60), act)

        QTimer.singleShot(2000, act)
        app.exec()
        window.close()
        print(f"{sum(counts.values())} actions in {args.minutes:g} min, no crash: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if errors:
            print(f"{len(errors)} exception(s) in slots, first: {errors[0]}")
            return 1
        return 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
