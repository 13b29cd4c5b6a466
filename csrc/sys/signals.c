/* signals.c -- the flag behind lnn_signals_pending, and the second signal's
 * hard stop.  Only async-signal-safe calls in the handler (unlink, sigaction,
 * raise); no printing here: the script says what happened. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static volatile sig_atomic_t caught;    /* the first signal since install/reset, or 0 */
static volatile sig_atomic_t installed; /* 1 while our handler is in place */
static volatile sig_atomic_t at_once;   /* 1: the first signal already stops (lnn_signals_at_once) */
static struct sigaction old_int, old_term;

/* the save in progress: have is 1 only while tmp holds a whole path */
static volatile sig_atomic_t have_tmp;
static char tmp_path[4096];

static void on_signal(int sig) {
  if (caught == 0 && !at_once) {
    caught = sig;
    return;
  }
  /* the second: stop now, as the default action would, minus the temporary file */
  if (have_tmp) unlink(tmp_path);
  signal(sig, SIG_DFL);
  raise(sig);
}

int lnn_signals_install(lnn_error *err) {
  struct sigaction sa;
  caught = 0;
  if (installed) return LNN_OK;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* a read or write in progress goes on; the flag is read later */
  if (sigaction(SIGINT, &sa, &old_int) != 0)
    return lnn_error_set(err, LNN_EIO, "cannot install the SIGINT handler");
  if (sigaction(SIGTERM, &sa, &old_term) != 0) {
    sigaction(SIGINT, &old_int, NULL);
    return lnn_error_set(err, LNN_EIO, "cannot install the SIGTERM handler");
  }
  installed = 1;
  return LNN_OK;
}

void lnn_signals_restore(void) {
  if (installed) {
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    installed = 0;
  }
  caught = 0;
  at_once = 0;
}

int lnn_signals_pending(void) { return (int)caught; }

void lnn_signals_at_once(int on) { at_once = on ? 1 : 0; }

int lnn_signals_mode(void) { return !installed ? 0 : at_once ? 2 : 1; }

void lnn_signals_reset(void) { caught = 0; }

void lnn_atomic_register(const char *tmp) {
  have_tmp = 0;
  if (tmp != NULL && strlen(tmp) < sizeof tmp_path) {
    memcpy(tmp_path, tmp, strlen(tmp) + 1);
    have_tmp = 1;
  }
}
