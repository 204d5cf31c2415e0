/* draw.c — the TUI's screen, redrawn whole from the state after every key
 * (only the visible rows cost anything). Top: the model line, the totals,
 * the status or progress line. Middle: the layer table, then the detail
 * pane of the selected layer; or, on e, the experiments view in its place.
 * Bottom: the prompt line (filter, open, tag, note) and the function bar.
 * Overlays: help, the settings form, the quit question.
 *
 * Columns that do not fit are dropped, least important first (#, output
 * shape, params, share bar, MACs, op); long names elide in the middle.
 * Every figure says measured or static and its unit. */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "state.h"

enum { PAIR_TITLE = 1, PAIR_HEAD, PAIR_SEL, PAIR_ERR, PAIR_BAR, PAIR_KEY, PAIR_DIM };

static int attr_of(const tui *t, int pair, int fallback)
{
    return t->color ? (int)COLOR_PAIR(pair) : fallback;
}

/* ---- small pieces ------------------------------------------------------------------- */

/* Writes s at (y, x), at most w columns, padding with spaces to w. Names
 * are UTF-8; a cut never splits a character. */
static void put(int y, int x, int w, const char *s)
{
    if (w <= 0)
        return;
    int cols = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t bytes = 0;
    while (p[bytes] && cols < w) {
        size_t len = p[bytes] < 0x80 ? 1 : p[bytes] < 0xE0 ? 2 : p[bytes] < 0xF0 ? 3 : 4;
        for (size_t i = 1; i < len; i++)
            if (!p[bytes + i])
                len = i;
        bytes += len;
        cols++;
    }
    mvaddnstr(y, x, s, (int)bytes);
    for (; cols < w; cols++)
        addch(' ');
}

static void put_right(int y, int x, int w, const char *s)
{
    int n = (int)strlen(s);   /* numbers: ASCII */
    if (n > w)
        n = w;
    put(y, x, w - n, "");
    mvaddnstr(y, x + w - n, s, n);
}

/* A bar of `frac` of w cells: eighths in UTF-8, '#' in ASCII. */
static void put_bar(const tui *t, int y, int x, int w, double frac)
{
    static const char *const eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int units = (int)lrint(frac * w * 8);
    move(y, x);
    attron(attr_of(t, PAIR_BAR, A_BOLD));
    int cells = 0;
    for (; units >= 8 && cells < w; units -= 8, cells++)
        addstr(t->utf8 ? "█" : "#");
    if (cells < w && units > 0 && t->utf8) {
        addstr(eighths[units]);
        cells++;
    }
    attroff(attr_of(t, PAIR_BAR, A_BOLD));
    for (; cells < w; cells++)
        addch(' ');
}

/* ---- columns ----------------------------------------------------------------------- */

typedef struct layout {
    int on[N_COLS];
    int x[N_COLS], w[N_COLS];
} layout;

static void plan_columns(const tui *t, int width, layout *L)
{
    static const int want[N_COLS] = {[COL_INDEX] = 5, [COL_NAME] = 12, [COL_OP] = 12,
                                     [COL_SHAPE] = 16, [COL_PARAMS] = 8, [COL_MACS] = 8,
                                     [COL_CPU] = 10, [COL_SHARE] = 10};
    static const col_id drop_order[] = {COL_INDEX, COL_SHAPE, COL_PARAMS, COL_SHARE,
                                        COL_MACS, COL_OP};
    int w[N_COLS];
    memcpy(w, want, sizeof w);
    /* op: as wide as the longest op, within reason */
    int op_w = 2;
    for (int32_t k = 0; t->g && k < t->g->n_nodes; k++) {
        int n = (int)strlen(t->g->nodes[k].op_type);
        op_w = n > op_w ? n : op_w;
    }
    w[COL_OP] = op_w < 6 ? 6 : op_w > 20 ? 20 : op_w;
    for (int c = 0; c < N_COLS; c++)
        L->on[c] = 1;
    for (size_t d = 0;; d++) {
        int total = 0;
        for (int c = 0; c < N_COLS; c++)
            total += L->on[c] ? w[c] + 1 : 0;
        if (total <= width || d >= sizeof drop_order / sizeof drop_order[0])
            break;
        L->on[drop_order[d]] = 0;
    }
    int fixed = 0;
    for (int c = 0; c < N_COLS; c++)
        if (L->on[c] && c != COL_NAME)
            fixed += w[c] + 1;
    w[COL_NAME] = width - fixed - 1;
    if (w[COL_NAME] < 4)
        w[COL_NAME] = 4;
    int x = 0;
    for (int c = 0; c < N_COLS; c++) {
        L->x[c] = x;
        L->w[c] = L->on[c] ? w[c] : 0;
        if (L->on[c])
            x += w[c] + 1;
    }
}

