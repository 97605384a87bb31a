"""The interface's languages: which one is spoken (the saved choice, else the system locale), the catalogues
complete and up to date with the code, and the command line speaking Chinese as a whole process."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from alexnet_gui.core import language
from tests.image_fixtures import write_photos

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "alexnet_gui" / "resources" / "i18n"
PO = ROOT / "alexnet_gui" / "resources" / "locale" / "zh_CN" / "LC_MESSAGES" / "alexnet_gui.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n")


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_SG.UTF-8"}, "zh_CN"),
    ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"LANGUAGE": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins over LANG, as in gettext
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "de_DE.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_TW.UTF-8"}, "en"),  # Traditional Chinese: no catalogue yet, so English, not Simplified
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_system_locale_picks_the_language_in_gettexts_order(environ, expected):
    assert language.system_language(environ) == expected


def test_the_saved_choice_wins_over_the_locale_and_system_follows_it(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert language.saved_choice() == "system" and language.resolve_language() == "zh_CN"
    try:
        language.save_choice("en")
        assert language.choice_file().read_text(encoding="utf-8") == "en\n"
        assert language.resolve_language() == "en"
        language.choice_file().write_text("klingon\n", encoding="utf-8")  # a hand-edited file: ignored
        assert language.saved_choice() == "system"
        with pytest.raises(ValueError, match="language must be one of system, en, zh_CN, not 'fr'"):
            language.save_choice("fr")
    finally:
        language.save_choice("system")


def test_messages_and_counts_follow_the_language():
    from alexnet_gui.core.wording import counted

    try:
        language.set_language("zh_CN")
        assert language.gettext("error: {exc}") == "错误：{exc}"
        assert counted(3, "image") == "3 张图像" and counted(1, "row") == "1 行"
    finally:
        language.set_language("en")
    assert language.gettext("error: {exc}") == "error: {exc}"
    assert counted(1, "image") == "1 image" and counted(3, "class", "classes") == "3 classes"


def translation_tools():
    """packaging/update_translations.py: how the catalogues are extracted, which the tests repeat against them."""
    sys.path.insert(0, str(ROOT / "packaging"))
    import update_translations

    return update_translations


def test_every_command_line_message_has_a_chinese_translation_with_the_same_placeholders():
    from babel.messages.pofile import read_po

    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh_CN")
    translated = {m.id: m.string for m in catalog if m.id}
    extracted = {m.id for m in translation_tools().extract_messages() if m.id}
    missing = sorted(extracted - set(translated))
    assert missing == [], "run packaging/update_translations.py and translate: " + repr(missing[:10])
    assert len(translated) > 140
    for source, target in translated.items():
        assert target, f"untranslated: {source!r}"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(target)), source
    # The compiled catalogue the app loads is this one, not an older compile.
    with (PO.with_suffix(".mo")).open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    assert {s: compiled.gettext(s) for s in translated} == translated


def ts_messages(path: Path) -> dict[tuple[str, str], list[str]]:
    """(context, source) -> its translations (one per plural form) in a Qt Linguist file."""
    messages = {}
    for context in ET.parse(path).getroot():
        name = context.findtext("name")
        for m in context.iter("message"):
            translation = m.find("translation")
            assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), m.findtext("source")
            forms = [f.text or "" for f in translation.findall("numerusform")] or [translation.text or ""]
            messages[(name, m.findtext("source"))] = forms
    return messages


def test_the_qt_catalogues_hold_every_string_of_the_code_translated_and_compiled(tmp_path):
    tools = translation_tools()
    lrelease = tools.tool("pyside6-lrelease")
    for code in tools.QT_LANGUAGES:
        name = f"alexnet_gui_{code}"
        committed = I18N / f"{name}.ts"
        fresh = tmp_path / f"{name}.ts"
        shutil.copy(committed, fresh)
        # lupdate merges the code's strings into a copy: nothing new may appear, nothing may vanish.
        out = subprocess.run(tools.lupdate_command(code, fresh), capture_output=True, text=True,
                             check=True).stdout
        if code != "en":  # (the English file counts the strings it strips as new)
            assert "(0 new and " in out, out
        assert ts_messages(fresh) == ts_messages(committed)
        qm = tmp_path / f"{name}.qm"
        out = subprocess.run([lrelease, str(committed), "-qm", str(qm)], capture_output=True, text=True,
                             check=True).stdout
        assert "0 unfinished" in out, out
        assert qm.read_bytes() == (I18N / f"{name}.qm").read_bytes(), f"{name}.qm is older than {name}.ts"
    chinese = ts_messages(I18N / "alexnet_gui_zh_CN.ts")
    assert len(chinese) > 400
    for (context, source), forms in chinese.items():
        assert all(forms), (context, source)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(form)), (context, source)
    english = ts_messages(I18N / "alexnet_gui_en.ts")
    assert english[("SortDialog", "Copy %n image(s)")] == ["Copy %n image", "Copy %n images"]


def run_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The command line as a user runs it, with the environment's language settings replaced by `env`."""
    environ = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "alexnet_gui", *args], capture_output=True, text=True,
                          env=environ, cwd=tmp_path, timeout=240)


