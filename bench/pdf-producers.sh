#!/usr/bin/env bash
# Which PDF reader reads researchers' PDFs best? The same paragraphs (Chinese,
# English, mixed; long enough to wrap) made into PDFs by five producers, each
# read by tifa's two readers — pdf-extract (with tifa's rules) and Poppler's
# pdftotext (with the same joining rules) — and compared with the paragraphs
# (examples/pdf_readers.rs):
#
#   chromium     headless Chromium, print to PDF (Skia; embedded CID TrueType subsets)
#   libreoffice  LibreOffice Writer's PDF export of the same text
#   cairo        the Chromium PDF redrawn by Poppler's pdftocairo (cairo's PDF surface)
#   ghostscript  the Chromium PDF rewritten by Ghostscript's pdfwrite (the Distiller route)
#   reportlab    ReportLab with STSong-Light, the predefined UniGB-UCS2-H encoding (not embedded)
#
#   bench/pdf-producers.sh    (installs what is missing: chromium, poppler-utils,
#                              libreoffice-writer-nogui, ghostscript, fonts; reportlab in a venv)
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftocairo >/dev/null || need+=(poppler-utils poppler-data)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v gs >/dev/null || need+=(ghostscript)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# KEEP=DIR keeps the PDFs there (to look at them); else a temporary folder.
if [ -n "${KEEP:-}" ]; then
  WORK=$KEEP; mkdir -p "$WORK"
else
  WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
fi
# --show prints each reader's text under its row.
SHOW=(); [ "${1:-}" = --show ] && SHOW=(--show)
python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q reportlab
cargo build --release --quiet --example pdf_readers

cat > "$WORK/expected.txt" <<'TEXT'
网络空间国际合作战略
互联网是人类的共同家园。各国应加强沟通、扩大共识、深化合作，尊重网络主权，维护和平安全，促进开放合作，构建良好秩序，共同构建网络空间命运共同体，让互联网更好造福世界各国人民。
The Internet is the common home of humankind. Countries should strengthen communication, broaden consensus and deepen cooperation, respect cyber sovereignty, maintain peace and security, promote openness and cooperation, and jointly build a community with a shared future in cyberspace.
中国倡导“网络空间命运共同体”（a community with a shared future in cyberspace）理念，推进全球互联网治理体系变革。
TEXT

python3 - "$WORK" <<'PY'
import html, sys
work = sys.argv[1]
paras = [l for l in open(f"{work}/expected.txt", encoding="utf-8").read().splitlines() if l.strip()]
body = f"<h1>{html.escape(paras[0])}</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in paras[1:])
open(f"{work}/page.html", "w", encoding="utf-8").write(
    f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><style>body{{font-family:"WenQuanYi Micro Hei",sans-serif;width:15cm}}</style></head><body>{body}</body></html>')
open(f"{work}/libreoffice.txt", "w", encoding="utf-8").write("\n\n".join(paras) + "\n")
PY

chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
  --print-to-pdf="$WORK/chromium.pdf" "file://$WORK/page.html" >/dev/null 2>&1
soffice --headless "-env:UserInstallation=file://$WORK/profile" --convert-to pdf \
  --outdir "$WORK" "$WORK/libreoffice.txt" >/dev/null 2>&1
pdftocairo -pdf "$WORK/chromium.pdf" "$WORK/cairo.pdf"
gs -q -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -sOutputFile="$WORK/ghostscript.pdf" "$WORK/chromium.pdf"
"$WORK/venv/bin/python" - "$WORK" <<'PY'
import sys
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate
work = sys.argv[1]
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK", spaceAfter=10)
paras = [l for l in open(f"{work}/expected.txt", encoding="utf-8").read().splitlines() if l.strip()]
doc = SimpleDocTemplate(f"{work}/reportlab.pdf", pagesize=A4)
doc.build([Paragraph(p, style) for p in paras])
PY
for f in chromium libreoffice cairo ghostscript reportlab; do
  printf '%s: %s\n' "$f" "$(pdfinfo "$WORK/$f.pdf" 2>/dev/null | grep -E '^(Producer|Creator)' | tr -s ' ' | paste -sd';')" >&2
done
target/release/examples/pdf_readers "${SHOW[@]}" "$WORK/expected.txt" \
  "$WORK"/{chromium,libreoffice,cairo,ghostscript,reportlab}.pdf
