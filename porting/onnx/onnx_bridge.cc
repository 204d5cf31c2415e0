/* onnx_bridge.cc — porting/onnx/onnx.h on top of Debian's libonnx 1.12.
 *
 * The only C++ in chipfit. Loading goes: bytes -> ModelProto -> a scan that
 * checks element types, finds cycles and pulls external data inline -> the
 * ONNX checker -> dims fixed by the caller -> non-strict shape inference (in
 * a child process: libonnx can crash on a malformed model) -> cf_graph.
 * Saving walks a cf_graph back into a ModelProto.
 *
 * Inside this file a failure travels as a C++ exception (bridge_error, thrown
 * after the message is in cf_error; std::bad_alloc for memory): the build is
 * deeply recursive and this keeps each step free of error plumbing. Every
 * extern "C" entry point catches everything, so no exception reaches C. */
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern "C" {
#include "onnx.h"
}

namespace {

using onnx::AttributeProto;
using onnx::GraphProto;
using onnx::ModelProto;
using onnx::NodeProto;
using onnx::TensorProto;
using onnx::TypeProto;
using onnx::ValueInfoProto;

/* Thrown once the message is already in cf_error. */
struct bridge_error {
    int code;
};

[[noreturn]] __attribute__((format(printf, 3, 4))) void fail(cf_error *err, int code,
                                                             const char *fmt, ...)
{
    char msg[CF_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cf_error_set(err, code, "%s", msg);
    throw bridge_error{code};
}

/* Arena allocations fail rarely; turning NULL into bad_alloc lets the entry
 * point report it once. */
template <class T> T *need(T *p)
{
    if (!p)
        throw std::bad_alloc();
    return p;
}

/* n zeroed T's from the arena (at least one, so n == 0 is not NULL). */
template <class T> T *arena_array(cf_arena *a, size_t n)
{
    return need((T *)cf_arena_calloc(a, n ? n : 1, sizeof(T)));
}

/* Runs an entry point's body and turns whatever it throws into a code. */
template <class F> int guarded(cf_error *err, const char *what, F &&body)
{
    try {
        return body();
    } catch (const bridge_error &e) {
        return e.code;
    } catch (const std::bad_alloc &) {
        return cf_error_set(err, CF_ENOMEM, "%s: out of memory", what);
    } catch (const std::exception &e) {
        return cf_error_set(err, CF_EINTERNAL, "%s: unexpected C++ exception: %s", what,
                            e.what());
    } catch (...) {
        return cf_error_set(err, CF_EINTERNAL, "%s: unknown C++ exception", what);
    }
}

struct file_closer {
    FILE *f;
    ~file_closer()
    {
        if (f)
            fclose(f);
    }
};

struct malloc_buf {
    void *p = nullptr;
    size_t n = 0;
    ~malloc_buf() { free(p); }
};

/* Reads a whole file with one fread: protobuf parses a flat buffer about four
 * times faster than it reads a stream. */
void read_file(cf_error *err, const char *path, malloc_buf &out)
{
    file_closer fc{fopen(path, "rb")};
    if (!fc.f) {
        int e = errno;
        if (e == ENOENT)
            fail(err, CF_EIO, "%s: no such file", path);
        fail(err, CF_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fileno(fc.f), &st) != 0)
        fail(err, CF_EIO, "%s: cannot stat: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        fail(err, CF_EIO, "%s: not a regular file", path);
    size_t n = (size_t)st.st_size;
    out.p = malloc(n ? n : 1);
    if (!out.p)
        fail(err, CF_ENOMEM, "%s: out of memory reading %zu bytes", path, n);
    if (n && fread(out.p, 1, n, fc.f) != n)
        fail(err, CF_EIO, "%s: short read (%s)", path,
             ferror(fc.f) ? strerror(errno) : "the file shrank");
    out.n = n;
}

std::string dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return std::string(path, (size_t)(slash - path));
}

void parse_model(cf_error *err, const char *name, const void *buf, size_t len, ModelProto &m)
{
    if (len > (size_t)INT_MAX)
        fail(err, CF_EUNSUPPORTED,
             "%s: %zu bytes: protobuf cannot parse a model file over 2 GB; keep the weights "
             "as ONNX external data", name, len);
    if (!m.ParseFromArray(buf, (int)len))
        fail(err, CF_EFORMAT,
             "%s: not an ONNX model, or truncated: the bytes do not parse as a protobuf "
             "ModelProto", name);
    /* A cut at a field boundary still parses: what is missing tells. */
    if (!m.has_graph())
        fail(err, CF_EFORMAT, "%s: truncated or not an ONNX model: it holds no graph%s", name,
             len == 0 ? " (the file is empty)" : "");
    if (m.ir_version() >= 3 && m.opset_import_size() == 0)
        fail(err, CF_EFORMAT, "%s: truncated or not an ONNX model: it imports no opset", name);
}

/* --- the load context ------------------------------------------------------ */

struct loader {
    cf_error *err;
    std::string name;          /* path or buffer name, first in every message */
    bool has_base = false;     /* false: external data is an error */
    std::string base_dir;
    size_t ext_bytes = 0;
    /* Tensors whose data was pulled in from an external file, and from where. */
    std::unordered_map<const TensorProto *, std::string> ext_loc;
    cf_arena *arena = nullptr;
};

std::string node_label(const NodeProto &n, int k)
{
    if (!n.name().empty())
        return n.name();
    return n.op_type() + "_" + std::to_string(k);
}

const char *astr(cf_arena *a, const std::string &s)
{
    return need(cf_arena_strndup(a, s.data(), s.size()));
}

/* NULL for an empty doc string: most are empty and need no copy. */
const char *adoc(cf_arena *a, const std::string &s)
{
    return s.empty() ? nullptr : astr(a, s);
}

cf_bytes abytes(cf_arena *a, const std::string &s)
{
    cf_bytes b;
    b.data = astr(a, s); /* strndup: NUL-terminated one past len, NULs inside kept */
    b.len = s.size();
    return b;
}

template <class Msg> cf_bytes aserialized(cf_arena *a, const Msg &m)
{
    std::string s;
    if (!m.SerializeToString(&s))
        throw std::runtime_error("cannot serialize a protobuf message");
    return abytes(a, s);
}

/* --- the scan before the checker ---------------------------------------------
 * Element types are checked here so an unknown one reads as "unsupported"
 * rather than as whatever the checker says; cycles are found here because the
 * checker reports them only as "not topologically sorted"; external data is
 * read here so the checker and shape inference see every tensor inline. */

void check_elem_type(loader &L, const char *what, const std::string &name, int dt)
{
    if (dt != CF_DT_UNDEFINED && !cf_dtype_valid(dt))
        fail(L.err, CF_EUNSUPPORTED,
             "%s: %s '%s' has element type %d, which is not an ONNX element type chipfit "
             "knows (1..16)", L.name.c_str(), what, name.c_str(), dt);
}

void check_value_info(loader &L, const ValueInfoProto &vi)
{
    if (vi.has_type() && vi.type().has_tensor_type())
        check_elem_type(L, "tensor", vi.name(), vi.type().tensor_type().elem_type());
}

/* Keys of ONNX external data: location (relative to the model's directory),
 * offset and length in bytes. */
void load_external(loader &L, TensorProto &t)
{
    std::string location;
    long long offset = 0, length = -1;
    for (const auto &kv : t.external_data()) {
        const char *v = kv.value().c_str();
        char *end = nullptr;
        if (kv.key() == "location") {
            location = kv.value();
        } else if (kv.key() == "offset" || kv.key() == "length") {
            errno = 0;
            long long x = strtoll(v, &end, 10);
            if (errno || !end || *end || end == v || x < 0)
                fail(L.err, CF_EFORMAT,
                     "%s: tensor '%s': external data %s '%s' is not a byte count",
                     L.name.c_str(), t.name().c_str(), kv.key().c_str(), v);
            (kv.key() == "offset" ? offset : length) = x;
        }
    }
    const char *tn = t.name().c_str();
    if (location.empty())
        fail(L.err, CF_EFORMAT, "%s: tensor '%s' is stored externally but names no location",
             L.name.c_str(), tn);
    if (!L.has_base)
        fail(L.err, CF_EIO,
             "%s: tensor '%s' keeps its data in external file '%s', but the model was read "
             "from memory with no directory to find it in", L.name.c_str(), tn,
             location.c_str());
    /* Only files beside the model: a model must not make chipfit read
     * /etc/shadow or a neighbour's files into a tensor. */
    if (location[0] == '/' || location == ".." || location.rfind("../", 0) == 0 ||
        location.find("/../") != std::string::npos ||
        (location.size() >= 3 && location.compare(location.size() - 3, 3, "/..") == 0))
        fail(L.err, CF_ECHECK,
             "%s: tensor '%s': external data location '%s' leaves the model's directory",
             L.name.c_str(), tn, location.c_str());
    std::string full = L.base_dir + "/" + location;
    file_closer fc{fopen(full.c_str(), "rb")};
    if (!fc.f) {
        int e = errno;
        fail(L.err, CF_EIO, "%s: tensor '%s': external data file '%s' %s (%s)", L.name.c_str(),
             tn, full.c_str(), e == ENOENT ? "is missing" : "cannot be opened", strerror(e));
    }
    struct stat st;
    if (fstat(fileno(fc.f), &st) != 0 || !S_ISREG(st.st_mode))
        fail(L.err, CF_EIO, "%s: tensor '%s': external data file '%s' is not a regular file",
             L.name.c_str(), tn, full.c_str());
    long long size = (long long)st.st_size;
    if (length < 0)
        length = size - offset;
    if (offset > size || length < 0 || length > size - offset)
        fail(L.err, CF_EFORMAT,
             "%s: tensor '%s': external data file '%s' holds %lld bytes, the model wants %lld "
             "at offset %lld", L.name.c_str(), tn, full.c_str(), size, length, offset);
    std::string *raw = t.mutable_raw_data();
    raw->resize((size_t)length);
    if (length > 0 && (fseeko(fc.f, (off_t)offset, SEEK_SET) != 0 ||
                       fread(&(*raw)[0], 1, (size_t)length, fc.f) != (size_t)length))
        fail(L.err, CF_EIO, "%s: tensor '%s': cannot read %lld bytes from '%s'", L.name.c_str(),
             tn, length, full.c_str());
    t.clear_external_data();
    t.clear_data_location();
    L.ext_bytes += (size_t)length;
    L.ext_loc[&t] = location;
}

void scan_tensor(loader &L, TensorProto &t)
{
    check_elem_type(L, "tensor", t.name(), t.data_type());
    if (t.data_location() == TensorProto::EXTERNAL)
        load_external(L, t);
}

/* Names a layer on a cycle, or returns -1. Kahn's algorithm over the names
 * produced in this graph; then a walk back from a node left over ends on a
 * cycle, since every node left over has a predecessor left over. */
int find_cycle(const GraphProto &g)
{
    int n = g.node_size();
    std::unordered_map<std::string, int> producer;
    producer.reserve((size_t)n * 2);
    for (int k = 0; k < n; k++)
        for (const auto &o : g.node(k).output())
            if (!o.empty())
                producer.emplace(o, k);
    std::vector<int> indeg((size_t)n, 0);
    std::vector<std::vector<int>> succ((size_t)n);
    for (int k = 0; k < n; k++)
        for (const auto &in : g.node(k).input()) {
            auto it = in.empty() ? producer.end() : producer.find(in);
            if (it != producer.end()) {
                succ[(size_t)it->second].push_back(k);
                indeg[(size_t)k]++;
            }
        }
    std::vector<int> ready;
    for (int k = 0; k < n; k++)
        if (indeg[(size_t)k] == 0)
            ready.push_back(k);
    int done = 0;
    while (!ready.empty()) {
        int k = ready.back();
        ready.pop_back();
        done++;
        for (int s : succ[(size_t)k])
            if (--indeg[(size_t)s] == 0)
                ready.push_back(s);
    }
    if (done == n)
        return -1;
    int k = 0;
    while (indeg[(size_t)k] == 0)
        k++;
    for (int step = 0; step < n; step++) {
        for (const auto &in : g.node(k).input()) {
            auto it = in.empty() ? producer.end() : producer.find(in);
            if (it != producer.end() && indeg[(size_t)it->second] > 0) {
                k = it->second;
                break;
            }
        }
    }
    return k;
}

void scan_graph(loader &L, GraphProto &g)
{
    for (const auto &vi : g.input())
        check_value_info(L, vi);
    for (const auto &vi : g.output())
        check_value_info(L, vi);
    for (const auto &vi : g.value_info())
        check_value_info(L, vi);
    for (auto &t : *g.mutable_initializer())
        scan_tensor(L, t);
    int k = find_cycle(g);
    if (k >= 0) {
        const NodeProto &n = g.node(k);
        fail(L.err, CF_ECHECK,
             "%s: the graph%s%s%s has a cycle: layer %s (%s) depends on its own output",
             L.name.c_str(), g.name().empty() ? "" : " '", g.name().c_str(),
             g.name().empty() ? "" : "'", node_label(n, k).c_str(), n.op_type().c_str());
    }
    for (auto &n : *g.mutable_node())
        for (auto &a : *n.mutable_attribute()) {
            if (a.has_t())
                scan_tensor(L, *a.mutable_t());
            for (auto &t : *a.mutable_tensors())
                scan_tensor(L, t);
            if (a.has_g())
                scan_graph(L, *a.mutable_g());
            for (auto &sg : *a.mutable_graphs())
                scan_graph(L, sg);
        }
}

/* libonnx messages span lines ("...\n\n==> Context: ..."); chipfit shows
 * errors on one line (CLI, TUI status bar), so runs of whitespace that hold a
 * newline become "; ". */
std::string one_line(const char *msg)
{
    std::string out;
    for (const char *p = msg; *p; p++) {
        if (*p != '\n' && *p != '\r') {
            out += *p;
            continue;
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        while (p[1] == '\n' || p[1] == '\r' || p[1] == ' ')
            p++;
        if (!out.empty() && p[1])
            out += out.back() == ':' ? " " : "; ";
    }
    return out;
}

void run_checker(loader &L, const ModelProto &m)
{
    try {
        onnx::checker::check_model(m);
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        fail(L.err, CF_ECHECK, "%s: the ONNX checker rejects the model: %s", L.name.c_str(),
             one_line(e.what()).c_str());
    }
}

/* --- fixing symbolic input dims (opts->dim_names, default_dim) ---------------- */

struct dim_binding {
    std::string name;
    int64_t value;
    bool by_default;
};

void set_dims_named(TypeProto *tp, const std::unordered_map<std::string, int64_t> &named)
{
    if (!tp->has_tensor_type() || !tp->tensor_type().has_shape())
        return;
    for (auto &d : *tp->mutable_tensor_type()->mutable_shape()->mutable_dim()) {
        if (d.has_dim_param()) {
            auto it = named.find(d.dim_param());
            if (it != named.end())
                d.set_dim_value(it->second); /* oneof: replaces the param */
        }
    }
}

std::vector<dim_binding> bind_dims(loader &L, ModelProto &m, const cf_onnx_load_opts *o)
{
    std::vector<dim_binding> out;
    std::unordered_map<std::string, int64_t> named;
    std::unordered_set<std::string> used;
    for (int i = 0; i < o->n_dims; i++) {
        const char *nm = o->dim_names[i];
        if (!nm || !nm[0])
            fail(L.err, CF_EINVAL, "%s: a dimension to fix has an empty name", L.name.c_str());
        if (o->dim_values[i] < 0)
            fail(L.err, CF_EINVAL, "%s: dimension %s: value %lld is negative", L.name.c_str(),
                 nm, (long long)o->dim_values[i]);
        named[nm] = o->dim_values[i];
    }
    GraphProto *g = m.mutable_graph();
    std::unordered_set<std::string> inits;
    for (const auto &t : g->initializer())
        inits.insert(t.name());
    std::unordered_map<std::string, size_t> listed; /* name -> index in out */
    for (auto &vi : *g->mutable_input()) {
        /* An input that is also an initializer (IR < 4) has its data's shape. */
        if (inits.count(vi.name()) || !vi.type().has_tensor_type() ||
            !vi.type().tensor_type().has_shape())
            continue;
        auto *dims = vi.mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim();
        for (int ax = 0; ax < dims->size(); ax++) {
            auto &d = *dims->Mutable(ax);
            if (d.has_dim_value())
                continue;
            std::string key;
            int64_t v;
            bool dflt;
            if (d.has_dim_param() && named.count(d.dim_param())) {
                key = d.dim_param();
                v = named[key];
                dflt = false;
                used.insert(key);
            } else if (o->default_dim > 0) {
                key = d.has_dim_param() ? d.dim_param()
                                        : vi.name() + "[" + std::to_string(ax) + "]";
                v = o->default_dim;
                dflt = true;
            } else {
                continue;
            }
            if (!listed.count(key)) {
                listed[key] = out.size();
                out.push_back({key, v, dflt});
            }
            if (d.has_dim_param() && dflt)
                named[d.dim_param()] = v; /* the same symbol elsewhere gets the same value */
            d.set_dim_value(v);
        }
    }
    for (int i = 0; i < o->n_dims; i++)
        if (!used.count(o->dim_names[i]))
            fail(L.err, CF_EINVAL, "%s: no graph input has a dimension named '%s'",
                 L.name.c_str(), o->dim_names[i]);
    /* Outputs and value_info naming the same symbols agree with the inputs, or
     * shape inference would find two answers for one dimension. */
    for (auto &vi : *g->mutable_output())
        set_dims_named(vi.mutable_type(), named);
    for (auto &vi : *g->mutable_value_info())
        set_dims_named(vi.mutable_type(), named);
    return out;
}

/* --- shape inference ------------------------------------------------------- */

/* Known rank, or a type that has none to know (sequence, optional, map). */
bool has_rank(const TypeProto &tp)
{
    if (tp.has_tensor_type())
        return tp.tensor_type().has_shape();
    return tp.value_case() != TypeProto::VALUE_NOT_SET;
}

/* Node outputs of the root graph that no value_info, output or initializer
 * gives a rank; *first gets the first one's description. */
int count_unshaped(const GraphProto &g, std::string *first, int *first_node)
{
    std::unordered_set<std::string> known;
    for (const auto &vi : g.input())
        if (has_rank(vi.type()))
            known.insert(vi.name());
    for (const auto &vi : g.output())
        if (has_rank(vi.type()))
            known.insert(vi.name());
    for (const auto &vi : g.value_info())
        if (has_rank(vi.type()))
            known.insert(vi.name());
    for (const auto &t : g.initializer())
        known.insert(t.name());
    int count = 0;
    for (int k = 0; k < g.node_size(); k++) {
        const NodeProto &n = g.node(k);
        for (const auto &o : n.output()) {
            if (o.empty() || known.count(o))
                continue;
            if (count++ == 0) {
                *first = "'" + o + "' of layer " + node_label(n, k) + " (" +
                         (n.domain().empty() ? "" : n.domain() + ":") + n.op_type() + ")";
                *first_node = k;
            }
        }
    }
    return count;
}

/* Non-strict inference, as the build notes say: strict mode gives up on old
 * PyTorch exports. When it leaves outputs without a shape, a strict run on the
 * same model (already holding what the first run found, so only re-merging)
 * collects libonnx's reasons for the note. Returns the note, "" if none. */
std::string infer_shapes(ModelProto &m)
{
    const auto *reg = onnx::OpSchemaRegistry::Instance();
    try {
        onnx::shape_inference::InferShapes(m, reg, onnx::ShapeInferenceOptions(false, 0, false));
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        return "shape inference stopped: " + one_line(e.what());
    }
    std::string first;
    int first_node = -1;
    int n = count_unshaped(m.graph(), &first, &first_node);
    if (n == 0)
        return "";
    std::string why;
    try {
        onnx::shape_inference::InferShapes(m, reg, onnx::ShapeInferenceOptions(false, 1, false));
    } catch (const std::bad_alloc &) {
        throw;
    } catch (const std::exception &e) {
        why = one_line(e.what());
    }
    std::string note = std::to_string(n) + " layer output" + (n == 1 ? "" : "s") +
                       " left without a shape; first " + first;
    if (!why.empty()) {
        note += "; libonnx says: " + why;
    } else {
        /* Nothing failed: either libonnx has no schema for the op, or the
         * shape depends on values only known when the model runs. */
        const NodeProto &fn = m.graph().node(first_node);
        int version = 0;
        for (const auto &op : m.opset_import())
            if (op.domain() == fn.domain() ||
                (fn.domain().empty() && op.domain() == "ai.onnx"))
                version = (int)op.version();
        if (!reg->GetSchema(fn.op_type(), version, fn.domain()))
            note += "; libonnx has no schema for this op";
        else
            note += "; it depends on values known only at run time";
    }
    return note;
}

/* --- shape inference in a child process --------------------------------------
 * libonnx 1.12's shape functions trust attributes that its checker never
 * compares with the inputs: a LayerNormalization axis of -1000 makes it write
 * outside a shape, a Conv stride of 0 makes it divide by zero. Those end in a
 * signal, not an exception, and would kill chipfit (later the TUI) over a bad
 * model. So inference runs in a fork()ed child, on its copy-on-write view of
 * the parsed ModelProto: nothing is parsed or copied up front. The child
 * sends back only what inference adds, for every graph and subgraph: the
 * types of its inputs and outputs and its value_info, with the note. That is
 * kilobytes for a 45 MB model; initializer bytes never cross. The parent
 * merges it into its own ModelProto. A child killed by a signal becomes a
 * CF_ECHECK that names the signal and the layer.
 *
 * fork() from a multithreaded process (the TUI will load on a worker thread)
 * leaves the child only the calling thread, and any lock another thread held
 * at that moment locked forever; only code that takes no such lock is safe
 * there. What the child runs:
 *  - malloc and new: glibc's fork() takes every malloc arena lock and resets
 *    them in the child, so the allocator works there.
 *  - libonnx's schema registry and protobuf's descriptors of onnx.proto:
 *    both are built once, behind a lock, on first use. The parent builds both
 *    before forking (prepare_child_libs), so the child only reads them.
 *  - libstdc++ streams in libonnx's messages: std::locale takes a lock only
 *    after std::locale::global(), which chipfit never calls.
 *  - write(), _exit(): async-signal-safe.
 * Should that reasoning ever fail, the child hangs instead of crashing, and
 * the parent kills it after CHILD_TIME_LIMIT_S: an error, never a hang.
 *
 * The child ends with _exit(): no atexit handlers, no static destructors, no
 * flush of stdio buffers inherited from the parent (they would print twice).
 * Crash signals get their default action back first, so a handler the host
 * installed (the TUI restoring the terminal, cmocka catching test faults)
 * never runs in the copy; core dumps are off, as a malformed model is no
 * chipfit bug. The pipe is O_CLOEXEC, so a program another thread execs does
 * not keep it open. The parent reads while the child writes, so a large
 * answer cannot fill the pipe and stall both. */

/* A hang is as bad as a crash in the TUI; inference of the largest models
 * takes seconds, so this only ever stops a child that is stuck. */
const int CHILD_TIME_LIMIT_S = 120;

/* The child's exit codes besides 0. */
const int CHILD_EXIT_NOMEM = 3;
const int CHILD_EXIT_EXCEPTION = 4;
const int CHILD_EXIT_WRITE = 5;

/* Starts the answer: magic, note length, skeleton length (host order: the
 * two ends are one program). */
struct child_header {
    uint32_t magic;
    uint32_t note_len;
    uint64_t skeleton_len;
};
const uint32_t CHILD_MAGIC = 0x49534643; /* "CFSI" */

struct child_result {
    enum { EXITED, SIGNALED, TIMED_OUT, LOST, NOT_STARTED } how;
    int value;       /* exit status, signal number, or errno for NOT_STARTED */
    std::string out; /* every byte the child wrote */
};

double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* See the note above: done in the parent before each fork. */
void prepare_child_libs()
{
    (void)onnx::OpSchemaRegistry::Instance();
    (void)ModelProto::descriptor();
}

bool write_all(int fd, const void *p, size_t n)
{
    const char *c = (const char *)p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        c += k;
        n -= (size_t)k;
    }
    return true;
}

/* In the child, before the work: default crash actions, no core file. */
void child_setup()
{
    static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGTRAP};
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig : crash_signals)
        sigaction(sig, &dfl, nullptr);
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
}

