#!/bin/bash
# `chipfit report --format html`: two runs of models/fashion_cnn.onnx (and,
# with python3's onnx module, one of a copy whose first layer is renamed
# `<b>&"x'` to test escaping) in a private store. The page is checked with
# python3's html.parser (tags balance, <svg> with <rect> bars, nothing
# fetched from http(s)), then rendered by headless Chromium to a PNG that is
# decoded here (zlib + struct) and must show the charts: many colours, many
# non-white pixels, and the bars' blue. Both checkers are shown failing on a
# broken page (an empty <body>). Without chromium: exit 77 (skipped).
source "$(dirname "$0")/lib.sh" "$@"
MODEL="$SRC/models/fashion_cnn.onnx"
DB="$TMP/r.db"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
CHROMIUM=$(command -v chromium || true)
if [[ -z $CHROMIUM ]]; then
  echo "skipped: chromium is not installed (Debian package chromium; scripts/deps.sh installs it)"
  exit 77
fi

# check_html FILE: well-formed enough, charts there, nothing external.
cat >"$TMP/check_html.py" <<'PYEOF'
import sys, re
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errs, self.count, self.in_svg = [], [], {}, 0
        self.text = []
    def handle_starttag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag == "rect" and self.in_svg:
            self.count["svg rect"] = self.count.get("svg rect", 0) + 1
        if tag == "svg":
            self.in_svg += 1
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.count[tag] = self.count.get(tag, 0) + 1
        if tag == "rect" and self.in_svg:
            self.count["svg rect"] = self.count.get("svg rect", 0) + 1
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errs.append("line %d: </%s> closes %s" % (self.getpos()[0], tag,
                             self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1
    def handle_data(self, d):
        self.text.append(d)
src = open(sys.argv[1], encoding="utf-8").read()
p = P()
p.feed(src)
p.close()
errs = p.errs + ["<%s> at line %d is never closed" % (t, pos[0]) for t, pos in p.stack]
if not src.startswith("<!DOCTYPE html>"):
    errs.append("no <!DOCTYPE html>")
if p.count.get("svg", 0) < 3:
    errs.append("%d <svg> elements, wanted 3 or more" % p.count.get("svg", 0))
if p.count.get("svg rect", 0) < 10:
    errs.append("%d <rect> bars in <svg>, wanted 10 or more" % p.count.get("svg rect", 0))
for bad in ("http://", "https://", "<script", "<link", "<img", "url("):
    if bad in src.lower():
        errs.append("external or scripted content: %s" % bad)
text = "".join(p.text)
for want in sys.argv[2:]:
    if want not in text:
        errs.append("text %r not on the page" % want)
for e in errs[:20]:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PYEOF

# check_png FILE: decodes the PNG and wants the charts drawn.
cat >"$TMP/check_png.py" <<'PYEOF'
import sys, struct, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
if depth != 8 or ctype not in (2, 6) or interlace:
    sys.exit("unsupported PNG: depth %d, colour type %d, interlace %d" % (depth, ctype, interlace))
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]
    line = bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
colours, nonwhite, blue = set(), 0, 0
for line in rows:
    for x in range(0, stride, bpp):
        px = line[x:x + 3]
        colours.add(px)
        if px != b"\xff\xff\xff":
            nonwhite += 1
        # the bars' blue, #3b6fb6, give or take antialiasing
        if abs(px[0] - 0x3b) < 12 and abs(px[1] - 0x6f) < 12 and abs(px[2] - 0xb6) < 12:
            blue += 1
print("%dx%d: %d colours, %.1f%% non-white, %d bar pixels" %
      (w, h, len(colours), 100.0 * nonwhite / (w * h), blue))
errs = []
if len(colours) < 30:
    errs.append("only %d distinct colours" % len(colours))
if nonwhite < 0.03 * w * h:
    errs.append("only %d non-white pixels" % nonwhite)
if blue < 3000:
    errs.append("only %d pixels of the bars' blue: no chart drawn" % blue)
for e in errs:
    print(e, file=sys.stderr)
sys.exit(1 if errs else 0)
PYEOF

render() {   # render HTML PNG
  rm -f "$2"
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$TMP/chromium" --screenshot="$2" --window-size=1200,1600 "file://$1" \
    >"$TMP/chromium.log" 2>&1
  checks=$((checks + 1))
  if [[ ! -s $2 ]]; then
    echo "FAIL: chromium wrote no screenshot of $1"
    tail -5 "$TMP/chromium.log" | sed 's/^/  | /'
    failures=$((failures + 1))
  fi
}

expect_rc 0 "profile, 1 thread" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 --db "$DB"
expect_rc 0 "profile, 2 threads" -- "$CHIPFIT" profile "$MODEL" --repeats 2 --warmup 1 \
  --threads 2 --db "$DB"

# ---- report ID alone ----
expect_rc 0 "report html" -- "$CHIPFIT" report 1 --format html -o "$TMP/r.html" --db "$DB"
expect_rc 0 "the page is well-formed, has charts, fetches nothing" -- "$PY" "$TMP/check_html.py" \
  "$TMP/r.html" "fashion_cnn.onnx" "conv1" "Conv" "measured" "µs" "static" "2 threads" \
  "Time per layer" "Time per op type" "Experiment tree"
cp "$TMP/r.html" "$TMP/page"
expect_in page 'sha256 [0-9a-f]{64}' "the model hash"
expect_in page '<svg [^>]*aria-label="latency per experiment"' "the trend chart"
render "$TMP/r.html" "$TMP/r.png"
expect_rc 0 "the rendered page shows the charts" -- "$PY" "$TMP/check_png.py" "$TMP/r.png"
cat "$TMP/out"

# ---- --vs, and a layer name to escape ----
if "$PY" -c 'import onnx' 2>/dev/null; then
  "$PY" - "$MODEL" "$TMP/odd.onnx" <<'PYEOF'
import sys, onnx
m = onnx.load(sys.argv[1])
m.graph.node[0].name = "<b>&\"x'"
onnx.save(m, sys.argv[2])
PYEOF
  ODD=1
else
  cp "$MODEL" "$TMP/odd.onnx"
  printf '\xa0\x06\x01' >>"$TMP/odd.onnx"
  ODD=0
  echo "skipped: the escaping checks (no python3 onnx module)"
fi
expect_rc 0 "profile the second model" -- "$CHIPFIT" profile "$TMP/odd.onnx" --repeats 2 \
  --warmup 1 --db "$DB"
expect_rc 0 "report html --vs" -- "$CHIPFIT" report 2 --vs 1 --format html -o "$TMP/v.html" --db "$DB"
expect_rc 0 "the --vs page is well-formed" -- "$PY" "$TMP/check_html.py" "$TMP/v.html" \
  "Compared with experiment 1" "baseline: experiment 1" "this: experiment 2"
if [[ $ODD -eq 1 ]]; then
  # Alone: --vs would match the renamed layer to conv1 and show A's name.
  expect_rc 0 "report html of the renamed model" -- "$CHIPFIT" report 2 --format html \
    -o "$TMP/o.html" --db "$DB"
  cp "$TMP/o.html" "$TMP/page"
  expect_in page '&lt;b&gt;&amp;&quot;x&#39;' "the layer name is escaped"
  checks=$((checks + 1))
  if grep -qF '<b>&' "$TMP/page"; then echo "FAIL: the raw layer name is on the page"; failures=$((failures + 1)); fi
  "$PY" "$TMP/check_html.py" "$TMP/o.html" "<b>&\"x'" 2>"$TMP/err"
  expect_eq "$?" 0 "the page's text holds the layer name as it is"
fi
render "$TMP/v.html" "$TMP/v.png"
expect_rc 0 "the rendered --vs page shows the charts" -- "$PY" "$TMP/check_png.py" "$TMP/v.png"
cat "$TMP/out"

# ---- the checkers fail on a broken page ----
sed -e '/<body>/,/<\/body>/{/<body>/!{/<\/body>/!d}}' "$TMP/r.html" >"$TMP/empty.html"
expect_rc 1 "an empty <body> fails the HTML check" -- "$PY" "$TMP/check_html.py" "$TMP/empty.html"
expect_in err '<svg> elements, wanted 3' "says what is missing"
render "$TMP/empty.html" "$TMP/empty.png"
expect_rc 1 "an empty <body> renders blank" -- "$PY" "$TMP/check_png.py" "$TMP/empty.png"
sed -e 's|</svg>||' "$TMP/r.html" >"$TMP/unclosed.html"
expect_rc 1 "an unclosed <svg> fails the HTML check" -- "$PY" "$TMP/check_html.py" "$TMP/unclosed.html"
sed -e 's|<body>|<body><img src="https://example.org/x.png">|' "$TMP/r.html" >"$TMP/ext.html"
expect_rc 1 "an external image fails the HTML check" -- "$PY" "$TMP/check_html.py" "$TMP/ext.html"

expect_rc 0 "report --help names html" -- "$CHIPFIT" report --help
expect_in out 'html  one self-contained page' "help"
finish
