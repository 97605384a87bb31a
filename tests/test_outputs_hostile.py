"""Hostile inputs around what the app writes and prints (issue 35, round 3): a model replaced behind the hash memo's
back, sidecars that would overwrite an input, CSV injection in every CSV, terminal escapes in card text, and file
names that are not UTF-8."""

from __future__ import annotations

import os
from pathlib import Path

from alexnet_gui.core.model.weights import WeightsChoice, file_sha256, memoised_sha256

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
