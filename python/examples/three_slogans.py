"""Three cyber slogans per year, from a notebook, end to end: the README's
finding that 网络空间命运共同体 enters the corpus in December 2015, with the
second World Internet Conference, and takes off the same year, while 网络主权
stays rare (a few documents a year) — as a table of documents per year, the
first appearances, and a chart of use per million Han characters.

    python python/examples/three_slogans.py [INDEX] [OUT.png]

INDEX defaults to index/ (built by the README's first command); the chart is
written to three_slogans.png unless OUT.png is given.
"""

import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

# A CJK font for the legend (Debian's fonts-wqy-microhei), when installed.
plt.rcParams["font.sans-serif"] = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "DejaVu Sans"]

import tifa  # noqa: E402

SLOGANS = ["网络主权", "网络强国", "网络空间命运共同体"]

index = sys.argv[1] if len(sys.argv) > 1 else "index"
out = sys.argv[2] if len(sys.argv) > 2 else "three_slogans.png"

idx = tifa.open(index)
# Chinese documents only, from 2010: per million Han characters of each year.
timeline = idx.timeline(SLOGANS, lang="zh", date_from="2010")
dated = timeline[timeline["period"] != "unknown"]
table = dated.pivot(index="period", columns="term", values="docs").fillna(0).astype(int)
print(table[SLOGANS].to_string())

first = idx.traces(SLOGANS, lang="zh")
print()
print(first[["term", "first_date", "first_title", "take_off", "docs"]].to_string(index=False))

fig, ax = plt.subplots(figsize=(8, 4))
for term, rows in dated.groupby("term", sort=False):
    ax.plot(rows["period_start"], rows["per_million"], marker="o", label=term)
ax.set_ylabel("per million Han characters")
ax.set_title("Three slogans per year (tifa, Chinese documents)")
ax.legend()
fig.tight_layout()
fig.savefig(out, dpi=120)
print(f"\nchart: {out}")
