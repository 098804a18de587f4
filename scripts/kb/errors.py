"""Problems found in content, reported as one line each: where, what, what is expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``path:line: field: message; expected``."""

    path: str
    message: str
    line: int | None = None
    field: str | None = None
    expected: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        parts = [where]
        if self.field:
            parts.append(self.field)
        text = self.message
        if self.expected:
            text = f"{text}; expected {self.expected}"
        if self.warning:
            text = f"warning: {text}"
        parts.append(text)
        return ": ".join(parts)


class ContentError(Exception):
    """Raised when content cannot be used; carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # pickled as its problems (kb serve's languages are previewed in child processes)
        return type(self), (self.problems,)


def rel(path: Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` with forward slashes, for messages."""
    if path.is_absolute() == root.is_absolute() and ".." not in path.parts:
        try:  # the usual case, a path built under the root: no file-system calls
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
