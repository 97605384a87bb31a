"""Weights: resolution order, torch's cache folder, the hash-checked download over loopback, safe loading."""

import hashlib
import os
import pickle
import threading

import pytest

from alexnet_gui.core.model import download as D
from alexnet_gui.core.model import weights as W
from alexnet_gui.core.model.checkpoints import load_state_dict
from tests.fresh_interpreter import imports_after
from tests.loopback import serve


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    home = tmp_path / "torch"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.delenv(W.MIRROR_ENV, raising=False)
    return home / "hub" / "checkpoints"


PAYLOAD = os.urandom(300_000)
PREFIX = hashlib.sha256(PAYLOAD).hexdigest()[:8]
GOOD_NAME = f"alexnet-owt-{PREFIX}.pth"
#: The hash and name a download checks and saves under; the app's are torchvision's, whatever the URL.
EXPECT = {"sha256_prefix": PREFIX, "file_name": GOOD_NAME}


def answer(path: str) -> bytes | int:
    """The mirror's files: the good one, a damaged copy under /wrong/, a server error under /error/."""
    if path.endswith("/error/" + GOOD_NAME):
        return 500
    if "/wrong/" in path:
        return b"x" + PAYLOAD[1:]
    return PAYLOAD if path.endswith("/" + GOOD_NAME) else 404


@pytest.fixture(scope="module")
def server():
    with serve(answer) as (base, _asked):
        yield base


def test_checkpoint_dir_follows_torchs_rule(monkeypatch, tmp_path):
    import torch

    for env in ({"TORCH_HOME": str(tmp_path / "th")}, {"XDG_CACHE_HOME": str(tmp_path / "xdg")}, {}):
        monkeypatch.delenv("TORCH_HOME", raising=False)
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        assert W.torch_checkpoint_dir() == __import__("pathlib").Path(torch.hub.get_dir()) / "checkpoints"


def test_download_good_file_with_progress(server, torch_home):
    seen = []
    path = W.download_weights(f"{server}/models/{GOOD_NAME}", progress=lambda d, t: seen.append((d, t)), **EXPECT)
    assert path == torch_home / GOOD_NAME
    assert path.read_bytes() == PAYLOAD
    assert seen[0] == (0, len(PAYLOAD)) and seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert sorted(p.name for p in torch_home.iterdir()) == [GOOD_NAME]


def test_wrong_hash_is_refused_and_leaves_nothing(server, torch_home):
    with pytest.raises(W.WeightsError, match=f"does not match its hash {PREFIX}.*ALEXNET_GUI_WEIGHTS_URL.*--weights"):
        W.download_weights(f"{server}/wrong/{GOOD_NAME}", **EXPECT)
    assert list(torch_home.iterdir()) == []


def test_server_error_is_clear_and_leaves_nothing(server, torch_home):
    with pytest.raises(W.WeightsError, match=r"HTTP 500.*check the network"):
        W.download_weights(f"{server}/error/{GOOD_NAME}", **EXPECT)
    assert list(torch_home.iterdir()) == []


def test_unreachable_host_names_what_to_do(torch_home):
    with pytest.raises(W.WeightsError, match=r"could not download .*--weights FILE"):
        W.download_weights("http://127.0.0.1:9/alexnet-owt-7be5be79.pth", timeout=5)
    assert list(torch_home.iterdir()) == []


def test_cancel_after_the_first_chunk_leaves_nothing(server, torch_home):
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(W.DownloadCancelled, match="cancelled"):
        W.download_weights(f"{server}/models/{GOOD_NAME}", cancel=cancel, **EXPECT)
    assert list(torch_home.iterdir()) == []


def test_mirror_env_is_used_when_nothing_is_cached_and_found_in_the_cache_after(server, torch_home, monkeypatch):
    monkeypatch.setattr(W, "HASH_PREFIX", PREFIX)  # as if PAYLOAD were torchvision's file
    monkeypatch.setenv(W.MIRROR_ENV, f"{server}/mirror/any-name/{GOOD_NAME}")
    choice = W.resolve_weights()
    assert choice.kind == "pth" and choice.path == torch_home / W.WEIGHTS_FILENAME
    assert "downloaded" in choice.source
    monkeypatch.setenv(W.MIRROR_ENV, "http://127.0.0.1:9/unreachable.pth")
    again = W.resolve_weights()  # no second download: torchvision's name is in the cache
    assert again.path == torch_home / W.WEIGHTS_FILENAME and "torch cache" in again.source


def test_a_mirror_url_cannot_choose_its_own_hash(server, torch_home, monkeypatch):
    monkeypatch.setenv(W.MIRROR_ENV, f"{server}/models/{GOOD_NAME}")  # its name carries the payload's own hash
    with pytest.raises(W.WeightsError, match=f"does not match its hash {W.HASH_PREFIX}"):
        W.resolve_weights()
    assert list(torch_home.iterdir()) == []


def test_a_trickling_download_has_a_deadline(torch_home):
    import socket

    listener = socket.create_server(("127.0.0.1", 0))

    def trickle():
        conn, _ = listener.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        stop = threading.Event()
        try:
            for _ in range(200):  # a byte every 50 ms (the slowness under test), until the client hangs up
                conn.sendall(b"x")
                stop.wait(0.05)
        except OSError:
            pass
        finally:
            conn.close()

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/{W.WEIGHTS_FILENAME}"
    with pytest.raises(W.WeightsError, match=r"was too slow \(\d+ bytes in 0 s\) and was stopped"):
        W.download_weights(url, deadline=0.3)
    listener.close()
    assert list(torch_home.iterdir()) == []


