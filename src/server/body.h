/* leadscore — internal: splitting a POST /v1/events body into events. Pure.
 *
 * A JSON array body (`[{...}, {...}]`) is split at its top-level commas by
 * a structural scan (strings, escapes, nesting); each element is then an
 * event line for the strict event parser. A JSON Lines body is split at
 * LF. Either way the items borrow from the body. */
#ifndef LEADSCORE_SERVER_BODY_H
#define LEADSCORE_SERVER_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "leadscore/event.h"

#define LS__BODY_MAX_DEPTH 512

typedef struct ls__body {
  ls_slice *items;
  size_t n, cap;
  /* on LS_EINVAL: where and why */
  size_t err_off;
  const char *err;
} ls__body;

/* Splits body[0..n) (array: a JSON array, else JSON Lines; a JSON Lines
 * body's empty lines are not items). More than max_items items is
 * LS_ERANGE. LS_EINVAL: not a well-formed array (err, err_off). Items are
 * appended to b (zeroed before the first call; free with ls__body_free). */
int ls__body_split(ls__body *b, const char *p, size_t n, bool array, size_t max_items);
void ls__body_free(ls__body *b);

#endif
