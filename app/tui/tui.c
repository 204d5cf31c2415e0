/* tui.c — the TUI's life: terminal set-up and restore, the event loop, keys
 * and mouse.
 *
 * The loop waits in getch(): every 100 ms while a profile runs, to move its
 * progress bar, and once a second otherwise, to show library messages
 * (idle CPU stays near zero: nothing is redrawn unless something changed). A
 * resize arrives as KEY_RESIZE. Ctrl-C, SIGTERM and SIGHUP end the loop
 * (their handler only sets a flag; getch returns on the interrupted read)
 * and the terminal is restored as on `q`; a crash restores it from the
 * signal handler with async-signal-safe calls only. Whatever libraries
 * write to stderr (oneDNN, XRT) goes to a temporary file, never onto the
 * screen; the status line says when something arrived. */
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "state.h"

/* The signal handlers' view of the process: what they may touch. These are
 * the only file-scope variables of the TUI (app/ may hold global state). */
static volatile sig_atomic_t got_stop_signal;
static struct termios saved_termios;
static int saved_termios_ok;
static int saved_stderr = -1;

static void on_stop_signal(int sig)
{
    (void)sig;
    got_stop_signal = 1;
}

/* A crash: put the terminal back (alternate screen off, cursor on, mouse
 * off, keypad transmit off, the original modes) with write/tcsetattr only,
 * then die of it. */
static void on_fatal_signal(int sig)
{
    static const char reset[] =
        "\033[?1000l\033[?1002l\033[?1006l\033[?1l\033>\033[?25h\033[?1049l\r\n";
    if (write(STDOUT_FILENO, reset, sizeof reset - 1) < 0) {
        /* nothing more can be done here */
    }
    if (saved_termios_ok)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    if (saved_stderr >= 0)
        dup2(saved_stderr, STDERR_FILENO);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: getch returns on the interrupted read */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

/* stderr into a temporary file for the TUI's lifetime. */
static void capture_stderr(tui *t)
{
    t->stderr_fd = -1;
    snprintf(t->stderr_path, sizeof t->stderr_path, "/tmp/chipfit-stderr-XXXXXX");
    int fd = mkstemp(t->stderr_path);
    if (fd < 0)
        return;
    unlink(t->stderr_path);   /* the fd is enough; nothing left behind by a crash or kill -9 */
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        return;
    }
    t->stderr_fd = fd;
    t->stderr_seen = 0;
}

static void release_stderr(tui *t)
{
    if (t->stderr_fd < 0)
        return;
    fflush(stderr);
    struct stat st;
    long size = fstat(t->stderr_fd, &st) == 0 ? (long)st.st_size : 0;
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    /* What libraries said while the screen was ours: pass it on. */
    if (size > 0) {
        char buf[4096];
        ssize_t r;
        lseek(t->stderr_fd, 0, SEEK_SET);
        while ((r = read(t->stderr_fd, buf, sizeof buf)) > 0)
            if (write(STDERR_FILENO, buf, (size_t)r) < 0)
                break;
    }
    close(t->stderr_fd);
    t->stderr_fd = -1;
}

/* New library output since the last look: its last line goes to the status. */
static int check_stderr(tui *t)
{
    struct stat st;
    if (t->stderr_fd < 0 || fstat(t->stderr_fd, &st) != 0 || st.st_size <= t->stderr_seen)
        return 0;
    char buf[512];
    long from = st.st_size - (long)sizeof buf + 1;
    if (from < t->stderr_seen)
        from = t->stderr_seen;
    ssize_t r = pread(t->stderr_fd, buf, sizeof buf - 1, from);
    t->stderr_seen = st.st_size;
    if (r <= 0)
        return 0;
    buf[r] = '\0';
    while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == '\r'))
        buf[--r] = '\0';
    char *last = strrchr(buf, '\n');
    tui_status(t, 0, "library message: %s", last ? last + 1 : buf);
    return 1;
}

/* ---- keys ---------------------------------------------------------------------------- */

static void sort_by(tui *t, col_id c)
{
    if (t->sort_col == c) {
        t->sort_desc = !t->sort_desc;
    } else {
        t->sort_col = c;
        /* numbers read best largest first; names and the index A to Z */
        t->sort_desc = c != COL_INDEX && c != COL_NAME && c != COL_OP;
    }
    tui_rebuild_rows(t);
    tui_status(t, 0, "sorted by %s, %s", tui_col_title(t, c),
               t->sort_desc ? "largest first" : "smallest first");
}

