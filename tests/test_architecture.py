"""The layer table is measured on torchvision's model: shapes for 224x224 and 61,100,840 parameters."""

import subprocess
import sys

from alexnet_gui.core.analysis.architecture import format_table, layer_table


def test_shapes_and_parameters():
    rows = {r.name: r for r in layer_table()}
    assert rows["conv1"].output_shape == (64, 55, 55) and rows["conv1"].params == 64 * 3 * 11 * 11 + 64
    assert rows["pool5"].output_shape == (256, 6, 6)
    assert rows["fc8"].output_shape == (1000,) and rows["fc8"].params == 4096 * 1000 + 1000
    assert sum(r.params for r in rows.values()) == 61_100_840


def test_summary_command_prints_the_table():
    proc = subprocess.run([sys.executable, "-m", "alexnet_gui", "summary"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert proc.stdout.strip() == format_table(layer_table())
    assert proc.stdout.strip().splitlines()[-1].split()[-1] == "61,100,840"
