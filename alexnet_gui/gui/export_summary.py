"""What Export CSV says it wrote: which rows (every row, or the selection) and how many it left out, so that an
export never drops rows silently."""

from __future__ import annotations

from PySide6.QtCore import QObject


class ExportSummary(QObject):
    """The export's status line (a QObject for its translation context, where lupdate finds its plural forms)."""

    def message(self, path: str, written: int, chosen: int, selected: bool) -> str:
        """The status line after `written` of the `chosen` rows (the selected ones when `selected`, else every
        row) went to `path`; the others were not classified yet."""
        left = chosen - written
        if not left:
            text = (self.tr("Wrote the %n selected row(s) to {path}", "", written) if selected
                    else self.tr("Wrote all %n row(s) to {path}", "", written))
            return text.format(path=path)
        text = (self.tr("Wrote {written} of the %n selected row(s) to {path}.", "", chosen) if selected
                else self.tr("Wrote {written} of %n row(s) to {path}.", "", chosen))
        return text.format(written=written, path=path) + " " + self.tr(
            "%n row(s) not classified yet were left out: classify them (F5) and export again.", "", left)


def export_message(path: str, written: int, chosen: int, selected: bool) -> str:
    """See `ExportSummary.message`."""
    return ExportSummary().message(path, written, chosen, selected)
