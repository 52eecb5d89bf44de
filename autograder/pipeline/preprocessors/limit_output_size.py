"""LimitOutputSize: caps what one output may hold. nbgrader's LimitOutput counts lines; a single huge line"""
from __future__ import annotations

import json

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


class LimitOutputSize(NbGraderPreprocessor):
    """Caps what one output may hold. nbgrader's LimitOutput counts lines; a single huge line
    (or a huge image) would still flood the gradebook's notebook copy and the feedback page."""

    max_chars = Integer(20_000, help="Characters kept of one text output").tag(config=True)
    max_bytes = Integer(2_000_000, help="Largest rich output (image, HTML) kept").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and len(output.get("text", "")) > self.max_chars:
                dropped = len(output["text"]) - self.max_chars
                output["text"] = output["text"][: self.max_chars] + f"\n… output truncated: {dropped:,} more characters\n"
            if output.get("output_type") == "error" and len(output.get("evalue", "")) > self.max_chars:
                output["evalue"] = output["evalue"][: self.max_chars] + " … (truncated)"
            data = output.get("data", {})
            for mime in list(data):
                size = len(data[mime]) if isinstance(data[mime], str) else len(json.dumps(data[mime]))
                if size > self.max_bytes:
                    data.pop(mime)
                    data.setdefault("text/plain", f"[{mime} output of {size:,} bytes removed: over the size limit]")
        return cell, resources
