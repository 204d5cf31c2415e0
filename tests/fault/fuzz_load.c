/* fuzz_load.c — mutates ONNX models and runs `chipfit info` on each, to find
 * inputs that kill chipfit instead of getting an error.
 *
 *   fuzz_load [-n RUNS] [-s SEED] [-j JOBS] [-t SECONDS] [-o DIR] [-r RUN]
 *             [-q] [-U] CHIPFIT MODEL_OR_DIR...
 *
 * Each run takes one of the seed models (files, or directories searched for
 * *.onnx), changes one or two of its protobuf fields (one run in four: a few
 * bytes, blindly), writes it to a file and runs `CHIPFIT info FILE` with its
 * output thrown away (FUZZ_LOAD_SHOW=1 in the environment keeps stderr). Only what chipfit does
 * with the input is judged, never the input itself: an exit status of 0 or
 * 1 (loaded, or refused with an error) is fine; death by a signal, an
 * AddressSanitizer report or a run over the time limit is a finding, and the
 * input is kept in DIR to be reproduced with `chipfit info`. An
 * UndefinedBehaviorSanitizer report (with halt_on_error=1) is kept and
 * printed too, but fails the run only with -U: it is a bug, not a crash, and
 * the smoke test in ctest fails on crashes only.
 *
 * chipfit runs as a separate program, not in-process as libFuzzer would: the
 * faults this hunts are crashes, and a crash must cost one run, not the
 * harness. It also judges the whole path a user takes (CLI, loader,
 * libonnx, cost analysis), gcc-built, with no special instrumentation.
 *
 * Deterministic: run i with seed s mutates the same seed model in the same
 * way whatever -j is, so `-r i` redoes a run alone. Exit: 0 no finding,
 * 1 findings, 2 usage, 77 no seed model found (the ctest skip code). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit statuses the harness asks ASan and UBSan to use, so that their
 * reports are told apart from chipfit's own "bad model" exit 1. */
#define ASAN_EXIT 86
#define UBSAN_EXIT 87
#define MAX_JOBS 64

typedef struct seed_model {
    char *path;
    unsigned char *bytes;
    size_t len;
} seed_model;

typedef struct fuzz_opts {
    long runs;
    uint64_t seed;
    int jobs;
    double timeout_s;
    const char *out_dir;
    long only_run; /* -r: < 0 for all */
    int quiet;
    int ub_fails; /* -U */
    const char *chipfit;
} fuzz_opts;

typedef struct fuzz_job {
    pid_t pid; /* 0: slot free */
    long run;
    double started;
    char path[600];
    int killed; /* 1 once the time limit has sent SIGKILL */
} fuzz_job;

typedef struct fuzz_state {
    fuzz_opts o;
    seed_model *seeds;
    size_t n_seeds, cap_seeds;
    char dir[512];
    long loaded, refused, crashed, hung, ub, odd;
} fuzz_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: a small, well-mixed generator whose whole state is one word,
 * so each run can start its own from (seed, run). */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return n ? (size_t)(rng_next(s) % n) : 0;
}

/* --- seed models --------------------------------------------------------- */

static int read_all(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *p = malloc(n ? n : 1);
    if (!p || (n && fread(p, 1, n, f) != n)) {
        free(p);
        fclose(f);
        return -1;
    }
    fclose(f);
    *out = p;
    *len = n;
    return 0;
}

