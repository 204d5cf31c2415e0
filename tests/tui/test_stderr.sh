# What libraries write to stderr never reaches the screen. A small shared
# object, LD_PRELOADed, starts a thread from its constructor that writes two
# lines to fd 2 half a second later (and once fd 2 is no longer the
# terminal, should the TUI start slowly). The
# screen must not show them raw; after the next key the status line shows
# the last one as "library message: ...", and after quitting both reach the
# real stderr (the shell's screen).
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null; then
  echo "SKIP: no C compiler ($CC) to build the noisy library"
  exit 77
fi
cat >"$TMP/noisy.c" <<'C'
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void say(const char *s)
{
    if (write(2, s, strlen(s)) < 0)
        return;
}

static void *talk(void *arg)
{
    (void)arg;
    usleep(500 * 1000);
    /* a slow start (a loaded machine, the sanitizer): wait, up to 10 s, for
     * the TUI to take stderr away from the terminal */
    for (int i = 0; i < 1000 && isatty(2); i++)
        usleep(10 * 1000);
    say("noisy: first line from the library\n");
    say("NOISY-RAW-LINE the last one\n");
    const char *done = getenv("NOISY_DONE");
    if (done)
        close(open(done, O_WRONLY | O_CREAT, 0644));
    return NULL;
}

__attribute__((constructor)) static void start(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, talk, NULL) == 0)
        pthread_detach(th);
}
C
if ! "$CC" -shared -fPIC -o "$TMP/noisy.so" "$TMP/noisy.c" -lpthread; then
  echo "FAIL: cannot build the noisy library"
  exit 1
fi
preload=$TMP/noisy.so
if [[ -n ${CHIPFIT_SANITIZE:-} ]]; then
  # ASan must come first in the library list: preload it ahead.
  asan=$("$CC" -print-file-name=libasan.so)
  if [[ ! -e $asan ]]; then
    echo "SKIP: under the sanitizer and no libasan.so to preload first"
    exit 77
  fi
  preload="$asan $preload"
fi

tui_start LD_PRELOAD="$preload" NOISY_DONE="$TMP/noisy.done" -- "$MODEL"
for ((i = 0; i < 100 * SLOW; i++)); do
  [[ -e $TMP/noisy.done ]] && break
  sleep 0.05
done
checks=$((checks + 1))
[[ -e $TMP/noisy.done ]] || fail "the noisy library did not write"
settle
expect_not "NOISY-RAW-LINE" "the library's line is not on the screen"
expect_not "noisy: first line" "nor its first line"
expect_line 1 '^ chipfit  fashion_cnn\.onnx ' "the screen is intact"
expect_eq "$(layer_order)" "conv1 relu1 pool1 conv2 relu2 pool2 flatten fc softmax" "the table is intact"
send j
sync_keys
expect_line 3 '^ library message: NOISY-RAW-LINE the last one$' "the status line shows the last line"
expect_eq "$(grep -c NOISY "$TMP/screen")" 1 "only there"
expect_not "noisy: first line" "the first line stays in the file"
expect " layer 1  relu1  (Relu)" "the key was handled too"
send q
wait_exit 0
expect_terminal_restored "q"
expect "noisy: first line from the library" "after quitting: the first line on the real stderr"
expect_re '^NOISY-RAW-LINE the last one$' "after quitting: the last line on the real stderr"
checks=$((checks + 1))
[[ $(grep -n 'NOISY-RAW-LINE' "$TMP/screen" | cut -d: -f1) -gt $(grep -n '@@ shell before chipfit' "$TMP/screen" | cut -d: -f1) ]] ||
  fail "the library's lines come after the TUI, not over it"
finish
