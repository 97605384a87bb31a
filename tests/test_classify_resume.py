"""classify --resume after Ctrl+C, --tta on the command line, and the provenance sidecar next to the CSV."""

import json
import os

import pytest

from alexnet_gui.cli import main
from alexnet_gui.commands import classify as classify_command
from alexnet_gui.core.outputs.results import csv_header
from tests.known_answers import ColourCodedBackend, use_backend, write_colour_folder, write_colour_image

ANSWERS = {code: [code, code + 1, 2, 3, 4] for code in range(10, 120, 10)}


class InterruptingBackend(ColourCodedBackend):
    """Answers like ColourCodedBackend until its Nth batch, where the user presses Ctrl+C."""

    def __init__(self, answers, interrupt_at):
        super().__init__(answers)
        self.calls = 0
        self.interrupt_at = interrupt_at

    def predict(self, batch):
        self.calls += 1
        if self.calls == self.interrupt_at:
            raise KeyboardInterrupt
        return super().predict(batch)


@pytest.fixture
def images(tmp_path):
    return write_colour_folder(tmp_path / "in")


def classify(images, out, *extra):
    return main(["classify", str(images), "--out", str(out), "--batch-size", "2", "--top-k", "3", *extra])


def test_resume_after_ctrl_c_gives_the_same_csv_as_one_uninterrupted_run(tmp_path, images, monkeypatch, capsys):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    assert classify(images, tmp_path / "whole.csv") == 0

    use_backend(monkeypatch, InterruptingBackend(ANSWERS, interrupt_at=3))
    out = tmp_path / "out.csv"
    assert classify(images, out) == 130
    assert "interrupted: 4 of 11 rows" in capsys.readouterr().err
    assert len(out.read_text().splitlines()) == 1 + 4
    first = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert first["interrupted"] is True and first["counts"]["rows"] == 4

    backend = ColourCodedBackend(ANSWERS)
    seen = []
    real_predict = backend.predict
    backend.predict = lambda batch: seen.append(len(batch)) or real_predict(batch)
    use_backend(monkeypatch, backend)
    assert classify(images, out, "--resume") == 0
    assert "resuming: 4 of 11 images already done" in capsys.readouterr().err
    assert sum(seen) == 7  # only the rest was classified
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    prov = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert prov["counts"] == {
        "images": 11, "classified": 7, "failed": 0, "kept_from_earlier_run": 4, "skipped_unchanged": 4, "rows": 11,
    }
    assert prov["interrupted"] is False

    # Everything done: a further resume changes nothing and loads no model.
    use_backend(monkeypatch, None)
    assert classify(images, out, "--resume") == 0
    assert "nothing to do: all 11 images" in capsys.readouterr().err


def test_resume_redoes_a_changed_file_and_appends_it(tmp_path, images, monkeypatch):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert classify(images, out) == 0
    changed = images / "img020.png"
    write_colour_image(changed, 110, size=(80, 60))  # now looks like code 110
    assert classify(images, out, "--resume") == 0
    rows = out.read_text().splitlines()
    assert len(rows) == 12
    assert rows[-1].startswith(f"{changed},,110,")
    assert [r.split(",")[0] for r in rows[1:-1]] == [str(p) for p in sorted(images.iterdir()) if p != changed]


def test_resume_without_a_csv_starts_fresh_and_other_top_k_is_refused(tmp_path, images, monkeypatch, capsys):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert classify(images, out, "--resume") == 0
    assert len(out.read_text().splitlines()) == 12
    assert main(["classify", str(images), "--out", str(out), "--top-k", "5", "--resume"]) == 2
    assert "columns of --top-k 3, not of --top-k 5" in capsys.readouterr().err


def test_provenance_sidecar_records_the_run(tmp_path, images, monkeypatch):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    (images / "broken.jpg").write_bytes(b"not a jpeg")
    out = tmp_path / "out.csv"
    assert classify(images, out, "--tta", "10crop") == 1
    prov = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    from alexnet_gui import __version__

    assert prov["app"] == "alexnet-gui" and prov["version"] == __version__
    assert (prov["backend"], prov["device"], prov["provider"]) == ("colour", "cpu", "numpy")
    assert prov["weights"]["source"] == "colour code"
    assert prov["top_k"] == 3 and prov["tta"] == "10crop"
    assert prov["preprocessing"]["resize_short_side"] == 256 and prov["preprocessing"]["crop"] == 224
    assert prov["preprocessing"]["mean"] == [0.485, 0.456, 0.406]
    assert prov["counts"] == {
        "images": 12, "classified": 11, "failed": 1, "kept_from_earlier_run": 0, "skipped_unchanged": 0, "rows": 12,
    }
    assert prov["started"] <= prov["finished"]
    assert prov["inputs"] == [str(images)]
    record = json.loads((tmp_path / "out.csv.resume.json").read_text())
    assert len(record["files"]) == 12
    st = os.stat(images / "img010.png")
    assert [str(images / "img010.png"), st.st_size, st.st_mtime_ns] in record["files"]


