"""classify --resume: which rows are kept, which files are redone, and the record that makes it checkable."""

import csv
import json
import os

import pytest

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.outputs.results import CsvResultWriter, Prediction, Result
from alexnet_gui.core.outputs.resume import file_stamp, plan_resume, read_record, record_path, stamps_for, write_record


def write_run(csv_path, paths, top_k=2):
    """A finished run over `paths`: the CSV and its record, as classify writes them."""
    stamps = stamps_for(paths)
    with CsvResultWriter(csv_path, top_k) as writer:
        for i, p in enumerate(paths):
            writer.write(Result(p, None, tuple(Prediction(i + r, f"class{i + r}", 0.5) for r in range(top_k))))
    write_record(csv_path, stamps)


@pytest.fixture
def files(tmp_path, monkeypatch):
    # Relative paths, so that "=c.jpg" reaches the CSV as the neutralised cell "'=c.jpg".
    monkeypatch.chdir(tmp_path)
    for name in ["a.jpg", "b.jpg", "=c.jpg", "d.jpg"]:
        (tmp_path / name).write_bytes(name.encode())
    return ["a.jpg", "b.jpg", "=c.jpg", "d.jpg"]


def test_no_csv_yet_means_everything_to_do(tmp_path, files):
    plan = plan_resume(tmp_path / "out.csv", files, 2)
    assert plan.todo == files and plan.kept_rows == [] and plan.skipped == 0


def test_unchanged_rows_are_kept_changed_and_new_files_redone(tmp_path, files):
    out = tmp_path / "out.csv"
    write_run(out, files[:3])  # d.jpg was never reached
    with open(files[1], "ab") as f:  # b.jpg changed size since
        f.write(b"more")
    st = os.stat(files[0])
    os.utime(files[0], ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime: still done
    plan = plan_resume(out, files, 2)
    assert plan.todo == [files[1], files[3]]
    assert plan.skipped == 2
    # The "=c.jpg" row is matched through its neutralised cell and kept verbatim.
    assert [row[0] for row in plan.kept_rows] == ["a.jpg", "'=c.jpg"]
    assert plan.kept_rows[1][2:4] == ["2", "class2"]
    assert plan.kept_stamps == {files[0]: file_stamp(files[0]), files[2]: file_stamp(files[2])}


def test_touched_file_is_redone_and_rows_of_other_inputs_are_kept(tmp_path, files):
    out = tmp_path / "out.csv"
    write_run(out, files)
    st = os.stat(files[2])
    os.utime(files[2], ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    plan = plan_resume(out, files[2:], 2)
    assert plan.todo == [files[2]]
    assert [row[0] for row in plan.kept_rows] == ["a.jpg", "b.jpg", "d.jpg"]
    assert set(plan.kept_stamps) == {files[0], files[1], files[3]}


def test_rows_missing_from_the_record_are_redone(tmp_path, files):
    out = tmp_path / "out.csv"
    write_run(out, files)
    write_record(out, stamps_for(files[:1]))  # as if the record fell behind the CSV
    plan = plan_resume(out, files, 2)
    assert plan.todo == files[1:] and [row[0] for row in plan.kept_rows] == [files[0]]


def test_record_format_and_unreadable_files(tmp_path, files):
    out = tmp_path / "out.csv"
    write_record(out, {files[0]: (5, 123), str(tmp_path / "gone.jpg"): None})
    data = json.loads(record_path(out).read_text())
    assert data == {"format": 1, "files": [[files[0], 5, 123], [str(tmp_path / "gone.jpg")]]}
    assert read_record(out) == {files[0]: (5, 123), str(tmp_path / "gone.jpg"): None}
    assert record_path(out).name == "out.csv.resume.json"


def test_other_top_k_or_missing_record_refuses_to_resume(tmp_path, files):
    out = tmp_path / "out.csv"
    write_run(out, files, top_k=3)
    with pytest.raises(UserError, match="columns of --top-k 3, not of --top-k 5"):
        plan_resume(out, files, 5)
    record_path(out).unlink()
    with pytest.raises(UserError, match="no resume record"):
        plan_resume(out, files, 3)
    with open(out, newline="") as f:
        assert len(list(csv.reader(f))) == 5  # refusing leaves the CSV as it was
