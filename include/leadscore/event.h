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
  LS_J_ABSENT = 0, /* the member was not in the object (.s absent) */
  LS_J_STRING,     /* .s is the decoded string (escapes resolved; an empty
                      string has .n == 0 but .p != NULL) */
  LS_J_NUMBER,     /* .s is the number's text exactly as in the input */
  LS_J_TRUE,       /* .s is the literal's text ("true", "false", "null") */
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
  /* Hash of the event's content as a JSON value: independent of member
   * order (in every object), of white space outside strings, of escapes
   * (`"a"` and `"\u0061"` are equal) and of number spelling (1, 1.0 and
   * 10e-1 are equal; -0 equals 0); true, 1 and "1" all differ. Two lines
   * with the same id conflict when their content hashes differ. */
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

/* Parses one line (without its LF; one trailing CR is ignored; a file's
 * byte-order mark is the caller's to strip). Borrows `line`. A line that is
 * empty or only JSON white space (space, tab, CR, LF) is LS_LINE_BLANK.
 * Rejects (spec §1, §9), the first applicable reason winning: invalid UTF-8
 * anywhere in the line; invalid JSON (RFC 8259; a \u escape of an unpaired
 * UTF-16 surrogate is invalid, as the string could not be UTF-8); a value
 * that is not an object; a key twice in any object (compared after decoding
 * escapes); an `id`, `type` or `time` that is missing or not a non-empty
 * string (checked in that order); a `time` that is not valid RFC 3339 (see
 * ls_time_parse); an event with none of `lead`, `email`, `anonymous_id`.
 * A `props` or `attrs` member that is not an object is treated as absent.
 * Nesting depth and line length are limited only by memory; running out of
 * memory rejects the line with the reason "out of memory". */
ls_line_result ls_event_parse(ls_event_parser *p, const char *line, size_t len,
                              ls_event_fields *out);

/* After LS_LINE_REJECT: a short reason (under 200 bytes; quoted keys and
 * times are escaped and cut), e.g. `invalid UTF-8 at column 5`, `invalid
 * JSON at column 17: expected ':'` (1-based byte columns), `not a JSON
 * object`, `duplicate key "id"`, `missing "time"`, `"id" is not a non-empty
 * string`, `invalid time "2026-02-30T00:00:00Z"`, `no identity (lead, email
 * or anonymous_id)`. Borrowed; valid until the next parse. */
const char *ls_event_parser_reason(const ls_event_parser *p);

/* 64-bit hash used across the engine for byte strings (ids, identities).
 * Fast, well spread, not cryptographic; the same on every platform, but not
 * meant to be persisted. p may be NULL when n == 0. */
uint64_t ls_hash_bytes(const void *p, size_t n);

#ifdef __cplusplus
}
#endif
#endif