static void edit_line(char *buf, size_t size, int ch)
{
    size_t n = strlen(buf);
    if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n)
        buf[n - 1] = '\0';
    else if (ch == 21)   /* Ctrl-U */
        buf[0] = '\0';
    else if (ch >= 32 && ch < 256 && ch != 127 && n + 1 < size) {
        buf[n] = (char)ch;
        buf[n + 1] = '\0';
    }
}

static void key_filter(tui *t, int ch)
{
    if (ch == 27) {
        t->filter[0] = '\0';
        t->mode = MODE_TABLE;
    } else if (ch == '\n' || ch == KEY_ENTER) {
        t->mode = MODE_TABLE;
    } else {
        edit_line(t->filter, sizeof t->filter, ch);
    }
    tui_rebuild_rows(t);
}

static void key_open(tui *t, int ch)
{
    if (ch == 27) {
        t->mode = MODE_TABLE;
        tui_status(t, 0, "open canceled");
    } else if (ch == '\n' || ch == KEY_ENTER) {
        t->mode = MODE_TABLE;
        if (t->input[0])
            tui_open_model(t, t->input);
    } else {
        edit_line(t->input, sizeof t->input, ch);
    }
}

static int *form_field(tui *t)
{
    switch (t->settings_field) {
    case 0: return &t->form.threads;
    case 1: return &t->form.repeats;
    case 2: return &t->form.warmup;
    default: return &t->form.reference;
    }
}

static void key_settings(tui *t, int ch)
{
    static const int lo[4] = {1, 1, 0, 0}, hi[4] = {256, 100000, 10000, 1};
    int *v = form_field(t);
    int f = t->settings_field;
    if (ch == 27) {
        t->mode = MODE_TABLE;
        tui_status(t, 0, "settings unchanged");
        return;
    }
    if (ch == '\n' || ch == KEY_ENTER) {
        /* a field emptied by Backspace and left so */
        t->form.threads = t->form.threads < lo[0] ? lo[0] : t->form.threads;
        t->form.repeats = t->form.repeats < lo[1] ? lo[1] : t->form.repeats;
        t->next = t->form;
        t->mode = MODE_TABLE;
        tui_status(t, 0, "next profile: %d thread(s), %d repeats, %d warm-up, %s",
                   t->next.threads, t->next.repeats, t->next.warmup,
                   t->next.reference ? "cpu-ref" : "cpu");
        return;
    }
    if (ch == KEY_UP || ch == 'k')
        t->settings_field = (f + 3) % 4;
    else if (ch == KEY_DOWN || ch == 'j' || ch == '\t')
        t->settings_field = (f + 1) % 4;
    else if (ch == KEY_LEFT || ch == '-')
        *v = *v > lo[f] ? *v - 1 : lo[f];
    else if (ch == KEY_RIGHT || ch == '+')
        *v = *v < hi[f] ? *v + 1 : hi[f];
    else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8)
        *v = *v / 10;   /* may go below lo[f] while typing: 20, Backspace x2, 5 gives 5 */
    else if (ch >= '0' && ch <= '9' && f < 3) {
        long nv = (long)*v * 10 + (ch - '0');
        *v = nv > hi[f] ? hi[f] : (int)nv;
    }
}

static void key_table(tui *t, int ch);

/* The experiments view: a list of the store's tree; the keys it does not
 * take (profile, help, quit) act as in the table. */
static void key_exps(tui *t, int ch)
{
    int page = t->exp_h > 1 ? t->exp_h - 1 : 1;
    switch (ch) {
    case KEY_UP: case 'k': tui_exp_select(t, t->exp_sel - 1); break;
    case KEY_DOWN: case 'j': tui_exp_select(t, t->exp_sel + 1); break;
    case KEY_PPAGE: tui_exp_select(t, t->exp_sel - page); break;
    case KEY_NPAGE: case ' ': tui_exp_select(t, t->exp_sel + page); break;
    case KEY_HOME: case 'g': tui_exp_select(t, 0); break;
    case KEY_END: case 'G': tui_exp_select(t, (int)t->n_exps - 1); break;
    case 't': tui_exp_prompt(t, 1); break;
    case 'n': tui_exp_prompt(t, 0); break;
    case '\n': case KEY_ENTER:
        if (tui_exp_use(t) == 0)
            t->mode = MODE_TABLE;
        break;
    case 'r': tui_exps_load(t); break;
    case 'c':
        if (t->exp_sel < 0 || t->exp_sel >= t->n_exps)
            break;
        if (!t->cmp_a || t->cmp_a == t->exps[t->exp_sel].id) {
            t->cmp_a = t->cmp_a ? 0 : t->exps[t->exp_sel].id;
            if (t->cmp_a)
                tui_status(t, 0, "compare: A is experiment %lld; select B and press c",
                           (long long)t->cmp_a);
            else
                tui_status(t, 0, "compare: unmarked");
        } else {
            tui_compare_open(t);
        }
        break;
    case 27: case 'e': t->mode = MODE_TABLE; break;
    case 'p': case KEY_F(5): case 'q': case KEY_F(10): case '?': case 'h': case KEY_F(1):
        key_table(t, ch);
        break;
    default: break;
    }
}

