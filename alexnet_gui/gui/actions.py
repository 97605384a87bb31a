"""The main window's actions as one declarative table: name, text, shortcut, handler, tip, when enabled, menu.

`install_actions(window)` makes each `QAction` (kept as `window.<name>`), connects it to `window.<handler>`, and
puts it in its menu (and the toolbar's, `TOOLBAR`); `update_enabled(window, busy)` applies the table's enabled-when column.
Texts are marked for lupdate (`_t`, in the empty context) and translated where the action is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

SK = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    """One action: `window.<name>` triggers `window.<handler>`; `enabled` is "always", "idle" or "busy"."""

    name: str
    text: str
    handler: str
    shortcut: str | QKeySequence.StandardKey | None = None
    tip: str = ""
    menu: str = ""  # "file", "edit", "model", "help" or "" (in no menu)
    checkable: bool = False
    enabled: str = "always"


def _t(text: str) -> str:
    """Mark `text` for lupdate, which reads _t as QT_TR_NOOP (packaging/update_translations.py): the empty context,
    the one the actions are translated from where they are made."""
    return text


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open_images_action", _t("Open images…"), "open_images", SK.Open,
               _t("Queue image files for classification (Ctrl+O)"), "file"),
    ActionSpec("open_folder_action", _t("Open folder…"), "open_folder", "Ctrl+Shift+O",
               _t("Queue every image in a folder and its sub-folders"), "file"),
    ActionSpec("export_action", _t("Export CSV…"), "export_csv", "Ctrl+E",
               _t("Write the selected rows (or all rows) to a CSV, same columns as the command line"), "file"),
    ActionSpec("quit_action", _t("Quit"), "close", SK.Quit, _t("Quit alexnet-gui"), "file"),
    ActionSpec("select_all_action", _t("Select all"), "select_all", SK.SelectAll, _t("Select every row (Ctrl+A)"),
               "edit"),
    ActionSpec("remove_action", _t("Remove selected"), "remove_selected", SK.Delete,
               _t("Remove the selected rows from the table (Delete)"), "edit"),
    ActionSpec("classify_action", _t("Classify queued"), "classify_queued", "F5",
               _t("Classify every row that is still queued"), "model"),
    ActionSpec("classify_again_action", _t("Classify all again"), "classify_all_again", "Shift+F5",
               _t("Classify every row again with the model that runs now (rows keep which model made them)"),
               "model"),
    ActionSpec("cancel_action", _t("Cancel"), "cancel", "Esc", _t("Stop the running batch; rows done so far are kept"),
               "model", enabled="busy"),
    ActionSpec("fast_decode_action", _t("Fast JPEG decoding"), "set_fast_decode", None,
               _t("Decode JPEGs at a reduced DCT scale before the same resize and crop: 1.6-1.8x the images/s on "
                  "folders of photos, within 0.02 RMS of the exact input (the command line's --fast-decode)"),
               "model", checkable=True),
    ActionSpec("record_units_action", _t("Keep each unit's top images"), "set_record_units", None,
               _t("While classifying, keep the images that activate each unit most (a few MB per model, on disk), "
                  "so the Unit tab's Top images answer at once for rows already classified"), "model", checkable=True),
    ActionSpec("fp16_action", _t("Half precision on CUDA (fp16)"), "set_fp16", None,
               _t("Run the model in fp16 on the GPU (the command line's --precision fp16); the CPU always runs fp32"),
               "model", checkable=True),
    ActionSpec("int8_action", _t("int8 on the CPU (ONNX Runtime)"), "set_int8", None,
               _t("Run a quantised copy of the model on the CPU, about 3x the model's fp32 speed, calibrated on 24 "
                  "built-in photos (the command line's --precision int8); ONNX Runtime backend only"), "model",
               checkable=True),
    ActionSpec("top_k_action", _t("Classes per image (top-k)…"), "ask_top_k", None,
               _t("How many classes each row keeps and Export CSV writes, 1-1000 (the command line's --top-k)"),
               "model", enabled="idle"),
    ActionSpec("weights_action", _t("Choose weights…"), "ask_for_weights", None,
               _t("Download AlexNet's weights, choose a model file (PyTorch, ONNX, Keras), or use the untrained "
                  "demo")),
    ActionSpec("about_action", _t("About alexnet-gui"), "show_about", None, "", "help"),
)

# The labelling project's actions (issue 33), on `LabellingMenu` (gui/widgets/labelling_menu.py); menus "file",
# "view" and "tools".
LABELLING_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_project_action", _t("New labelling project…"), "new_project", None,
               _t("Create a labelling project (one SQLite file) and add images to it"), "file"),
    ActionSpec("open_project_action", _t("Open labelling project…"), "open_project", None,
               _t("Open a labelling project: its images, their labels and the model's predictions"), "file"),
    ActionSpec("export_labels_action", _t("Export labels…"), "export_labels", None,
               _t("Write the project's labels as CSV, JSON Lines or class folders that training reads"), "file"),
    ActionSpec("review_action", _t("Review"), "show_review", "Ctrl+R",
               _t("Label the project's images one by one from the keyboard, least confident first"), "view"),
    ActionSpec("label_errors_action", _t("Find label errors…"), "find_label_errors", None,
               _t("Rank the project's labels by how likely each is wrong (cleanlab) and review them"), "tools"),
    ActionSpec("train_labels_action", _t("Train on my labels…"), "train_on_labels", None,
               _t("Train a model on the project's labels, then classify the unlabelled rest with it"), "tools"),
)

TOOLBAR = ("open_images_action", "open_folder_action", "classify_action", "cancel_action", "export_action")
# Where a menu's separators go: before these actions.
SEPARATED = {"quit_action", "fast_decode_action"}


def make_action(window, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    """A window-wide action (its shortcut works wherever the focus is) connected to `slot`."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip or text)
    action.setStatusTip(tip or text)
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def install_actions(window) -> dict[str, QAction]:
    """Make the table's actions on `window` (as `window.<name>`) and return them by name."""
    actions = {}
    for spec in ACTIONS:
        text = QCoreApplication.translate("", spec.text)
        tip = QCoreApplication.translate("", spec.tip) if spec.tip else ""
        action = make_action(window, text, getattr(window, spec.handler), spec.shortcut, tip)
        action.setCheckable(spec.checkable)
        setattr(window, spec.name, action)
        actions[spec.name] = action
    update_enabled(window, busy=False)
    return actions


