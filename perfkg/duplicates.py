"""One set of tables, stored once: the check ``perfkg ingest`` makes before it stores a document.

Units publish the same 项目支出绩效目标表 as .docx, .pdf, .html and the text export. Read from
any of them, a project, its indicators and targets get the same IRIs (minted from unit code, year
and project name), so two such files in the store would state every project twice in the union
graph that every query reads, and Oxigraph does not deduplicate it: populations counted twice,
sums doubled. So a document whose projects another document *of the same kind* already states
(stored, or earlier in the same run) is not stored: skipped when its content is the same, refused
when it differs (``ConflictingDocument``). A self-evaluation describes the evaluation of its
target table's projects (``mapping.Iris.described``); it is of the other kind and is stored beside it.

"The same content": the document's quads without those about the document itself (subject or
object the document's IRI or an IRI under it: its tables, rows, checksum, notes, budget data set)
and without the position each fact was read from (``pkg:lineNumber``, ``pkg:cellReference``: a
line of the text export, a cell of the Word table, on the fact itself), equal as sets. The worker
that maps a file hashes that set (``content_digest``); a stored document's set is hashed from its
graph (``stored_digest``) only when a new document shares its projects.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from perfkg.errors import PerfkgError
from perfkg.model import Location
from perfkg.namespaces import PKG, RDF, XSD

__all__ = ["ConflictingDocument", "Guard", "content_digest", "stored_digest"]

# The properties that say where in its file a fact was read, and how the file labelled it: they
# differ between the renditions of one table by nature (line 41 of the text export is cell R3C3
# of the Word table; a wide sheet heads a column 财政资金 where the form says 其中：财政资金).
_POSITIONS = (str(PKG.lineNumber), str(PKG.cellReference), str(PKG.labelAsWritten))
_POSITION_MARKS = tuple(f"> <{p}> ".encode() for p in _POSITIONS)
_SHOWN = 3  # shared projects named in an error


class ConflictingDocument(PerfkgError):
    """A document states projects that another document of the same kind states otherwise."""


def content_digest(nquads: bytes, graph: str) -> str:
    """The SHA-256 of what ``nquads`` (one graph's N-Quads, as ``perfkg.mapping.to_nquads``
    writes them) says beyond the document itself and the positions in its file (module docstring)."""
    if _DURATION_MARK in nquads:
        nquads = _durations(nquads)
    lines = nquads.split(f" <{graph}> .\n".encode())
    if lines and not lines[-1]:
        lines.pop()
    return _digest(lines, graph)


def stored_digest(db, graph: str) -> str:
    """``content_digest`` of a stored graph: its quads written as ``to_nquads`` writes them."""
    import pyoxigraph as ox

    return _digest([_line(q, ox.Literal) for q in db.quads_for_pattern(None, None, None, ox.NamedNode(graph))], graph)


def _digest(lines: list[bytes], graph: str) -> str:
    """The SHA-256 of ``lines`` (quads without their graph) as a sorted set, less the lines about
    the document and the position properties. Every file read pays for it, so the lines are
    found by searching one text for the document's IRI and the two properties, not one by one."""
    document = f"<{graph.removesuffix('/graph')}".encode()
    lines = list(dict.fromkeys(sorted(lines)))  # a set, sorted (sorting first is 3x faster here)
    # what the document says of itself and of its tables and rows ("<document>", "<document/…")
    # sorts together: ('/' … '>') < '?'
    del lines[bisect_left(lines, document + b"/"):bisect_left(lines, document + b"?")]
    text = b"\n".join(lines) + b"\n"
    # "<document" is elsewhere in a line only as its object (it ends in the file's own checksum,
    # which no cell of the file can hold); a position property counts right after the subject
    drop = [(start, end) for start, _, end in _lines_with(text, document)]
    for mark in _POSITION_MARKS:
        drop += [(start, end) for start, at, end in _lines_with(text, mark) if text.find(b"> ", start) == at]
    drop.sort()
    kept, pos = [], 0
    for start, end in drop:
        if start >= pos:
            kept.append(text[pos:start])
        pos = max(pos, end)
    kept.append(text[pos:])
    return hashlib.sha256(b"".join(kept)).hexdigest()


