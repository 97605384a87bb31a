"""What Export CSV says it wrote: which rows (every row, or the selection) and how many it left out, so that an
export never drops rows silently."""

from __future__ import annotations

from alexnet_gui.gui.translation import window_text as tr


def export_message(path: str, written: int, chosen: int, selected: bool) -> str:
    """The status line after `written` of the `chosen` rows (the selected ones when `selected`, else every row)
    went to `path`; the others were not classified yet."""
    left = chosen - written
    if not left:
        text = (tr("Wrote the %n selected row(s) to {path}", "", written) if selected
                else tr("Wrote all %n row(s) to {path}", "", written))
        return text.format(path=path)
    text = (tr("Wrote {written} of the %n selected row(s) to {path}.", "", chosen) if selected
            else tr("Wrote {written} of %n row(s) to {path}.", "", chosen))
    return text.format(written=written, path=path) + " " + tr(
        "%n row(s) not classified yet were left out: classify them (F5) and export again.", "", left)
