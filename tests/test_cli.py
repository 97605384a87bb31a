"""The command line: exit codes, the exact CSV, messages without tracebacks, both backends agreeing."""

import csv
import os
import subprocess
import sys

import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.outputs.results import csv_header
from tests.fresh_interpreter import imports_after
from tests.image_fixtures import write_photos, write_tricky_folder


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_classify_folder_with_bad_files_exits_1_and_writes_every_row(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    expected = write_tricky_folder(folder)
    out = tmp_path / "out.csv"
    status = main(["classify", str(folder), "--out", str(out), "--untrained", "--backend", "torch", "--top-k", "3"])
    err = capsys.readouterr().err
    assert status == 1
    rows = read_csv(out)
    assert rows[0] == csv_header(3)
    by_name = {os.path.relpath(r[0], folder): r for r in rows[1:]}
    walked = {n: e for n, e in expected.items() if not n.startswith(".") and not n.endswith(".txt")}
    assert set(by_name) == set(walked)
    for name, error in walked.items():
        row = by_name[name]
        assert row[1] == (error or ""), name
        if error:
            assert row[2:] == [""] * 9
        else:
            assert 0 <= int(row[2]) < 1000 and len(row[4].split(".")[1]) == 6
    assert "meaningless" in err
    failed = sum(1 for e in walked.values() if e)
    assert f"{len(walked)} images, {failed} failed" in err
    assert "Traceback" not in err


def test_all_good_exits_0_and_paths_are_absolute_when_given_absolute(tmp_path, capsys):
    paths = write_photos(tmp_path, 3, size=(300, 200))
    out = tmp_path / "out.csv"
    assert main(["classify", *map(str, paths), "--out", str(out), "--untrained", "--backend", "torch"]) == 0
    rows = read_csv(out)
    assert [r[0] for r in rows[1:]] == [str(p) for p in paths]
    assert all(r[1] == "" for r in rows[1:])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--top-k", "0"], "must be at least 1"),
        (["--top-k", "1001"], "ImageNet has 1000 classes"),
        (["--batch-size", "x"], "expected a whole number"),
        (["--backend", "tensorflow"], "invalid choice: 'tensorflow'"),
        (["--weights", "w.pth", "--untrained"], "not allowed with argument"),
    ],
)
def test_bad_options_exit_2_with_a_message(tmp_path, capsys, args, message):
    assert main(["classify", str(tmp_path), "--out", str(tmp_path / "o.csv"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_missing_weights_file_is_exit_2_one_sentence(tmp_path, capsys):
    write_photos(tmp_path, 1, size=(64, 64))
    status = main(["classify", str(tmp_path), "--out", str(tmp_path / "o.csv"), "--weights", str(tmp_path / "nope.pth")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and "nope.pth" in err and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".o.csv")] == []


def test_a_model_that_fails_to_load_on_its_thread_is_exit_2_one_sentence_and_no_csv(tmp_path, capsys):
    photos = tmp_path / "photos"
    write_photos(photos, 40, size=(64, 64))  # more than the batches decoded while the model loads
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    status = main(["classify", str(photos), "--out", str(tmp_path / "o.csv"), "--weights", str(tmp_path / "broken.onnx")])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1].startswith("error: cannot load ONNX model broken.onnx (")
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.onnx", "photos"]


def test_no_cached_weights_and_unreachable_download_is_exit_2_naming_what_to_do(tmp_path, capsys):
    write_photos(tmp_path, 1, size=(64, 64))
    status = main(["classify", str(tmp_path), "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert status == 2
    assert "--weights" in err and "ALEXNET_GUI_WEIGHTS_URL" in err


def test_output_folder_missing_is_exit_2(tmp_path, capsys):
    write_photos(tmp_path, 1, size=(64, 64))
    assert main(["classify", str(tmp_path), "--out", str(tmp_path / "no" / "o.csv"), "--untrained"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_empty_folder_is_exit_2(tmp_path, capsys):
    assert main(["classify", str(tmp_path), "--out", str(tmp_path / "o.csv"), "--untrained"]) == 2
    assert "no image files found" in capsys.readouterr().err


@pytest.mark.slow
def test_onnx_and_torch_backends_write_the_same_csv(tmp_path, onnx_backend):
    # The onnx_backend fixture has already exported the untrained model into the session cache.
    folder = tmp_path / "in"
    folder.mkdir()
    write_photos(folder, 6, size=(400, 300))
    write_tricky_folder(folder / "tricky")
    outs = {}
    for backend in ("onnx", "torch"):
        outs[backend] = tmp_path / f"{backend}.csv"
        assert main(["classify", str(folder), "--out", str(outs[backend]), "--untrained", "--backend", backend]) == 1
    onnx_rows, torch_rows = read_csv(outs["onnx"]), read_csv(outs["torch"])
    assert len(onnx_rows) == len(torch_rows)
    for a, b in zip(onnx_rows[1:], torch_rows[1:]):
        assert a[:2] == b[:2]
        assert a[2::3] == b[2::3]  # top-k indices: identical order
        assert [float(x) for x in a[4::3] if x] == pytest.approx([float(x) for x in b[4::3] if x], abs=2e-6)


@pytest.mark.slow
def test_python_dash_m_runs_classify_without_a_traceback(tmp_path):
    write_photos(tmp_path, 2, size=(64, 64))
    out = tmp_path / "o.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "alexnet_gui", "classify", str(tmp_path), "--out", str(out), "--untrained", "--backend", "torch"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(read_csv(out)) == 3
    assert "images/s" in proc.stderr and "backend torch" in proc.stderr


@pytest.mark.slow
def test_the_program_exits_with_the_commands_status_after_atexit_handlers_and_flushes_output(tmp_path, onnx_backend):
    # onnx_backend: the seeded network's export is in the session's cache. The program skips the interpreter's teardown after a sub-command (cli.run): nothing may be lost by it.
    out = tmp_path / "o.csv"
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stdout.write('handler ran'))\n"  # buffered, no newline: needs the flush
        "sys.argv = ['alexnet-gui', *sys.argv[1:]]\n"
        "from alexnet_gui.cli import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run(
        [sys.executable, "-c", code, "classify", str(tmp_path / "missing.jpg"), "--out", str(out), "--untrained"],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == "handler ran"
    assert read_csv(out)[1][:2] == [str(tmp_path / "missing.jpg"), "file not found"]
    usage = subprocess.run([sys.executable, "-c", code, "classify", "--top-k", "0"], capture_output=True, text=True,
                           timeout=60, env=env)
    assert usage.returncode == 2 and "must be at least 1" in usage.stderr


def test_decoding_never_waits_for_numpy(tmp_path):
    # classify starts its decode threads while the model loads, and numpy's import (~60 ms) runs on the loading
    # thread: the threads decode meanwhile only if neither starting the engine nor decoding a crop needs numpy.
    photo = tmp_path / "p.jpg"
    code = (
        "from concurrent.futures import Future\n"
        "from PIL import Image\n"
        f"Image.effect_noise((640, 480), 40).convert('RGB').save({str(photo)!r})\n"
        "from alexnet_gui.cli import build_parser\n"
        "build_parser()\n"
        "import alexnet_gui.core.outputs.provenance, alexnet_gui.core.outputs.results, alexnet_gui.core.outputs.resume\n"
        "from alexnet_gui.core.pipeline.decode import decode_crop as _decode_crop\n"
        "from alexnet_gui.core.pipeline.engine import Engine, iter_image_paths\n"
        "list(iter_image_paths(['.']))\n"
        "Engine(Future(), fast_decode=True)\n"
        f"crops = [_decode_crop({str(photo)!r}, fast) for fast in (False, True)]\n"
        "assert all(isinstance(c, bytes) and len(c) == 224 * 224 * 3 for c in crops), crops\n"
    )
    imported, _ = imports_after(code, ("numpy", "onnxruntime", "torch"))
    assert imported == []


def test_classify_reaches_its_first_decode_without_hashing_or_json(tmp_path):
    # Until the decode threads start, one core runs Python alone: OpenSSL's load for hashlib (~8 ms) and json and
    # datetime (~5 ms) wait until a download, a resume or the provenance sidecar needs them.
    photo = tmp_path / "p.jpg"
    code = (
        "from concurrent.futures import Future\n"
        "from PIL import Image\n"
        f"Image.effect_noise((64, 48), 40).convert('RGB').save({str(photo)!r})\n"
        "from alexnet_gui.cli import build_parser\n"
        f"args = build_parser()[0].parse_args(['classify', {str(photo)!r}, '--out', {str(tmp_path / 'o.csv')!r}])\n"
        "import alexnet_gui.commands.classify, alexnet_gui.commands.model_options, alexnet_gui.core.model.weights\n"
        "from alexnet_gui.core.outputs.results import CsvResultWriter\n"
        "from alexnet_gui.core.outputs.resume import stamps_for\n"
        "from alexnet_gui.core.pipeline.decode import decode_crop as _decode_crop\n"
        "from alexnet_gui.core.pipeline.engine import Engine, iter_image_paths\n"
        f"paths = list(iter_image_paths([{str(photo)!r}]))\n"
        "stamps_for(paths)\n"
        "CsvResultWriter(args.out, args.top_k).discard()\n"
        "Engine(Future(), fast_decode=True)\n"
        "_decode_crop(paths[0], True)\n"
    )
    imported, _ = imports_after(code, ("hashlib", "json", "alexnet_gui.core.outputs.provenance"))
    assert imported == []


def test_the_core_notices_go_to_the_stderr_of_the_moment_not_the_first_commands():
    """A second command in the same process (the app, the tests) may have replaced sys.stderr and closed the old one:
    a notice then went to the closed stream and logging printed its own traceback instead of the notice."""
    import io
    import logging
    import sys

    from alexnet_gui.commands.model_options import report_core_notices

    first, second = io.StringIO(), io.StringIO()
    saved = sys.stderr
    try:
        sys.stderr = first
        report_core_notices()
        first.close()
        sys.stderr = second
        logging.getLogger("alexnet_gui").info("preparing the model once")
    finally:
        sys.stderr = saved
    assert second.getvalue() == "preparing the model once\n"