/* Waits for pid without losing the status to EINTR; false if it is gone
 * (reaped by someone else, or SIGCHLD ignored). */
bool reap(pid_t pid, int *status, int flags, bool *done)
{
    for (;;) {
        pid_t r = waitpid(pid, status, flags);
        if (r == pid) {
            *done = true;
            return true;
        }
        if (r == 0) {
            *done = false;
            return true;
        }
        if (errno != EINTR)
            return false;
    }
}

/* Runs work(fd) in a forked child and collects all it writes to fd. work
 * returns the child's exit code; whatever it throws becomes one too. Sets
 * no error: each caller words its own. */
template <class Work> child_result run_in_child(Work &&work)
{
    prepare_child_libs();
    child_result r{child_result::NOT_STARTED, 0, std::string()};
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        r.value = errno;
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        r.value = errno;
        close(fds[0]);
        close(fds[1]);
        return r;
    }
    if (pid == 0) {
        close(fds[0]);
        child_setup();
        int code;
        try {
            code = work(fds[1]);
        } catch (const std::bad_alloc &) {
            code = CHILD_EXIT_NOMEM;
        } catch (...) {
            code = CHILD_EXIT_EXCEPTION;
        }
        _exit(code);
    }
    close(fds[1]);
    int rfd = fds[0];
    /* Non-blocking: after the child is gone, what is left is drained
     * without waiting for an EOF that a process which inherited the write
     * end (a concurrent fork on another thread) would hold back. */
    fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
    r.how = child_result::LOST;
    double deadline = now_s() + CHILD_TIME_LIMIT_S;
    bool eof = false, exited = false, lost = false;
    int status = 0;
    char chunk[65536];
    while (!eof) {
        ssize_t k = read(rfd, chunk, sizeof chunk);
        if (k > 0) {
            r.out.append(chunk, (size_t)k);
            continue;
        }
        if (k == 0) {
            eof = true;
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            break;
        if (exited || lost)
            break; /* the child is gone and the pipe is empty */
        double left = deadline - now_s();
        if (left <= 0) {
            kill(pid, SIGKILL);
            r.how = child_result::TIMED_OUT;
            break;
        }
        struct pollfd pfd = {rfd, POLLIN, 0};
        /* Wake now and then to see whether the child is gone. */
        int ms = left > 0.2 ? 200 : (int)(left * 1000) + 1;
        if (poll(&pfd, 1, ms) == 0 && !reap(pid, &status, WNOHANG, &exited))
            lost = true;
    }
    close(rfd);
    if (!exited && !lost && !reap(pid, &status, 0, &exited))
        lost = true;
    if (r.how == child_result::TIMED_OUT)
        return r;
    if (exited && WIFSIGNALED(status)) {
        r.how = child_result::SIGNALED;
        r.value = WTERMSIG(status);
    } else if (exited && WIFEXITED(status)) {
        r.how = child_result::EXITED;
        r.value = WEXITSTATUS(status);
    }
    return r;
}