def test_weights_file_sha256_is_recorded(tmp_path):
    import hashlib

    from alexnet_gui.core.outputs.provenance import weights_record

    class Choice:
        kind, path, source = "pth", tmp_path / "w.pth", "file w.pth"

    Choice.path.write_bytes(b"weights")
    record = weights_record(Choice(), ColourCodedBackend(ANSWERS))
    assert record == {
        "source": "colour code", "kind": "pth", "file": str(Choice.path),
        "sha256": hashlib.sha256(b"weights").hexdigest(),
    }


def test_provenance_of_a_real_backend_names_what_ran(tmp_path, images):
    out = tmp_path / "out.csv"
    assert main(["classify", str(images / "img010.png"), "--out", str(out), "--untrained", "--backend", "torch",
                 "--device", "cpu"]) == 0
    prov = json.loads((tmp_path / "out.csv.provenance.json").read_text())
    assert (prov["backend"], prov["device"]) == ("torch", "cpu")
    assert prov["provider"].startswith("torch ")
    assert prov["weights"]["kind"] == "untrained" and prov["weights"]["sha256"] is None
    assert "meaningless" in prov["weights"]["source"]


def test_ctrl_c_while_the_model_loads_waits_for_the_load_then_exits_130(tmp_path, images, monkeypatch, capsys):
    import threading

    from alexnet_gui.core.pipeline import engine as engine_module

    waiting, loaded = threading.Event(), threading.Event()
    real_wait = classify_command.wait

    def observed_wait(futures):
        waiting.set()
        return real_wait(futures)

    def slow_open_backend(args, weights=None, images=None):
        # Still loading when the user presses Ctrl+C; done only once classify waits for it.
        assert waiting.wait(timeout=30)
        loaded.set()
        return ColourCodedBackend(ANSWERS)

    def interrupted_run(self, paths, **kwargs):
        raise KeyboardInterrupt
        yield  # unreachable: makes this a generator like Engine.run

    monkeypatch.setattr(classify_command, "wait", observed_wait)
    monkeypatch.setattr(classify_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(classify_command, "open_backend", slow_open_backend)
    monkeypatch.setattr(engine_module.Engine, "run", interrupted_run)
    assert classify(images, tmp_path / "out.csv") == 130
    # Leaving while a thread is inside ONNX Runtime would abort the interpreter: the load was waited for.
    assert loaded.is_set()
    assert "waiting for the model to finish loading before exiting" in capsys.readouterr().err
    # Ctrl+C before the first row still leaves a complete CSV: its header, and no journal.
    assert (tmp_path / "out.csv").read_text().splitlines() == [",".join(csv_header(3))]
    assert not list(tmp_path.glob(".out.csv*"))


def test_classify_tells_the_model_loader_how_many_images_are_left(tmp_path, images, monkeypatch):
    asked = []

    def open_backend(args, weights=None, images=None):
        asked.append(images)
        return ColourCodedBackend(ANSWERS)

    monkeypatch.setattr(classify_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(classify_command, "open_backend", open_backend)
    out = tmp_path / "out.csv"
    assert classify(images, out) == 0
    for code in (10, 20):
        (images / f"img{code:03d}.png").rename(images / f"moved{code:03d}.png")
    assert classify(images, out, "--resume") == 0
    # 11 images, then the 2 new ones: a run this short opens the model without weight prepacking.
    assert asked == [11, 2]


def test_the_progress_bar_is_drawn_on_a_terminal_only(tmp_path, images, monkeypatch, capsys):
    import sys

    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    assert classify(images, tmp_path / "logged.csv") == 0
    err = capsys.readouterr().err
    # A log file gets the summary, not a bar redrawn with carriage returns.
    assert "classifying" not in err and "\r" not in err and "11 images, 0 failed" in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # capsys's stream stands in for a terminal
    assert classify(images, tmp_path / "terminal.csv") == 0
    assert "classifying: 100%" in capsys.readouterr().err


def test_the_gil_changes_hands_faster_only_while_the_model_loads(tmp_path, images, monkeypatch, capsys):
    import sys

    from alexnet_gui.core.backends.base import BackendError

    seen = []

    def open_backend(args, weights=None, images=None):
        seen.append(sys.getswitchinterval())
        if len(seen) == 2:
            raise BackendError("this model failed to load")
        return ColourCodedBackend(ANSWERS)

    monkeypatch.setattr(classify_command, "choose_weights", lambda args: None)
    monkeypatch.setattr(classify_command, "open_backend", open_backend)
    before = sys.getswitchinterval()
    assert before != classify_command.LOADING_SWITCH_INTERVAL
    assert classify(images, tmp_path / "ok.csv") == 0
    assert sys.getswitchinterval() == before
    assert classify(images, tmp_path / "failed.csv") == 2
    assert "this model failed to load" in capsys.readouterr().err
    assert sys.getswitchinterval() == before
    assert seen == [classify_command.LOADING_SWITCH_INTERVAL] * 2


def test_one_image_is_counted_in_the_singular(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "one"
    folder.mkdir()
    write_colour_image(folder / "img010.png", 10)
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "one.csv"
    assert classify(folder, out) == 0
    assert "1 image, 0 failed" in capsys.readouterr().err
    assert classify(folder, out, "--resume") == 0
    assert f"nothing to do: the image is already in {out}" in capsys.readouterr().err