static void key_compare(tui *t, int ch)
{
    int page = t->cmp_h > 1 ? t->cmp_h - 1 : 1, n = (int)t->cmp.n_layers;
    int sel = t->cmp_sel;
    switch (ch) {
    case KEY_UP: case 'k': sel--; break;
    case KEY_DOWN: case 'j': sel++; break;
    case KEY_PPAGE: sel -= page; break;
    case KEY_NPAGE: case ' ': sel += page; break;
    case KEY_HOME: case 'g': sel = 0; break;
    case KEY_END: case 'G': sel = n - 1; break;
    case 27: case 'c':
        tui_compare_free(t);
        t->cmp_a = 0;
        t->mode = MODE_EXPS;
        return;
    case 'q': case KEY_F(10): case '?': case 'h': case KEY_F(1): key_table(t, ch); return;
    default: return;
    }
    t->cmp_sel = sel >= n ? n - 1 : sel < 0 ? 0 : sel;
}

static void key_exp_prompt(tui *t, int ch)
{
    int tag = t->mode == MODE_EXP_TAG;
    if (ch == 27) {
        t->mode = MODE_EXPS;
        tui_status(t, 0, "%s unchanged", tag ? "tag" : "note");
    } else if (ch == '\n' || ch == KEY_ENTER) {
        t->mode = MODE_EXPS;
        tui_exp_label(t, tag, t->input);
    } else {
        edit_line(t->input, sizeof t->input, ch);
    }
}

static void key_mouse(tui *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    if (ev.bstate & BUTTON4_PRESSED) {
        tui_select(t, t->sel - 3);
    } else if (ev.bstate & BUTTON5_PRESSED) {
        tui_select(t, t->sel + 3);
    } else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) {
        int row = tui_row_at(t, ev.y);
        if (row >= 0)
            tui_select(t, row);
    }
}

static void key_table(tui *t, int ch)
{
    int page = t->table_h > 1 ? t->table_h - 1 : 1;
    switch (ch) {
    case KEY_UP: case 'k': tui_select(t, t->sel - 1); break;
    case KEY_DOWN: case 'j': tui_select(t, t->sel + 1); break;
    case KEY_PPAGE: tui_select(t, t->sel - page); break;
    case KEY_NPAGE: case ' ': tui_select(t, t->sel + page); break;
    case KEY_HOME: case 'g': tui_select(t, 0); break;
    case KEY_END: case 'G': tui_select(t, t->n_rows - 1); break;
    case '<': sort_by(t, (col_id)((t->sort_col + N_COLS - 1) % N_COLS)); break;
    case '>': case KEY_F(6): sort_by(t, (col_id)((t->sort_col + 1) % N_COLS)); break;
    case 'I': sort_by(t, t->sort_col); break;
    case '/': case KEY_F(3): case KEY_F(4): t->mode = MODE_FILTER; break;
    case 'd': t->show_detail = !t->show_detail; break;
    case 'J': t->detail_scroll++; break;
    case 'w':
        t->big_ok = 1;
        tui_status(t, 0, "weight statistics of large tensors: computed when shown");
        break;
    case 'K': t->detail_scroll = t->detail_scroll > 0 ? t->detail_scroll - 1 : 0; break;
    case 'p': case KEY_F(5): tui_profile_start(t); break;
    case 27: case KEY_F(9): tui_profile_cancel(t); break;
    case 's': case KEY_F(2):
        t->form = t->next;
        t->settings_field = 0;
        t->mode = MODE_SETTINGS;
        break;
    case 'o':
        snprintf(t->input, sizeof t->input, "%s", t->path);
        t->mode = MODE_OPEN;
        break;
    case 'e':
        tui_exps_load(t);
        t->mode = MODE_EXPS;
        break;
    case 'r': tui_report_write(t); break;
    case '?': case 'h': case KEY_F(1): t->show_help = 1; t->help_scroll = 0; break;
    case 'q': case KEY_F(10):
        if (atomic_load(&t->work.state) == WORK_RUNNING) {
            t->confirm_from = t->mode;   /* n goes back there */
            t->mode = MODE_CONFIRM_QUIT;
        }
        else
            t->quit = 1;
        break;
    case KEY_MOUSE: key_mouse(t); break;
    default:
        for (int c = 0; c < N_COLS; c++)
            if (ch == tui_col_key((col_id)c))
                sort_by(t, (col_id)c);
        break;
    }
}