/* Copies into `out` what inference may change in g: input, output and
 * value_info entries (small: names and types), and per node, per attribute,
 * the same of each subgraph. A node with no subgraph stays an empty
 * NodeProto, so the parent pairs nodes by position. */
void shape_skeleton(const GraphProto &g, GraphProto *out)
{
    *out->mutable_input() = g.input();
    *out->mutable_output() = g.output();
    *out->mutable_value_info() = g.value_info();
    for (const auto &n : g.node()) {
        NodeProto *sn = out->add_node();
        bool any = false;
        for (const auto &a : n.attribute())
            any = any || a.has_g() || a.graphs_size() > 0;
        if (!any)
            continue;
        for (const auto &a : n.attribute()) {
            AttributeProto *sa = sn->add_attribute();
            if (a.has_g())
                shape_skeleton(a.g(), sa->mutable_g());
            for (const auto &sg : a.graphs())
                shape_skeleton(sg, sa->add_graphs());
        }
    }
}

/* The parent's side: takes the child's entries into g. False if the
 * skeleton does not have g's layout (a bug, not a bad model). */
bool merge_skeleton(GraphProto &g, GraphProto &s)
{
    if (s.input_size() != g.input_size() || s.output_size() != g.output_size() ||
        s.node_size() != g.node_size())
        return false;
    for (int i = 0; i < g.input_size(); i++) {
        if (s.input(i).name() != g.input(i).name())
            return false;
        g.mutable_input(i)->Swap(s.mutable_input(i));
    }
    for (int i = 0; i < g.output_size(); i++) {
        if (s.output(i).name() != g.output(i).name())
            return false;
        g.mutable_output(i)->Swap(s.mutable_output(i));
    }
    g.mutable_value_info()->Swap(s.mutable_value_info());
    for (int k = 0; k < g.node_size(); k++) {
        NodeProto &n = *g.mutable_node(k), &sn = *s.mutable_node(k);
        if (sn.attribute_size() == 0)
            continue;
        if (sn.attribute_size() != n.attribute_size())
            return false;
        for (int j = 0; j < n.attribute_size(); j++) {
            AttributeProto &a = *n.mutable_attribute(j), &sa = *sn.mutable_attribute(j);
            if (a.has_g() != sa.has_g() || a.graphs_size() != sa.graphs_size())
                return false;
            if (a.has_g() && !merge_skeleton(*a.mutable_g(), *sa.mutable_g()))
                return false;
            for (int i = 0; i < a.graphs_size(); i++)
                if (!merge_skeleton(*a.mutable_graphs(i), *sa.mutable_graphs(i)))
                    return false;
        }
    }
    return true;
}

