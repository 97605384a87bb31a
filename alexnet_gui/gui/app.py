"""Start the desktop app: the window shows first; torch and the model load afterwards on the worker thread."""

from __future__ import annotations

import os
import sys


def main(paths: list[str] | None = None, *, qt_args: list[str] | None = None, options=None) -> int:
    """Open the main window with `paths` queued (and Qt's own options, like `-style fusion`); with
    `options.project` (`gui.app_options`), on that labelling project with `paths` added to it; return the exit
    status."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1] + list(qt_args or []))
    app.setApplicationName("alexnet-gui")
    app.setOrganizationName("alexnet-gui")
    app.setApplicationDisplayName("alexnet-gui")
    app.setDesktopFileName("alexnet-gui")  # matches resources/alexnet-gui.desktop, so docks show its icon

    from alexnet_gui.gui.settings import Settings
    from alexnet_gui.gui.theme import apply_theme
    from alexnet_gui.gui.translation import install_translations

    install_translations(app)  # before any widget: their strings are translated when made
    settings = Settings()
    if settings.theme != "system":
        apply_theme(app, settings.theme)

    from alexnet_gui.gui.app_icon import (
        FIRST_FRAME_ENV,
        application_icon,
        quit_after_first_frame,
    )

    app.setWindowIcon(application_icon())

    from alexnet_gui.gui.main_window import MainWindow
    from alexnet_gui.gui.views import install_views
    from alexnet_gui.gui.widgets.labelling_menu import install_labelling

    project = options.project if options is not None else None
    window = MainWindow(settings, paths=None if project else list(paths or []))
    install_views(window)
    labelling = install_labelling(window)
    if os.environ.get(FIRST_FRAME_ENV):
        quit_after_first_frame(window)
    window.show()
    window.start()
    if project:
        # After the model's load was queued: the project's new images are classified once it has loaded.
        labelling.labelling.open(project, list(paths or []))
        if options.review:
            labelling.show_review()
    return app.exec()
