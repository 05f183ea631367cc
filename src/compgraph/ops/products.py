"""Op declarations (filled in by the issue "NumPy's functions, differentiable")."""

from __future__ import annotations

__all__: list[str] = []