static int add_seed(fuzz_state *F, const char *path)
{
    unsigned char *bytes;
    size_t len;
    if (read_all(path, &bytes, &len) != 0) {
        fprintf(stderr, "fuzz_load: %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    /* Large models make slow runs and the same crashes as small ones. */
    if (len == 0 || len > (4u << 20)) {
        free(bytes);
        return 0;
    }
    if (F->n_seeds == F->cap_seeds) {
        size_t cap = F->cap_seeds ? 2 * F->cap_seeds : 256;
        seed_model *s = realloc(F->seeds, cap * sizeof *s);
        if (!s) {
            free(bytes);
            return -1;
        }
        F->seeds = s;
        F->cap_seeds = cap;
    }
    seed_model *m = &F->seeds[F->n_seeds++];
    m->path = strdup(path);
    m->bytes = bytes;
    m->len = len;
    return m->path ? 0 : -1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int add_seeds(fuzz_state *F, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "fuzz_load: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return add_seed(F, path);
    if (depth > 8)
        return 0;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "fuzz_load: %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat es;
        if (stat(sub, &es) != 0)
            continue;
        if (S_ISDIR(es.st_mode))
            rc = add_seeds(F, sub, depth + 1);
        else if (ends_with(e->d_name, ".onnx"))
            rc = add_seed(F, sub);
    }
    closedir(d);
    return rc;
}

static int cmp_seed(const void *a, const void *b)
{
    return strcmp(((const seed_model *)a)->path, ((const seed_model *)b)->path);
}

/* --- mutation ------------------------------------------------------------- */

/* Bytes that change a protobuf's meaning rather than its framing: varint
 * edges (0, 1, 127, 128), all bits, and the tag bytes of small fields. */
static const unsigned char interesting[] = {0x00, 0x01, 0x02, 0x03, 0x7e, 0x7f,
                                            0x80, 0xfe, 0xff, 0x08, 0x10, 0x18};

/* Blind byte edits. `buf` has room for len + 16 (at most 4 edits, each
 * growing it by one byte at most). Most keep the length: protobuf is length
 * prefixed, so a shift nearly always gives input that does not parse. */
static void mutate_bytes(uint64_t *rng, unsigned char *buf, size_t *len)
{
    int n = 1 + (int)rng_below(rng, 4);
    for (int i = 0; i < n && *len > 0; i++) {
        size_t p = rng_below(rng, *len);
        switch (rng_below(rng, 16)) {
        case 0: case 1: case 2: case 3: /* a value nudged: an axis, a dim, a count */
            buf[p] = (unsigned char)(buf[p] + (int)rng_below(rng, 9) - 4);
            break;
        case 4: case 5: case 6:
            buf[p] = interesting[rng_below(rng, sizeof interesting)];
            break;
        case 7: case 8: case 9:
            buf[p] ^= (unsigned char)(1u << rng_below(rng, 8));
            break;
        case 10: case 11:
            buf[p] = (unsigned char)rng_next(rng);
            break;
        case 12: { /* a span copied over another: fields moved about */
            size_t q = rng_below(rng, *len), k = 1 + rng_below(rng, 8);
            if (p + k > *len)
                k = *len - p;
            if (q + k > *len)
                k = *len - q;
            memmove(buf + p, buf + q, k);
            break;
        }
        case 13: /* one byte gone */
            memmove(buf + p, buf + p + 1, *len - p - 1);
            (*len)--;
            break;
        case 14: /* one byte more */
            memmove(buf + p + 1, buf + p, *len - p);
            buf[p] = (unsigned char)rng_next(rng);
            (*len)++;
            break;
        default: /* the tail cut off */
            *len = p + 1;
            break;
        }
    }
}

/* Edits that know the protobuf wire format: a varint field given another
 * value (an axis of -1000, a dim of 0), a field dropped (one dim fewer, an
 * attribute gone) or doubled (an extra entry in kernel_shape). The model
 * still parses, so the edit reaches the checker and shape inference, where
 * the crashes are; blind byte edits mostly stop at the parser. The walk
 * treats a length-delimited field as a message when its bytes parse as one;
 * a string that happens to is edited as one too, which does no harm. */

typedef struct pb_buf {
    unsigned char *p;
    size_t len, cap;
} pb_buf;

typedef enum { PB_COUNT, PB_SET, PB_DROP, PB_DUP } pb_op;

typedef struct pb_edit {
    pb_op op;
    long target;              /* index of the varint (PB_SET) or field to edit */
    long n_varints, n_fields; /* numbered in walk order */
    uint64_t *rng;
} pb_edit;

static int pb_put(pb_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q)
            return -1;
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

static int pb_put_varint(pb_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    return pb_put(b, tmp, n);
}

static int pb_varint(const unsigned char *p, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70 && *pos < n; shift += 7) {
        unsigned char c = p[(*pos)++];
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* Whether p[0..n) is a run of well-formed fields (no groups). */
static int pb_is_message(const unsigned char *p, size_t n)
{
    size_t pos = 0;
    while (pos < n) {
        uint64_t key, v;
        if (pb_varint(p, n, &pos, &key) != 0 || (key >> 3) == 0)
            return 0;
        switch (key & 7) {
        case 0:
            if (pb_varint(p, n, &pos, &v) != 0)
                return 0;
            break;
        case 1:
            pos += 8;
            break;
        case 5:
            pos += 4;
            break;
        case 2:
            if (pb_varint(p, n, &pos, &v) != 0 || v > n - pos)
                return 0;
            pos += (size_t)v;
            break;
        default:
            return 0;
        }
        if (pos > n)
            return 0;
    }
    return 1;
}

/* A new value for a varint field, likely to break an assumption. */
static uint64_t pb_new_value(uint64_t *rng, uint64_t old)
{
    static const int64_t picks[] = {0, 1, 2, 3, 4, -1, -2, -3, -1000, 1000, 1LL << 31,
                                    1LL << 32, 1LL << 62, INT64_MAX, INT64_MIN};
    switch (rng_below(rng, 4)) {
    case 0:
        return old + 1;
    case 1:
        return old - 1;
    case 2:
        return old * 2;
    default:
        return (uint64_t)picks[rng_below(rng, sizeof picks / sizeof picks[0])];
    }
}

/* Copies the message p[0..n) to out, applying e's edit where its index
 * comes up; with PB_COUNT only numbers the fields. */
static int pb_walk(pb_edit *e, const unsigned char *p, size_t n, pb_buf *out, int depth)
{
    size_t pos = 0;
    while (pos < n) {
        size_t start = pos;
        uint64_t key = 0, v = 0;
        pb_varint(p, n, &pos, &key); /* the caller checked pb_is_message */
        long field = e->n_fields++;
        int copies = 1;
        if (e->op == PB_DROP && field == e->target)
            copies = 0;
        else if (e->op == PB_DUP && field == e->target)
            copies = 2;
        pb_buf sub = {0};
        const unsigned char *body;
        size_t body_len;
        switch (key & 7) {
        case 0:
            pb_varint(p, n, &pos, &v);
            if (e->op == PB_SET && e->n_varints == e->target)
                v = pb_new_value(e->rng, v);
            e->n_varints++;
            break;
        case 2:
            pb_varint(p, n, &pos, &v);
            body = p + pos;
            body_len = (size_t)v;
            pos += body_len;
            if (depth < 32 && body_len > 0 && pb_is_message(body, body_len)) {
                if (pb_walk(e, body, body_len, &sub, depth + 1) != 0) {
                    free(sub.p);
                    return -1;
                }
            } else if (pb_put(&sub, body, body_len) != 0) {
                return -1;
            }
            break;
        default:
            pos += (key & 7) == 1 ? 8 : 4;
            break;
        }
        for (int c = 0; c < copies && e->op != PB_COUNT; c++) {
            int rc;
            if ((key & 7) == 0)
                rc = pb_put_varint(out, key) || pb_put_varint(out, v);
            else if ((key & 7) == 2)
                rc = pb_put_varint(out, key) || pb_put_varint(out, sub.len) ||
                     pb_put(out, sub.p, sub.len);
            else
                rc = pb_put(out, p + start, pos - start);
            if (rc) {
                free(sub.p);
                return -1;
            }
        }
        free(sub.p);
    }
    return 0;
}

/* One wire-format edit of *buf (malloc'd, replaced on success). */
static int mutate_fields(uint64_t *rng, unsigned char **buf, size_t *len)
{
    if (!pb_is_message(*buf, *len))
        return -1;
    pb_edit e = {PB_COUNT, -1, 0, 0, rng};
    pb_buf none = {0};
    if (pb_walk(&e, *buf, *len, &none, 0) != 0 || e.n_fields == 0)
        return -1;
    size_t r = rng_below(rng, 4);
    e.op = r < 2 ? PB_SET : r == 2 ? PB_DROP : PB_DUP;
    if (e.op == PB_SET && e.n_varints == 0)
        e.op = PB_DROP;
    e.target = (long)rng_below(rng, (size_t)(e.op == PB_SET ? e.n_varints : e.n_fields));
    e.n_varints = e.n_fields = 0;
    pb_buf out = {0};
    if (pb_walk(&e, *buf, *len, &out, 0) != 0) {
        free(out.p);
        return -1;
    }
    if (!out.p && !(out.p = malloc(1))) /* the only field dropped: an empty model */
        return -1;
    free(*buf);
    *buf = out.p;
    *len = out.len;
    return 0;
}

/* A mutated copy of seed m, malloc'd. Three runs in four edit fields, the
 * fourth edits bytes blindly (what the parser and the truncation checks
 * must survive). */
static unsigned char *mutate(uint64_t *rng, const seed_model *m, size_t *len)
{
    unsigned char *buf = malloc(m->len + 16);
    if (!buf)
        return NULL;
    memcpy(buf, m->bytes, m->len);
    *len = m->len;
    if (rng_below(rng, 4) == 0) {
        mutate_bytes(rng, buf, len);
        return buf;
    }
    int edits = 1 + (int)rng_below(rng, 2);
    for (int i = 0; i < edits; i++)
        if (mutate_fields(rng, &buf, len) != 0)
            break;
    return buf;
}

/* --- running chipfit ---------------------------------------------------- */

static int write_file(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(p, 1, n, f) == n;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static pid_t spawn(const fuzz_state *F, const char *model)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        if (!getenv("FUZZ_LOAD_SHOW"))
            dup2(null, 2);
    }
    execl(F->o.chipfit, F->o.chipfit, "info", model, (char *)NULL);
    _exit(126);
}

/* Run `run`'s seed model, and its generator in *rng ready for the edits:
 * derived from (seed, run) alone, so runs do not depend on each other. */
static const seed_model *seed_for(const fuzz_state *F, long run, uint64_t *rng)
{
    *rng = F->o.seed * 0x100000001b3ull + (uint64_t)run;
    rng_next(rng);
    return &F->seeds[rng_below(rng, F->n_seeds)];
}

/* Prepares run `run`'s input in job->path and starts chipfit on it. */
static int start(fuzz_state *F, fuzz_job *job, int slot, long run)
{
    uint64_t rng;
    const seed_model *m = seed_for(F, run, &rng);
    size_t len;
    unsigned char *buf = mutate(&rng, m, &len);
    if (!buf)
        return -1;
    snprintf(job->path, sizeof job->path, "%s/cur-%d.onnx", F->dir, slot);
    int rc = write_file(job->path, buf, len);
    free(buf);
    if (rc != 0) {
        fprintf(stderr, "fuzz_load: %s: cannot write: %s\n", job->path, strerror(errno));
        return -1;
    }
    job->run = run;
    job->killed = 0;
    job->started = now_s();
    job->pid = spawn(F, job->path);
    if (job->pid < 0) {
        fprintf(stderr, "fuzz_load: fork: %s\n", strerror(errno));
        job->pid = 0;
        return -1;
    }
    return 0;
}

/* Judges one finished run; a finding is kept as DIR/<kind>-<run>.onnx. */
static void judge(fuzz_state *F, fuzz_job *job, int status)
{
    const char *kind = NULL;
    char what[96];
    if (job->killed) {
        kind = "hang";
        snprintf(what, sizeof what, "no answer in %.0f s", F->o.timeout_s);
        F->hung++;
    } else if (WIFSIGNALED(status)) {
        kind = "crash";
        snprintf(what, sizeof what, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        F->crashed++;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == ASAN_EXIT) {
        kind = "crash";
        snprintf(what, sizeof what, "AddressSanitizer report (exit %d)", ASAN_EXIT);
        F->crashed++;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == UBSAN_EXIT) {
        kind = "ub";
        snprintf(what, sizeof what, "UndefinedBehaviorSanitizer report (exit %d)%s", UBSAN_EXIT,
                 F->o.ub_fails ? "" : ", not counted as a failure without -U");
        F->ub++;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        F->loaded++;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
        F->refused++;
    } else {
        /* 2 is chipfit's usage error, 126/127 a failed exec: the harness is
         * misused, which says nothing about the input; counted, not kept. */
        F->odd++;
        if (F->odd == 1)
            fprintf(stderr, "fuzz_load: run %ld: chipfit exited %d (not 0 or 1)\n", job->run,
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (kind) {
        uint64_t rng;
        char keep[700];
        snprintf(keep, sizeof keep, "%s/%s-%06ld.onnx", F->dir, kind, job->run);
        if (rename(job->path, keep) != 0)
            snprintf(keep, sizeof keep, "(not kept: %s)", strerror(errno));
        printf("%s: run %ld (-s %llu -r %ld): %s; from %s; input %s\n", kind, job->run,
               (unsigned long long)F->o.seed, job->run, what,
               seed_for(F, job->run, &rng)->path, keep);
        fflush(stdout);
    }
    job->pid = 0;
}

static int fuzz(fuzz_state *F)
{
    fuzz_job jobs[MAX_JOBS];
    memset(jobs, 0, sizeof jobs);
    long next = F->o.only_run >= 0 ? F->o.only_run : 0;
    long end = F->o.only_run >= 0 ? F->o.only_run + 1 : F->o.runs;
    int running = 0;
    double t0 = now_s(), last_report = t0;
    while (next < end || running > 0) {
        for (int j = 0; j < F->o.jobs && next < end; j++)
            if (jobs[j].pid == 0) {
                if (start(F, &jobs[j], j, next++) != 0)
                    return -1;
                running++;
            }
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno != EINTR && errno != ECHILD) {
            fprintf(stderr, "fuzz_load: waitpid: %s\n", strerror(errno));
            return -1;
        }
        if (pid > 0) {
            for (int j = 0; j < F->o.jobs; j++)
                if (jobs[j].pid == pid) {
                    judge(F, &jobs[j], status);
                    running--;
                }
            continue;
        }
        double t = now_s();
        for (int j = 0; j < F->o.jobs; j++)
            if (jobs[j].pid > 0 && !jobs[j].killed && t - jobs[j].started > F->o.timeout_s) {
                kill(jobs[j].pid, SIGKILL);
                jobs[j].killed = 1;
            }
        if (!F->o.quiet && t - last_report > 10.0) {
            long done = F->loaded + F->refused + F->crashed + F->hung + F->ub + F->odd;
            fprintf(stderr, "fuzz_load: %ld/%ld runs, %ld crashes, %ld hangs, %.0f runs/s\n",
                    done, end - (F->o.only_run >= 0 ? F->o.only_run : 0), F->crashed, F->hung,
                    (double)done / (t - t0));
            last_report = t;
        }
        struct timespec nap = {0, 1000000}; /* 1 ms: runs take 10 ms or more */
        nanosleep(&nap, NULL);
    }
    for (int j = 0; j < F->o.jobs; j++) {
        char p[600];
        snprintf(p, sizeof p, "%s/cur-%d.onnx", F->dir, j);
        unlink(p);
    }
    printf("fuzz_load: %ld runs in %.1f s: %ld loaded, %ld refused with an error, %ld crashed, "
           "%ld hung, %ld undefined behaviour, %ld odd exits; seed %llu, %zu seed models; "
           "findings in %s\n",
           F->loaded + F->refused + F->crashed + F->hung + F->ub + F->odd, now_s() - t0,
           F->loaded, F->refused, F->crashed, F->hung, F->ub, F->odd,
           (unsigned long long)F->o.seed, F->n_seeds, F->dir);
    return 0;
}

/* The sanitizers exit 1 by default, as chipfit does for a bad model; ask
 * them for their own code instead, keeping whatever else the caller set. */
static void sanitizer_exit_code(const char *var, int code)
{
    const char *cur = getenv(var);
    if (cur && strstr(cur, "exitcode="))
        return;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%sexitcode=%d", cur ? cur : "", cur && *cur ? ":" : "", code);
    setenv(var, buf, 1);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: fuzz_load [-n RUNS] [-s SEED] [-j JOBS] [-t SECONDS] [-o DIR] [-r RUN]\n"
            "                 [-q] [-U] CHIPFIT MODEL_OR_DIR...\n"
            "  -n RUNS     mutated inputs to try (default 1000)\n"
            "  -s SEED     random seed (default 1)\n"
            "  -j JOBS     chipfit processes at once (default 1, at most %d)\n"
            "  -t SECONDS  a run taking longer is a hang (default 10)\n"
            "  -o DIR      where findings are kept (default: a new /tmp/cf_fuzz_XXXXXX)\n"
            "  -r RUN      redo only run RUN (same -s and seed models)\n"
            "  -q          no progress lines\n"
            "  -U          an UndefinedBehaviorSanitizer report fails the run too\n"
            "exit: 0 no crash or hang, 1 some, 2 usage, 77 no seed model\n",
            MAX_JOBS);
    return 2;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    fuzz_state F;
    memset(&F, 0, sizeof F);
    F.o.runs = 1000;
    F.o.seed = 1;
    F.o.jobs = 1;
    F.o.timeout_s = 10;
    F.o.only_run = -1;
    int opt;
    long v;
    while ((opt = getopt(argc, argv, "n:s:j:t:o:r:qU")) != -1) {
        switch (opt) {
        case 'n':
            if (parse_long(optarg, 1, 1000000000L, &F.o.runs))
                return usage();
            break;
        case 's':
            if (parse_long(optarg, 0, 0x7fffffffL, &v))
                return usage();
            F.o.seed = (uint64_t)v;
            break;
        case 'j':
            if (parse_long(optarg, 1, MAX_JOBS, &v))
                return usage();
            F.o.jobs = (int)v;
            break;
        case 't':
            if (parse_long(optarg, 1, 3600, &v))
                return usage();
            F.o.timeout_s = (double)v;
            break;
        case 'o':
            F.o.out_dir = optarg;
            break;
        case 'r':
            if (parse_long(optarg, 0, 1000000000L, &F.o.only_run))
                return usage();
            break;
        case 'q':
            F.o.quiet = 1;
            break;
        case 'U':
            F.o.ub_fails = 1;
            break;
        default:
            return usage();
        }
    }
    if (argc - optind < 2)
        return usage();
    F.o.chipfit = argv[optind];
    if (access(F.o.chipfit, X_OK) != 0) {
        fprintf(stderr, "fuzz_load: %s: not an executable: %s\n", F.o.chipfit,
                strerror(errno));
        return 2;
    }
    for (int i = optind + 1; i < argc; i++)
        if (access(argv[i], F_OK) == 0 && add_seeds(&F, argv[i], 0) != 0)
            return 2;
    if (F.n_seeds == 0) {
        fprintf(stderr, "fuzz_load: no seed model (*.onnx under 4 MiB) found\n");
        return 77;
    }
    qsort(F.seeds, F.n_seeds, sizeof *F.seeds, cmp_seed); /* readdir order varies */
    if (F.o.out_dir) {
        snprintf(F.dir, sizeof F.dir, "%s", F.o.out_dir);
        if (mkdir(F.dir, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "fuzz_load: %s: %s\n", F.dir, strerror(errno));
            return 2;
        }
    } else {
        snprintf(F.dir, sizeof F.dir, "/tmp/cf_fuzz_XXXXXX");
        if (!mkdtemp(F.dir)) {
            fprintf(stderr, "fuzz_load: mkdtemp: %s\n", strerror(errno));
            return 2;
        }
    }
    sanitizer_exit_code("ASAN_OPTIONS", ASAN_EXIT);
    sanitizer_exit_code("UBSAN_OPTIONS", UBSAN_EXIT);
    int rc = fuzz(&F);
    for (size_t i = 0; i < F.n_seeds; i++) {
        free(F.seeds[i].path);
        free(F.seeds[i].bytes);
    }
    free(F.seeds);
    if (rc != 0)
        return 2;
    if (!F.o.out_dir && F.crashed + F.hung + F.ub == 0)
        rmdir(F.dir); /* nothing kept: leave no empty directory behind */
    return F.crashed + F.hung + (F.o.ub_fails ? F.ub : 0) ? 1 : 0;
}
