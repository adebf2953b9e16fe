"""Finding the fics in a folder: what is a fic, what is a page's own furniture."""

from __future__ import annotations

from pathlib import Path

from ficsift.read import DEFAULT_LIMITS
from ficsift.read.discover import FoundFile, Skipped, discover


def test_a_saved_pages_resource_folder_is_not_read(tmp_path: Path) -> None:
    """ "Web Page, complete" saves the page's frames and scripts in "<page>_files" beside it:
    the page is read, its folder skipped; a folder so named with no page beside it is read."""
    (tmp_path / "Lanterns.html").write_text("<p>story</p>")
    frames = tmp_path / "Lanterns_files"
    frames.mkdir()
    (frames / "ad-frame.html").write_text("<p>buy now</p>")
    (frames / "widget.htm").write_text("<p>share</p>")
    alone = tmp_path / "Old_files"
    alone.mkdir()
    (alone / "chapter.html").write_text("<p>a story kept in a folder</p>")
    found = list(discover([tmp_path], DEFAULT_LIMITS))
    read = sorted(Path(f.path).name for f in found if isinstance(f, FoundFile))
    assert read == ["Lanterns.html", "chapter.html"]
    assert [Path(f.path).name for f in found if isinstance(f, Skipped)] == ["Lanterns_files"]
