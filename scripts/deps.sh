#!/usr/bin/env bash
# Installs the Debian packages chipfit needs to build and test, and only those
# that are missing, so a machine that has them starts at once. Works as root
# or through sudo. `make run` and `make test` call it.
set -euo pipefail

packages=(
  cmake gcc g++ make pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler   # ONNX parse/check/shape inference
  libcjson-dev                                    # JSON output
  libsqlite3-dev libssl-dev                       # the experiment store (SQLite, SHA-256)
  sqlite3                                         # store tests make child experiments with it
  libdnnl-dev                                     # oneDNN: fast CPU conv / matmul
  libcmocka-dev                                   # unit tests
  libncurses-dev                                  # the TUI (ncursesw)
  tmux                                            # drives the TUI in its tests
  libonnx-testdata                                # ONNX's 1,072 test models (round-trip test)
  jq                                              # JSON checks in the CLI tests
  python3-onnx python3-numpy                      # tests build their own models with them
  chromium                                        # renders the HTML report in its test
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "chipfit: installing missing Debian packages: ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "chipfit: these packages are missing and neither root nor sudo is available:" >&2
  echo "  ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
