"""perfkg: Chinese project performance target tables (项目支出绩效目标表) → knowledge graph.

The library API; the ``perfkg`` command is a thin layer over it::

    import perfkg
    doc = perfkg.read("data/tianjin-353302-2025-project-performance-targets.txt")
    doc.projects[3].indicators[0].target.value   # Decimal('347700.00')
"""

from __future__ import annotations

__version__ = "0.1.0"

from perfkg.errors import (
    EncodingProblem,
    MalformedTable,
    NotATargetTable,
    PerfkgError,
    ReadError,
    UnsupportedFile,
)
from perfkg.model import (
    Amount,
    BudgetUnit,
    Document,
    FundingLine,
    Indicator,
    Location,
    Note,
    Project,
    SourceFile,
    Target,
)
from perfkg.readers import read, read_bytes
from perfkg.serialize import document_to_dict, to_json
from perfkg.targets import normalise_target

__all__ = [
    "__version__",
    "read",
    "read_bytes",
    "normalise_target",
    "document_to_dict",
    "to_json",
    "Document",
    "Project",
    "Indicator",
    "Target",
    "Amount",
    "FundingLine",
    "BudgetUnit",
    "SourceFile",
    "Location",
    "Note",
    "PerfkgError",
    "ReadError",
    "UnsupportedFile",
    "EncodingProblem",
    "NotATargetTable",
    "MalformedTable",
]