const char *signal_words(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV, a bad memory access";
    case SIGFPE:
        return "SIGFPE, an arithmetic fault such as a division by zero";
    case SIGBUS:
        return "SIGBUS, a bad memory access";
    case SIGILL:
        return "SIGILL, an illegal instruction";
    case SIGABRT:
        return "SIGABRT, an abort";
    case SIGKILL:
        return "SIGKILL, killed from outside, perhaps for memory";
    default:
        return "a fatal signal";
    }
}

/* After a crash: the root-graph layer libonnx was on. Non-strict inference
 * goes through the nodes in order and carries on past errors, so the layer
 * is the last one of the shortest node prefix that crashes. A binary search
 * over prefix lengths tries each in a child that cuts its own copy of the
 * graph: about log2(layers) forks, on the error path only. A crash inside a
 * subgraph names the layer that holds it. -1 if the search cannot tell. */
int crashing_layer(ModelProto &m)
{
    int lo = 0, hi = m.graph().node_size(); /* prefix hi crashes; lo is taken not to */
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        child_result r = run_in_child([&](int) {
            auto *nodes = m.mutable_graph()->mutable_node();
            nodes->DeleteSubrange(mid, nodes->size() - mid);
            infer_shapes(m);
            return 0;
        });
        if (r.how == child_result::SIGNALED)
            hi = mid;
        else if (r.how == child_result::EXITED && r.value == 0)
            lo = mid;
        else
            return -1;
    }
    return hi >= 1 ? hi - 1 : -1;
}

/* infer_shapes, isolated: runs it in a child and merges the result into m. */
std::string infer_shapes_isolated(loader &L, ModelProto &m)
{
    child_result r = run_in_child([&](int fd) {
        std::string note = infer_shapes(m);
        GraphProto skeleton;
        shape_skeleton(m.graph(), &skeleton);
        std::string bytes;
        if (!skeleton.SerializeToString(&bytes))
            return CHILD_EXIT_EXCEPTION;
        child_header h = {CHILD_MAGIC, (uint32_t)std::min(note.size(), (size_t)UINT32_MAX),
                          (uint64_t)bytes.size()};
        if (!write_all(fd, &h, sizeof h) || !write_all(fd, note.data(), h.note_len) ||
            !write_all(fd, bytes.data(), bytes.size()))
            return CHILD_EXIT_WRITE;
        return 0;
    });
    const char *nm = L.name.c_str();
    /* The answer is judged by its own length, so a lost exit status (SIGCHLD
     * ignored by the host) still lets a complete one through. */
    child_header h = {0, 0, 0};
    bool complete = r.out.size() >= sizeof h;
    if (complete) {
        memcpy(&h, r.out.data(), sizeof h);
        complete = h.magic == CHILD_MAGIC && h.skeleton_len <= (uint64_t)INT_MAX &&
                   r.out.size() == sizeof h + h.note_len + h.skeleton_len;
    }
    if (r.how == child_result::NOT_STARTED)
        fail(L.err, r.value == ENOMEM ? CF_ENOMEM : CF_EIO,
             "%s: cannot start a process for shape inference: %s", nm, strerror(r.value));
    if (r.how == child_result::SIGNALED) {
        int sig = r.value;
        int k = crashing_layer(m);
        std::string where = "an unknown layer";
        if (k >= 0) {
            const NodeProto &n = m.graph().node(k);
            where = "layer " + node_label(n, k) + " (" +
                    (n.domain().empty() ? "" : n.domain() + ":") + n.op_type() + ")";
        }
        fail(L.err, CF_ECHECK,
             "%s: shape inference crashed inside libonnx (signal %d, %s) on %s: the model is "
             "malformed: that layer's attributes or input shapes are wrong in a way the ONNX "
             "checker does not catch", nm, sig, signal_words(sig), where.c_str());
    }
    if (r.how == child_result::TIMED_OUT)
        fail(L.err, CF_ECHECK,
             "%s: shape inference inside libonnx did not finish in %d s and was stopped; the "
             "model is probably malformed", nm, CHILD_TIME_LIMIT_S);
    if (r.how == child_result::EXITED && r.value == CHILD_EXIT_NOMEM)
        fail(L.err, CF_ENOMEM, "%s: shape inference ran out of memory", nm);
    if (r.how == child_result::EXITED && r.value != 0)
        fail(L.err, CF_EINTERNAL, "%s: the shape inference process failed (exit %d)", nm,
             r.value);
    if (!complete && r.how == child_result::LOST)
        fail(L.err, CF_ECHECK,
             "%s: shape inference ended without an answer, most likely crashed inside libonnx: "
             "the model may be malformed (the exit status was lost: this process ignores "
             "SIGCHLD or reaps children elsewhere, so the signal and layer are unknown)", nm);
    if (!complete)
        fail(L.err, CF_EINTERNAL,
             "%s: the shape inference process ended without a complete answer (%zu bytes)", nm,
             r.out.size());
    GraphProto skeleton;
    const char *sk = r.out.data() + sizeof h + h.note_len;
    if (!skeleton.ParseFromArray(sk, (int)h.skeleton_len) ||
        !merge_skeleton(*m.mutable_graph(), skeleton))
        fail(L.err, CF_EINTERNAL,
             "%s: the shape inference process sent back a graph that does not match the model",
             nm);
    return std::string(r.out.data() + sizeof h, h.note_len);
}

/* --- ModelProto -> cf_graph -------------------------------------------------- */

int64_t numel_of(loader &L, const TensorProto &t)
{
    int64_t n = 1;
    for (int64_t d : t.dims()) {
        if (d < 0)
            fail(L.err, CF_EFORMAT, "%s: tensor '%s' has a negative dimension %lld",
                 L.name.c_str(), t.name().c_str(), (long long)d);
        if (d && n > INT64_MAX / d)
            fail(L.err, CF_EFORMAT, "%s: tensor '%s': element count overflows", L.name.c_str(),
                 t.name().c_str());
        n *= d;
    }
    return n;
}

/* Releases a proto field's storage now, not when the whole model dies, so a
 * tensor's bytes are never held twice for long (peak memory ~ 1x the model). */
template <class Field> void drop(Field *f)
{
    Field().Swap(f);
}

void count_mismatch(loader &L, const TensorProto &t, const char *field, long long have,
                    long long want)
{
    fail(L.err, CF_EFORMAT, "%s: tensor '%s': %s holds %lld values, its shape needs %lld",
         L.name.c_str(), t.name().c_str(), field, have, want);
}

/* Fills *ct from t: dtype, shape, dense little-endian data. The proto's data
 * is released as it is copied (t is spent afterwards). */
