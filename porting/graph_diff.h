/* graph_diff.h — are two graphs the same model?
 *
 * The round-trip test (load, save, load again) and pass tests need one
 * answer to "did anything the model means change?", and when it did, the
 * first place it changed in words a porting engineer can follow. Compared:
 * opset imports; graph inputs and outputs (in order: name, element type,
 * shape, non-tensor type); initializers by name (element type, shape, bytes
 * or strings); nodes in order (op, domain, given names, inputs and outputs by
 * tensor name, attributes of every kind, subgraphs recursively). Not compared:
 * doc strings, producer and other metadata, names the bridge made up for
 * unnamed layers, intermediate value_info. */
#ifndef CF_GRAPH_DIFF_H
#define CF_GRAPH_DIFF_H

#include <stddef.h>

#include "graph.h"

/* 0 when a and b are the same model, 1 when they differ; then `why` (may be
 * NULL) holds a message naming the first difference ("layer 3 (conv1):
 * attribute 'pads': value 1 differs: 1 vs 0"). */
int cf_graph_diff(const cf_graph *a, const cf_graph *b, char *why, size_t why_size);

#endif
