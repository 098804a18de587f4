"""Build tooling for the AI Trends / Xu hướng AI knowledge base.

The package turns raw seed captures into clean Markdown, validates the
content and data, and feeds the generated pages to MkDocs through a thin hook.
"""

from __future__ import annotations

__all__ = ["__version__"]
__version__ = "0.1.0"