void tensor_from_proto(loader &L, cf_tensor *ct, TensorProto &t)
{
    cf_arena *a = L.arena;
    int dt = t.data_type();
    if (!cf_dtype_valid(dt))
        fail(L.err, dt == 0 ? CF_EFORMAT : CF_EUNSUPPORTED,
             "%s: tensor '%s' has %s element type %d", L.name.c_str(), t.name().c_str(),
             dt == 0 ? "no" : "an unknown", dt);
    ct->dtype = (cf_dtype)dt;
    ct->flags |= CF_TENSOR_TYPED;
    ct->shape.rank = t.dims_size();
    ct->shape.dims = nullptr;
    if (t.dims_size() > 0) {
        ct->shape.dims = arena_array<cf_dim>(a, (size_t)t.dims_size());
        for (int i = 0; i < t.dims_size(); i++)
            ct->shape.dims[i].value = t.dims(i);
    }
    if (!ct->doc)
        ct->doc = adoc(a, t.doc_string());
    auto ext = L.ext_loc.find(&t);
    if (ext != L.ext_loc.end())
        ct->external_location = astr(a, ext->second);

    int64_t numel = numel_of(L, t);
    ct->data = nullptr;
    ct->nbytes = 0;
    if (dt == CF_DT_STRING) {
        if (t.has_raw_data() && !t.raw_data().empty())
            fail(L.err, CF_EFORMAT, "%s: string tensor '%s' holds raw_data", L.name.c_str(),
                 t.name().c_str());
        if (t.string_data_size() != numel)
            count_mismatch(L, t, "string_data", t.string_data_size(), numel);
        ct->n_strings = (size_t)numel;
        ct->strings = numel ? arena_array<cf_bytes>(a, (size_t)numel) : nullptr;
        for (int64_t i = 0; i < numel; i++)
            ct->strings[i] = abytes(a, t.string_data((int)i));
        drop(t.mutable_string_data());
        return;
    }
    size_t esize = cf_dtype_size((cf_dtype)dt);
    if ((uint64_t)numel > SIZE_MAX / esize)
        fail(L.err, CF_EFORMAT, "%s: tensor '%s' is too large", L.name.c_str(), t.name().c_str());
    size_t want = (size_t)numel * esize;
    if (t.has_raw_data()) {
        if (t.raw_data().size() != want)
            fail(L.err, CF_EFORMAT,
                 "%s: tensor '%s': raw_data holds %zu bytes, its shape of %lld %s elements "
                 "needs %zu", L.name.c_str(), t.name().c_str(), t.raw_data().size(),
                 (long long)numel, cf_dtype_name((cf_dtype)dt), want);
        if (want) {
            ct->data = need(cf_arena_memdup(a, t.raw_data().data(), want));
            ct->nbytes = want;
        }
        std::string().swap(*t.mutable_raw_data());
        return;
    }
    if (numel == 0)
        return;
    /* The typed fields, per onnx.proto: which field holds which type, and how
     * many values per element (complex numbers take two). Counts are checked
     * before allocating, so a lying shape cannot ask for terabytes. */
    long long have, per = (dt == CF_DT_COMPLEX64 || dt == CF_DT_COMPLEX128) ? 2 : 1;
    const char *field;
    switch (dt) {
    case CF_DT_FLOAT:
    case CF_DT_COMPLEX64:
        have = t.float_data_size();
        field = "float_data";
        break;
    case CF_DT_DOUBLE:
    case CF_DT_COMPLEX128:
        have = t.double_data_size();
        field = "double_data";
        break;
    case CF_DT_INT64:
        have = t.int64_data_size();
        field = "int64_data";
        break;
    case CF_DT_UINT32:
    case CF_DT_UINT64:
        have = t.uint64_data_size();
        field = "uint64_data";
        break;
    default:
        have = t.int32_data_size();
        field = "int32_data";
        break;
    }
    if (have != numel * per)
        count_mismatch(L, t, field, have, numel * per);
    void *dst = need(cf_arena_alloc(a, want));
    switch (dt) {
    case CF_DT_FLOAT:
    case CF_DT_COMPLEX64:
        memcpy(dst, t.float_data().data(), want);
        drop(t.mutable_float_data());
        break;
    case CF_DT_DOUBLE:
    case CF_DT_COMPLEX128:
        memcpy(dst, t.double_data().data(), want);
        drop(t.mutable_double_data());
        break;
    case CF_DT_INT64:
        memcpy(dst, t.int64_data().data(), want);
        drop(t.mutable_int64_data());
        break;
    case CF_DT_UINT32:
    case CF_DT_UINT64:
        for (int64_t i = 0; i < numel; i++) {
            uint64_t v = t.uint64_data((int)i);
            if (dt == CF_DT_UINT32) {
                uint32_t v32 = (uint32_t)v;
                memcpy((char *)dst + i * 4, &v32, 4);
            } else {
                memcpy((char *)dst + i * 8, &v, 8);
            }
        }
        drop(t.mutable_uint64_data());
        break;
    default: /* int32 and everything narrower (bool, 8/16-bit ints, float16, bfloat16) */
        for (int64_t i = 0; i < numel; i++) {
            int32_t v = t.int32_data((int)i);
            char *p = (char *)dst + i * (int64_t)esize;
            if (dt == CF_DT_BOOL) {
                *p = v != 0;
            } else if (esize == 1) {
                *p = (char)(uint8_t)v;
            } else if (esize == 2) {
                uint16_t v16 = (uint16_t)v;
                memcpy(p, &v16, 2);
            } else {
                memcpy(p, &v, 4);
            }
        }
        drop(t.mutable_int32_data());
        break;
    }
    ct->data = dst;
    ct->nbytes = want;
}

/* One graph being built, and the scopes around it for outer names. */
struct scope {
    cf_graph *g;
    const scope *parent;
    std::unordered_map<std::string, int32_t> ids;
};

int32_t add_tensor(loader &L, scope &s, const std::string &name)
{
    int32_t id = cf_graph_add_tensor(s.g, name.c_str(), L.err);
    if (id < 0)
        throw bridge_error{id};
    s.ids.emplace(name, id);
    return id;
}

int32_t define(loader &L, scope &s, const std::string &name)
{
    auto it = s.ids.find(name);
    return it != s.ids.end() ? it->second : add_tensor(L, s, name);
}

/* A name this graph does not define: an enclosing graph's value (OUTER, with
 * its type copied for the analyzers) or, in a broken model, a dangling name. */
int32_t resolve(loader &L, scope &s, const std::string &name)
{
    auto it = s.ids.find(name);
    if (it != s.ids.end())
        return it->second;
    const cf_tensor *outer = nullptr;
    for (const scope *p = s.parent; p && !outer; p = p->parent) {
        auto pit = p->ids.find(name);
        if (pit != p->ids.end())
            outer = &p->g->tensors[pit->second];
    }
    int32_t id = add_tensor(L, s, name);
    if (outer) {
        cf_tensor *t = &s.g->tensors[id];
        t->flags |= CF_TENSOR_OUTER | (outer->flags & CF_TENSOR_TYPED);
        t->dtype = outer->dtype;
        t->shape = outer->shape; /* same arena, never mutated in place */
        t->type_raw = outer->type_raw;
    }
    return id;
}

void apply_type(loader &L, cf_tensor *t, const TypeProto &tp)
{
    cf_arena *a = L.arena;
    if (tp.has_tensor_type()) {
        const auto &tt = tp.tensor_type();
        t->dtype = (cf_dtype)tt.elem_type();
        t->shape.rank = -1;
        t->shape.dims = nullptr;
        if (tt.has_shape()) {
            int r = tt.shape().dim_size();
            t->shape.rank = r;
            if (r > 0)
                t->shape.dims = arena_array<cf_dim>(a, (size_t)r);
            for (int i = 0; i < r; i++) {
                const auto &d = tt.shape().dim(i);
                bool known = d.has_dim_value() && d.dim_value() >= 0;
                t->shape.dims[i].value = known ? d.dim_value() : -1;
                t->shape.dims[i].param = d.has_dim_param() ? astr(a, d.dim_param()) : nullptr;
            }
        }
        t->flags |= CF_TENSOR_TYPED;
    } else if (tp.value_case() != TypeProto::VALUE_NOT_SET) {
        t->dtype = CF_DT_UNDEFINED;
        t->shape.rank = -1;
        t->shape.dims = nullptr;
        t->type_raw = aserialized(a, tp);
        t->flags |= CF_TENSOR_TYPED;
    }
}

/* Input types come first; an initializer's data then decides dtype and shape,
 * and outputs / value_info only fill in what is still unknown. */
void apply_value_info(loader &L, cf_tensor *t, const ValueInfoProto &vi)
{
    if (!t->doc)
        t->doc = adoc(L.arena, vi.doc_string());
    if (vi.has_type() && !(t->flags & CF_TENSOR_TYPED))
        apply_type(L, t, vi.type());
}

int attr_kind(const AttributeProto &a)
{
    if (a.type() != AttributeProto::UNDEFINED)
        return a.type();
    /* Old models leave `type` unset: the field that holds a value tells. */
    if (a.has_f()) return CF_ATTR_FLOAT;
    if (a.has_i()) return CF_ATTR_INT;
    if (a.has_s()) return CF_ATTR_STRING;
    if (a.has_t()) return CF_ATTR_TENSOR;
    if (a.has_g()) return CF_ATTR_GRAPH;
    if (a.has_sparse_tensor()) return CF_ATTR_SPARSE_TENSOR;
    if (a.has_tp()) return CF_ATTR_TYPE_PROTO;
    if (a.floats_size()) return CF_ATTR_FLOATS;
    if (a.ints_size()) return CF_ATTR_INTS;
    if (a.strings_size()) return CF_ATTR_STRINGS;
    if (a.tensors_size()) return CF_ATTR_TENSORS;
    if (a.graphs_size()) return CF_ATTR_GRAPHS;
    if (a.sparse_tensors_size()) return CF_ATTR_SPARSE_TENSORS;
    if (a.type_protos_size()) return CF_ATTR_TYPE_PROTOS;
    return CF_ATTR_UNDEFINED;
}

