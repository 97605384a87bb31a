"""The confusion matrix: counts and cells, the classes shown when there are many, its CSV cells, copying the
misclassified images without overwriting anything."""

from __future__ import annotations

import csv

from alexnet_gui.core.analysis.confusion import ConfusionMatrix, copy_misclassified
from alexnet_gui.core.model.labels import Labels

LABELS = Labels(("cat", "dog", "fox"), None, "test")
RECORDS = [("a.jpg", 0, 0), ("b.jpg", 0, 1), ("c.jpg", 1, 1), ("d.jpg", 1, 1), ("e.jpg", 2, 1), ("f.jpg", 0, 1)]


def test_counts_cells_and_per_class_accuracy():
    m = ConfusionMatrix.from_records(RECORDS, LABELS)
    assert m.counts.tolist() == [[1, 2, 0], [0, 2, 0], [0, 1, 0]]
    assert m.cells[(0, 1)] == ("b.jpg", "f.jpg")
    assert (m.images, m.correct) == (6, 3)
    assert m.per_class() == [(0, 3, 1), (1, 2, 2), (2, 1, 0)]
    assert m.most_confused() == [(0, 1, 2), (2, 1, 1)]
    assert m.misclassified() == [("b.jpg", 0, 1), ("f.jpg", 0, 1), ("e.jpg", 2, 1)]


def test_the_csv_has_exact_cells_over_the_classes_present(tmp_path):
    labels = Labels(("cat", "dog", "fox", "owl"), None, "test")  # no owl anywhere: not a row nor a column
    m = ConfusionMatrix.from_records(RECORDS, labels)
    m.write_csv(tmp_path / "c.csv")
    m.write_per_class_csv(tmp_path / "p.csv")
    with open(tmp_path / "c.csv") as f:
        assert list(csv.reader(f)) == [["true \\ predicted", "cat", "dog", "fox"], ["cat", "1", "2", "0"],
                                       ["dog", "0", "2", "0"], ["fox", "0", "1", "0"]]
    with open(tmp_path / "p.csv") as f:
        assert list(csv.reader(f)) == [["class", "images", "correct", "accuracy"], ["cat", "3", "1", "33.33"],
                                       ["dog", "2", "2", "100.00"], ["fox", "1", "0", "0.00"]]


def test_with_many_classes_only_the_most_confused_are_shown(tmp_path):
    labels = Labels(tuple(f"c{i}" for i in range(1000)), None, "test")
    records = [(f"{i}.jpg", i, i) for i in range(0, 1000, 10)]  # 100 classes present, all right
    records += [("x1.jpg", 5, 7)] * 3 + [("x2.jpg", 20, 30)] * 2 + [("x3.jpg", 40, 41)]
    m = ConfusionMatrix.from_records(records, labels)
    assert len(m.present()) == 100 + 3  # 5, 7 and 41 besides the multiples of ten
    assert m.shown(limit=4) == [5, 7, 20, 30]
    assert len(m.shown()) == 6  # fewer confused classes than the limit: just those
    m.render_png(tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_copying_the_misclassified_keeps_every_file(tmp_path):
    from PIL import Image

    sources = {}
    for shade, name in enumerate(("b.jpg", "f.jpg", "e.jpg")):
        sources[name] = tmp_path / "in" / name
        sources[name].parent.mkdir(exist_ok=True)
        Image.new("RGB", (8, 8), (80 * shade, 0, 0)).save(sources[name])
    records = [(str(sources[p]) if p in sources else p, t, q) for p, t, q in RECORDS]
    m = ConfusionMatrix.from_records(records, LABELS)
    out = tmp_path / "review"
    (out / "cat" / "as dog").mkdir(parents=True)
    (out / "cat" / "as dog" / "b.jpg").write_bytes(b"already here")
    outcome = copy_misclassified(m, out)
    assert [error for _, _, error in outcome] == [None, None, None]
    assert (out / "cat" / "as dog" / "b.jpg").read_bytes() == b"already here"
    assert sorted(p.name for p in (out / "cat" / "as dog").iterdir()) == ["b (1).jpg", "b.jpg", "f.jpg"]
    assert (out / "fox" / "as dog" / "e.jpg").read_bytes() == sources["e.jpg"].read_bytes()
    assert sources["b.jpg"].is_file()  # copied, not moved


def test_class_names_and_titles_with_dollar_signs_are_drawn_as_written(tmp_path):
    # As mathtext, `$5_to_$` is a formula and `$x_$` one that fails to parse.
    labels = Labels(("cost_$5_to_$10", "x_$", "fox"), None, "test")
    ConfusionMatrix.from_records(RECORDS, labels).render_png(tmp_path / "c.png", title="model $x_$: data")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")
