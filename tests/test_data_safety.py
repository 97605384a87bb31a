"""Nothing lost, nothing overwritten: outputs checked before any work, a journal that survives kill -9, SIGTERM as
Ctrl+C, reversible CSV cells, and folders walked without losing or doubling a file."""

from __future__ import annotations

import csv
import errno
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from alexnet_gui.cli import main
from alexnet_gui.core.outputs import output_paths
from alexnet_gui.core.outputs.results import csv_header, neutralise_cell, restore_cell
from alexnet_gui.core.pipeline.engine import iter_image_paths
from tests.known_answers import ColourCodedBackend, use_backend, write_colour_folder, write_colour_image
from tests.signal_run import ANSWERS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def images(tmp_path):
    return write_colour_folder(tmp_path / "in")


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


# --- outputs are checked before any work ------------------------------------------------------------------------
def test_an_out_that_is_one_of_the_inputs_is_refused_and_the_photo_kept(images, no_model, capsys):
    photo = images / "img030.png"
    before = photo.read_bytes()
    assert main(["classify", str(images), "--out", str(photo)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: --out {photo} is one of the inputs; it would be overwritten — choose another name"
    )
    assert photo.read_bytes() == before


def test_an_out_that_is_an_input_through_a_link_is_refused(images, tmp_path, no_model, capsys):
    link = tmp_path / "link.png"
    link.symlink_to(images / "img030.png")
    assert main(["classify", str(images), "--out", str(link)]) == 2
    assert "is one of the inputs" in capsys.readouterr().err


@pytest.mark.parametrize("make, message", [
    (lambda t: t / "folder", "is a folder; give the name of a file to write"),
    (lambda t: t / "missing" / "out.csv", "does not exist"),
    (lambda t: t / ("x" * 249), "the file name of --out is too long (249 bytes; at most 224"),
])
def test_bad_outs_are_one_sentence_and_exit_2(images, tmp_path, no_model, capsys, make, message):
    (tmp_path / "folder").mkdir()
    assert main(["classify", str(images), "--out", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("**/.*.part"))


def test_an_out_on_a_read_only_file_system_is_refused(images, tmp_path, no_model, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output_paths.tempfile, "mkstemp", read_only)
    assert main(["classify", str(images), "--out", str(tmp_path / "out.csv")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: cannot write {tmp_path / 'out.csv'}: the file system is read-only in {tmp_path}"
    )


def test_a_full_disk_while_writing_rows_is_one_sentence(images, tmp_path, monkeypatch, capsys):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    real_fsync = os.fsync
    calls = []

    def full(fd):
        calls.append(fd)
        if len(calls) > 1:  # the header went through; the first batch does not
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--out", str(out), "--batch-size", "2"]) == 2
    assert capsys.readouterr().err.strip().endswith(f"error: cannot write {out}: the disk is full")
    assert not out.exists() and not list(tmp_path.glob(".out.csv*"))


# --- signals and the journal ------------------------------------------------------------------------------------
def run_signalled(signal_name, at_batch, *argv):
    return subprocess.run(
        [sys.executable, "-m", "tests.signal_run", signal_name, str(at_batch), *argv],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.slow
def test_sigterm_writes_the_rows_done_like_ctrl_c(images, tmp_path):
    out = tmp_path / "out.csv"
    proc = run_signalled("SIGTERM", 3, "classify", str(images), "--out", str(out), "--batch-size", "2")
    assert proc.returncode == 143, proc.stderr
    assert "interrupted: 4 of 11 rows written" in proc.stderr and "Traceback" not in proc.stderr
    assert len(rows_of(out)) == 1 + 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.csv", "out.csv.provenance.json",
                                                          "out.csv.resume.json"]


@pytest.mark.slow
def test_after_kill_9_resume_keeps_the_flushed_rows_and_ends_like_one_run(images, tmp_path):
    whole = tmp_path / "whole.csv"
    assert run_signalled("none", 0, "classify", str(images), "--out", str(whole), "--batch-size", "2",
                         "--top-k", "3").returncode == 0
    out = tmp_path / "out.csv"
    args = ["classify", str(images), "--out", str(out), "--batch-size", "2", "--top-k", "3"]
    killed = run_signalled("SIGKILL", 4, *args)
    assert killed.returncode == -signal.SIGKILL
    assert not out.exists()
    journal = rows_of(tmp_path / ".out.csv.part")
    assert journal[0] == csv_header(3) and len(journal) == 1 + 6  # three batches of two were flushed

    resumed = run_signalled("none", 0, *args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "resuming: 6 of 11 images already done" in resumed.stderr
    assert out.read_bytes() == whole.read_bytes()
    assert not list(tmp_path.glob(".out.csv*"))  # no journal outlives the resumed run


def test_a_successful_run_removes_journals_left_by_earlier_runs(images, tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    (tmp_path / ".out.csv.part").write_text("path,error\n")
    (tmp_path / ".out.csv.x1y2z3w4.part").write_text("an earlier version's temporary file")
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    assert main(["classify", str(images), "--out", str(out)]) == 0
    assert not list(tmp_path.glob(".out.csv*"))


def test_the_csv_and_its_sidecars_honour_the_umask(images, tmp_path, monkeypatch):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    old = os.umask(0o022)
    try:
        assert main(["classify", str(images), "--out", str(tmp_path / "out.csv")]) == 0
    finally:
        os.umask(old)
    for name in ("out.csv", "out.csv.provenance.json", "out.csv.resume.json"):
        assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o644", name


# --- the CSV's cells and resume ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["=amb.jpg", "'=amb.jpg", "'plain.jpg", "-1.jpg", "plain.jpg", "''"])
def test_cells_read_back_to_what_was_written(text):
    assert restore_cell(neutralise_cell(text)) == text


def test_formula_like_names_keep_distinct_rows_through_resume(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    write_colour_image(folder / "=amb.png", 10)
    write_colour_image(folder / "'=amb.png", 20)
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(folder), "--out", str(out), "--top-k", "1"]) == 0
    cells = {row[0]: row[2] for row in rows_of(out)[1:]}
    assert cells == {f"'{folder}/'=amb.png": "20", f"{folder}/=amb.png": "10"} or cells == {
        neutralise_cell(str(folder / "'=amb.png")): "20", neutralise_cell(str(folder / "=amb.png")): "10"}
    before = out.read_bytes()
    use_backend(monkeypatch, None)  # nothing left to classify: no model is opened
    assert main(["classify", str(folder), "--out", str(out), "--top-k", "1", "--resume"]) == 0
    assert out.read_bytes() == before


def test_a_damaged_row_is_classified_again_on_resume(images, tmp_path, monkeypatch, capsys):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--out", str(out)]) == 0
    whole = out.read_bytes()
    lines = whole.decode().splitlines(keepends=True)
    cut = lines[3].split(",")[:3]
    out.write_text("".join(lines[:3]) + ",".join(cut) + "\n" + "".join(lines[4:]))
    seen = []
    backend = ColourCodedBackend(ANSWERS)
    real = backend.predict
    backend.predict = lambda batch: seen.append(len(batch)) or real(batch)
    use_backend(monkeypatch, backend)
    capsys.readouterr()
    assert main(["classify", str(images), "--out", str(out), "--resume"]) == 0
    assert "1 damaged row in" in capsys.readouterr().err
    assert sum(seen) == 1
    assert sorted(out.read_bytes().splitlines()) == sorted(whole.splitlines())


@pytest.mark.parametrize("content", ['{"format": 1}', '{"format": 1, "files": 5}', '{"format": 1, "files": [[1]]}',
                                     '{"format": 1, "files": [["a", "b", "c"]]}', "[]", "null"])
def test_a_resume_record_of_the_wrong_shape_is_one_sentence(images, tmp_path, monkeypatch, capsys, content):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--out", str(out)]) == 0
    (tmp_path / "out.csv.resume.json").write_text(content)
    capsys.readouterr()
    assert main(["classify", str(images), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "resume record" in err and len(err.splitlines()) == 1


# --- walking folders --------------------------------------------------------------------------------------------
def test_the_same_file_reached_twice_gets_one_row(images, tmp_path):
    (tmp_path / "again").symlink_to(images)
    found = list(iter_image_paths([images, images / "img010.png", tmp_path / "again", images]))
    assert found == sorted(str(p) for p in images.iterdir())


def test_an_unreadable_sub_folder_becomes_a_row_and_exit_1(images, tmp_path, monkeypatch, capsys):
    locked = images / "locked"
    locked.mkdir()
    real_scandir, real_listdir = os.scandir, os.listdir

    def deny(path, real):
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return real(path)

    monkeypatch.setattr(os, "scandir", lambda path=".": deny(path, real_scandir))
    monkeypatch.setattr(os, "listdir", lambda path=".": deny(path, real_listdir))
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--out", str(out)]) == 1
    rows = {row[0]: row[1] for row in rows_of(out)[1:]}
    assert rows[str(locked)] == "folder could not be read (permission denied)"
    assert len(rows) == 12


def test_a_folder_tree_a_thousand_levels_deep_is_walked(tmp_path):
    deep = tmp_path
    for _ in range(1000):  # not os.makedirs: it recurses itself
        deep = deep / "d"
        deep.mkdir()
    Image.new("RGB", (4, 4)).save(deep / "bottom.png")
    Image.new("RGB", (4, 4)).save(tmp_path / "top.png")
    try:
        assert list(iter_image_paths([tmp_path])) == [str(deep / "bottom.png"), str(tmp_path / "top.png")]
    finally:
        (deep / "bottom.png").unlink()
        while deep != tmp_path:  # shutil.rmtree recurses too: pytest's clean-up would fail on this tree
            deep.rmdir()
            deep = deep.parent


def test_fifos_and_devices_are_rows_not_hangs(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.png")
    write_colour_image(folder / "ok.png", 10)
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(folder), "/dev/zero", "--out", str(out)]) == 1
    rows = {row[0]: row[1] for row in rows_of(out)[1:]}
    assert rows == {str(folder / "ok.png"): "", str(folder / "pipe.png"): "not a regular file",
                    "/dev/zero": "not a regular file"}


def test_an_elongated_image_is_refused_by_its_size_after_resizing(tmp_path, monkeypatch):
    strip = tmp_path / "strip.png"
    Image.new("L", (1, 40000)).save(strip)
    assert strip.stat().st_size < 1000
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    out = tmp_path / "out.csv"
    assert main(["classify", str(strip), "--out", str(out)]) == 1
    assert rows_of(out)[1][1] == "image too elongated to classify (1x40000 pixels; at most 256:1)"


@pytest.mark.slow
def test_sigterm_during_a_weights_download_leaves_no_part_file(images, tmp_path):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    hung_up = threading.Event()

    def trickle():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 244000000\r\n\r\n")
        try:
            for _ in range(1200):  # 1 MB and then a trickle, until the client hangs up (60 s at most)
                conn.sendall(b"x" * (1 << 20) if _ == 0 else b"x")
                if hung_up.wait(0.05):
                    break
        except OSError:
            pass
        finally:
            conn.close()

    threading.Thread(target=trickle, daemon=True).start()
    torch_home = tmp_path / "torch"
    env = {**os.environ, "TORCH_HOME": str(torch_home),
           "ALEXNET_GUI_WEIGHTS_URL": f"http://127.0.0.1:{listener.getsockname()[1]}/alexnet-owt-7be5be79.pth"}
    proc = subprocess.Popen([sys.executable, "-m", "alexnet_gui", "classify", str(images), "--out",
                             str(tmp_path / "out.csv")], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    checkpoints = torch_home / "hub" / "checkpoints"
    try:
        for _ in range(600):  # until the download has begun writing (60 s at most)
            parts = list(checkpoints.glob(".*.part")) if checkpoints.is_dir() else []
            if parts and parts[0].stat().st_size > 0:
                break
            try:
                proc.wait(0.1)  # ends early if the process does
                break
            except subprocess.TimeoutExpired:
                pass
        assert parts, "the download never started"
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=60)[1]
    finally:
        hung_up.set()
        proc.kill()
        listener.close()
    assert proc.returncode == 143, err
    assert list(checkpoints.iterdir()) == []
    assert (tmp_path / "out.csv").read_text().splitlines() == [",".join(csv_header(5))]


def test_info_counts_a_logits_only_models_data_file_in_its_size(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "cache"))
    onnx = tmp_path / "cache" / "onnx"
    onnx.mkdir(parents=True)
    (onnx / "alexnet-abc.lean.onnx").write_bytes(b"\0" * 20_000)
    (onnx / "alexnet-abc.lean.onnx.data").write_bytes(b"\0" * 3_000_000)
    assert main(["info"]) == 0
    assert "alexnet-abc.lean.onnx (3 MB)" in capsys.readouterr().out


def test_the_summary_counts_the_time_before_the_model_was_ready(images, tmp_path, monkeypatch, capsys):
    use_backend(monkeypatch, ColourCodedBackend(ANSWERS))
    assert main(["classify", str(images), "--out", str(tmp_path / "out.csv")]) == 0
    assert re.search(r"\n\d+\.\d s in all, of which \d+\.\d s before the model was ready\n", capsys.readouterr().err)


def test_an_onnx_export_honours_the_umask_like_the_files_beside_it(tmp_path, untrained_weights):
    """A trained model's model.onnx was written 0600 (mkstemp's mode) beside 0644 model.pt and reports (issue 32)."""
    from alexnet_gui.core.backends.onnx_export import export_onnx

    old = os.umask(0o022)
    try:
        export_onnx(untrained_weights, tmp_path / "model.onnx", verify=False)
    finally:
        os.umask(old)
    assert oct((tmp_path / "model.onnx").stat().st_mode & 0o777) == "0o644"
