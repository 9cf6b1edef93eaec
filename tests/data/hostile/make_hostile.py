"""Build the hostile and broken files of tests/data/hostile/ from the committed fixtures.

    .venv/bin/python tests/data/hostile/make_hostile.py

Deterministic: re-running writes the same bytes. Each file's name says what it is; the test
that reads them is tests/test_hostile.py.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
ROOT = DATA.parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"
FIXED = (2025, 1, 1, 0, 0, 0)


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def rezip(src: Path, change) -> bytes:
    """The same package with its members passed through ``change(name, bytes)``."""
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = change(info.filename, zin.read(info.filename))
            if body is not None:
                zout.writestr(zipfile.ZipInfo(info.filename, FIXED), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def main() -> None:
    rng = random.Random(20251125)
    docx = (DATA / "sample" / "tianjin-353302-2025.docx").read_bytes()
    xlsx = (DATA / "sample" / "tianjin-353302-2025.xlsx").read_bytes()
    pdf = (DATA / "sample" / "tianjin-353302-2025.pdf").read_bytes()
    text = SAMPLE.read_text("utf-8")

    write("truncated.docx", docx[: len(docx) // 2])
    write("truncated.xlsx", xlsx[: len(xlsx) // 3])
    write("truncated.pdf", pdf[: len(pdf) // 2])
    corrupted = bytearray(xlsx)
    for i in rng.sample(range(2000, len(corrupted)), 300):
        corrupted[i] = rng.randrange(256)
    write("corrupted.xlsx", bytes(corrupted))
    corrupted = bytearray(pdf)
    for i in rng.sample(range(1000, len(corrupted)), 2000):
        corrupted[i] = rng.randrange(256)
    write("corrupted.pdf", bytes(corrupted))
    # 64 MiB of spaces packed into some 64 KiB: a bomb, though a small one to keep in git.
    write("zip-bomb.docx", rezip(DATA / "sample" / "tianjin-353302-2025.docx",
                                 lambda n, b: b + b" " * (64 * 2**20) if n == "word/document.xml" else b))
    write("no-document-xml.docx", rezip(DATA / "sample" / "tianjin-353302-2025.docx",
                                        lambda n, b: None if n == "word/document.xml" else b))
    write("sample-utf16-bom.txt", text.encode("utf-16"))
    write("sample-utf8-bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    write("sample-crlf.txt", text.replace("\n", "\r\n").encode("utf-8"))
    header = text.index("\t一级指标")
    end = text.index("[bookmark: _Toc_4_4_0000000112]")
    write("table-without-indicator-header.txt", (text[:header] + text[header:end].split("\n\n", 1)[1]).encode("utf-8"))
    noisy = (text.replace("≥98%", "≥9O%").replace("≥95%", "＞=95％").replace("100%", "l00%")
             .replace("≥32台", "≥3 2台").replace("产出指标", "产出指杯", 1).replace("≤4小时", "≤4小吋"))
    write("ocr-noise.txt", noisy.encode("utf-8"))
    injected = text.replace("物业服务验收合格率\n\t物业服务验收合格率",
                            "<script>alert('x')</script>\n\t=HYPERLINK(\"http://evil.example\",\"点我\")", 1)
    write("html-and-formula-injection.txt", injected.encode("utf-8"))
    write("only-headings.txt", "\n".join(text.splitlines()[:40]).encode("utf-8"))
    write("nul-in-text.txt", text[:3000].encode("utf-8") + b"\x00\x00" + text[3000:].encode("utf-8"))


if __name__ == "__main__":
    main()
