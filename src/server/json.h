/* leadscore — internal: JSON for the service's responses and small request
 * objects. Pure. */
#ifndef LEADSCORE_SERVER_JSON_H
#define LEADSCORE_SERVER_JSON_H

#include <stddef.h>

#include "leadscore/export.h"
#include "leadscore/store.h"

/* Appends p[0..n) as a JSON string literal (control characters escaped;
 * bytes >= 0x80 copied as they are). */
int ls__json_str(ls_buf *b, const char *p, size_t n);
int ls__json_cstr(ls_buf *b, const char *s); /* NULL: "" */
/* Appends why-hot items (ls_why_top) as a JSON array of {"rule", "label",
 * "label_ja", "count", "points"}, labels from `m`. */
int ls__json_why_reasons(ls_buf *b, const ls_model *m, const ls_why_item *v, size_t n);
/* Reads a flat JSON object of string and string-array members, calling fn
 * per member (arrays: once per element, in order). LS_EINVAL with *err
 * (static text) when it is not such an object; fn's non-zero stops it. */
int ls__json_object(const char *p, size_t n,
                    int (*fn)(void *ud, const char *key, const char *val, size_t len), void *ud,
                    const char **err);

#endif