def _lines_with(text: bytes, needle: bytes) -> Iterator[tuple[int, int, int]]:
    """(start, where ``needle`` is, end) of each line of ``text`` that holds it."""
    find = text.find
    at = find(needle)
    while at >= 0:
        end = find(b"\n", at) + 1
        yield text.rfind(b"\n", 0, at) + 1, at, end
        at = find(needle, end)


# The store keeps decimals and durations as values and gives back their canonical forms (347700
# for the mapping's 347700.0, PT1H for PT60M); the other literals the mapping writes come back as
# written. Both sides of a comparison are brought to one form: decimals as the mapping writes
# them, durations by value (the text of a file keeps PT60M, only the digest reads it as PT1H).
_XSD_STRING, _XSD_DECIMAL, _XSD_DURATION = str(XSD.string), str(XSD.decimal), str(XSD.duration)
_DURATION_MARK = f'"^^<{_XSD_DURATION}>'.encode()
_DURATION = re.compile(r"(-?)P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _duration(text: str) -> str:
    """An xsd:duration as months and seconds (P0MT3600S for PT60M and PT1H); what is not one
    (the mapping may write P2W) as it is, as the store keeps it."""
    m = _DURATION.fullmatch(text)
    if m is None or text.endswith(("P", "T")):
        return text
    sign, years, months, days, hours, minutes, seconds = m.groups()
    total_months = int(years or 0) * 12 + int(months or 0)
    total_seconds = ((int(days or 0) * 24 + int(hours or 0)) * 60 + int(minutes or 0)) * 60 + Decimal(seconds or 0)
    return f"{sign}P{total_months}MT{format(total_seconds.normalize(), 'f')}S"


def _durations(nquads: bytes) -> bytes:
    """``nquads`` with each duration literal's text replaced by ``_duration``'s."""
    parts, pos = [], 0
    end = nquads.find(_DURATION_MARK)
    while end >= 0:
        start = nquads.rfind(b'"', 0, end) + 1  # a duration's text holds no quote
        parts += [nquads[pos:start], _duration(nquads[start:end].decode()).encode()]
        pos = end
        end = nquads.find(_DURATION_MARK, end + len(_DURATION_MARK))
    parts.append(nquads[pos:])
    return b"".join(parts)


def _line(q, literal: type) -> bytes:
    """One stored quad, without its graph, as ``perfkg.mapping``'s N-Quads writer writes it
    (decimals and durations as ``content_digest`` reads them)."""
    o = q.object
    if isinstance(o, literal):
        value, datatype = o.value, o.datatype.value
        # the mapping's own writing rules, so that both sides of the comparison are written alike
        from perfkg.mapping import _escape, xsd_decimal

        if datatype == _XSD_DECIMAL:
            value = xsd_decimal(Decimal(value))
        elif datatype == _XSD_DURATION:
            value = _duration(value)
        value = _escape(value)
        if o.language:
            obj = f'"{value}"@{o.language}'
        elif datatype == _XSD_STRING:
            obj = f'"{value}"'
        else:
            obj = f'"{value}"^^<{datatype}>'
    else:
        obj = str(o)
    return f"{q.subject} {q.predicate} {obj}".encode()


class Candidate(Protocol):
    """A document read and mapped, not yet stored (``perfkg.ingest``'s prepared file)."""

    path: str
    graph: str
    kind: str
    digest: str
    projects: list[tuple[str, str]]  # (project IRI, name)


@dataclass(slots=True)
class _Other:
    """A document that states some of the candidate's projects."""

    path: str
    graph: str
    kind: str | None
    current: bool  # mapped by this perfkg (else its content cannot be compared)
    digest: str | None  # None: not computed yet (a stored graph)
    names: list[str] = field(default_factory=list)


class Guard:
    """Checks each document before it is stored: against the store and against the documents of
    this run that are admitted but not yet written (``admit``, until ``written``).

    The common case — no project of the document stated elsewhere — costs one index look-up a
    project, as fast with 10⁵ documents stored as with one; the rest happens only on overlap.
    """

    def __init__(self, store) -> None:
        import pyoxigraph as ox

        from perfkg.mapping import MAPPING_VERSION

        self.store = store
        self.mapping = MAPPING_VERSION
        self._a = ox.NamedNode(str(RDF.type))
        # what a document describes for each project (mapping.Iris.described), by its kind
        self._described = {"targets": ox.NamedNode(str(PKG.Project)),
                           "self-evaluation": ox.NamedNode(str(PKG.SelfEvaluation))}
        self._kind = ox.NamedNode(str(PKG.documentKind))
        self._node = ox.NamedNode
        self.pending: dict[str, Candidate] = {}  # project IRI → the admitted document stating it
        self.pending_paths: set[str] = set()
        self._digests: dict[str, str] = {}  # stored graph → its content digest

    def check(self, doc: Candidate) -> str | ConflictingDocument | None:
        """None: store ``doc``. A path: skip it, the document at that path states the same.
        An error: another document states its projects otherwise."""
        db = self.store.db
        stored: dict[str, _Other | None] = {}
        queued: dict[str, _Other] = {}
        described = self._described.get(doc.kind, self._described["targets"])
        for iri, name in doc.projects:
            for q in db.quads_for_pattern(self._node(iri), self._a, described, None):
                graph = q.graph_name.value
                if graph == doc.graph:
                    continue  # this very file, already stored: the store says unchanged or duplicate
                if graph not in stored:
                    stored[graph] = self._stored(graph, doc)
                if stored[graph] is not None:
                    stored[graph].names.append(name)
            p = self.pending.get(iri)
            if p is not None and p.graph != doc.graph:
                queued.setdefault(p.graph, _Other(p.path, p.graph, p.kind, True, p.digest)).names.append(name)
        # a document whose kind is not stated (mapped by an early perfkg) may be of this kind
        others = [o for o in (*stored.values(), *queued.values()) if o is not None and o.kind in (doc.kind, None)]
        if not others or self._recorded(doc.graph):
            return None
        for o in others:
            if o.current and self._digest(o) == doc.digest:
                return o.path
        return ConflictingDocument(_conflict(doc, others), Location(doc.path))

    def admit(self, doc: Candidate) -> None:
        """``doc`` will be stored: later documents of the run are checked against it too."""
        for iri, _ in doc.projects:
            self.pending.setdefault(iri, doc)
        self.pending_paths.add(doc.path)

    def written(self) -> None:
        """The admitted documents are in the store now."""
        self.pending.clear()
        self.pending_paths.clear()

    def _stored(self, graph: str, doc: Candidate) -> _Other | None:
        """The stored document of ``graph``; None when ``doc`` or one admitted before it replaces
        it (the same path), or when it has no record (not a document)."""
        record = self.store.record(graph)
        if record is None or record.path == doc.path or record.path in self.pending_paths:
            return None
        g = self._node(graph)
        kinds = [q.object.value for q in self.store.db.quads_for_pattern(None, self._kind, None, g)]
        kind = kinds[0].rsplit("/", 1)[-1] if kinds else None
        return _Other(record.path, graph, kind, record.mapping == self.mapping, None)

    def _recorded(self, graph: str) -> bool:
        """Whether ``graph`` itself is stored, mapped by this perfkg: the same bytes, stored before."""
        record = self.store.record(graph)
        return record is not None and record.mapping == self.mapping

    def _digest(self, other: _Other) -> str:
        if other.digest is None:
            if other.graph not in self._digests:
                self._digests[other.graph] = stored_digest(self.store.db, other.graph)
            other.digest = self._digests[other.graph]
        return other.digest


def _conflict(doc: Candidate, others: list[_Other]) -> str:
    first = min(others, key=lambda o: o.path)
    names = list(dict.fromkeys(first.names))
    shown = ", ".join(names[:_SHOWN]) + (", …" if len(names) > _SHOWN else "")
    more = f" (and {len(others) - 1} more file(s))" if len(others) > 1 else ""
    if not first.current:
        return (f"{len(names)} of its projects ({shown}) are stored from {first.path}{more}, which an older "
                f"perfkg read, so the two cannot be compared: ingest {first.path} again first, or "
                f"`perfkg remove {first.path}`")
    return (f"its tables differ from those of {first.path}{more}, already stored, which states {len(names)} of "
            f"its projects ({shown}); if {doc.path} is the newer, `perfkg remove {first.path}` first, "
            f"then ingest again")
