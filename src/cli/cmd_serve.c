/* leadscore serve: the HTTP service on a store, until SIGTERM or SIGINT. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "leadscore/server.h"

static const char usage[] =
    "usage: leadscore serve --db FILE [--listen HOST:PORT] [--clock wall|event]\n"
    "                       [--threads N] [--body-limit BYTES] [--max-events N]\n"
    "                       [--log FILE|-|none] [--port-file FILE] [--web DIR]\n"
    "                       [--webhook-attempts N] [--webhook-backoff MS]\n"
    "                       [--webhook-timeout MS]\n"
    "       leadscore serve --routes\n"
    "\n"
    "Serves the store over HTTP (docs/openapi.yaml): POST /v1/events, the lead\n"
    "API, webhooks, /healthz and /metrics. Listens on 127.0.0.1:8080 by default\n"
    "(PORT 0: any free port, written to --port-file). Refuses a non-loopback\n"
    "address while the store has no API key (leadscore keys create).\n"
    "\n"
    "--clock wall (default): reads are as of now (decay follows the real\n"
    "clock); event: as of the latest event time (for loading history, tests).\n"
    "One JSON line per request goes to --log (default: standard error).\n"
    "SIGTERM or SIGINT: stop accepting, finish the requests in flight, exit 0.\n"
    "--web DIR serves the built dashboard (make web: web/dist) at / and\n"
    "/assets/; it signs in with an API key of the read scope.\n"
    "--routes prints every route with the API key scope it needs.\n"
    "\n"
    "Exit status: 0 stopped by a signal, 2 usage error, 3 the store or the\n"
    "address could not be used.\n";

static bool num(const char *opt, const char *v, long long lo, long long hi, long long *out) {
  char *end = NULL;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (!*v || *end || errno || x < lo || x > hi) {
    ls_cli_error("%s must be an integer from %lld to %lld, not \"%s\"", opt, lo, hi, v);
    return false;
  }
  *out = x;
  return true;
}

/* HOST:PORT or [V6]:PORT into host (a copy in buf) and port. */
static bool listen_addr(const char *v, char *buf, size_t cap, ls_server_config *c) {
  const char *colon = strrchr(v, ':');
  if (!colon || colon == v) {
    ls_cli_error("--listen takes HOST:PORT (e.g. 127.0.0.1:8080), not \"%s\"", v);
    return false;
  }
  size_t hn = (size_t)(colon - v);
  const char *h = v;
  if (h[0] == '[' && hn >= 2 && h[hn - 1] == ']') h++, hn -= 2;
  if (hn + 1 > cap) return false;
  memcpy(buf, h, hn);
  buf[hn] = '\0';
  long long port;
  if (!num("--listen port", colon + 1, 0, 65535, &port)) return false;
  c->host = buf;
  c->port = (uint16_t)port;
  return true;
}

static void print_route(void *ud, const char *method, const char *path, const char *scope) {
  (void)ud;
  printf("%-7s %-28s %s\n", method, path, scope[0] ? scope : "-");
}

int ls_cmd_serve(int argc, char **argv) {
  ls_server_config c;
  ls_server_config_init(&c);
  char host[256];
  const char *log = "-", *port_file = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    long long x;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      fputs(usage, stdout);
      return LS_EXIT_OK;
    }
    if (!strcmp(a, "--routes")) { /* what docs/openapi.yaml must describe */
      ls_server_each_route(print_route, NULL);
      return LS_EXIT_OK;
    }
    if (!v) {
      ls_cli_error("serve: %s: unknown option or missing value (see --help)", a);
      return LS_EXIT_USAGE;
    }
    i++;
    if (!strcmp(a, "--db")) c.db = v;
    else if (!strcmp(a, "--listen")) {
      if (!listen_addr(v, host, sizeof host, &c)) return LS_EXIT_USAGE;
    } else if (!strcmp(a, "--clock")) {
      if (strcmp(v, "wall") && strcmp(v, "event")) {
        ls_cli_error("--clock is wall or event, not \"%s\"", v);
        return LS_EXIT_USAGE;
      }
      c.event_clock = !strcmp(v, "event");
    } else if (!strcmp(a, "--threads")) {
      if (!num(a, v, 1, 64, &x)) return LS_EXIT_USAGE;
      c.threads = (unsigned)x;
    } else if (!strcmp(a, "--body-limit")) {
      if (!num(a, v, 1024, (long long)1 << 30, &x)) return LS_EXIT_USAGE;
      c.body_limit = (size_t)x;
    } else if (!strcmp(a, "--max-events")) {
      if (!num(a, v, 1, 1000000, &x)) return LS_EXIT_USAGE;
      c.max_events = (size_t)x;
    } else if (!strcmp(a, "--webhook-attempts")) {
      if (!num(a, v, 1, 100, &x)) return LS_EXIT_USAGE;
      c.hook_max_attempts = (int)x;
    } else if (!strcmp(a, "--webhook-backoff")) {
      if (!num(a, v, 1, 3600000, &x)) return LS_EXIT_USAGE;
      c.hook_backoff_ms = x;
    } else if (!strcmp(a, "--webhook-timeout")) {
      if (!num(a, v, 1, 600000, &x)) return LS_EXIT_USAGE;
      c.hook_timeout_ms = x;
    } else if (!strcmp(a, "--log")) log = v;
    else if (!strcmp(a, "--port-file")) port_file = v;
    else if (!strcmp(a, "--web")) c.web_root = v;
    else {
      ls_cli_error("serve: unknown option %s (see --help)", a);
      return LS_EXIT_USAGE;
    }
  }
  if (!c.db) {
    ls_cli_error("serve: --db FILE is required (see --help)");
    return LS_EXIT_USAGE;
  }
  FILE *logf = NULL;
  if (!strcmp(log, "none")) c.log = NULL;
  else if (strcmp(log, "-") && !(c.log = logf = fopen(log, "a"))) {
    ls_cli_error("--log %s: %s", log, strerror(errno));
    return LS_EXIT_IO;
  }
  /* the threads the server starts inherit this mask: signals come here */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  ls_server *s = NULL;
  ls_diag d = {0};
  int rc = ls_server_start(&c, &s, &d);
  if (rc) {
    ls_cli_error("serve: %s", d.msg[0] ? d.msg : ls_strerror(rc));
    if (logf) fclose(logf);
    return rc == LS_EINVAL ? LS_EXIT_USAGE : LS_EXIT_IO;
  }
  fprintf(stderr, "leadscore: listening on %s%s%s:%u (clock: %s)\n", strchr(c.host, ':') ? "[" : "",
          c.host, strchr(c.host, ':') ? "]" : "", (unsigned)ls_server_port(s),
          c.event_clock ? "event" : "wall");
  if (ls_server_open_access(s))
    ls_cli_warn("the store has no API key: the API is open to this machine until one is "
                "created (leadscore keys create)");
  if (port_file) {
    FILE *f = fopen(port_file, "w");
    if (!f || fprintf(f, "%u\n", (unsigned)ls_server_port(s)) < 0 || fclose(f)) {
      ls_cli_error("--port-file %s: %s", port_file, strerror(errno));
      ls_server_stop(s);
      if (logf) fclose(logf);
      return LS_EXIT_IO;
    }
  }
  int sig = 0;
  do {
    sigwait(&set, &sig);
  } while (sig == SIGPIPE);
  fprintf(stderr, "leadscore: %s: draining\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  ls_server_stop(s);
  if (logf) fclose(logf);
  fprintf(stderr, "leadscore: stopped\n");
  return LS_EXIT_OK;
}
