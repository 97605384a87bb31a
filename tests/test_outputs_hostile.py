"""Hostile inputs around what the app writes and prints (issue 35, round 3): a model replaced behind the hash memo's
back, sidecars that would overwrite an input, CSV injection in every CSV, terminal escapes in card text, and file
names that are not UTF-8."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.model.labels import Labels
from alexnet_gui.core.model.weights import WeightsChoice, file_sha256, memoised_sha256
from tests.image_fixtures import write_photos

HOSTILE_NAMES = ("=cmd|' /C calc'!A0", "@SUM(1)", "+1+cmd", "-2+3", "plain")


# --- 2: the weights-hash memo must never answer for other bytes --------------------------------------------------

def _same_size_other_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return bytes(b ^ 0xFF for b in data[:64]) + data[64:]


def test_a_model_replaced_by_rename_with_its_times_kept_gets_its_own_hash_and_export(tmp_path):
    from alexnet_gui.core.backends.onnx_backend import cached_model_path

    model = tmp_path / "model.pth"
    model.write_bytes(os.urandom(4096))
    old = memoised_sha256(model)
    choice = WeightsChoice("pth", model, "file model.pth")
    old_export = cached_model_path(choice)
    st = model.stat()
    # `cp -p other.pth new.pth && mv new.pth model.pth`, or `touch -r`: same size, same mtime, another file.
    replacement = tmp_path / "new.pth"
    replacement.write_bytes(_same_size_other_bytes(model))
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(replacement, model)
    assert (model.stat().st_size, model.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert memoised_sha256(model) == file_sha256(model) != old
    assert cached_model_path(choice) != old_export


def test_a_model_overwritten_in_place_with_its_times_kept_gets_its_own_hash(tmp_path):
    model = tmp_path / "model.pth"
    model.write_bytes(os.urandom(4096))
    old = memoised_sha256(model)
    st = model.stat()
    with open(model, "r+b") as f:  # `cp -p other.pth model.pth`: the same inode, rewritten
        f.write(_same_size_other_bytes(model))
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    # The kernel's status-change clock ticks every few ms: a rewrite within the same tick as the file's creation
    # (only in a test this fast) is pushed to the next one by setting the times again.
    while model.stat().st_ctime_ns == st.st_ctime_ns:
        os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (model.stat().st_ino, model.stat().st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    assert memoised_sha256(model) == file_sha256(model) != old
    assert memoised_sha256(model) == file_sha256(model)  # and remembered: the memo keeps one entry per file


# --- 5: every CSV the app writes is safe to open in a spreadsheet -------------------------------------------------

def _rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_the_confusion_and_per_class_csvs_quote_class_names_a_spreadsheet_would_run(tmp_path):
    from alexnet_gui.core.analysis.confusion import ConfusionMatrix

    labels = Labels(HOSTILE_NAMES, source="test")
    records = [("a.jpg", 0, 0), ("b.jpg", 1, 0), ("c.jpg", 2, 2), ("d.jpg", 3, 4), ("e.jpg", 4, 4)]
    ConfusionMatrix.from_records(records, labels).write_files(tmp_path, title="=report")
    quoted = ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1+cmd", "'-2+3", "plain"]
    confusion = _rows(tmp_path / "confusion.csv")
    assert confusion[0] == ["true \\ predicted", *quoted]
    assert [row[0] for row in confusion[1:]] == quoted
    assert confusion[2] == ["'@SUM(1)", "1", "0", "0", "0", "0"]
    assert _rows(tmp_path / "per_class.csv") == [
        ["class", "images", "correct", "accuracy"],
        ["'=cmd|' /C calc'!A0", "1", "1", "100.00"],
        ["'@SUM(1)", "1", "0", "0.00"],
        ["'+1+cmd", "1", "1", "100.00"],
        ["'-2+3", "1", "0", "0.00"],
        ["plain", "1", "1", "100.00"],
    ]


def test_lives_frames_csv_quotes_labels_a_spreadsheet_would_run(tmp_path):
    from tests.video_fixtures import write_video

    video = write_video(tmp_path / "pan.avi", frames=2, size=(160, 120))
    labels = tmp_path / "labels.txt"
    labels.write_text("".join(f"{HOSTILE_NAMES[i % 4]} {i}\n" for i in range(1000)), encoding="utf-8")
    out = tmp_path / "frames.csv"
    assert main(["live", str(video), "--untrained", "--labels", str(labels), "--top-k", "3", "--out", str(out)]) == 0
    with open(out, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    for row in rows:
        for rank in (1, 2, 3):
            assert row[f"top{rank}_label"][:2] in ("'=", "'@", "'+", "'-")
            assert 0.0 < float(row[f"top{rank}_prob"]) < 1.0  # numbers stay numbers


# --- 4: what a command writes beside its output is held to the output's rule: never an input ----------------------

@pytest.mark.parametrize(("option", "sidecar"), [
    ("--labels", "out.csv.provenance.json"),
    ("--card", "out.csv.resume.json"),
    ("--labels", ".out.csv.part"),
    ("--preprocess", ".out.csv.part.stamps"),
    ("--labels", ".out.csv.1a2b3c4d.part"),  # an earlier version's journal, removed when a run commits
])
def test_classify_refuses_an_output_whose_sidecar_is_one_of_its_inputs_before_anything_is_written(
        tmp_path, capsys, no_model, option, sidecar):
    write_photos(tmp_path / "images", 1, size=(64, 48))
    given = tmp_path / sidecar
    given.write_text("cat\ndog\n", encoding="utf-8")
    before = sorted(os.listdir(tmp_path))
    out = tmp_path / "out.csv"
    assert main(["classify", str(tmp_path / "images"), "--untrained", option, str(given), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (f"error: --out {out} would overwrite the input {given}, which it writes beside "
                                       "itself — choose another name\n")
    assert given.read_text(encoding="utf-8") == "cat\ndog\n"
    assert sorted(os.listdir(tmp_path)) == before


def test_export_onnx_holds_its_card_sidecar_to_the_same_rule(tmp_path, capsys, no_model):
    card = tmp_path / "model.onnx.card.json"
    card.write_text("{}", encoding="utf-8")
    assert main(["export-onnx", "--untrained", "--card", str(card), "--out", str(tmp_path / "model.onnx")]) == 2
    assert capsys.readouterr().err == (f"error: --out {tmp_path / 'model.onnx'} would overwrite the input {card}, "
                                       "which it writes beside itself — choose another name\n")
    assert card.read_text(encoding="utf-8") == "{}"


def test_the_other_writing_commands_count_the_model_options_files_as_inputs(tmp_path, capsys, no_model):
    labels = tmp_path / "labels.txt"
    labels.write_text("cat\n", encoding="utf-8")
    video = tmp_path / "clip.avi"
    video.write_bytes(b"")
    image = write_photos(tmp_path / "images", 1, size=(64, 48))[0]
    for command in (["live", str(video)], ["features", str(image)], ["examples", str(tmp_path / "images"), "--unit", "0"]):
        assert main([*command, "--untrained", "--labels", str(labels), "--out", str(labels)]) == 2, command
        assert f"error: --out {labels} is one of the inputs" in capsys.readouterr().err
    assert labels.read_text(encoding="utf-8") == "cat\n"


def test_an_output_that_is_the_labels_file_itself_is_refused(tmp_path, capsys, no_model):
    write_photos(tmp_path, 1, size=(64, 48))
    labels = tmp_path / "labels.csv"
    labels.write_text("cat\n", encoding="utf-8")
    assert main(["classify", str(tmp_path), "--untrained", "--labels", str(labels), "--out", str(labels)]) == 2
    assert capsys.readouterr().err == (f"error: --out {labels} is one of the inputs; it would be overwritten — choose "
                                       "another name\n")


# --- 7: a card's text and the user's file names reach the terminal with their control characters escaped ----------

TITLE_AND_CLEAR = "\x1b]0;pwned\x07\x1b[2J\x1b[H"


def test_model_info_prints_a_cards_name_and_label_source_with_control_characters_escaped(tmp_path, capsys):
    import json

    from tests.test_model_files_hostile import small_pth

    model = small_pth(tmp_path / "m.pth")
    assert main(["model-info", str(model), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    card["name"] = f"evil{TITLE_AND_CLEAR}"
    card["labels"] = {"names": ["a", "b", "c"], "source": "red\x1b[31m\u202eflipped\nfake line"}
    given = tmp_path / "card.json"
    given.write_text(json.dumps(card), encoding="utf-8")
    assert main(["model-info", str(model), "--card", str(given)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "evil\\x1b]0;pwned\\x07\\x1b[2J\\x1b[H" in out
    assert "red\\x1b[31m\\u202eflipped\\nfake line" in out
    assert "\nfake line" not in out  # no line of the card's making


def test_classify_prints_the_cards_line_and_an_error_sentence_with_control_characters_escaped(tmp_path, capsys):
    import json

    from alexnet_gui.core.model.loading import untrained_card

    write_photos(tmp_path / "images", 1, size=(64, 48))
    card = untrained_card().to_dict()
    card["name"] = f"evil{TITLE_AND_CLEAR}"
    given = tmp_path / "card.json"
    given.write_text(json.dumps(card), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["classify", str(tmp_path / "images"), "--untrained", "--card", str(given), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "evil\\x1b]0;pwned\\x07" in err
    missing = tmp_path / f"no{TITLE_AND_CLEAR}.txt"
    assert main(["classify", str(tmp_path / "images"), "--untrained", "--labels", str(missing), "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "no\\x1b]0;pwned\\x07\\x1b[2J\\x1b[H.txt" in err


# --- 8: a file whose name is not UTF-8 gets its row like any other ---------------------------------------------------

NOT_UTF8 = os.fsdecode(b"\xff\xfe.jpg")  # what os.listdir gives for it: the bytes as surrogates


def _folder_with_a_non_utf8_name(folder: Path) -> Path:
    photos = write_photos(folder, 2, size=(64, 48))
    os.rename(photos[0], folder / NOT_UTF8)
    return folder


def test_classify_gives_a_file_named_in_no_encoding_its_row_escaped_and_resumes_it(tmp_path, capsys):
    images = _folder_with_a_non_utf8_name(tmp_path / "images")
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--untrained", "--top-k", "1", "--out", str(out)]) == 0
    text = out.read_bytes().decode("utf-8")  # the CSV stays UTF-8: the name's bytes are escaped, \xff\xfe
    rows = list(csv.reader(text.splitlines()))
    assert [row[0] for row in rows[1:]] == [f"{images}/photo_001.jpg", f"{images}/\\xff\\xfe.jpg"]
    assert all(row[1] == "" and row[2] for row in rows[1:])
    capsys.readouterr()
    # --resume finds the row of the file it names, so nothing is classified twice
    assert main(["classify", str(images), "--untrained", "--top-k", "1", "--resume", "--out", str(out)]) == 0
    assert f"nothing to do: all 2 images are already in {out}" in capsys.readouterr().err
    assert out.read_bytes().decode("utf-8") == text


def test_training_with_a_file_named_in_no_encoding_reports_it_and_evaluate_reads_its_list(tmp_path, capsys):
    from tests.training_data import write_narrow_base, write_photo_classes

    data = write_photo_classes(tmp_path / "data", per_class=6)
    first = sorted((data / "cat").iterdir())[0]
    os.rename(first, data / "cat" / NOT_UTF8)  # read: in the features' cache key and maybe validation.txt
    (data / "cat" / os.fsdecode(b"broken \xfe.jpg")).write_bytes(b"not a jpeg")  # unreadable: unreadable.csv
    narrow = write_narrow_base(tmp_path / "narrow.pth")
    out = tmp_path / "model"
    assert main(["train", str(data), "--out", str(out), "--weights", str(narrow), "--epochs", "2",
                 "--val-split", "0.5"]) == 1
    rows = _rows(out / "unreadable.csv")
    assert [Path(row[0]).name for row in rows[1:]] == ["broken \\xfe.jpg"]
    capsys.readouterr()
    assert main(["evaluate", str(data), "--weights", str(out), "--files", str(out / "validation.txt")]) == 0
    assert "top-1 accuracy" in capsys.readouterr().out


def test_the_features_cache_key_takes_a_name_in_no_encoding(tmp_path):
    from alexnet_gui.core.pipeline.batches import cache_key

    images = _folder_with_a_non_utf8_name(tmp_path)
    key = cache_key({"layer": "fc7"}, [str(images / NOT_UTF8)])
    assert key != cache_key({"layer": "fc7"}, [str(images / "photo_001.jpg")])


@pytest.mark.slow
def test_int8_calibrates_on_a_folder_holding_a_name_in_no_encoding(tmp_path):
    images = _folder_with_a_non_utf8_name(tmp_path / "images")
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--untrained", "--top-k", "1", "--precision", "int8", "--calibrate",
                 str(images), "--out", str(out)]) == 0
    assert out.read_bytes().decode("utf-8").count("\n") == 3


def test_sort_from_a_classify_csv_finds_a_file_named_in_no_encoding_by_its_escaped_cell(tmp_path, capsys):
    images = _folder_with_a_non_utf8_name(tmp_path / "images")
    out = tmp_path / "out.csv"
    assert main(["classify", str(images), "--untrained", "--top-k", "1", "--out", str(out)]) == 0
    label = _rows(out)[2][3]
    assert main(["sort", "--from-csv", str(out), "--out", str(tmp_path / "sorted"), "--move"]) == 0
    assert "2 images moved" in capsys.readouterr().err
    assert (tmp_path / "sorted" / label / NOT_UTF8).is_file() and not (images / NOT_UTF8).exists()
