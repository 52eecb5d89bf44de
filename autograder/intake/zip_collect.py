"""A safe extractor for `nbgrader zip_collect` (configured in nbgrader_config.py).

nbgrader unpacks every archive an LMS export holds, and the archives inside them, with no
limit: one zip bomb fills the disk. This plugin looks into each archive first (nested ones
too) and leaves out, with a log line naming it, any archive that would unpack to too much
data, too many files, or paths outside the extraction folder.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import PurePosixPath

from nbgrader.plugins import ExtractorPlugin
from traitlets import Integer

ARCHIVE_SUFFIXES = (".zip",)


class UnsafeArchive(Exception):
    pass


class SafeExtractorPlugin(ExtractorPlugin):
    max_total_bytes = Integer(500 * 2**20, help="Most an archive may unpack to, nested archives included").tag(config=True)
    max_members = Integer(10_000, help="Most files an archive may hold, nested archives included").tag(config=True)
    max_depth = Integer(2, help="How deep archives may nest").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        with tempfile.TemporaryDirectory(prefix="zip-collect-") as vetted:
            # Copy only what passed the inspection, then let nbgrader unpack that.
            for root, _, files in os.walk(archive_path):
                for name in files:
                    source = os.path.join(root, name)
                    target = os.path.join(vetted, os.path.relpath(source, archive_path))
                    if name.lower().endswith(ARCHIVE_SUFFIXES):
                        try:
                            self.inspect(source)
                        except (UnsafeArchive, zipfile.BadZipFile) as problem:
                            self.log.error("Not extracted: %s (%s)", source, problem)
                            continue
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    shutil.copyfile(source, target)
            super().extract(vetted, extracted_path)

    def inspect(self, path: str) -> None:
        with open(path, "rb") as handle:
            totals = {"bytes": 0, "members": 0}
            self._inspect(zipfile.ZipFile(handle), depth=1, totals=totals)

    def _inspect(self, archive: zipfile.ZipFile, depth: int, totals: dict) -> None:
        for member in archive.infolist():
            path = PurePosixPath(member.filename)
            if path.is_absolute() or ".." in path.parts or "\\" in member.filename:
                raise UnsafeArchive(f"member {member.filename!r} would land outside the extraction folder")
            totals["members"] += 1
            totals["bytes"] += member.file_size
            if totals["members"] > self.max_members:
                raise UnsafeArchive(f"more than {self.max_members:,} files")
            if totals["bytes"] > self.max_total_bytes:
                raise UnsafeArchive(f"unpacks to more than {self.max_total_bytes / 2**20:.0f} MB")
            if member.filename.lower().endswith(ARCHIVE_SUFFIXES):
                if depth >= self.max_depth:
                    raise UnsafeArchive(f"archives nested deeper than {self.max_depth}")
                with archive.open(member) as inner:
                    data = inner.read(self.max_total_bytes - totals["bytes"] + 1)
                self._inspect(zipfile.ZipFile(io.BytesIO(data)), depth + 1, totals)
