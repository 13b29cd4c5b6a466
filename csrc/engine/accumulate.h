/* accumulate.h -- an epoch of SGD with gradients accumulated over k
 * mini-batches: one step, and one sum across processes, per k mini-batches.
 * It computes the step of a mini-batch of k m items (the mean gradient over
 * them, eta / (k m)), not k steps of m items: fewer, larger steps.
 * The unit of work is a chunk: a group of k mini-batches (g <= k m items) is
 * cut into c = min(k, LNN_ACCUMULATE_CHUNKS) chunks, chunk i the items
 * [g i / c, g (i + 1) / c) (for k <= 16 and a whole group, mini-batch i), each
 * one forward and backward pass on one thread; the c gradients are summed in
 * lnn_reduce_tree's fixed pairwise tree.  So no gradient depends on the
 * processes: with P of them (c / P a power of two, so that each holds a whole
 * subtree) process r computes chunks [r c / P, (r + 1) c / P) and the
 * reducer's tree sum adds the part above the processes: the same bits as one
 * process.  No threads, no MPI, no allocation here. */
#ifndef LNN_ACCUMULATE_H
#define LNN_ACCUMULATE_H

#include "net.h"

/* Chunks a group is cut into, at most: passes of k m / 16 items once k > 16
 * (a chunk's gradient block is zeroed and summed once a chunk, so fewer,
 * larger chunks cost less), and up to 16 processes share them. */
#define LNN_ACCUMULATE_CHUNKS 16

/* c, the chunks of a group of k mini-batches: min(k, LNN_ACCUMULATE_CHUNKS). */
int lnn_accumulate_chunks(int k);
/* Whether P processes can share the chunks of k: one process always, more
 * when c is a multiple of P and c / P a power of two. */
int lnn_accumulate_shares(int k, int P);
/* Items of the largest chunk of mini-batches of `batch` items. */
size_t lnn_accumulate_cap(size_t batch, int k);

/* Floats of memory lnn_train_epoch_accumulate needs on one of P processes: a
 * workspace of lnn_accumulate_cap items (with its dropout masks and a
 * gradient block) and the tree's other blocks (log2(c / P) of them). */
size_t lnn_accumulate_floats(const lnn_net *net, size_t batch, int k, int P);

/* One epoch over data in the order perm[0..n-1], in groups of k mini-batches
 * of s->batch items (the last group may be shorter, even than its chunks:
 * an empty chunk's gradient is -0.0, the identity of float addition): every
 * chunk's dropout masks drawn from drop in order (on every process), the
 * gradients of this process's chunks, their sum in the fixed tree, red->tree
 * (red NULL: one process), then one step with m = the group's items.  With
 * red, lnn_accumulate_shares(k, red->size) must hold and red->tree be set.
 * mem: lnn_accumulate_floats(net, s->batch, k, size) floats.  Returns LNN_OK
 * or the reducer's status (err filled), the epoch stopped before that step.
 * overlap (with red, whose start, poke and finish must be set): the sum over
 * the processes is started in buckets of whole layers (at least 16,384 floats,
 * from the last layer down) as the backward pass of this process's last
 * chunk of the group finishes each, and finished before the step: the same
 * bits as without, the communication hidden behind the layers below. */
int lnn_train_epoch_accumulate(const lnn_net *net, float *mem, const lnn_data *data,
                               const uint32_t *perm, const lnn_sgd *s, int k, int overlap,
                               float *vel, lnn_rng *drop, const lnn_reducer *red,
                               const lnn_kernels *K, lnn_error *err);

#endif
