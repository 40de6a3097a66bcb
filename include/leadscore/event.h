/* leadscore — the event-line parser (spec §1, §9). Pure: no I/O, no globals.
 *
 * One parser per thread. It validates one JSON Lines line strictly (UTF-8,
 * duplicate keys in any object, escapes, the JSON grammar) without building a
 * DOM, and extracts the fields the engine needs plus the `props` / `attrs`
 * members the caller asked for (its "schema"), so that nothing is allocated
 * per event once the parser's scratch space has grown to the longest line. */
#ifndef LEADSCORE_EVENT_H
#define LEADSCORE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "leadscore/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A borrowed byte string (not NUL-terminated; may contain NUL bytes that
 * came from \u0000 escapes). n == 0 with p == NULL means absent. */
typedef struct ls_slice {
  const char *p;
  size_t n;
} ls_slice;

typedef enum ls_jkind {
  LS_J_ABSENT = 0, /* the member was not in the object */
  LS_J_STRING,     /* .s is the decoded string (escapes resolved) */
  LS_J_NUMBER,     /* .s is the number's text exactly as in the input */
  LS_J_TRUE,
  LS_J_FALSE,
  LS_J_NULL,
  LS_J_OBJECT, /* .s is the raw text of the object */
  LS_J_ARRAY   /* .s is the raw text of the array */
} ls_jkind;

typedef struct ls_jvalue {
  ls_jkind kind;
  ls_slice s;
} ls_jvalue;

/* Which members of `props` and `attrs` the caller wants captured. The key
 * arrays are borrowed for the parser's lifetime. Keys are compared byte for
 * byte with the *decoded* member names. */
typedef struct ls_event_schema {
  const ls_slice *prop_keys;
  size_t nprops;
  const ls_slice *attr_keys;
  size_t nattrs;
} ls_event_schema;

/* One parsed event. Every slice borrows from the line or from the parser's
 * scratch space and stays valid until the next ls_event_parse() call on the
 * same parser. */
typedef struct ls_event_fields {
  ls_slice id;   /* non-empty */
  ls_slice type; /* non-empty */
  ls_time time;
  ls_slice lead;  /* absent (n == 0) unless a non-empty string */
  ls_slice email; /* trimmed of ASCII white space, ASCII lower-cased; absent if empty */
  ls_slice anon;  /* anonymous_id */
  const ls_jvalue *props; /* [schema.nprops], in schema order */
  const ls_jvalue *attrs; /* [schema.nattrs], in schema order */
  /* Hash of the event's content, independent of member order and of white
   * space outside strings: two lines with the same id conflict when their
   * content hashes differ. */
  uint64_t content_hash;
} ls_event_fields;

typedef struct ls_event_parser ls_event_parser;

/* Returns a new parser for `schema` (borrowed), or NULL when out of memory.
 * Free it with ls_event_parser_destroy(). */
ls_event_parser *ls_event_parser_new(const ls_event_schema *schema);

/* Frees the parser. destroy(NULL) is a no-op. */
void ls_event_parser_destroy(ls_event_parser *p);

/* Outcome of parsing one line. */
typedef enum ls_line_result {
  LS_LINE_EVENT = 0, /* *out is filled */
  LS_LINE_BLANK = 1, /* empty or only white space: skipped, not an error */
  LS_LINE_REJECT = 2 /* invalid: ls_event_parser_reason() says why */
} ls_line_result;

/* Parses one line (without its LF; a trailing CR is ignored). Borrows
 * `line`. Rejects (spec §1, §9): invalid UTF-8, invalid JSON, a value that is
 * not an object, a key twice in any object (compared after decoding
 * escapes), an `id`, `type` or `time` that is missing or not a non-empty
 * string, a `time` that is not valid RFC 3339 (see ls_time_parse), and an
 * event with none of `lead`, `email`, `anonymous_id`.
 * A `props` or `attrs` member that is not an object is treated as absent. */
ls_line_result ls_event_parse(ls_event_parser *p, const char *line, size_t len,
                              ls_event_fields *out);

/* After LS_LINE_REJECT: a short reason, e.g. `invalid JSON at column 17:
 * expected ':'` or `duplicate key "id"`. Borrowed; valid until the next
 * parse. */
const char *ls_event_parser_reason(const ls_event_parser *p);

/* 64-bit hash used across the engine for byte strings (ids, identities). */
uint64_t ls_hash_bytes(const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
