"""alexnet-gui: classify images with AlexNet from a desktop app or the command line."""

__version__ = "0.1.0"
