"""The README is the landing page and docs/ holds the rest: every link between them must land somewhere.

Checks every relative link and image in README.md and docs/*.md (the file exists; an `#anchor` names a heading of
that file by GitHub's slug rules), the README's length, that its command table lists every sub-command, and that
its test command is the one CI runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
README_MAX_LINES = 350

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
# [text](target) and ![alt](target); the text may wrap onto the next line.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text with code blocks and comments removed: links and headings inside them are not links or headings."""
    return HTML_COMMENT.sub("", FENCE.sub("", text))


def github_slug(heading: str) -> str:
    """GitHub's anchor for a heading: its rendered text lower-cased, punctuation dropped, spaces as '-'."""
    text = heading.replace("`", "")
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading renders as its text
    text = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", text)  # emphasis markers are not part of the text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page, numbered as GitHub numbers repeated headings (-1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    for match in HEADING.finditer(prose(page.read_text(encoding="utf-8"))):
        slug = github_slug(match.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(page: Path) -> list[str]:
    text = INLINE_CODE.sub("", prose(page.read_text(encoding="utf-8")))
    return [target for target in LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_the_slug_rules_are_githubs():
    assert github_slug("The ONNX cache: checked before use, capped, `alexnet-gui cache`") == (
        "the-onnx-cache-checked-before-use-capped-alexnet-gui-cache")
    assert github_slug("The card schema (`alexnet-gui.card/1`)") == "the-card-schema-alexnet-guicard1"
    assert github_slug("Why is my GPU not used? `alexnet-gui info`") == "why-is-my-gpu-not-used-alexnet-gui-info"
    assert github_slug("int8 on the CPU") == "int8-on-the-cpu"


def test_the_pages_exist_and_link_to_each_other():
    names = {page.name for page in PAGES}
    assert {"README.md", "app.md", "command-line.md", "models-and-cards.md", "training.md", "seeing-inside.md",
            "scale-out.md", "benchmarks.md", "architecture.md"} <= names
    readme_links = {target.split("#")[0] for target in links(REPO / "README.md")}
    for page in PAGES[1:]:
        assert f"docs/{page.name}" in readme_links, f"the README's tour does not link docs/{page.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_image_resolves(page):
    broken = []
    for target in links(page):
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading with the anchor #{anchor} in {dest.relative_to(REPO)}")
    assert not broken, f"{page.relative_to(REPO)} has broken links:\n" + "\n".join(broken)


def test_the_readme_is_a_landing_page():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_the_readme_lists_every_command():
    from alexnet_gui.cli import COMMAND_MODULES

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.partition("\n## Commands\n")[2].partition("\n## ")[0]
    listed = set(re.findall(r"^\| `([a-z-]+)", section, re.MULTILINE))
    missing = {name.replace("_", "-") for name in COMMAND_MODULES} - listed
    assert not missing, f"the README's command table lacks {sorted(missing)}"


def test_the_readme_test_command_is_the_one_ci_runs():
    ci = [line for line in (REPO / ".ci" / "run").read_text().splitlines() if line.startswith("python3 -m venv")]
    assert len(ci) == 1
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    at = readme.index("# set up and run the tests")
    assert readme[at + 1] == ci[0]
