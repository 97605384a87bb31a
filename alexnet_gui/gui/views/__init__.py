"""The views beside the results table, one module each: predictions, filters, feature maps, where it looks
(attributions), unit, architecture. Each gets an `AppContext`, never the window."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from alexnet_gui.gui.views.architecture import ArchitectureView
from alexnet_gui.gui.views.attribution import CamView
from alexnet_gui.gui.views.base import View
from alexnet_gui.gui.views.feature_maps import FeatureMapsView
from alexnet_gui.gui.views.filters import FiltersView
from alexnet_gui.gui.views.map import MapView
from alexnet_gui.gui.views.similar import SimilarView
from alexnet_gui.gui.views.unit import UnitView

__all__ = ["ArchitectureView", "CamView", "FeatureMapsView", "FiltersView", "MapView", "SimilarView", "UnitView", "View",
           "install_views"]


def install_views(window) -> dict[str, View]:
    """Add the network views as tabs of the main window (`window.add_view_tab`); return them by kind."""
    context = window.context
    views = {
        "filters": FiltersView(context),
        "features": FeatureMapsView(context),
        "cam": CamView(context),
        "unit": UnitView(context),
        "architecture": ArchitectureView(context),
        "similar": SimilarView(context),
        "map": MapView(context),
    }
    for title, kind in (
        (QCoreApplication.translate("install_views", "Filters"), "filters"),
        (QCoreApplication.translate("install_views", "Feature maps"), "features"),
        (QCoreApplication.translate("install_views", "Where it looks"), "cam"),
        (QCoreApplication.translate("install_views", "Unit"), "unit"),
        (QCoreApplication.translate("install_views", "Architecture"), "architecture"),
        (QCoreApplication.translate("install_views", "Similar"), "similar"),
        (QCoreApplication.translate("install_views", "Map"), "map"),
    ):
        window.add_view_tab(views[kind], title)
    window.views = views
    from alexnet_gui.gui.widgets.embedding_actions import install_embedding_actions

    install_embedding_actions(window)  # Tools > Find near-duplicates…, Model > Keep each image's fc7 vector
    card = context.card()
    if card is not None:  # installed after a model loaded: its layers, as a load would have shown them
        show_model_layers(views, card)
    return views


def show_model_layers(views: dict[str, View], card) -> None:
    """Let the views that list layers list the loaded model's own."""
    for kind in ("features", "unit"):
        if kind in views:
            views[kind].show_model_layers(card)