cf_tensor *attr_tensor(loader &L, TensorProto &t)
{
    cf_tensor *ct = arena_array<cf_tensor>(L.arena, 1);
    ct->name = astr(L.arena, t.name());
    ct->producer = -1;
    tensor_from_proto(L, ct, t);
    return ct;
}

void build_graph(loader &L, scope &s, GraphProto &gp);

cf_graph *sub_graph(loader &L, scope &s, GraphProto &gp)
{
    cf_graph *sub = cf_graph_new_sub(s.g, L.err);
    if (!sub)
        throw bridge_error{CF_ENOMEM};
    scope child{sub, &s, {}};
    build_graph(L, child, gp);
    return sub;
}

void build_attr(loader &L, scope &s, cf_attr *at, AttributeProto &ap)
{
    cf_arena *a = L.arena;
    if (ap.has_ref_attr_name())
        at->ref_attr_name = astr(a, ap.ref_attr_name());
    at->doc = adoc(a, ap.doc_string());
    switch (at->type) {
    case CF_ATTR_FLOAT: at->f = ap.f(); break;
    case CF_ATTR_INT: at->i = ap.i(); break;
    case CF_ATTR_STRING: at->s = abytes(a, ap.s()); break;
    case CF_ATTR_TENSOR: at->t = attr_tensor(L, *ap.mutable_t()); break;
    case CF_ATTR_GRAPH: at->g = sub_graph(L, s, *ap.mutable_g()); break;
    case CF_ATTR_FLOATS:
        at->n = (size_t)ap.floats_size();
        at->floats = need((float *)cf_arena_memdup(a, ap.floats().data(), at->n * sizeof(float)));
        break;
    case CF_ATTR_INTS:
        at->n = (size_t)ap.ints_size();
        at->ints = need((int64_t *)cf_arena_memdup(a, ap.ints().data(), at->n * sizeof(int64_t)));
        break;
    case CF_ATTR_STRINGS:
        at->n = (size_t)ap.strings_size();
        at->strings = arena_array<cf_bytes>(a, at->n);
        for (size_t i = 0; i < at->n; i++)
            at->strings[i] = abytes(a, ap.strings((int)i));
        break;
    case CF_ATTR_TENSORS:
        at->n = (size_t)ap.tensors_size();
        at->tensors = arena_array<cf_tensor *>(a, at->n);
        for (size_t i = 0; i < at->n; i++)
            at->tensors[i] = attr_tensor(L, *ap.mutable_tensors((int)i));
        break;
    case CF_ATTR_GRAPHS:
        at->n = (size_t)ap.graphs_size();
        at->graphs = arena_array<cf_graph *>(a, at->n);
        for (size_t i = 0; i < at->n; i++)
            at->graphs[i] = sub_graph(L, s, *ap.mutable_graphs((int)i));
        break;
    case CF_ATTR_SPARSE_TENSOR:
        at->n = 1;
        at->raw = arena_array<cf_bytes>(a, 1);
        at->raw[0] = aserialized(a, ap.sparse_tensor());
        break;
    case CF_ATTR_SPARSE_TENSORS:
        at->n = (size_t)ap.sparse_tensors_size();
        at->raw = arena_array<cf_bytes>(a, at->n);
        for (size_t i = 0; i < at->n; i++)
            at->raw[i] = aserialized(a, ap.sparse_tensors((int)i));
        break;
    case CF_ATTR_TYPE_PROTO:
        at->n = 1;
        at->raw = arena_array<cf_bytes>(a, 1);
        at->raw[0] = aserialized(a, ap.tp());
        break;
    case CF_ATTR_TYPE_PROTOS:
        at->n = (size_t)ap.type_protos_size();
        at->raw = arena_array<cf_bytes>(a, at->n);
        for (size_t i = 0; i < at->n; i++)
            at->raw[i] = aserialized(a, ap.type_protos((int)i));
        break;
    default:
        break; /* UNDEFINED: kept by name only */
    }
}

int32_t *ids_copy(loader &L, const std::vector<int32_t> &v)
{
    if (v.empty())
        return nullptr;
    return need((int32_t *)cf_arena_memdup(L.arena, v.data(), v.size() * sizeof(int32_t)));
}

void build_graph(loader &L, scope &s, GraphProto &gp)
{
    cf_graph *g = s.g;
    cf_arena *a = L.arena;
    g->name = astr(a, gp.name());
    g->doc = adoc(a, gp.doc_string());

    /* Tensors first, so nodes (and subgraphs looking outward) find every name
     * of this graph with its type, whatever the order of the nodes. */
    std::vector<int32_t> ins, outs;
    for (const auto &vi : gp.input()) {
        int32_t id = define(L, s, vi.name());
        g->tensors[id].flags |= CF_TENSOR_INPUT;
        apply_value_info(L, &g->tensors[id], vi);
        ins.push_back(id);
    }
    for (auto &t : *gp.mutable_initializer()) {
        int32_t id = define(L, s, t.name());
        g->tensors[id].flags |= CF_TENSOR_INITIALIZER;
        tensor_from_proto(L, &g->tensors[id], t);
    }
    for (const auto &n : gp.node())
        for (const auto &o : n.output())
            if (!o.empty())
                define(L, s, o);
    for (const auto &vi : gp.output()) {
        int32_t id = resolve(L, s, vi.name());
        g->tensors[id].flags |= CF_TENSOR_OUTPUT;
        apply_value_info(L, &g->tensors[id], vi);
        outs.push_back(id);
    }
    for (const auto &vi : gp.value_info()) {
        int32_t id = resolve(L, s, vi.name());
        g->tensors[id].flags |= CF_TENSOR_VALUE_INFO;
        apply_value_info(L, &g->tensors[id], vi);
    }
    g->inputs = ids_copy(L, ins);
    g->n_inputs = (int32_t)ins.size();
    g->outputs = ids_copy(L, outs);
    g->n_outputs = (int32_t)outs.size();

    std::vector<int32_t> nin, nout;
    for (int k = 0; k < gp.node_size(); k++) {
        NodeProto &np = *gp.mutable_node(k);
        int32_t idx = cf_graph_add_node(g, np.op_type().c_str(), np.domain().c_str(),
                                        np.name().c_str(), L.err);
        if (idx < 0)
            throw bridge_error{idx};
        nin.clear();
        nout.clear();
        for (const auto &in : np.input())
            nin.push_back(in.empty() ? -1 : resolve(L, s, in));
        for (const auto &o : np.output())
            nout.push_back(o.empty() ? -1 : s.ids.at(o));
        cf_node *n = &g->nodes[idx]; /* stable: subgraphs below add to their own graph */
        if (cf_graph_set_io(g, n, nin.data(), (int)nin.size(), nout.data(), (int)nout.size(),
                            L.err))
            throw bridge_error{CF_ENOMEM};
        n->doc = adoc(a, np.doc_string());
        for (auto &ap : *np.mutable_attribute()) {
            cf_attr *at = cf_node_add_attr(g, n, ap.name().c_str(), (cf_attr_type)attr_kind(ap),
                                           L.err);
            if (!at)
                throw bridge_error{CF_ENOMEM};
            build_attr(L, s, at, ap);
        }
    }

    g->n_sparse_initializers = gp.sparse_initializer_size();
    if (g->n_sparse_initializers) {
        g->sparse_initializers = arena_array<cf_bytes>(a, (size_t)g->n_sparse_initializers);
        for (int i = 0; i < g->n_sparse_initializers; i++)
            g->sparse_initializers[i] = aserialized(a, gp.sparse_initializer(i));
    }

    int rc = cf_graph_toposort(g, L.err);
    if (rc) {
        cf_error_prefix(L.err, "%s", L.name.c_str());
        throw bridge_error{rc};
    }
}

struct graph_holder {
    cf_graph *g;
    ~graph_holder() { cf_graph_free(g); }
};

void build_model(loader &L, ModelProto &m, cf_graph *g)
{
    cf_arena *a = L.arena;
    g->ir_version = m.ir_version();
    if (m.has_producer_name())
        g->producer_name = astr(a, m.producer_name());
    if (m.has_producer_version())
        g->producer_version = astr(a, m.producer_version());
    if (m.has_domain())
        g->model_domain = astr(a, m.domain());
    g->model_version = m.model_version();
    g->model_doc = adoc(a, m.doc_string());
    g->n_opsets = m.opset_import_size();
    if (g->n_opsets) {
        g->opsets = arena_array<cf_opset>(a, (size_t)g->n_opsets);
        for (int i = 0; i < g->n_opsets; i++) {
            g->opsets[i].domain = astr(a, m.opset_import(i).domain());
            g->opsets[i].version = m.opset_import(i).version();
        }
    }
    g->n_metadata = m.metadata_props_size();
    if (g->n_metadata) {
        g->metadata = arena_array<cf_kv>(a, (size_t)g->n_metadata);
        for (int i = 0; i < g->n_metadata; i++) {
            g->metadata[i].key = astr(a, m.metadata_props(i).key());
            g->metadata[i].value = astr(a, m.metadata_props(i).value());
        }
    }
    g->n_functions = m.functions_size();
    if (g->n_functions) {
        g->functions = arena_array<cf_bytes>(a, (size_t)g->n_functions);
        for (int i = 0; i < g->n_functions; i++)
            g->functions[i] = aserialized(a, m.functions(i));
    }
    scope root{g, nullptr, {}};
    build_graph(L, root, *m.mutable_graph());
}