def install_owned_actions(owner, window, specs: tuple[ActionSpec, ...]) -> dict[str, QAction]:
    """Make `specs`' actions on `window`, each connected to `owner.<handler>` and kept as `owner.<name>`."""
    actions = {}
    for spec in specs:
        tip = QCoreApplication.translate("", spec.tip) if spec.tip else ""
        action = make_action(window, QCoreApplication.translate("", spec.text),
                             lambda _checked=False, h=spec.handler: getattr(owner, h)(), spec.shortcut, tip)
        setattr(owner, spec.name, action)
        actions[spec.name] = action
    return actions


def update_enabled(window, busy: bool) -> None:
    """Apply the table's enabled-when column (a running batch keeps the top-k it started with)."""
    for spec in ACTIONS:
        if spec.enabled != "always":
            getattr(window, spec.name).setEnabled(busy == (spec.enabled == "busy"))


def fill_menu(window, menu, name: str) -> None:
    """Add the table's actions of menu `name` to `menu`, in the table's order."""
    for spec in ACTIONS:
        if spec.menu == name:
            if spec.name in SEPARATED:
                menu.addSeparator()
            menu.addAction(getattr(window, spec.name))


def fill_toolbar(window, toolbar) -> None:
    for name in TOOLBAR:
        toolbar.addAction(getattr(window, name))
