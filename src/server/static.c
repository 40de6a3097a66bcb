/* The dashboard's built files (web/dist: index.html and assets/NAME),
 * read once at start and answered from memory: a few hundred kilobytes,
 * no file system access per request, and nothing outside that folder can
 * be named (asset names are flat: letters, digits, '.', '-', '_'). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/grow.h"
#include "server/internal.h"

enum { MAX_FILES = 256, MAX_BYTES = 32 << 20 };

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},   {".map", "application/json"},
    {".json", "application/json"},         {".svg", "image/svg+xml"},
    {".png", "image/png"},                 {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},              {".txt", "text/plain; charset=utf-8"},
};

static const char *type_of(const char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
    size_t e = strlen(types[i].ext);
    if (n > e && !strcmp(name + n - e, types[i].ext)) return types[i].type;
  }
  return NULL; /* not served */
}

static bool flat_name(const char *s) {
  if (!*s || *s == '.') return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '.' || *s == '-' || *s == '_'))
      return false;
  return true;
}

static int fail(ls_diag *d, const char *fmt, const char *a, const char *b) {
  if (d) snprintf(d->msg, sizeof d->msg, fmt, a, b);
  return LS_EIO;
}

/* Adds file `path` as url `url`. */
static int add(ls__static *st, const char *url, const char *path, ls_diag *d) {
  FILE *f = fopen(path, "rb");
  if (!f) return fail(d, "--web: cannot read %s: %s", path, strerror(errno));
  struct stat sb;
  int rc = fstat(fileno(f), &sb) ? LS_EIO : LS_OK;
  size_t n = rc ? 0 : (size_t)sb.st_size;
  if (!rc && (st->n >= MAX_FILES || st->bytes + n > MAX_BYTES)) {
    fclose(f);
    return fail(d, "--web: %s: more than 256 files or 32 MiB%s", path, "");
  }
  ls__static_file *x = NULL;
  if (!rc && ls__grow((void **)&st->files, &st->cap, st->n + 1, sizeof *st->files)) rc = LS_ENOMEM;
  if (!rc) {
    x = &st->files[st->n];
    x->url = strdup(url);
    x->data = malloc(n ? n : 1);
    x->len = n;
    x->type = type_of(path); /* "/" is index.html */
    if (!x->url || !x->data) rc = LS_ENOMEM;
    else if (n && fread(x->data, 1, n, f) != n) rc = LS_EIO;
    st->n++; /* freed with the rest on failure */
    st->bytes += n;
  }
  fclose(f);
  if (rc == LS_EIO) return fail(d, "--web: cannot read %s: %s", path, strerror(errno));
  return rc;
}

void ls__static_free(ls__static *st) {
  for (size_t i = 0; i < st->n; i++) {
    free(st->files[i].url);
    free(st->files[i].data);
  }
  free(st->files);
  memset(st, 0, sizeof *st);
}

int ls__static_load(ls__static *st, const char *root, ls_diag *d) {
  memset(st, 0, sizeof *st);
  char path[4096];
  snprintf(path, sizeof path, "%s/index.html", root);
  int rc = add(st, "/", path, d);
  if (rc == LS_EIO && d)
    snprintf(d->msg, sizeof d->msg,
             "--web %s: no index.html there (build the dashboard: make web)", root);
  snprintf(path, sizeof path, "%s/assets", root);
  DIR *dir = rc ? NULL : opendir(path);
  for (struct dirent *e; dir && !rc && (e = readdir(dir));) {
    if (!flat_name(e->d_name) || !type_of(e->d_name)) continue;
    char url[512], file[4096 + 512];
    snprintf(url, sizeof url, "/assets/%s", e->d_name);
    snprintf(file, sizeof file, "%s/%s", path, e->d_name);
    struct stat sb;
    if (stat(file, &sb) || !S_ISREG(sb.st_mode)) continue;
    rc = add(st, url, file, d);
  }
  if (dir) closedir(dir);
  if (rc) ls__static_free(st);
  return rc;
}

const ls__static_file *ls__static_find(const ls__static *st, const char *url) {
  for (size_t i = 0; i < st->n; i++)
    if (!strcmp(st->files[i].url, url)) return &st->files[i];
  return NULL;
}

enum MHD_Result ls__static_serve(struct MHD_Connection *c, ls__req *r, const ls__static_file *f) {
  /* HEAD: libmicrohttpd sends the headers (with the length) and no body */
  struct MHD_Response *res = MHD_create_response_from_buffer(f->len, f->data, MHD_RESPMEM_PERSISTENT);
  if (!res) return MHD_NO;
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, f->type);
  /* the files change only with a rebuild and a restart: revalidate */
  MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(res, "Content-Security-Policy",
                          "default-src 'self'; img-src 'self' data: blob:; "
                          "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  MHD_add_response_header(res, "Referrer-Policy", "no-referrer");
  r->status = 200;
  enum MHD_Result ok = MHD_queue_response(c, 200, res);
  MHD_destroy_response(res);
  return ok;
}
