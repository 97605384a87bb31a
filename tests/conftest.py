"""Shared test set-up: every cache the app could touch points into one temporary folder for the session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Set at import, before any test imports the app, so subprocesses inherit it too: no test reads or writes
# the real user's torch cache, ONNX cache or settings, and the ONNX export is made once per session.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="alexnet-gui-tests-"))
os.environ["ALEXNET_GUI_CACHE"] = str(_SESSION_HOME / "cache")
os.environ["TORCH_HOME"] = str(_SESSION_HOME / "torch")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_HOME / "config")
# English whatever the machine's locale: tests of the Chinese interface ask for it (LANG=zh_CN.UTF-8 without this).
os.environ["LANGUAGE"] = "en"
# Nothing may download from the internet: a download attempt hits a closed loopback port and fails at once.
os.environ["ALEXNET_GUI_WEIGHTS_URL"] = "http://127.0.0.1:9/alexnet-owt-7be5be79.pth"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def untrained_weights():
    """The seeded random network's WeightsChoice."""
    from alexnet_gui.core.model.weights import resolve_weights

    return resolve_weights(untrained=True)


@pytest.fixture(scope="session")
def torch_backend(untrained_weights):
    """A torch backend on the CPU with the seeded random network, shared by the session."""
    from alexnet_gui.core.backends import load_backend

    backend = load_backend("torch", untrained_weights, "cpu")
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def onnx_backend(untrained_weights):
    """An ONNX Runtime backend on the CPU with the seeded random network (exported once per session)."""
    from alexnet_gui.core.backends import load_backend

    backend = load_backend("onnx", untrained_weights, "cpu")
    yield backend
    backend.close()


@pytest.fixture
def no_model(monkeypatch):
    """Resolving weights or loading a backend fails the test: for refusals that must come before any model."""
    from alexnet_gui.commands import classify as classify_command
    from alexnet_gui.commands import model_options
    from alexnet_gui.core.model import weights as weights_module

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the options and the output were checked")

    for module, name in ((weights_module, "resolve_weights"), (model_options, "open_backend"),
                         (model_options, "choose_weights"), (classify_command, "open_backend"),
                         (classify_command, "choose_weights")):
        monkeypatch.setattr(module, name, refuse)
