/* table.c — which layers the table shows and in what order: the filter
 * (a case-insensitive substring of the layer's name or op) and the sort
 * (any column, either direction; ties keep the graph's order). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

static const struct {
    const char *title;
    char key;
} cols[N_COLS] = {
    [COL_INDEX] = {"#", '1'},      [COL_NAME] = {"layer", '2'},  [COL_OP] = {"op", '3'},
    [COL_SHAPE] = {"output", '4'}, [COL_PARAMS] = {"params", '5'}, [COL_MACS] = {"MACs", '6'},
    [COL_CPU] = {"CPU µs", '7'},   [COL_SHARE] = {"share", '8'},
};

/* A non-UTF-8 terminal would show the two bytes of µ as two odd cells. */
const char *tui_col_title(const tui *t, col_id c)
{
    return c == COL_CPU && !t->utf8 ? "CPU us" : cols[c].title;
}

const char *tui_us(const tui *t)
{
    return t->utf8 ? "µs" : "us";
}

char tui_col_key(col_id c)
{
    return cols[c].key;
}

static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* qsort has no context argument: the rows are sorted as (key, index) pairs. */
typedef struct sort_item {
    int32_t k;
    double num;
    const char *text;
} sort_item;

static int by_num(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

static int by_text(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = strcmp(x->text, y->text);
    return c ? c : (x->k > y->k) - (x->k < y->k);
}

static int same_key(const sort_item *x, const sort_item *y, int text)
{
    return text ? strcmp(x->text, y->text) == 0 : x->num == y->num;
}

static double numel_of(const tui *t, int32_t k)
{
    const cf_tensor *y = cf_node_output(t->g, &t->g->nodes[k], 0);
    int64_t n = 0;
    return y && cf_shape_numel(&y->shape, &n) ? (double)n : -1;
}

void tui_rebuild_rows(tui *t)
{
    int32_t keep = t->n_rows && t->sel < t->n_rows ? t->rows[t->sel] : -1;
    free(t->rows);
    t->rows = NULL;
    t->n_rows = 0;
    if (!t->g)
        return;
    int32_t n = t->g->n_nodes;
    sort_item *items = malloc(((size_t)n + 1) * sizeof *items);
    t->rows = malloc(((size_t)n + 1) * sizeof *t->rows);
    if (!items || !t->rows) {
        free(items);
        tui_status(t, 1, "out of memory sorting the table");
        return;
    }
    int32_t m = 0;
    for (int32_t k = 0; k < n; k++) {
        const cf_node *nd = &t->g->nodes[k];
        if (!contains_nocase(nd->name, t->filter) && !contains_nocase(nd->op_type, t->filter))
            continue;
        sort_item *it = &items[m++];
        it->k = k;
        it->text = NULL;
        it->num = k;
        const cf_layer_static *c = &t->cost->layers[k];
        int measured = t->prof.layers != NULL;
        switch (t->sort_col) {
        case COL_INDEX: break;
        case COL_NAME: it->text = nd->name; break;
        case COL_OP: it->text = nd->op_type; break;
        case COL_SHAPE: it->num = numel_of(t, k); break;
        case COL_PARAMS: it->num = (double)c->params; break;
        case COL_MACS: it->num = (double)c->macs; break;
        case COL_CPU:
        case COL_SHARE: it->num = measured ? t->prof.layers[k].median_us : -1; break;
        case N_COLS: break;
        }
    }
    int text = t->sort_col == COL_NAME || t->sort_col == COL_OP;
    qsort(items, (size_t)m, sizeof *items, text ? by_text : by_num);
    /* Descending: the runs of equal keys from the last to the first, each
     * still in graph order. */
    int32_t o = 0;
    for (int32_t end = m; end > 0;) {
        int32_t start = t->sort_desc ? end - 1 : 0;
        while (t->sort_desc && start > 0 && same_key(&items[start - 1], &items[end - 1], text))
            start--;
        for (int32_t i = start; i < end; i++)
            t->rows[o++] = items[i].k;
        end = start;
    }
    t->n_rows = m;
    free(items);
    int sel = 0;
    for (int32_t i = 0; keep >= 0 && i < m; i++)
        if (t->rows[i] == keep)
            sel = (int)i;
    tui_select(t, sel);
}

void tui_select(tui *t, int row)
{
    if (row >= t->n_rows)
        row = t->n_rows - 1;
    if (row < 0)
        row = 0;
    t->sel = row;
    int h = t->table_h > 0 ? t->table_h : 1;
    if (t->sel < t->top)
        t->top = t->sel;
    if (t->sel >= t->top + h)
        t->top = t->sel - h + 1;
    if (t->top > t->n_rows - h)
        t->top = t->n_rows - h;
    if (t->top < 0)
        t->top = 0;
    t->detail_scroll = 0;
}
