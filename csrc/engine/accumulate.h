/* accumulate.h -- an epoch of SGD with gradients accumulated over k
 * mini-batches: one step, and one sum across processes, per k mini-batches.
 * It computes the step of a mini-batch of k m items (the mean gradient over
 * them, eta / (k m)), not k steps of m items: fewer, larger steps.  The unit of
 * work is a whole mini-batch of m items (one forward and backward pass, on one
 * thread), so the gradient of each does not depend on the processes: with P
 * processes (k / P a power of two, so that each holds a whole subtree) process
 * r computes mini-batches [r k / P, (r + 1) k / P) of every group, and the k
 * gradients are summed in lnn_reduce_tree's fixed pairwise tree, the part
 * above the processes by the reducer's tree sum: the same bits as one process
 * (which takes any k).  No threads, no MPI, no allocation here. */
#ifndef LNN_ACCUMULATE_H
#define LNN_ACCUMULATE_H

#include "net.h"

/* Floats of memory lnn_train_epoch_accumulate needs: a workspace of `batch`
 * items (with its dropout masks) and the gradient blocks of the tree over
 * `slots` (k / P) mini-batches (log2(slots) + 1 of them). */
size_t lnn_accumulate_floats(const lnn_net *net, size_t batch, int slots);

/* One epoch over data in the order perm[0..n-1], in groups of k mini-batches
 * of s->batch items (the last group, and its last mini-batch, may be shorter):
 * every mini-batch's dropout masks drawn from drop in order (on every
 * process), the gradients of this process's mini-batches of the group (each
 * one pass), their sum in the fixed tree (slots of mini-batches past the end
 * hold -0.0, the exact identity of float addition), red->tree (red NULL: one
 * process), then one step with m = the group's items.  With red, k must be
 * a multiple of red->size and k / size a power of two (any k for one
 * process), and red->tree must be set.  mem: lnn_accumulate_floats(net,
 * s->batch, k / size) floats.  Returns LNN_OK or red->tree's status (err
 * filled), the epoch stopped before that step. */
int lnn_train_epoch_accumulate(const lnn_net *net, float *mem, const lnn_data *data,
                               const uint32_t *perm, const lnn_sgd *s, int k, float *vel,
                               lnn_rng *drop, const lnn_reducer *red, const lnn_kernels *K,
                               lnn_error *err);

#endif
