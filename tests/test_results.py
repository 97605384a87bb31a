"""The CSV writer: exact columns and cells, injection neutralised, quoting, atomic write."""

import csv

import pytest

from alexnet_gui.core.outputs.results import CsvResultWriter, Prediction, Result, csv_header, neutralise_cell


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_header_has_exactly_the_documented_columns():
    assert csv_header(2) == [
        "path", "error",
        "top1_index", "top1_label", "top1_prob",
        "top2_index", "top2_label", "top2_prob",
    ]


def test_rows_have_six_decimal_probabilities_and_empty_cells_on_error(tmp_path):
    out = tmp_path / "r.csv"
    with CsvResultWriter(out, 2) as w:
        w.write(Result("/a/cat.jpg", None, (Prediction(281, "tabby", 0.91234567), Prediction(285, "Egyptian cat", 1e-7))))
        w.write(Result("/a/bad.jpg", "truncated JPEG"))
    assert read_rows(out) == [
        csv_header(2),
        ["/a/cat.jpg", "", "281", "tabby", "0.912346", "285", "Egyptian cat", "0.000000"],
        ["/a/bad.jpg", "truncated JPEG", "", "", "", "", "", ""],
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_starts_are_neutralised(start):
    assert neutralise_cell(start + "HYPERLINK(1)") == "'" + start + "HYPERLINK(1)"


def test_safe_cells_are_unchanged():
    assert neutralise_cell("photos/a=b.jpg") == "photos/a=b.jpg"
    assert neutralise_cell("") == ""


def test_injection_in_a_file_name_is_neutralised_in_the_csv(tmp_path):
    out = tmp_path / "r.csv"
    with CsvResultWriter(out, 1) as w:
        w.write(Result("=cmd|' /C calc'!A0.jpg", "not an image file"))
    assert read_rows(out)[1][:2] == ["'=cmd|' /C calc'!A0.jpg", "not an image file"]


def test_commas_quotes_and_newlines_round_trip(tmp_path):
    out = tmp_path / "r.csv"
    name = 'a, "quoted"\nname.jpg'
    with CsvResultWriter(out, 1) as w:
        w.write(Result(name, None, (Prediction(1, "goldfish", 0.5),)))
    assert read_rows(out)[1] == [name, "", "1", "goldfish", "0.500000"]


def test_failure_leaves_no_file_and_keeps_an_existing_one(tmp_path):
    out = tmp_path / "r.csv"
    out.write_text("previous results\n")
    with pytest.raises(RuntimeError):
        with CsvResultWriter(out, 1) as w:
            w.write(Result("x.jpg", "empty file"))
            raise RuntimeError("crash mid-run")
    assert out.read_text() == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_rows_stream_to_a_temporary_file_beside_the_target(tmp_path):
    out = tmp_path / "r.csv"
    w = CsvResultWriter(out, 1)
    w.write(Result("x.jpg", "empty file"))
    assert not out.exists()
    (tmp,) = [p for p in tmp_path.iterdir()]
    assert tmp.name.startswith(".r.csv.") and tmp.name.endswith(".part")
    w.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    assert read_rows(out)[1] == ["x.jpg", "empty file", "", "", ""]


def test_missing_output_folder_is_one_clear_sentence(tmp_path):
    from alexnet_gui.core.errors import UserError

    with pytest.raises(UserError, match=r"folder .*nope does not exist"):
        CsvResultWriter(tmp_path / "nope" / "r.csv", 5)
