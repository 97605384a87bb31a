"""The headless task functions (core/tasks) that the commands and the app share: each takes `cancel` and
`on_progress` and returns a dataclass, and builds its engine from the same options (the app's evaluate once ignored
fast JPEG decoding)."""

import csv
import threading
from dataclasses import replace

import pytest

from alexnet_gui.core.errors import UserError
from alexnet_gui.core.pipeline.engine_options import EngineOptions, engine_for
from tests.known_answers import ColourCodedBackend, write_colour_image

TENCH, TABBY = 0, 281
ANSWERS = {10: [TENCH, 1, 2, 3, 4], 20: [5, TENCH, 2, 3, 4], 40: [TABBY, 1, 2, 3, 4], 50: [7, 8, 9, 10, 11]}


@pytest.fixture
def labelled(tmp_path):
    root = tmp_path / "val"
    for folder, codes in {"n01440764": [10, 20, 10, 20], "tabby": [40, 50, 40]}.items():
        (root / folder).mkdir(parents=True)
        for i, code in enumerate(codes):
            write_colour_image(root / folder / f"img{i}.png", code)
    return root


def test_every_engine_option_reaches_the_engine():
    options = EngineOptions(top_k=3, batch_size=4, fast_decode=True, decode_workers=3, tta="10crop")
    engine = engine_for(ColourCodedBackend(ANSWERS), options)
    assert (engine.top_k, engine.batch_size, engine.fast_decode, engine.decode_workers, engine.tta) == (
        3, 4, True, 3, "10crop")


def test_evaluate_folder_scores_exactly_reports_progress_and_passes_fast_decoding(labelled, monkeypatch):
    from alexnet_gui.core.tasks import evaluate as task

    built = []
    monkeypatch.setattr(task, "engine_for", lambda backend, options: built.append(options) or engine_for(backend,
                                                                                                        options))
    seen = []
    options = replace(task.EVALUATE_OPTIONS, batch_size=2, fast_decode=True)
    report = task.evaluate_folder(ColourCodedBackend(ANSWERS), labelled, options=options,
                                  on_progress=lambda done, total: seen.append((done, total)))
    assert built == [options] and built[0].fast_decode
    ev = report.evaluation
    assert (ev.images, ev.top1, ev.top5, report.scored, report.cancelled, report.interrupted) == (
        7, 4, 6, 7, False, None)
    assert seen == [(n, 7) for n in range(1, 8)]
    matrix = report.confusion(ColourCodedBackend.card.labels)
    assert (matrix.count(TENCH, TENCH), matrix.count(TENCH, 5), matrix.count(TABBY, 7)) == (2, 2, 1)


def test_a_cancelled_evaluation_stops_after_the_batch_in_flight_and_says_so(labelled):
    from alexnet_gui.core.tasks.evaluate import evaluate_folder

    stop = threading.Event()
    report = evaluate_folder(ColourCodedBackend(ANSWERS), labelled, options=EngineOptions(top_k=5, batch_size=2),
                             cancel=stop, on_progress=lambda done, total: stop.set())
    assert report.cancelled and report.scored == 2  # the first batch of two, then nothing more


def test_classify_paths_calls_cancel_as_a_function(labelled):
    from alexnet_gui.core.tasks.classify import classify_paths

    paths = sorted(str(p) for p in labelled.rglob("*.png"))
    asked = []

    def cancel():
        asked.append(1)
        return len(asked) >= 2

    done = classify_paths(ColourCodedBackend(ANSWERS), paths, options=EngineOptions(top_k=1, batch_size=3),
                          cancel=cancel)
    assert done.cancelled and [r.path for r in done.results] == paths[:3] and not done.failed
    whole = classify_paths(ColourCodedBackend(ANSWERS), paths, options=EngineOptions(top_k=1, batch_size=3))
    assert len(whole.results) == 7 and not whole.cancelled
    assert [r.top[0].index for r in whole.results[:2]] == [TENCH, 5] and len(whole.results[0].top) == 1


def test_compare_paths_shows_each_comparison_as_it_comes(labelled):
    from alexnet_gui.core.tasks.compare import backends_to_compare, compare_paths

    assert backends_to_compare("int8") == (("onnx", "fp32"), ("onnx", "int8"))
    assert backends_to_compare("fp16") == (("torch", "fp16"), ("onnx", "fp16"))
    paths = sorted(str(p) for p in labelled.rglob("*.png"))
    shown, progress = [], []
    report = compare_paths([ColourCodedBackend(ANSWERS, "a"), ColourCodedBackend(ANSWERS, "b")], paths, top_k=3,
                           on_comparison=shown.append, on_progress=lambda d, t: progress.append((d, t)))
    assert shown == report.comparisons and len(shown) == 7 and progress[-1] == (7, 7)
    assert (report.summary.images, report.summary.agree) == (7, 7)


def test_classify_to_csv_writes_rows_record_and_provenance_and_resumes(labelled, tmp_path):
    from alexnet_gui.core.outputs.provenance import read_provenance
    from alexnet_gui.core.outputs.resume import record_path
    from alexnet_gui.core.tasks.classify_to_csv import CsvRequest, classify_to_csv

    paths = sorted(str(p) for p in labelled.rglob("*.png"))
    out = tmp_path / "out.csv"
    request = CsvRequest(str(out), 2, (str(labelled),))
    outcome = classify_to_csv(request, ColourCodedBackend(ANSWERS), paths)
    assert (outcome.rows, len(outcome.done), outcome.failed, outcome.exit_status) == (7, 7, 0, 0)
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 8 and rows[1][0] == paths[0]
    assert record_path(out).is_file()
    assert read_provenance(out)["counts"]["rows"] == 7
    again = classify_to_csv(replace(request, resume=True), ColourCodedBackend(ANSWERS), paths)
    assert (again.rows, again.done) == (7, [])  # all done and unchanged: nothing run, nothing rewritten
    assert list(csv.reader(out.read_text(encoding="utf-8").splitlines())) == rows


def test_the_gradient_model_is_the_torch_backends_own_and_refused_for_a_foreign_onnx_graph():
    from alexnet_gui.core.tasks.attribution import GradientModels, class_index, gradient_model

    class Torchy(ColourCodedBackend):
        capabilities = frozenset({"torch-model"})
        model = object()

    assert gradient_model(Torchy(ANSWERS), what="Grad-CAM") is Torchy.model

    class Foreign(ColourCodedBackend):
        card = replace(ColourCodedBackend.card, architecture=None)

    with pytest.raises(UserError, match=r"^Grad-CAM needs the network's gradients: this ONNX graph was not built by "
                                        r"the app; open its PyTorch or Keras file instead$"):
        gradient_model(Foreign(ANSWERS), what="Grad-CAM")
    built = []
    models = GradientModels()
    assert models.get("a", lambda: built.append("a") or "model a") == models.get("a", lambda: "other") == "model a"
    assert models.get("b", lambda: "model b") == "model b" and built == ["a"]
    import numpy as np

    probs = np.array([0.1, 0.6, 0.3])
    assert (class_index("top1", probs), class_index("top3", probs), class_index(2, probs)) == (1, 0, 2)
    with pytest.raises(UserError, match=r"^the model has 3 classes: there is no top5$"):
        class_index("top5", probs)
    with pytest.raises(UserError, match=r"^the model's classes are 0\.\.2, not 3$"):
        class_index("3", probs)
