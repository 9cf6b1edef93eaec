"""Coverage-guided fuzzing of the text reader and the layout interpreter (atheris/libFuzzer).

    .venv/bin/python tests/fuzz/fuzz_text_reader.py -max_total_time=60 tests/fuzz/corpus

The seed corpus is the sample and a few broken files; libFuzzer mutates them. The only
acceptable outcomes are a Document or a perfkg ReadError: any other exception is a crash, and
libFuzzer stops with its input saved as crash-* for a regression test.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    import perfkg
    import perfkg.layout
    import perfkg.readers.html  # sniffing sends markup-looking input here
    import perfkg.readers.text
    import perfkg.targets
    from perfkg.errors import ReadError


def test_one_input(data: bytes) -> None:
    try:
        perfkg.read_bytes(data, "fuzz.txt", timeout=None)
    except ReadError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
