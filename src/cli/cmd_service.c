/* leadscore keys … and leadscore webhooks …: the service's records on the
 * command line. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "leadscore/server.h"
#include "leadscore/store.h"

static const char keys_usage[] =
    "usage: leadscore keys create --db FILE --scope SCOPES --name NAME\n"
    "       leadscore keys list --db FILE\n"
    "       leadscore keys revoke --db FILE --name NAME\n"
    "\n"
    "API keys for leadscore serve. SCOPES: a comma-separated list of ingest\n"
    "(POST /v1/events), read (the lead API), sales (sales events), admin\n"
    "(everything: erasure, webhooks). `create` prints the key once on standard\n"
    "output; the store keeps only its SHA-256. A server sees new and revoked\n"
    "keys within a second.\n";

static const char hooks_usage[] =
    "usage: leadscore webhooks add --db FILE --url URL --events EVENTS --secret S\n"
    "       leadscore webhooks list --db FILE\n"
    "       leadscore webhooks remove --db FILE ID\n"
    "       leadscore webhooks status --db FILE\n"
    "\n"
    "Webhook subscriptions of leadscore serve. EVENTS: a comma-separated list\n"
    "of mql, stage_changed, task_due, sla_breached. Each delivery is a POST of\n"
    "JSON signed with HMAC-SHA256 of \"TIMESTAMP.BODY\" under the secret\n"
    "(docs/webhooks.md). `status` counts deliveries by state (pending,\n"
    "delivered, dead, cancelled: a task or time limit of a stage the person\n"
    "left) and lists the dead ones.\n";

/* --db, --name, --scope, --url, --events, --secret; one positional. */
typedef struct args {
  const char *db, *name, *scope, *url, *events, *secret, *pos;
} args;

static int parse(int argc, char **argv, const char *usage, args *a) {
  memset(a, 0, sizeof *a);
  const ls_cli_named named[] = {{"--db", &a->db},         {"--name", &a->name},
                                {"--scope", &a->scope},   {"--url", &a->url},
                                {"--events", &a->events}, {"--secret", &a->secret}};
  int npos = 0;
  return ls_cli_named_opts(argc, argv, 2, usage, named, sizeof named / sizeof *named, NULL, 0,
                           &a->pos, 1, &npos, &a->db);
}

static bool need(const char *cmd, const char *what, const char *v) {
  if (v) return true;
  ls_cli_error("%s: %s is required (see --help)", cmd, what);
  return false;
}

static void when(int64_t ms, char *buf, size_t cap) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int print_key(void *ud, const ls_store_key *k) {
  (void)ud;
  char c[32], r[32] = "";
  when(k->created_ms, c, sizeof c);
  if (k->revoked_ms) when(k->revoked_ms, r, sizeof r);
  printf("%-24s %-28s created %s%s%s\n", k->name, k->scopes, c, r[0] ? "  revoked " : "", r);
  return 0;
}