static void draw_table_head(const tui *t, int y, const layout *L)
{
    attron(attr_of(t, PAIR_HEAD, A_REVERSE));
    move(y, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    for (int c = 0; c < N_COLS; c++) {
        if (!L->on[c])
            continue;
        char title[48];
        const char *name = tui_col_title(t, (col_id)c);
        snprintf(title, sizeof title, "%s%s", name,
                 (col_id)c == t->sort_col ? (t->sort_desc ? (t->utf8 ? "▼" : "v")
                                                           : (t->utf8 ? "▲" : "^"))
                                          : "");
        if (c == COL_INDEX || c == COL_PARAMS || c == COL_MACS || c == COL_CPU) {
            /* right-aligned like their numbers; the arrow counts one column */
            int len = (int)strlen(name) + ((col_id)c == t->sort_col);
            if (c == COL_CPU && t->utf8)
                len--;   /* µ: two bytes, one column */
            put(y, L->x[c], L->w[c] - len > 0 ? L->w[c] - len : 0, "");
            put(y, L->x[c] + (L->w[c] > len ? L->w[c] - len : 0), len < L->w[c] ? len : L->w[c],
                title);
        } else {
            put(y, L->x[c], L->w[c], title);
        }
    }
    attroff(attr_of(t, PAIR_HEAD, A_REVERSE));
}

static void draw_row(const tui *t, int y, int row, const layout *L)
{
    int32_t k = t->rows[row];
    const cf_node *n = &t->g->nodes[k];
    const cf_layer_static *c = &t->cost->layers[k];
    int selected = row == t->sel;
    if (selected)
        attron(attr_of(t, PAIR_SEL, A_REVERSE));
    move(y, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    char buf[256], num[32];
    if (L->on[COL_INDEX]) {
        snprintf(num, sizeof num, "%d", (int)k);
        put_right(y, L->x[COL_INDEX], L->w[COL_INDEX], num);
    }
    put(y, L->x[COL_NAME], L->w[COL_NAME], cf_fmt_elide(n->name, L->w[COL_NAME], buf, sizeof buf));
    if (L->on[COL_OP])
        put(y, L->x[COL_OP], L->w[COL_OP], n->op_type);
    if (L->on[COL_SHAPE])
        put(y, L->x[COL_SHAPE], L->w[COL_SHAPE],
            cf_fmt_elide(t->shape_text[k], L->w[COL_SHAPE], buf, sizeof buf));
    if (L->on[COL_PARAMS])
        put_right(y, L->x[COL_PARAMS], L->w[COL_PARAMS],
                  c->params ? cf_fmt_count(c->params, num, sizeof num) : "-");
    if (L->on[COL_MACS])
        put_right(y, L->x[COL_MACS], L->w[COL_MACS],
                  c->macs ? cf_fmt_count(c->macs, num, sizeof num) : "-");
    const cf_layer_cost *m = t->prof.layers ? &t->prof.layers[k] : NULL;
    if (L->on[COL_CPU]) {
        if (m && strncmp(m->impl, "fused", 5) == 0)
            snprintf(num, sizeof num, "fused");
        else if (m)
            snprintf(num, sizeof num, "%.1f", m->median_us);
        else
            snprintf(num, sizeof num, "-");
        put_right(y, L->x[COL_CPU], L->w[COL_CPU], num);
    }
    if (L->on[COL_SHARE]) {
        if (selected)
            attroff(attr_of(t, PAIR_SEL, A_REVERSE));
        put_bar(t, y, L->x[COL_SHARE], L->w[COL_SHARE], m ? m->share : 0);
        if (selected)
            attron(attr_of(t, PAIR_SEL, A_REVERSE));
    }
    if (selected)
        attroff(attr_of(t, PAIR_SEL, A_REVERSE));
}

/* ---- the detail pane ----------------------------------------------------------------- */

typedef struct lines {
    char text[96][256];
    int n;
} lines;

static void line_add(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line_add(lines *l, const char *fmt, ...)
{
    if (l->n >= (int)(sizeof l->text / sizeof l->text[0]))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->text[l->n++], sizeof l->text[0], fmt, ap);
    va_end(ap);
}

static void attr_text(const cf_attr *a, char *buf, size_t size)
{
    size_t o = 0;
    switch (a->type) {
    case CF_ATTR_INT: snprintf(buf, size, "%lld", (long long)a->i); return;
    case CF_ATTR_FLOAT: snprintf(buf, size, "%g", a->f); return;
    case CF_ATTR_STRING: snprintf(buf, size, "\"%.*s\"", (int)a->s.len, (const char *)a->s.data); return;
    case CF_ATTR_INTS:
    case CF_ATTR_FLOATS:
        o += (size_t)snprintf(buf, size, "[");
        for (size_t i = 0; i < a->n && o < size; i++) {
            if (a->type == CF_ATTR_INTS)
                o += (size_t)snprintf(buf + o, size - o, "%s%lld", i ? "," : "", (long long)a->ints[i]);
            else
                o += (size_t)snprintf(buf + o, size - o, "%s%g", i ? "," : "", a->floats[i]);
        }
        if (o < size)
            snprintf(buf + o, size - o, "]");
        return;
    case CF_ATTR_TENSOR: snprintf(buf, size, "<tensor>"); return;
    case CF_ATTR_GRAPH: snprintf(buf, size, "<graph>"); return;
    default: snprintf(buf, size, "<%zu values>", a->n); return;
    }
}

static void tensor_line(lines *l, const cf_graph *g, const char *label, int32_t id)
{
    char shape[160];
    if (id < 0) {
        line_add(l, "%-9s (omitted)", label);
        return;
    }
    const cf_tensor *t = &g->tensors[id];
    cf_shape_format(&t->shape, shape, sizeof shape);
    int weight = (t->flags & CF_TENSOR_INITIALIZER) != 0;
    line_add(l, "%-9s %s  %s[%s]%s", label, t->name, cf_dtype_name(t->dtype), shape,
             weight ? "  (weights)" : "");
}

/* Statistics of weight tensor id, computed the first time it is shown (a
 * tensor above 8M elements waits for `w`: about 10 ns an element). */
#define WEIGHT_AUTO_LIMIT (8 << 20)

static void weight_lines(const tui *t, int32_t id, lines *l)
{
    const cf_tensor *w = &t->g->tensors[id];
    int64_t n = 0;
    if (!cf_shape_numel(&w->shape, &n) || n < 2 || !w->data || w->dtype == CF_DT_STRING)
        return;
    cf_weight_stats *s = t->wstats[id];
    if (!s && n > WEIGHT_AUTO_LIMIT && !t->big_ok) {
        line_add(l, "weights   %s: %lld elements; w computes their statistics", w->name,
                 (long long)n);
        return;
    }
    if (!s) {
        cf_error err = CF_ERROR_INIT;
        s = malloc(sizeof *s);
        if (!s || cf_weight_stats_compute(w, 24, s, &err)) {
            free(s);
            line_add(l, "weights   %s: %s", w->name, err.code ? err.msg : "out of memory");
            return;
        }
        t->wstats[id] = s;
    }
    char hist[128];
    cf_weight_histogram_text(s, !t->utf8, hist, sizeof hist);
    line_add(l, "weights   %s  min %.4g  max %.4g  mean %.4g  std %.4g  zeros %.1f%%%s",
             w->name, s->min, s->max, s->mean, s->std, s->zero_pct,
             s->n_nan || s->n_inf ? "  (has NaN/inf)" : "");
    line_add(l, "          [%s]  %d bins, %.4g .. %.4g", hist, s->n_bins, s->min, s->max);
}

static void build_detail(const tui *t, int32_t k, lines *l)
{
    const cf_graph *g = t->g;
    const cf_node *n = &g->nodes[k];
    const cf_layer_static *c = &t->cost->layers[k];
    char a[32], b[32], d[32], e[32], f[32];
    l->n = 0;
    line_add(l, "layer %d  %s  (%s%s%s)", (int)k, n->name, n->op_type,
             t->prof.layers ? ", " : "", t->prof.layers ? t->prof.layers[k].impl : "");
    line_add(l, "static    params %s  MACs %s  FLOPs %s  in %s  out %s  (counted)",
             cf_fmt_count(c->params, a, sizeof a), cf_fmt_count(c->macs, b, sizeof b),
             cf_fmt_count(c->flops, d, sizeof d), cf_fmt_bytes(c->in_bytes, e, sizeof e),
             cf_fmt_bytes(c->out_bytes, f, sizeof f));
    if (t->prof.layers) {
        const cf_layer_cost *m = &t->prof.layers[k];
        line_add(l, "measured  median %.1f %s  p10 %.1f  p90 %.1f  share %.1f%%  (%s, %d thread(s))",
                 m->median_us, tui_us(t), m->p10_us, m->p90_us, 100 * m->share,
                 t->prof_settings.reference ? "cpu-ref" : "cpu", t->prof_settings.threads);
        const cf_profile_contention *cn = &t->prof.contention;
        if (cn->flags) {   /* the whole profile's, shown with every layer */
            line_add(l, "warning   figures may not be reliable: the CPUs were contended");
            if (cn->flags & CF_CONTENDED_OVERSUBSCRIBED)
                line_add(l, "          %d threads on %d CPUs", cn->threads, cn->cpus);
            if (cn->flags & CF_CONTENDED_PREEMPTED)
                line_add(l, "          threads preempted %ld times in %ld timed runs",
                         cn->invol_switches, cn->runs);
            if (cn->flags & CF_CONTENDED_UNSTABLE)
                line_add(l, "          whole-model p90 %.1fx the median",
                         t->prof.whole_p90_us / t->prof.whole_median_us);
        }
    } else {
        line_add(l, "measured  not yet: p profiles");
    }
    for (int j = 0; j < n->n_inputs; j++)
        tensor_line(l, g, j ? "" : "inputs", n->inputs[j]);
    for (int j = 0; j < n->n_outputs; j++)
        tensor_line(l, g, j ? "" : "outputs", n->outputs[j]);
    for (int j = 0; j < n->n_inputs; j++)
        if (n->inputs[j] >= 0 && (g->tensors[n->inputs[j]].flags & CF_TENSOR_INITIALIZER))
            weight_lines(t, n->inputs[j], l);
    if (n->n_attrs) {
        char text[200];
        for (int i = 0; i < n->n_attrs; i++) {
            attr_text(&n->attrs[i], text, sizeof text);
            line_add(l, "%-9s %s = %s", i ? "" : "attrs", n->attrs[i].name, text);
        }
    }
}

/* J and K scroll; the scroll stops at the last line (it is clamped here,
 * where the number of lines is known). */
static void draw_detail(tui *t, int y, int h)
{
    attron(attr_of(t, PAIR_HEAD, A_REVERSE));
    move(y, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    put(y, 1, COLS - 2, "detail (d hides, J/K scroll)");
    attroff(attr_of(t, PAIR_HEAD, A_REVERSE));
    static lines l;   /* big: off the stack; redrawn from state every time */
    for (int i = 1; i < h; i++)
        put(y + i, 0, COLS, "");
    if (!t->n_rows)
        return;
    build_detail(t, t->rows[t->sel], &l);
    int last = l.n - (h - 1) > 0 ? l.n - (h - 1) : 0;
    if (t->detail_scroll > last)
        t->detail_scroll = last;
    for (int i = 0; i + 1 < h && i + t->detail_scroll < l.n; i++)
        put(y + 1 + i, 1, COLS - 1, l.text[i + t->detail_scroll]);
}

/* ---- top, bottom, overlays ----------------------------------------------------------- */

static void draw_top(const tui *t)
{
    char a[32], b[32], c[32], line[4300];
    attron(attr_of(t, PAIR_TITLE, A_REVERSE | A_BOLD));
    move(0, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    if (t->g) {
        const cf_graph *g = t->g;
        int64_t opset = cf_graph_opset(g, "");
        char exp[40] = "";
        if (t->exp)
            snprintf(exp, sizeof exp, "  exp %lld", (long long)t->exp);
        snprintf(line, sizeof line, " chipfit  %s%s  producer %s %s  opset %lld  IR %lld",
                 t->title_name, exp, g->producer_name ? g->producer_name : "?",
                 g->producer_version ? g->producer_version : "", (long long)opset,
                 (long long)g->ir_version);
    } else {
        snprintf(line, sizeof line, " chipfit  (no model: press o to open one)");
    }
    put(0, 0, COLS, line);
    attroff(attr_of(t, PAIR_TITLE, A_REVERSE | A_BOLD));
    if (t->g) {
        /* the measured latency, and whether the CPUs were the profile's own
         * ("contended", in the error colour); the static totals make room
         * for it ("peak act" for "peak activations", then no peak) rather
         * than push it off the line */
        char meas[160] = "";
        const int contended = t->prof.layers && t->prof.contention.flags;
        if (t->prof.layers)
            snprintf(meas, sizeof meas, "  CPU %.1f %s/run (measured, %d thr%s)",
                     t->prof.whole_median_us, tui_us(t), t->prof_settings.threads,
                     contended ? ", contended" : "");
        int meas_cols = 0;
        for (const char *p = meas; *p; p++)
            meas_cols += ((unsigned char)*p & 0xC0) != 0x80;
        int n = 0;
        static const char *const peak[] = {"  peak activations ", "  peak act ", ""};
        for (int brief = 0; brief < 3; brief++) {
            n = snprintf(line, sizeof line, " layers %d  params %s  MACs %s%s%s (static)",
                         (int)t->g->n_nodes, cf_fmt_count(t->cost->params, a, sizeof a),
                         cf_fmt_count(t->cost->macs, b, sizeof b), peak[brief],
                         peak[brief][0] ? cf_fmt_bytes(t->cost->peak_activation_bytes, c, sizeof c)
                                        : "");
            if (n + meas_cols <= COLS)
                break;
        }
        put(1, 0, COLS, line);
        if (meas[0] && n < COLS) {
            put(1, n, COLS - n, meas);
            if (contended) {   /* the warning in the error colour, where it fits */
                int x = n + meas_cols - (int)strlen("contended)");
                if (x + 9 <= COLS) {
                    attron(attr_of(t, PAIR_ERR, A_BOLD));
                    mvaddnstr(1, x, "contended", 9);
                    attroff(attr_of(t, PAIR_ERR, A_BOLD));
                }
            }
        }
    } else {
        put(1, 0, COLS, "");
    }
    /* status, or the progress of a running profile */
    if (atomic_load(&((tui *)t)->work.state) == WORK_RUNNING) {
        worker *w = (worker *)&t->work;
        pthread_mutex_lock(&w->lock);
        cf_profile_progress p = w->progress;
        pthread_mutex_unlock(&w->lock);
        long W = w->opts.warmup > 1 ? w->opts.warmup : 1, R = w->opts.repeats;
        double L = p.layers > 0 ? p.layers : 1;
        /* a timed round is two runs (instrumented, then plain) */
        double total = (double)(W + 2 * R) * L, done = 0;
        switch (p.phase) {
        case CF_PROFILE_PREPARE: done = 0; break;
        case CF_PROFILE_FIRST_RUN: done = p.layer; break;
        case CF_PROFILE_WARMUP: done = (1 + (double)p.run) * L + p.layer; break;
        case CF_PROFILE_TIMED: done = (double)W * L + 2.0 * (double)p.run * L + p.layer; break;
        }
        double frac = total > 0 ? done / total : 0;
        double eta = frac > 0.01 ? p.elapsed_us * (1 - frac) / frac / 1e6 : -1;
        static const char *const names[] = {"preparing", "first run", "warm-up", "timed"};
        char eta_s[32];
        if (eta >= 0)
            snprintf(eta_s, sizeof eta_s, "ETA %.1f s", eta);
        else
            snprintf(eta_s, sizeof eta_s, "ETA ?");
        snprintf(line, sizeof line, " profiling: %s run %ld of %ld, layer %d of %d  %s  (Esc cancels)",
                 names[p.phase], p.run + 1, p.runs > 0 ? p.runs : 1, (int)p.layer,
                 (int)p.layers, eta_s);
        /* the bar gives way to the text (the ETA first of all), down to 10 cells */
        int bw = COLS / 4, room = COLS - 2 - (int)strlen(line);
        bw = bw > room ? room : bw;
        bw = bw < 10 ? 10 : bw;
        put_bar(t, 2, 1, bw, frac);
        put(2, bw + 1, COLS - bw - 1, line);
    } else {
        if (t->status_error)
            attron(attr_of(t, PAIR_ERR, A_BOLD));
        put(2, 0, 1, "");
        /* a message wider than the screen shortens its path first: what
         * happened and what to do next stay readable */
        char st[sizeof t->status + 4];
        put(2, 1, COLS - 1, cf_fmt_fit(t->status, COLS - 1, st, sizeof st));
        if (t->status_error)
            attroff(attr_of(t, PAIR_ERR, A_BOLD));
    }
}

/* The prompt line's text, or NULL when there is none: the filter, open,
 * tag and note prompts (a kept filter shows in the layer table only). */
static const char *prompt_text(const tui *t, char *line, size_t size)
{
    int exps = t->mode == MODE_EXPS || t->mode == MODE_EXP_TAG || t->mode == MODE_EXP_NOTE ||
               (t->mode == MODE_CONFIRM_QUIT && t->confirm_from == MODE_EXPS);
    if (t->mode == MODE_FILTER || (t->filter[0] && !exps)) {
        snprintf(line, size, "Filter (name or op): %s%s", t->filter,
                 t->mode == MODE_FILTER ? "_   Enter keeps, Esc clears" : "   (/ edits)");
    } else if (t->mode == MODE_OPEN) {
        snprintf(line, size, "Open model: %s_   Enter opens, Esc cancels", t->input);
    } else if (t->mode == MODE_EXP_TAG || t->mode == MODE_EXP_NOTE) {
        snprintf(line, size, "%s of experiment %lld: %s_   Enter sets (empty clears), Esc cancels",
                 t->mode == MODE_EXP_TAG ? "Tag" : "Note",
                 t->n_exps ? (long long)t->exps[t->exp_sel].id : 0LL, t->input);
    } else {
        return NULL;
    }
    return line;
}

static void draw_bottom(const tui *t)
{
    int y = LINES - 1;
    static const char *const keys[][2] = {{"F1", "Help"},   {"F2", "Setup"}, {"F3", "Filter"},
                                          {"F5", "Profile"}, {"F6", "Sort"},  {"o", "Open"},
                                          {"d", "Detail"},  {"e", "Exps"},   {"F10", "Quit"}};
    move(y, 0);
    int x = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && x < COLS; i++) {
        int kw = (int)strlen(keys[i][0]), lw = (int)strlen(keys[i][1]);
        if (x + kw + lw + 1 > COLS)
            break;
        attron(A_BOLD);
        mvaddstr(y, x, keys[i][0]);
        attroff(A_BOLD);
        attron(attr_of(t, PAIR_KEY, A_REVERSE));
        mvaddstr(y, x + kw, keys[i][1]);
        addch(' ');
        attroff(attr_of(t, PAIR_KEY, A_REVERSE));
        x += kw + lw + 1;
    }
    for (; x < COLS; x++)
        mvaddch(y, x, ' ');
    /* the prompt line above it */
    char line[4300];
    if (prompt_text(t, line, sizeof line))
        put(LINES - 2, 0, COLS, line);
}

/* ---- the experiments view ------------------------------------------------------------ */

/* The store's tree in lines y .. y+h-1: a head, then one experiment a line
 * (id indented by depth, model, tag, runs, the latest measured latency with
 * its backend and threads); * marks the current experiment. */
static void draw_exps(tui *t, int y, int h)
{
    int model_w = COLS - 58;   /* the latency keeps about 24 columns */
    model_w = model_w > 32 ? 32 : model_w < 8 ? 8 : model_w;
    char line[512], lat[96];
    attron(attr_of(t, PAIR_HEAD, A_REVERSE));
    move(y, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    snprintf(line, sizeof line, "  %-8s %-*s %-14s %5s  %s", "id", model_w, "model", "tag", "runs",
             "latency (measured, median)");
    put(y, 0, COLS, line);
    attroff(attr_of(t, PAIR_HEAD, A_REVERSE));
    t->exp_h = h - 2 > 1 ? h - 2 : 1;   /* the last line says the keys */
    tui_exp_select(t, t->exp_sel);      /* keeps the selection visible after a resize */
    for (int i = 1; i < h; i++)
        put(y + i, 0, COLS, "");
    if (!t->n_exps) {
        put(y + 1, 1, COLS - 1, t->exps_msg);
    }
    for (int i = 0; i < t->exp_h && t->exp_top + i < t->n_exps; i++) {
        int row = t->exp_top + i;
        const cf_store_exp *e = &t->exps[row];
        char id[48], name[64], model[300];
        int depth = e->depth < 10 ? e->depth : 10;
        snprintf(id, sizeof id, "%*s%lld", 2 * depth, "", (long long)e->id);
        if (e->latency_us >= 0)
            snprintf(lat, sizeof lat, "%.1f %s (%s, %d thread%s)", e->latency_us, tui_us(t),
                     e->latency_backend, e->latency_threads, e->latency_threads == 1 ? "" : "s");
        else
            snprintf(lat, sizeof lat, "-");
        snprintf(line, sizeof line, "%s %-8s %-*s %-14s %5lld  %s", e->id == t->exp ? "*" : " ", id,
                 model_w, cf_fmt_elide(e->model_name, model_w, model, sizeof model),
                 cf_fmt_elide(e->name[0] ? e->name : "-", 14, name, sizeof name),
                 (long long)e->runs, lat);
        if (row == t->exp_sel)
            attron(attr_of(t, PAIR_SEL, A_REVERSE));
        put(y + 1 + i, 0, COLS, line);
        if (row == t->exp_sel)
            attroff(attr_of(t, PAIR_SEL, A_REVERSE));
    }
    put(y + h - 1, 1, COLS - 1,
        "experiments (* current): Enter uses one, t tag, n note, c c compare, r reload, Esc back");
}

/* Two experiments per layer: A's and B's median, B - A in µs and %,
 * green where B is faster, red where slower (bold without colours). */
static void draw_compare(tui *t, int y, int h)
{
    const cf_compare *c = &t->cmp;
    char line[512], a[32], b[32], d[32], pc[32], nm[128];
    int name_w = COLS - 60;
    name_w = name_w < 10 ? 10 : name_w > 60 ? 60 : name_w;
    attron(attr_of(t, PAIR_HEAD, A_REVERSE));
    move(y, 0);
    for (int x = 0; x < COLS; x++)
        addch(' ');
    snprintf(line, sizeof line, " %-*s %-12s %10s %10s %10s %7s  %s", name_w, "layer", "op",
             "A µs", "B µs", "B-A µs", "B-A %", "");
    if (!t->utf8)
        for (char *q = strstr(line, "µ"); q; q = strstr(line, "µ"))
            memmove(q, "u ", 2);   /* the same width in ASCII */
    put(y, 0, COLS, line);
    attroff(attr_of(t, PAIR_HEAD, A_REVERSE));
    /* the metrics both have (latency first), on one line */
    int mline = 0;
    for (int64_t i = 0; i < c->n_metrics && !mline; i++)
        if (strcmp(c->metrics[i].name, "latency") == 0) {
            const cf_compare_metric *m = &c->metrics[i];
            snprintf(line, sizeof line, " latency (whole model, %s / %s): A %.1f  B %.1f %s  "
                     "B-A %+.1f%s", m->kind_a, m->kind_b, m->a, m->b, tui_us(t), m->delta,
                     m->has_pct ? "" : "");
            if (m->has_pct) {
                size_t n = strlen(line);
                snprintf(line + n, sizeof line - n, " (%+.1f%%)", m->pct);
            }
            mline = 1;
        }
    t->cmp_h = h - 2 - mline > 1 ? h - 2 - mline : 1;
    if (t->cmp_sel < t->cmp_top)
        t->cmp_top = t->cmp_sel;
    if (t->cmp_sel >= t->cmp_top + t->cmp_h)
        t->cmp_top = t->cmp_sel - t->cmp_h + 1;
    for (int i = 1; i < h; i++)
        put(y + i, 0, COLS, "");
    if (mline)
        put(y + 1, 0, COLS, line);
    int y0 = y + 1 + mline;
    for (int i = 0; i < t->cmp_h && t->cmp_top + i < c->n_layers; i++) {
        int row = t->cmp_top + i;
        const cf_compare_layer *l = &c->layers[row];
        snprintf(a, sizeof a, l->a.index >= 0 && l->a.has_time ? "%.1f" : "-", l->a.median);
        snprintf(b, sizeof b, l->b.index >= 0 && l->b.has_time ? "%.1f" : "-", l->b.median);
        snprintf(d, sizeof d, l->has_delta ? "%+.1f" : "-", l->delta);
        snprintf(pc, sizeof pc, l->has_pct ? "%+.0f%%" : "-", l->pct);
        snprintf(line, sizeof line, " %-*s %-12.12s %10s %10s %10s %7s  %s", name_w,
                 cf_fmt_elide(l->name, name_w, nm, sizeof nm), l->op, a, b, d, pc,
                 l->status == CF_COMPARE_BOTH ? "" : l->status == CF_COMPARE_ADDED ? "only in B"
                                                                                  : "only in A");
        int hot = l->has_delta && (l->delta > 0.05 || l->delta < -0.05);
        int attr = row == t->cmp_sel ? attr_of(t, PAIR_SEL, A_REVERSE)
                   : hot ? attr_of(t, l->delta > 0 ? PAIR_ERR : PAIR_BAR, A_BOLD)
                         : 0;
        if (attr)
            attron(attr);
        put(y0 + i, 0, COLS, line);
        if (attr)
            attroff(attr);
    }
    snprintf(line, sizeof line, "compare: B = experiment %lld against A = %lld (B - A, measured "
             "medians); Up/Down, Esc or c back", (long long)t->cmp_b, (long long)t->cmp_a);
    put(y + h - 1, 1, COLS - 1, line);
}

static void box_at(const tui *t, int y, int x, int h, int w)
{
    const char *hz = t->utf8 ? "─" : "-", *vt = t->utf8 ? "│" : "|";
    const char *c[4] = {t->utf8 ? "┌" : "+", t->utf8 ? "┐" : "+", t->utf8 ? "└" : "+",
                        t->utf8 ? "┘" : "+"};
    for (int i = 0; i < h && y + i < LINES; i++) {   /* a failed move would write elsewhere */
        move(y + i, x);
        for (int j = 0; j < w; j++) {
            const char *s = " ";
            if (i == 0 || i == h - 1)
                s = j == 0 ? c[i ? 2 : 0] : j == w - 1 ? c[i ? 3 : 1] : hz;
            else if (j == 0 || j == w - 1)
                s = vt;
            addstr(s);
        }
    }
}

static const char *const help_lines[] = {
    "Keys",
    "",
    "  Up/Down k/j     move            PgUp/PgDn space  page",
    "  Home/End g/G    first / last    mouse  click selects, wheel scrolls",
    "  < >  (F6 = >)   sort by the previous / next column",
    "  1..8            sort by # layer op output params MACs CPU share",
    "  I               invert the sort order",
    "  / (F3)          filter by name or op, live; Enter keeps, Esc clears",
    "  d               show / hide the detail pane;  J / K scroll it",
    "  w               weight statistics for tensors over 8M elements too",
    "  p (F5)          profile on the CPU in the background",
    "  Esc (F9)        cancel a running profile",
    "  s (F2)          settings: threads, repeats, warm-up, backend",
    "  o               open another model",
    "  r               write a Markdown report of the current experiment",
    "  e               experiments (the store): Enter uses one, t tag, n note,",
    "                  c on one then c on another: compare them per layer",
    "  ? (F1)          this help;   q (F10)  quit",
    "",
    "Figures: params, MACs, output shape and peak activations are static",
    "(counted from the model); CPU us and share are measured: medians of",
    "the last profile on this machine.",
    "",
    "Esc or ? closes this help; Up/Down scroll it.",
};

static void draw_help(tui *t)
{
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int w = COLS - 4 < 76 ? COLS - 4 : 76, h = LINES - 2 < n + 2 ? LINES - 2 : n + 2;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    if (w < 10 || h < 3)
        return;
    if (t->help_scroll > n - (h - 2))   /* Down stops at the last line */
        t->help_scroll = n - (h - 2);
    box_at(t, y, x, h, w);
    for (int i = 0; i < h - 2 && i + t->help_scroll < n; i++)
        put(y + 1 + i, x + 2, w - 4, help_lines[i + t->help_scroll]);
}

/* The form and the question take the keys, so they show at any size the
 * TUI draws at (at least 30x8), cut to fit, never hidden. */
static void draw_settings(const tui *t)
{
    int w = COLS - 2 < 48 ? COLS - 2 : 48, h = 9;
    int y = LINES > h ? (LINES - h) / 2 : 0, x = (COLS - w) / 2;
    box_at(t, y, x, h, w);
    put(y + 1, x + 2, w - 4, "Profiling settings");
    char v[4][32];
    snprintf(v[0], sizeof v[0], "%d", t->form.threads);
    snprintf(v[1], sizeof v[1], "%d", t->form.repeats);
    snprintf(v[2], sizeof v[2], "%d", t->form.warmup);
    snprintf(v[3], sizeof v[3], "%s", t->form.reference ? "cpu-ref" : "cpu");
    static const char *const labels[4] = {"threads", "repeats", "warm-up runs", "backend"};
    for (int i = 0; i < 4; i++) {
        char line[96];
        snprintf(line, sizeof line, "%s %-14s %s", i == t->settings_field ? ">" : " ", labels[i],
                 v[i]);
        if (i == t->settings_field)
            attron(A_REVERSE);
        put(y + 3 + i, x + 2, w - 4, line);
        if (i == t->settings_field)
            attroff(A_REVERSE);
    }
    put(y + 7, x + 2, w - 4, "Up/Down field, Left/Right or digits, Enter, Esc");
}

static void draw_confirm(const tui *t)
{
    int w = COLS - 2 < 52 ? COLS - 2 : 52, h = 5;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    box_at(t, y, x, h, w);
    put(y + 1, x + 2, w - 4, "A profile is running.");
    put(y + 2, x + 2, w - 4, "Quit anyway? y: quit (cancels it)  n: stay");
}

/* ---- the whole screen ---------------------------------------------------------------- */

void tui_draw(tui *t)
{
    erase();
    if (LINES < 8 || COLS < 30) {
        put(0, 0, COLS, "chipfit: the terminal is too small (at least 30x8)");
        refresh();
        return;
    }
    draw_top(t);
    char pline[4300];
    int prompt = prompt_text(t, pline, sizeof pline) != NULL;
    int bottom = LINES - 1 - prompt;          /* first line below the table area */
    int cmp = t->mode == MODE_COMPARE ||
              (t->mode == MODE_CONFIRM_QUIT && t->confirm_from == MODE_COMPARE);
    if (cmp || t->mode == MODE_EXPS || t->mode == MODE_EXP_TAG || t->mode == MODE_EXP_NOTE ||
        (t->mode == MODE_CONFIRM_QUIT && t->confirm_from == MODE_EXPS)) {
        if (cmp)
            draw_compare(t, 3, bottom - 3);
        else
            draw_exps(t, 3, bottom - 3);
        draw_bottom(t);
        if (t->show_help)
            draw_help(t);
        else if (t->mode == MODE_CONFIRM_QUIT)
            draw_confirm(t);
        refresh();
        return;
    }
    int area = bottom - 3;                    /* table head + rows + detail */
    int detail_h = 0;
    if (t->show_detail && t->g) {
        detail_h = area * 2 / 5;
        if (detail_h < 5)
            detail_h = area >= 10 ? 5 : 0;
    }
    t->table_y = 4;
    t->table_h = area - 1 - detail_h;
    if (t->table_h < 1)
        t->table_h = 1;
    if (t->g) {
        layout L;
        plan_columns(t, COLS, &L);
        draw_table_head(t, 3, &L);
        int scroll = t->detail_scroll;
        tui_select(t, t->sel);   /* keeps the selection visible after a resize */
        t->detail_scroll = scroll;   /* which tui_select resets: J/K would not scroll */
        for (int i = 0; i < t->table_h; i++) {
            int row = t->top + i;
            if (row < t->n_rows)
                draw_row(t, t->table_y + i, row, &L);
            else
                put(t->table_y + i, 0, COLS, "");
        }
        if (!t->n_rows)
            put(t->table_y, 1, COLS - 1, "no layer matches the filter");
        if (detail_h)
            draw_detail(t, t->table_y + t->table_h, detail_h);
    }
    draw_bottom(t);
    if (t->show_help)
        draw_help(t);
    else if (t->mode == MODE_SETTINGS)
        draw_settings(t);
    else if (t->mode == MODE_CONFIRM_QUIT)
        draw_confirm(t);
    refresh();
}

int tui_row_at(const tui *t, int screen_y)
{
    int i = screen_y - t->table_y;
    if (i < 0 || i >= t->table_h || t->top + i >= t->n_rows)
        return -1;
    return t->top + i;
}

void tui_colors(tui *t)
{
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_GREEN);
    init_pair(PAIR_SEL, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_ERR, COLOR_RED, -1);
    init_pair(PAIR_BAR, COLOR_GREEN, -1);
    init_pair(PAIR_KEY, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_DIM, COLOR_BLUE, -1);
}
