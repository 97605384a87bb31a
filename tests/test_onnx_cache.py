"""The ONNX export cache is never trusted blindly: altered or truncated files are found before use and made again;
`alexnet-gui cache` lists, cleans and caps it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil

import numpy as np
import pytest

from alexnet_gui.cli import main
from alexnet_gui.core.backends import onnx_cache
from alexnet_gui.core.backends.onnx_backend import CACHE_ENV, OnnxBackend, cached_model_path, onnx_cache_dir


@pytest.fixture
def own_cache(tmp_path, monkeypatch, onnx_backend, untrained_weights):
    """A private copy of the session's cache (export, logits-only copy and their records), to damage freely."""
    source = onnx_cache_dir()
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    target = onnx_cache_dir()
    target.mkdir(parents=True)
    for f in source.iterdir():
        if f.name.startswith("alexnet-untrained-seed0") and ".fp16." not in f.name:
            shutil.copy2(f, target / f.name)
    return target


def overwrite_in_place(path, offset, data):
    """Overwrite bytes without changing the size or the modification time (the hardest damage to see)."""
    st = path.stat()
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.fixture
def notices(caplog):
    caplog.set_level(logging.INFO, logger="alexnet_gui")
    return caplog


@pytest.mark.slow
def test_bytes_overwritten_in_the_lean_data_are_found_and_the_copy_made_again(
        own_cache, untrained_weights, onnx_backend, notices):
    data = own_cache / "alexnet-untrained-seed0.lean.onnx.data"
    assert onnx_cache.damage(data) is None
    overwrite_in_place(data, 1 << 20, os.urandom(4 << 20))
    assert onnx_cache.damage(data) == "has different contents from those it was written with"
    backend = OnnxBackend(untrained_weights, "cpu")
    assert ("the cached ONNX model alexnet-untrained-seed0.lean.onnx.data has different contents from those it "
            "was written with: making it again") in notices.text
    x = np.random.default_rng(0).normal(size=(2, 3, 224, 224)).astype(np.float32)
    np.testing.assert_allclose(backend.predict(x), onnx_backend.predict(x), rtol=0, atol=1e-5)
    assert onnx_cache.damage(data) is None


@pytest.mark.slow
def test_a_truncated_export_is_exported_again(own_cache, untrained_weights, onnx_backend, notices):
    path = cached_model_path(untrained_weights)
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)
    backend = OnnxBackend(untrained_weights, "cpu")
    assert "alexnet-untrained-seed0.onnx is " in notices.text and "(truncated or altered): making it again" in notices.text
    assert "preparing the ONNX model for untrained" in notices.text
    x = np.zeros((1, 3, 224, 224), np.float32)
    np.testing.assert_allclose(backend.predict(x), onnx_backend.predict(x), rtol=0, atol=1e-5)


@pytest.mark.slow
def test_a_truncated_lean_data_file_is_made_again_not_reported_as_another_file(own_cache, untrained_weights, notices):
    data = own_cache / "alexnet-untrained-seed0.lean.onnx.data"
    with open(data, "r+b") as f:
        f.truncate(1000)
    OnnxBackend(untrained_weights, "cpu")
    assert "lean.onnx.data is 1000 bytes" in notices.text
    assert data.stat().st_size > 200_000_000


def test_a_damaged_weights_hash_index_is_a_memo_made_again(tmp_path, monkeypatch, untrained_weights):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    onnx_cache_dir().mkdir(parents=True)
    weights_file = tmp_path / "w.pth"
    weights_file.write_bytes(b"x" * 100)
    from alexnet_gui.core.cache_paths import cache_path
    from alexnet_gui.core.model.weights import WeightsChoice

    digest = hashlib.sha256(b"x" * 100).hexdigest()
    memo = cache_path("sha256.json")  # the memo memoised_sha256 reads (models-and-cards.md: not hashes.json)
    for content in ("[]", "null", '{"a": 5}', "{broken"):
        memo.write_text(content)
        assert cached_model_path(WeightsChoice("pth", weights_file, "w")).name.startswith(f"alexnet-{digest[:16]}")
        assert list(json.loads(memo.read_text()).values()) == [digest], content


def make_group(folder, key, size, used):
    for name in (f"alexnet-{key}.onnx", f"alexnet-{key}.lean.onnx.data"):
        (folder / name).write_bytes(b"\0" * size)
        onnx_cache.record_file(folder / name)
        os.utime(onnx_cache.check_path(folder / name), (used, used))


def test_cache_lists_sizes_cleans_and_evicts_the_least_recently_used(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    folder = onnx_cache_dir()
    folder.mkdir(parents=True)
    make_group(folder, "aaaa", 1_000_000, 1_000_000_000)
    make_group(folder, "bbbb", 2_000_000, 1_700_000_000)
    make_group(folder, "cccc", 3_000_000, 1_600_000_000)
    assert main(["cache"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["alexnet-bbbb", "alexnet-cccc", "alexnet-aaaa"]
    assert "4 MB" in lines[1] and lines[-1].startswith("total 12 MB of a 4,295 MB cap")
    assert main(["cache", "--max-size", "7M"]) == 0  # 7.34 MB: the oldest group goes, then still over: the next
    assert "removed 2 least recently used model(s), 8 MB" in capsys.readouterr().out
    assert [g.key for g in onnx_cache.cache_groups(folder)] == ["bbbb"]
    assert onnx_cache.max_bytes(folder) == 7 << 20
    assert main(["cache", "--clean"]) == 0
    assert "removed 1 cached model(s), 4 MB" in capsys.readouterr().out
    assert onnx_cache.cache_groups(folder) == []