int ls_cmd_keys(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(keys_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? LS_EXIT_USAGE : LS_EXIT_OK;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "create") && strcmp(sub, "list") && strcmp(sub, "revoke")) {
    ls_cli_error("keys: unknown subcommand \"%s\" (create, list, revoke)", sub);
    return LS_EXIT_USAGE;
  }
  args a;
  int code = parse(argc, argv, keys_usage, &a);
  if (code >= 0) return code;
  if (!strcmp(sub, "create") && (!need("keys create", "--scope", a.scope) ||
                                 !need("keys create", "--name", a.name)))
    return LS_EXIT_USAGE;
  if (!strcmp(sub, "revoke") && !need("keys revoke", "--name", a.name)) return LS_EXIT_USAGE;
  code = LS_EXIT_OK;
  ls_store *s = ls_cli_open_store(a.db, &code);
  if (!s) return code;
  int rc;
  if (!strcmp(sub, "create")) {
    char key[64], why[256] = "";
    rc = ls_server_key_create(s, a.name, a.scope, key, sizeof key, why, sizeof why);
    if (rc == LS_EINVAL) {
      ls_cli_error("keys create: %s", why);
      code = LS_EXIT_USAGE;
    } else if (!rc) {
      printf("%s\n", key);
      fprintf(stderr, "leadscore: key \"%s\" (%s) created; it is not shown again\n", a.name,
              a.scope);
    }
  } else if (!strcmp(sub, "list")) {
    rc = ls_store_key_scan(s, print_key, NULL);
  } else {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    rc = ls_store_key_revoke(s, a.name, (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000);
    if (rc == LS_ENOTFOUND) {
      ls_cli_error("keys revoke: no active key is named \"%s\"", a.name);
      code = LS_EXIT_DATA;
      rc = LS_OK;
    }
  }
  if (rc && code == LS_EXIT_OK) {
    ls_cli_error("%s: %s", a.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  }
  ls_store_close(s);
  return code;
}

static int print_hook(void *ud, const ls_store_hook *h) {
  (void)ud;
  printf("%" PRId64 "  %s  %s\n", h->id, h->events, h->url);
  return 0;
}

typedef struct tally {
  uint64_t n[4];
} tally;

static int count(void *ud, const ls_store_delivery *d) {
  tally *t = ud;
  if (d->status >= 0 && d->status < 4) t->n[d->status]++;
  return 0;
}

static int print_dead(void *ud, const ls_store_delivery *d) {
  (void)ud;
  char c[32];
  when(d->created_ms, c, sizeof c);
  printf("  dead %s  webhook %" PRId64 "  %s  %.*s  %d attempts  %s  (created %s)\n",
         d->delivery_id, d->hook, d->kind, (int)d->person.n, d->person.p, d->attempts,
         d->last_error ? d->last_error : "", c);
  return 0;
}

int ls_cmd_webhooks(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(hooks_usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? LS_EXIT_USAGE : LS_EXIT_OK;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "add") && strcmp(sub, "list") && strcmp(sub, "remove") &&
      strcmp(sub, "status")) {
    ls_cli_error("webhooks: unknown subcommand \"%s\" (add, list, remove, status)", sub);
    return LS_EXIT_USAGE;
  }
  args a;
  int code = parse(argc, argv, hooks_usage, &a);
  if (code >= 0) return code;
  if (!strcmp(sub, "add") &&
      (!need("webhooks add", "--url", a.url) || !need("webhooks add", "--events", a.events) ||
       !need("webhooks add", "--secret", a.secret)))
    return LS_EXIT_USAGE;
  if (!strcmp(sub, "remove") && !need("webhooks remove", "ID", a.pos)) return LS_EXIT_USAGE;
  code = LS_EXIT_OK;
  ls_store *s = ls_cli_open_store(a.db, &code);
  if (!s) return code;
  int rc;
  if (!strcmp(sub, "add")) {
    int64_t id = 0;
    char why[256] = "";
    rc = ls_server_hook_add(s, a.url, a.events, a.secret, &id, why, sizeof why);
    if (rc == LS_EINVAL) {
      ls_cli_error("webhooks add: %s", why);
      code = LS_EXIT_USAGE;
    } else if (!rc) {
      printf("%" PRId64 "\n", id);
    }
  } else if (!strcmp(sub, "list")) {
    rc = ls_store_hook_scan(s, print_hook, NULL);
  } else if (!strcmp(sub, "remove")) {
    rc = ls_store_hook_delete(s, strtoll(a.pos, NULL, 10));
    if (rc == LS_ENOTFOUND) {
      ls_cli_error("webhooks remove: no webhook %s", a.pos);
      code = LS_EXIT_DATA;
      rc = LS_OK;
    }
  } else {
    tally t = {{0, 0, 0, 0}};
    rc = ls_store_outbox_scan(s, NULL, count, &t);
    if (!rc)
      printf("pending %" PRIu64 "\ndelivered %" PRIu64 "\ndead %" PRIu64 "\ncancelled %" PRIu64
             "\n", t.n[0], t.n[1], t.n[2], t.n[3]);
    int dead = LS_DELIVERY_DEAD;
    if (!rc && t.n[2]) rc = ls_store_outbox_scan(s, &dead, print_dead, NULL);
  }
  if (rc && code == LS_EXIT_OK) {
    ls_cli_error("%s: %s", a.db, ls_strerror(rc));
    code = LS_EXIT_IO;
  }
  ls_store_close(s);
  return code;
}