const cf_onnx_load_opts default_opts = {};

/* Everything after parsing, shared by the file and buffer entry points. */
int load_parsed(loader &L, ModelProto &m, size_t file_bytes, const cf_onnx_load_opts *opts,
                const char *path, cf_graph **out)
{
    if (!opts)
        opts = &default_opts;
    scan_graph(L, *m.mutable_graph());
    if (!opts->skip_check)
        run_checker(L, m);
    std::vector<dim_binding> bound;
    if (opts->n_dims > 0 || opts->default_dim > 0)
        bound = bind_dims(L, m, opts);
    std::string note =
        opts->skip_shape_inference ? std::string() : infer_shapes_isolated(L, m);

    graph_holder h{cf_graph_new(L.err)};
    if (!h.g)
        throw bridge_error{CF_ENOMEM};
    cf_graph *g = h.g;
    L.arena = g->arena;
    build_model(L, m, g);

    cf_arena *a = L.arena;
    g->path = path ? astr(a, path) : nullptr;
    g->file_bytes = file_bytes + L.ext_bytes;
    int32_t unshaped = 0;
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        for (int j = 0; j < n->n_outputs; j++)
            if (n->outputs[j] >= 0 && g->tensors[n->outputs[j]].shape.rank < 0 &&
                !g->tensors[n->outputs[j]].type_raw.len)
                unshaped++;
    }
    g->n_unshaped = unshaped;
    /* A run that stopped is worth a note even if the model's own value_info
     * covered everything; a skipped run only when shapes are missing. */
    bool stopped = note.rfind("shape inference stopped", 0) == 0;
    if (opts->skip_shape_inference && unshaped > 0)
        note = "shape inference was skipped; " + std::to_string(unshaped) +
               " layer output" + (unshaped == 1 ? " has" : "s have") + " no shape";
    if (!note.empty() && (unshaped > 0 || stopped))
        g->shape_inference_note = astr(a, note);
    if (!bound.empty()) {
        g->n_bound_dims = (int)bound.size();
        g->bound_dims = arena_array<cf_dim_binding>(a, bound.size());
        for (size_t i = 0; i < bound.size(); i++) {
            g->bound_dims[i].name = astr(a, bound[i].name);
            g->bound_dims[i].value = bound[i].value;
            g->bound_dims[i].by_default = bound[i].by_default;
        }
    }
    *out = h.g;
    h.g = nullptr;
    return 0;
}

/* --- cf_graph -> ModelProto -------------------------------------------------- */

struct saver {
    cf_error *err;
    const char *path;
};

void write_type(const cf_tensor *t, TypeProto *tp, saver &S)
{
    if (t->type_raw.len) {
        if (!tp->ParseFromArray(t->type_raw.data, (int)t->type_raw.len))
            fail(S.err, CF_EINVAL, "%s: tensor '%s': its type_raw bytes are not a TypeProto",
                 S.path, t->name);
        return;
    }
    auto *tt = tp->mutable_tensor_type();
    tt->set_elem_type((int)t->dtype);
    if (t->shape.rank < 0)
        return;
    auto *sh = tt->mutable_shape();
    for (int i = 0; i < t->shape.rank; i++) {
        auto *d = sh->add_dim();
        const cf_dim &cd = t->shape.dims[i];
        if (cd.value >= 0)
            d->set_dim_value(cd.value);
        else if (cd.param && cd.param[0])
            d->set_dim_param(cd.param);
    }
}

void write_value_info(const cf_tensor *t, ValueInfoProto *vi, saver &S)
{
    vi->set_name(t->name);
    if (t->doc)
        vi->set_doc_string(t->doc);
    if (t->flags & CF_TENSOR_TYPED)
        write_type(t, vi->mutable_type(), S);
}

void write_tensor(const cf_tensor *t, TensorProto *tp, saver &S, bool with_doc)
{
    tp->set_name(t->name ? t->name : "");
    if (!cf_dtype_valid(t->dtype))
        fail(S.err, CF_EINVAL, "%s: tensor '%s' has data but element type %d", S.path,
             t->name, (int)t->dtype);
    tp->set_data_type((int)t->dtype);
    if (t->shape.rank < 0)
        fail(S.err, CF_EINVAL, "%s: tensor '%s' has data but no shape", S.path, t->name);
    int64_t numel = 1;
    for (int i = 0; i < t->shape.rank; i++) {
        int64_t d = t->shape.dims[i].value;
        if (d < 0)
            fail(S.err, CF_EINVAL, "%s: tensor '%s' has data but dimension %d is not known",
                 S.path, t->name, i);
        tp->add_dims(d);
        numel *= d;
    }
    if (with_doc && t->doc)
        tp->set_doc_string(t->doc);
    if (t->dtype == CF_DT_STRING) {
        if (t->n_strings != (size_t)numel)
            fail(S.err, CF_EINVAL, "%s: string tensor '%s' holds %zu strings, its shape needs %lld",
                 S.path, t->name, t->n_strings, (long long)numel);
        for (size_t i = 0; i < t->n_strings; i++)
            tp->add_string_data(t->strings[i].data, t->strings[i].len);
        return;
    }
    size_t want = (size_t)numel * cf_dtype_size(t->dtype);
    /* Zero elements: no data field at all (the checker rejects an empty one). */
    if (want == 0)
        return;
    if (!t->data || t->nbytes != want)
        fail(S.err, CF_EINVAL, "%s: tensor '%s' holds %zu bytes, its shape needs %zu", S.path,
             t->name, t->data ? t->nbytes : (size_t)0, want);
    tp->set_raw_data(t->data, want);
}

template <class Msg> void parse_raw(const cf_bytes &b, Msg *m, saver &S, const char *what,
                                    const char *owner)
{
    if (b.len > (size_t)INT_MAX || !m->ParseFromArray(b.data, (int)b.len))
        fail(S.err, CF_EINVAL, "%s: %s of %s: the stored bytes do not parse", S.path, what, owner);
}

void write_graph(const cf_graph *g, GraphProto *gp, saver &S);

void write_attr(const cf_node *n, const cf_attr *at, AttributeProto *ap, saver &S)
{
    ap->set_name(at->name);
    if (at->type != CF_ATTR_UNDEFINED)
        ap->set_type((AttributeProto::AttributeType)at->type);
    if (at->ref_attr_name)
        ap->set_ref_attr_name(at->ref_attr_name);
    if (at->doc)
        ap->set_doc_string(at->doc);
    std::string owner = std::string("attribute ") + at->name + " of layer " + n->name;
    auto need_n = [&](const void *p) {
        if (at->n && !p)
            fail(S.err, CF_EINVAL, "%s: %s has %zu values but no array", S.path, owner.c_str(),
                 at->n);
    };
    switch (at->type) {
    case CF_ATTR_FLOAT: ap->set_f(at->f); break;
    case CF_ATTR_INT: ap->set_i(at->i); break;
    case CF_ATTR_STRING: ap->set_s(at->s.data ? at->s.data : "", at->s.len); break;
    case CF_ATTR_TENSOR:
        if (!at->t)
            fail(S.err, CF_EINVAL, "%s: %s has no tensor", S.path, owner.c_str());
        write_tensor(at->t, ap->mutable_t(), S, true);
        break;
    case CF_ATTR_GRAPH:
        if (!at->g)
            fail(S.err, CF_EINVAL, "%s: %s has no graph", S.path, owner.c_str());
        write_graph(at->g, ap->mutable_g(), S);
        break;
    case CF_ATTR_FLOATS:
        need_n(at->floats);
        for (size_t i = 0; i < at->n; i++)
            ap->add_floats(at->floats[i]);
        break;
    case CF_ATTR_INTS:
        need_n(at->ints);
        for (size_t i = 0; i < at->n; i++)
            ap->add_ints(at->ints[i]);
        break;
    case CF_ATTR_STRINGS:
        need_n(at->strings);
        for (size_t i = 0; i < at->n; i++)
            ap->add_strings(at->strings[i].data ? at->strings[i].data : "", at->strings[i].len);
        break;
    case CF_ATTR_TENSORS:
        need_n(at->tensors);
        for (size_t i = 0; i < at->n; i++)
            write_tensor(at->tensors[i], ap->add_tensors(), S, true);
        break;
    case CF_ATTR_GRAPHS:
        need_n(at->graphs);
        for (size_t i = 0; i < at->n; i++)
            write_graph(at->graphs[i], ap->add_graphs(), S);
        break;
    case CF_ATTR_SPARSE_TENSOR:
        if (!at->raw)
            fail(S.err, CF_EINVAL, "%s: %s has no bytes", S.path, owner.c_str());
        parse_raw(at->raw[0], ap->mutable_sparse_tensor(), S, "sparse tensor", owner.c_str());
        break;
    case CF_ATTR_SPARSE_TENSORS:
        need_n(at->raw);
        for (size_t i = 0; i < at->n; i++)
            parse_raw(at->raw[i], ap->add_sparse_tensors(), S, "sparse tensor", owner.c_str());
        break;
    case CF_ATTR_TYPE_PROTO:
        if (!at->raw)
            fail(S.err, CF_EINVAL, "%s: %s has no bytes", S.path, owner.c_str());
        parse_raw(at->raw[0], ap->mutable_tp(), S, "type", owner.c_str());
        break;
    case CF_ATTR_TYPE_PROTOS:
        need_n(at->raw);
        for (size_t i = 0; i < at->n; i++)
            parse_raw(at->raw[i], ap->add_type_protos(), S, "type", owner.c_str());
        break;
    default:
        break;
    }
}

