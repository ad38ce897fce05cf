#!/usr/bin/env bash
# Benchmark of own PDFs: pages per second for the three readers of
# `tifa index` — pdf-extract (text PDFs with a Unicode font map), Poppler's
# pdftotext (the predefined CJK encodings) and OCR (`--ocr`, scanned pages) —
# on PDFs this script writes (50 text pages each, 5 scanned pages).
#
#   bench/pdf.sh      (needs poppler-utils, tesseract-ocr-chi-sim and a Chinese font)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
cargo build --release --quiet --bin tifa
TIFA=$PWD/target/release/tifa
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import sys, zlib, subprocess, os
work = sys.argv[1]
def pdf(objs, path):
    out = b"%PDF-1.4\n"; offs = []
    for i, o in enumerate(objs):
        offs.append(len(out)); out += b"%d 0 obj\n" % (i + 1) + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs: out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(out)
line = "各国应尊重网络主权，共同构建网络空间命运共同体。"
def pages_pdf(n, font_objs, encode, path, lines=30):
    # objects: 1 catalog, 2 pages, then per page: page + content; fonts last
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    font_id = 3 + 2 * n
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i in range(n):
        body = "BT /F1 11 Tf 60 780 Td 16 TL " + " ".join(f"{encode(line)} Tj T*" for _ in range(lines)) + " ET"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(body.encode()) + body.encode() + b"\nendstream")
    objs.extend(f(font_id) for f in font_objs)
    pdf(objs, path)
cjk = [
    lambda i: f"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [{i + 1} 0 R] >>".encode(),
    lambda i: f"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor {i + 2} 0 R /DW 1000 >>".encode(),
    lambda i: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
]
ucs2 = lambda s: "<" + s.encode("utf-16-be").hex().upper() + ">"
latin = [lambda i: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
english = lambda s: "(Countries should respect cyber sovereignty and build a community.)"
for k in range(4):
    pages_pdf(50, latin, english, f"{work}/text/t{k}.pdf")
    pages_pdf(50, cjk, ucs2, f"{work}/cjk/c{k}.pdf")
# Scans: one CJK page rendered at 300 dpi, wrapped as an image, 5 pages.
pages_pdf(1, cjk, ucs2, f"{work}/render/one.pdf", lines=20)
subprocess.run(["pdftoppm", "-r", "300", "-gray", "-singlefile", f"{work}/render/one.pdf", f"{work}/render/page"], check=True)
d = open(f"{work}/render/page.pgm", "rb").read().split(b"\n", 3)
w, h = map(int, d[1].split()); img = zlib.compress(d[3])
n = 5
kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
for i in range(n):
    objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 {3 + 2 * n} 0 R >> >> /Contents {4 + 2 * i} 0 R >>".encode())
    c = b"q 595 0 0 842 0 0 cm /Im1 Do Q"
    objs.append(b"<< /Length %d >>\nstream\n" % len(c) + c + b"\nendstream")
objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(img)) + img + b"\nendstream")
pdf(objs, f"{work}/scan/s.pdf")
PY
echo "| reader | pages | documents indexed | wall | pages/s | peak RSS |"
echo "|---|---|---|---|---|---|"
run() {
  local name=$1 folder=$2 pages=$3; shift 3
  rm -rf "$WORK/idx"
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$TIFA" --index "$WORK/idx" index "$folder" "$@" >"$WORK/out" 2>&1
  read -r secs kb < "$WORK/time"
  local docs
  docs=$(grep -o 'Indexed [0-9]* documents' "$WORK/out" | grep -o '[0-9]*' || echo 0)
  echo "| $name | $pages | $docs | ${secs} s | $(python3 -c "print(f'{$pages / max($secs, 0.01):.1f}')") | $((kb / 1024)) MB |"
}
run "pdf-extract (text PDFs)" "$WORK/text" 200
run "pdftotext (UniGB-UCS2-H)" "$WORK/cjk" 200
TIFA_OCR_CACHE="$WORK/ocr-cache" run "OCR, Tesseract chi_sim+eng (--ocr, cache empty)" "$WORK/scan" 5 --ocr
TIFA_OCR_CACHE="$WORK/ocr-cache" run "OCR again (--ocr, from the cache)" "$WORK/scan" 5 --ocr
echo
echo "($(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); whole \`tifa index\` runs, index build included)"
