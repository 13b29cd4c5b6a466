/* limits.h -- every size limit of lnn, in one place.  The core checks the
 * ones a network's shape depends on (net.c, parallel.c), the bindings the rest
 * before the core runs; core.limits lists each by name (lua_net.c), so the Lua
 * modules and the command line read them from there and never restate one. */
#ifndef LNN_LIMITS_H
#define LNN_LIMITS_H

#define LNN_LIMIT_LAYER (1 << 24)          /* units in one layer (a conv-pool's c*h*w too) */
#define LNN_LIMIT_LAYERS 32                /* layers in one network (so sizes: 33 at most) */
#define LNN_LIMIT_CONV 4096                /* a conv-pool's channels, image sides, filters */
#define LNN_LIMIT_BATCH (1 << 20)          /* items in one mini-batch */
#define LNN_LIMIT_ACCUMULATE 1024          /* mini-batches summed into one step (train_epoch accumulate) */
#define LNN_LIMIT_THREADS 256              /* the thread count core.threads accepts ... */
#define LNN_LIMIT_RUN_THREADS 16           /* ... and the most threads that run at once */
#define LNN_LIMIT_CLASSES 256              /* classes of a data set (labels are bytes) */
#define LNN_LIMIT_PARAMS ((size_t)1 << 30) /* parameters of a network a model file holds */

#endif