const char *id_name(const cf_graph *g, int32_t id, saver &S, const cf_node *n)
{
    if (id < 0)
        return "";
    if (id >= g->n_tensors)
        fail(S.err, CF_EINVAL, "%s: layer %s refers to tensor id %d of %d", S.path, n->name,
             (int)id, (int)g->n_tensors);
    return g->tensors[id].name;
}

void write_graph(const cf_graph *g, GraphProto *gp, saver &S)
{
    /* ONNX wants every graph named; one built by hand may not be. */
    gp->set_name(g->name && g->name[0] ? g->name : g->parent ? "subgraph" : "main");
    if (g->doc)
        gp->set_doc_string(g->doc);
    for (int32_t i = 0; i < g->n_inputs; i++)
        write_value_info(&g->tensors[g->inputs[i]], gp->add_input(), S);
    for (int32_t i = 0; i < g->n_outputs; i++)
        write_value_info(&g->tensors[g->outputs[i]], gp->add_output(), S);
    for (int32_t i = 0; i < g->n_tensors; i++) {
        const cf_tensor *t = &g->tensors[i];
        if (t->flags & CF_TENSOR_INITIALIZER)
            /* The doc goes on the input's value_info when there is one. */
            write_tensor(t, gp->add_initializer(), S, !(t->flags & CF_TENSOR_INPUT));
    }
    const unsigned io = CF_TENSOR_INPUT | CF_TENSOR_OUTPUT | CF_TENSOR_INITIALIZER;
    for (int32_t i = 0; i < g->n_tensors; i++) {
        const cf_tensor *t = &g->tensors[i];
        /* An outer value's type belongs to the graph that defines it. */
        if ((t->flags & CF_TENSOR_TYPED) && !(t->flags & io) &&
            (!(t->flags & CF_TENSOR_OUTER) || (t->flags & CF_TENSOR_VALUE_INFO)))
            write_value_info(t, gp->add_value_info(), S);
    }
    for (int32_t k = 0; k < g->n_nodes; k++) {
        const cf_node *n = &g->nodes[k];
        NodeProto *np = gp->add_node();
        for (int j = 0; j < n->n_inputs; j++)
            np->add_input(id_name(g, n->inputs[j], S, n));
        for (int j = 0; j < n->n_outputs; j++)
            np->add_output(id_name(g, n->outputs[j], S, n));
        if (n->named)
            np->set_name(n->name);
        np->set_op_type(n->op_type);
        if (n->domain && n->domain[0])
            np->set_domain(n->domain);
        if (n->doc)
            np->set_doc_string(n->doc);
        for (int j = 0; j < n->n_attrs; j++)
            write_attr(n, &n->attrs[j], np->add_attribute(), S);
    }
    for (int32_t i = 0; i < g->n_sparse_initializers; i++)
        parse_raw(g->sparse_initializers[i], gp->add_sparse_initializer(), S,
                  "sparse initializer", "the graph");
}

void write_model(const cf_graph *g, ModelProto &m, saver &S)
{
    /* A graph built by hand has no IR version yet: it gets this libonnx's. */
    m.set_ir_version(g->ir_version > 0 ? g->ir_version : (int64_t)onnx::IR_VERSION);
    if (g->producer_name)
        m.set_producer_name(g->producer_name);
    if (g->producer_version)
        m.set_producer_version(g->producer_version);
    if (g->model_domain)
        m.set_domain(g->model_domain);
    if (g->model_version)
        m.set_model_version(g->model_version);
    if (g->model_doc)
        m.set_doc_string(g->model_doc);
    for (int i = 0; i < g->n_opsets; i++) {
        auto *op = m.add_opset_import();
        op->set_domain(g->opsets[i].domain ? g->opsets[i].domain : "");
        op->set_version(g->opsets[i].version);
    }
    for (int i = 0; i < g->n_metadata; i++) {
        auto *kv = m.add_metadata_props();
        kv->set_key(g->metadata[i].key ? g->metadata[i].key : "");
        kv->set_value(g->metadata[i].value ? g->metadata[i].value : "");
    }
    for (int i = 0; i < g->n_functions; i++)
        parse_raw(g->functions[i], m.add_functions(), S, "function", "the model");
    write_graph(g, m.mutable_graph(), S);
}

void write_file(const ModelProto &m, saver &S)
{
    size_t size = m.ByteSizeLong();
    if (size > (size_t)INT_MAX)
        fail(S.err, CF_EUNSUPPORTED,
             "%s: the model is %zu bytes; an ONNX file with inline data must stay under 2 GB",
             S.path, size);
    std::string tmp = std::string(S.path) + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        fail(S.err, CF_EIO, "%s: cannot create: %s", tmp.c_str(), strerror(errno));
    bool ok = m.SerializeToFileDescriptor(fd);
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp.c_str());
        fail(S.err, CF_EIO, "%s: write failed: %s", tmp.c_str(), strerror(e));
    }
    if (rename(tmp.c_str(), S.path) != 0) {
        e = errno;
        unlink(tmp.c_str());
        fail(S.err, CF_EIO, "%s: cannot rename %s into place: %s", S.path, tmp.c_str(),
             strerror(e));
    }
}

} // namespace

/* --- the C API ---------------------------------------------------------------- */

extern "C" int cf_onnx_load(const char *path, const cf_onnx_load_opts *opts, cf_graph **out,
                            cf_error *err)
{
    if (!path || !out)
        return cf_error_set(err, CF_EINVAL, "cf_onnx_load: no path or no output given");
    return guarded(err, path, [&]() -> int {
        ModelProto m;
        size_t bytes;
        {
            malloc_buf buf;
            read_file(err, path, buf);
            parse_model(err, path, buf.p, buf.n, m);
            bytes = buf.n;
        } /* the file's bytes go before the graph is built */
        loader L;
        L.err = err;
        L.name = path;
        L.has_base = true;
        L.base_dir = dir_of(path);
        return load_parsed(L, m, bytes, opts, path, out);
    });
}

extern "C" int cf_onnx_load_buffer(const void *buf, size_t len, const char *name,
                                   const char *base_dir, const cf_onnx_load_opts *opts,
                                   cf_graph **out, cf_error *err)
{
    if (!name)
        name = "(buffer)";
    if ((!buf && len) || !out)
        return cf_error_set(err, CF_EINVAL, "%s: no bytes or no output given", name);
    return guarded(err, name, [&]() -> int {
        ModelProto m;
        parse_model(err, name, buf ? buf : "", len, m);
        loader L;
        L.err = err;
        L.name = name;
        L.has_base = base_dir != nullptr;
        L.base_dir = base_dir ? base_dir : "";
        return load_parsed(L, m, len, opts, nullptr, out);
    });
}

extern "C" int cf_onnx_save(const cf_graph *g, const char *path, cf_error *err)
{
    if (!g || !path)
        return cf_error_set(err, CF_EINVAL, "cf_onnx_save: no graph or no path given");
    if (g->parent)
        return cf_error_set(err, CF_EINVAL, "%s: only a root graph can be saved as a model", path);
    return guarded(err, path, [&]() -> int {
        saver S{err, path};
        ModelProto m;
        write_model(g, m, S);
        write_file(m, S);
        return 0;
    });
}

extern "C" int cf_onnx_check_file(const char *path, cf_error *err)
{
    if (!path)
        return cf_error_set(err, CF_EINVAL, "cf_onnx_check_file: no path given");
    return guarded(err, path, [&]() -> int {
        ModelProto m;
        {
            malloc_buf buf;
            read_file(err, path, buf);
            parse_model(err, path, buf.p, buf.n, m);
        }
        loader L;
        L.err = err;
        L.name = path;
        L.has_base = true;
        L.base_dir = dir_of(path);
        scan_graph(L, *m.mutable_graph());
        run_checker(L, m);
        return 0;
    });
}

extern "C" int cf_onnx_load_tensor(const char *path, cf_graph *g, cf_tensor **out,
                                   cf_error *err)
{
    if (!path || !g || !out)
        return cf_error_set(err, CF_EINVAL, "cf_onnx_load_tensor: missing argument");
    return guarded(err, path, [&]() -> int {
        TensorProto t;
        {
            malloc_buf buf;
            read_file(err, path, buf);
            if (buf.n > (size_t)INT_MAX || !t.ParseFromArray(buf.p, (int)buf.n))
                fail(err, CF_EFORMAT, "%s: not a serialized ONNX TensorProto, or truncated", path);
        }
        loader L;
        L.err = err;
        L.name = path;
        L.has_base = true;
        L.base_dir = dir_of(path);
        L.arena = g->arena;
        scan_tensor(L, t);
        *out = attr_tensor(L, t);
        return 0;
    });
}
