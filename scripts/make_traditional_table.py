"""Write perfkg/vocab/traditional.toml: the Traditional form of every character perfkg's
vocabulary uses, so that tables typed or converted in Traditional characters (項目名稱,
一級指標, ≥34.77萬人) are read like Simplified ones.

    python -m venv /tmp/occ && /tmp/occ/bin/pip install opencc-python-reimplemented
    /tmp/occ/bin/python scripts/make_traditional_table.py

OpenCC is needed only here, to make the table; perfkg reads the TOML file it writes.
"""

from __future__ import annotations

import re
from pathlib import Path

from opencc import OpenCC

VOCAB = Path(__file__).resolve().parent.parent / "perfkg" / "vocab"
HAN = re.compile(r"[\u4e00-\u9fff]")


def main() -> None:
    chars = set()
    for toml in sorted(VOCAB.glob("*.toml")):
        if toml.name != "traditional.toml":
            chars |= set(HAN.findall(toml.read_text("utf-8")))
    # The words of the tables themselves: headings, dates, measure words the readers match.
    chars |= set("年月日前至底末季度上下半绩效目标表自评申报项目支出预算单位其中整体")
    to_traditional = OpenCC("s2t")
    pairs = sorted((to_traditional.convert(c), c) for c in chars if to_traditional.convert(c) != c)
    lines = [
        "# Traditional → Simplified for every character of perfkg's vocabulary that differs.",
        "# Made by scripts/make_traditional_table.py (OpenCC s2t); do not edit by hand.",
        "",
        f'pairs = "{"".join(t + s for t, s in pairs)}"',
        "",
    ]
    (VOCAB / "traditional.toml").write_text("\n".join(lines), "utf-8")
    print(f"{len(pairs)} characters")


if __name__ == "__main__":
    main()
