"""Where the data files perfkg ships live: inside the package when installed from a wheel,
at the top of the source tree (``ontology/``, ``shapes/``) in an editable install."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "ontology_files"]

_SOURCE_TREE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """The directory ``name`` (``ontology`` or ``shapes``), packaged or in the source tree."""
    packaged = resources.files("perfkg").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged))
    source = _SOURCE_TREE / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"perfkg's {name}/ files are missing from this installation")


def ontology_files() -> list[Path]:
    """The ontology, its code lists and the indicator taxonomy (Turtle)."""
    d = data_dir("ontology")
    return [d / "perfkg.ttl", d / "code-lists.ttl", d / "indicator-taxonomy.ttl"]
