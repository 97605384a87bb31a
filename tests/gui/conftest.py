"""GUI tests run offscreen with isolated settings; windows load the seeded untrained network."""

import os

# A desktop-sized screen (Qt's offscreen default is 800x800): the window sizes itself to fit its screen.
os.environ.setdefault(
    "QT_QPA_PLATFORM", "offscreen:configfile=" + os.path.join(os.path.dirname(__file__), "offscreen_screen.json")
)

import pytest  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def english_interface(qapp):
    """The app's English catalogue (its plural forms: "1 image", "3 images"), as `gui.app.main` installs it; a
    test of another language installs that one and puts English back."""
    from alexnet_gui.gui.translation import install_translations

    install_translations(qapp, "en")
    yield
    install_translations(qapp, "en")


@pytest.fixture
def settings(tmp_path):
    from alexnet_gui.gui.settings import Settings

    s = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    s.weights_mode = "untrained"
    s.backend = "torch"
    return s


@pytest.fixture
def window(qtbot, settings):
    from alexnet_gui.gui.main_window import MainWindow

    win = MainWindow(settings)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model_ready, timeout=60000):
        win.start()
    yield win
    win.close()
    assert not win.handle.thread.isRunning()