def test_the_command_line_speaks_chinese_under_a_chinese_locale_and_english_otherwise(tmp_path):
    # Offline, with no weights: the message names the mirror variable and --weights, in either language.
    args = ["classify", str(tmp_path), "--out", str(tmp_path / "out.csv")]
    write_photos(tmp_path, 1)
    chinese = run_cli(args, tmp_path, LANG="zh_CN.UTF-8")
    assert chinese.returncode == 2
    assert chinese.stderr.startswith("错误：无法下载 http://127.0.0.1:9/alexnet-owt-7be5be79.pth")
    assert "请检查网络连接，把 ALEXNET_GUI_WEIGHTS_URL 设为 alexnet-owt-7be5be79.pth 的镜像网址，或使用 --weights FILE" \
        in chinese.stderr
    english = run_cli(args, tmp_path, LANG="C.UTF-8")
    assert english.returncode == 2
    assert english.stderr.startswith("error: could not download http://127.0.0.1:9/alexnet-owt-7be5be79.pth")
    assert "set ALEXNET_GUI_WEIGHTS_URL to a mirror of alexnet-owt-7be5be79.pth, or pass --weights FILE" \
        in english.stderr
    # A mistyped command, and the options' names and CSV stay English whatever the language.
    typo = run_cli(["clasify"], tmp_path, LANG="zh_CN.UTF-8")
    assert typo.returncode == 2
    assert typo.stderr == "错误：未知命令 'clasify'（你是想用 classify 吗？），也没有同名的文件或文件夹\n"


def test_a_chinese_classify_run_summarises_in_chinese_and_writes_the_same_csv(tmp_path):
    images = tmp_path / "images"
    write_photos(images, 3)
    config = tmp_path / "config"
    (config / "alexnet-gui").mkdir(parents=True)
    # The choice View > Language saved wins over an English locale.
    (config / "alexnet-gui" / "language").write_text("zh_CN\n", encoding="utf-8")
    out = tmp_path / "zh.csv"
    run = run_cli(["classify", str(images), "--untrained", "--backend", "onnx", "--out", str(out)], tmp_path,
                  LANG="C.UTF-8", XDG_CONFIG_HOME=str(config))
    assert run.returncode == 0, run.stderr
    assert "警告：--untrained 运行的是固定随机种子的随机网络：其预测没有意义（仅用于演示和测试）。" in run.stderr
    assert re.search(r"^3 张图像，0 张失败，[\d.]+ 秒，[\d.]+ 张/秒 — 后端 onnx，设备 cpu", run.stderr, re.M), run.stderr
    english = run_cli(["classify", str(images), "--untrained", "--backend", "onnx", "--out", str(tmp_path / "en.csv")],
                      tmp_path, LANG="C.UTF-8")
    assert re.search(r"^3 images, 0 failed, ", english.stderr, re.M), english.stderr
    # Data stays language-neutral: the same header and cells in both runs.
    assert out.read_text(encoding="utf-8") == (tmp_path / "en.csv").read_text(encoding="utf-8")


def test_the_cores_reports_shown_by_the_app_speak_chinese_and_data_stays_english(tmp_path):
    from alexnet_gui.core.analysis.visualize import describe_kernels
    from alexnet_gui.core.model.loading import untrained_card
    from alexnet_gui.core.pipeline.images import ImageError, open_rgb

    card = untrained_card()
    (tmp_path / "notes.jpg").write_text("not a photo")
    with pytest.raises(ImageError) as caught:
        open_rgb(str(tmp_path / "notes.jpg"))
    reason = str(caught.value)
    assert reason == "not an image file"  # the CSV's cell, in every language
    try:
        language.set_language("zh_CN")
        lines = card.summary_lines()
        assert lines[0].startswith("模型：untrained-seed0（") and lines[2].startswith("类别：1000 个（")
        import numpy as np

        assert describe_kernels("conv1", np.zeros((96, 3, 11, 11))) == (
            "conv1：96 个 3x11x11 的卷积核，RGB；即论文中各 48 个、每块 GPU 一半的两组（论文图 3）：间隔的上方和下方")
        assert language.gettext(reason) == "不是图像文件"  # how the app's Status column shows it
    finally:
        language.set_language("en")
    assert card.summary_lines()[0].startswith("model: untrained-seed0 (")


def test_an_onnx_cache_that_cannot_be_written_is_refused_in_chinese(tmp_path, monkeypatch):
    from alexnet_gui.core.backends.base import BackendError
    from alexnet_gui.core.backends.onnx_backend import ensure_exported
    from alexnet_gui.core.model.choice import UNTRAINED

    (tmp_path / "a file").write_text("not a folder")
    monkeypatch.setenv("ALEXNET_GUI_CACHE", str(tmp_path / "a file" / "cache"))
    folder = tmp_path / "a file" / "cache" / "onnx"
    try:
        language.set_language("zh_CN")
        with pytest.raises(BackendError) as caught:
            ensure_exported(UNTRAINED)
    finally:
        language.set_language("en")
    assert str(caught.value) == f"无法在 {folder} 中写入 ONNX 缓存（Not a directory）；请把 ALEXNET_GUI_CACHE 设为可写的文件夹"
