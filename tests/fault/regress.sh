# Inputs that once made chipfit misbehave (tests/fault/regress/, each named
# for what it holds): `chipfit info` on each must end by itself with 0 or 1,
# never by a signal or a sanitizer report (the sanitizer build aborts on
# one). usage: regress.sh CHIPFIT SRC
set -u
CHIPFIT=$1
SRC=$2
fails=0 n=0
for f in "$SRC"/tests/fault/regress/*; do
  n=$((n + 1))
  out=$("$CHIPFIT" info "$f" 2>&1)
  rc=$?
  if [[ $rc -ne 0 && $rc -ne 1 ]] || grep -q "runtime error\|AddressSanitizer" <<<"$out"; then
    echo "FAIL: $(basename "$f"): exit $rc"
    sed 's/^/  | /' <<<"$out" | head -20
    fails=$((fails + 1))
  fi
done
echo "$((n - fails)) of $n regression inputs handled"
[[ $n -gt 0 && $fails -eq 0 ]]