static void key(tui *t, int ch)
{
    if (ch == KEY_RESIZE)
        return;   /* the redraw that follows every key lays out again */
    if (t->show_help) {
        if (ch == KEY_DOWN || ch == 'j')
            t->help_scroll++;
        else if (ch == KEY_UP || ch == 'k')
            t->help_scroll = t->help_scroll > 0 ? t->help_scroll - 1 : 0;
        else if (ch == 'q' || ch == KEY_F(10))
            key_table(t, ch), t->show_help = 0;
        else
            t->show_help = 0;
        return;
    }
    switch (t->mode) {
    case MODE_FILTER: key_filter(t, ch); break;
    case MODE_OPEN: key_open(t, ch); break;
    case MODE_SETTINGS: key_settings(t, ch); break;
    case MODE_CONFIRM_QUIT:
        if (ch == 'y' || ch == 'Y' || ch == 'q')
            t->quit = 1;
        else
            t->mode = t->confirm_from;
        break;
    case MODE_TABLE: key_table(t, ch); break;
    case MODE_EXPS: key_exps(t, ch); break;
    case MODE_COMPARE: key_compare(t, ch); break;
    case MODE_EXP_TAG: case MODE_EXP_NOTE: key_exp_prompt(t, ch); break;
    }
}

/* ---- the loop ------------------------------------------------------------------------ */

/* CHIPFIT_TUI_TRACE=FILE, for bench/: "open µs" once (start to the first
 * screen, model loaded), then one line per key, "key µs" (handling it and
 * redrawing). */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int cf_tui_main(const char *path)
{
    double start_us = now_us();
    tui *t = calloc(1, sizeof *t);
    if (!t) {
        cf_cli_error("out of memory starting the TUI");
        return CF_EXIT_FAIL;
    }
    pthread_mutex_init(&t->work.lock, NULL);
    t->next = (settings){1, 20, 3, 0};
    t->show_detail = 1;
    t->sort_col = COL_INDEX;
    /* CHIPFIT_NO_STORE=1: profiles are not recorded (docs/tui.md) */
    const char *no_store = getenv("CHIPFIT_NO_STORE");
    t->no_store = no_store && *no_store && strcmp(no_store, "0") != 0;
    snprintf(t->store_path, sizeof t->store_path, "%s", cf_store_default_path(NULL));
    setlocale(LC_ALL, "");
    t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    const char *no_color = getenv("NO_COLOR");
    FILE *trace = NULL;
    const char *trace_path = getenv("CHIPFIT_TUI_TRACE");
    if (trace_path && *trace_path)
        trace = fopen(trace_path, "w");
    /* oneDNN's verbose mode prints to stdout, which is the screen here. */
    setenv("ONEDNN_VERBOSE", "0", 1);
    setenv("DNNL_VERBOSE", "0", 1);
    saved_termios_ok = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
    install_signals();
    capture_stderr(t);
    if (!initscr()) {
        release_stderr(t);
        cf_cli_error("cannot start the terminal UI (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
        free(t);
        return CF_EXIT_FAIL;
    }
    t->color = has_colors() && !(no_color && *no_color);
    tui_colors(t);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON4_PRESSED |
                  BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    if (path)
        tui_open_model(t, path);
    else
        tui_open_last(t);
    tui_draw(t);
    if (trace) {
        fprintf(trace, "open %.1f\n", now_us() - start_us);
        fflush(trace);
    }
    while (!t->quit && !got_stop_signal) {
        int running = atomic_load(&t->work.state) != WORK_IDLE;
        timeout(running ? 100 : 1000);
        int ch = getch();
        double t0 = now_us();
        if (ch == '\r')
            ch = '\n';
        if (ch != ERR)
            key(t, ch);
        int changed = tui_poll_work(t) | check_stderr(t);
        if (ch != ERR || changed) {
            tui_draw(t);
            if (trace && ch != ERR) {
                fprintf(trace, "%d %.1f\n", ch, now_us() - t0);
                fflush(trace);
            }
        }
    }
    tui_close_model(t);   /* joins a running profile */
    tui_exps_free(t);
    endwin();
    if (saved_termios_ok)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
    release_stderr(t);
    if (trace)
        fclose(trace);
    int rc = got_stop_signal ? CF_EXIT_FAIL : CF_EXIT_OK;
    pthread_mutex_destroy(&t->work.lock);
    free(t);
    return rc;
}
