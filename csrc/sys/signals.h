/* signals.h -- SIGINT and SIGTERM during a long run: the first one only sets
 * a flag that the epoch driver reads at its next safe point (after a
 * checkpoint and the metrics are written); a second one restores the default
 * action, removes the temporary file of a save in progress and re-raises, so
 * the process stops at once and the last whole checkpoint stays.  The state
 * is process-wide by nature: a signal handler has nowhere else to keep it. */
#ifndef LNN_SIGNALS_H
#define LNN_SIGNALS_H

#include "base/lnn.h"

/* Installs the handler for SIGINT and SIGTERM (remembering the actions it
 * replaces) and clears the flag.  Installing twice is the same as once. */
int lnn_signals_install(lnn_error *err);
/* Puts back the actions lnn_signals_install replaced; clears the flag. */
void lnn_signals_restore(void);
/* The first signal caught since install or reset (SIGINT or SIGTERM), or 0. */
int lnn_signals_pending(void);
/* Forgets a caught signal (the next one again only sets the flag). */
void lnn_signals_reset(void);
/* on: the first signal already stops at once, as a second does (for work that
 * keeps nothing between its steps: a long C call then ends within the signal's
 * delivery, not when it returns); off: the first only sets the flag. */
void lnn_signals_at_once(int on);
/* 0: the handler is not installed; 1: a first signal sets the flag; 2: at once. */
int lnn_signals_mode(void);
/* The temporary file of the save in progress (NULL: none), for the second
 * signal to remove; fileio.c calls this around every atomic write. */
void lnn_atomic_register(const char *tmp);

#endif
