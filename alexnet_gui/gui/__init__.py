"""The desktop app: the only sub-package that imports PySide6."""