def test_a_full_disk_or_read_only_cache_is_one_sentence(server, torch_home, monkeypatch):
    import errno

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, block):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr(D.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    with pytest.raises(W.WeightsError, match=r"^cannot save the weights in .*: the disk is full; nothing was kept$"):
        W.download_weights(f"{server}/models/{GOOD_NAME}", **EXPECT)
    assert list(torch_home.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setenv("TORCH_HOME", str(torch_home.parent.parent))

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(D.tempfile, "mkstemp", read_only)
    with pytest.raises(W.WeightsError, match=r"the file system is read-only; set TORCH_HOME to a writable folder"):
        W.download_weights(f"{server}/models/{GOOD_NAME}", **EXPECT)


def test_resolution_order(tmp_path, torch_home):
    with pytest.raises(W.WeightsError, match="no AlexNet weights found"):
        W.resolve_weights(download=False)
    torch_home.mkdir(parents=True)
    (torch_home / W.WEIGHTS_FILENAME).write_bytes(b"cached")
    cached = W.resolve_weights(download=False)
    assert cached.kind == "pth" and cached.path == torch_home / W.WEIGHTS_FILENAME and "torch cache" in cached.source
    mine = tmp_path / "mine.pth"
    mine.write_bytes(b"mine")
    assert W.resolve_weights(mine).path == mine.resolve()
    (tmp_path / "m.onnx").write_bytes(b"onnx")
    assert W.resolve_weights(tmp_path / "m.onnx").kind == "onnx"
    assert W.resolve_weights(mine, untrained=True).kind == "untrained"
    with pytest.raises(W.WeightsError, match="weights file not found"):
        W.resolve_weights(tmp_path / "missing.pth")
    (tmp_path / "w.h5").write_bytes(b"x")
    assert W.resolve_weights(tmp_path / "w.h5").kind == "keras"
    (tmp_path / "w.txt").write_bytes(b"x")
    with pytest.raises(W.WeightsError, match=r"^w\.txt is not a model file this app reads: give a PyTorch file"):
        W.resolve_weights(tmp_path / "w.txt")


class RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pth"
    import torch

    with open(evil, "wb") as f:
        pickle.dump({"features.0.weight": RunsCode(str(marker))}, f)
    torch.save({"features.0.weight": RunsCode(str(marker))}, tmp_path / "evil_zip.pth")
    for path in (evil, tmp_path / "evil_zip.pth"):
        with pytest.raises(W.WeightsError, match="refused to load .*not a plain PyTorch state_dict.*may try to run code"):
            load_state_dict(path)
    assert not marker.exists()


def test_garbage_and_non_state_dicts_are_refused(tmp_path):
    import torch

    (tmp_path / "g.pth").write_bytes(b"garbage" * 10)
    with pytest.raises(W.WeightsError, match="refused to load .*damaged"):
        load_state_dict(tmp_path / "g.pth")
    (tmp_path / "e.pth").write_bytes(b"")
    with pytest.raises(W.WeightsError, match="cannot read .* as PyTorch weights"):
        load_state_dict(tmp_path / "e.pth")
    torch.save([1, 2, 3], tmp_path / "l.pth")
    with pytest.raises(W.WeightsError, match="does not hold a state_dict"):
        load_state_dict(tmp_path / "l.pth")


def test_untrained_state_dict_is_seeded_and_shaped_like_torchvisions():
    import torch
    import torchvision

    a, b = W.untrained_state_dict(0), W.untrained_state_dict(0)
    assert list(a) == list(torchvision.models.alexnet().state_dict())
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["features.0.weight"], W.untrained_state_dict(1)["features.0.weight"])
    assert sum(v.numel() for v in a.values()) == 61_100_840


def test_checkpoint_wrapped_state_dict_loads(tmp_path):
    import torch

    state = W.untrained_state_dict(0)
    torch.save({"state_dict": state, "epoch": 90}, tmp_path / "ckpt.pth")
    assert set(load_state_dict(tmp_path / "ckpt.pth")) == set(state)


def test_importing_weights_does_not_import_torch():
    imported, _ = imports_after("import alexnet_gui.core.model.weights", ("torch",))
    assert imported == []


def test_a_killed_downloads_part_file_is_removed_by_the_next_download(server, torch_home):
    torch_home.mkdir(parents=True)
    old = torch_home / f".{GOOD_NAME}.abcd1234.part"
    old.write_bytes(b"x" * 1000)
    os.utime(old, (1_000_000_000, 1_000_000_000))  # untouched for years: its download was killed
    live = torch_home / f".{GOOD_NAME}.live5678.part"
    live.write_bytes(b"y")  # written just now: another download still running
    W.download_weights(f"{server}/models/{GOOD_NAME}", **EXPECT)
    assert sorted(p.name for p in torch_home.iterdir()) == sorted([GOOD_NAME, live.name])


def test_torchvisions_file_is_a_registry_entry_like_the_named_models(torch_home):
    entry = W.NAMED_MODELS["torchvision-alexnet"]
    assert (entry.file_name, entry.sha256, entry.mirror_env) == (W.WEIGHTS_FILENAME, W.HASH_PREFIX, W.MIRROR_ENV)
    with pytest.raises(W.WeightsError, match=r"^torchvision-alexnet is not downloaded yet \(.*alexnet-owt-7be5be79"):
        W.resolve_weights("torchvision-alexnet", download=False)
    torch_home.mkdir(parents=True)
    (torch_home / "alexnet-owt-4df8aa71.pth").write_bytes(b"older name")  # the name tutorials still load
    choice = W.resolve_weights("torchvision-alexnet", download=False)
    assert choice.kind == "pth" and choice.path == torch_home / "alexnet-owt-4df8aa71.pth"
    assert W.cached_weights_path() == choice.path
