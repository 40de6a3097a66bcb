/* leadscore — the leads export (spec §8) into a growable buffer. Pure. */
#ifndef LEADSCORE_EXPORT_H
#define LEADSCORE_EXPORT_H

#include <stddef.h>

#include "leadscore/replay.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A growable byte buffer. Zero-initialize; free with ls_buf_free. */
typedef struct ls_buf {
  char *p;
  size_t len, cap;
} ls_buf;

int ls_buf_append(ls_buf *b, const char *p, size_t n); /* LS_OK / LS_ENOMEM */
/* Appends printf-style text. */
int ls_buf_appendf(ls_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ls_buf_free(ls_buf *b);

/* Appends one CSV field, quoted as RFC 4180 when it holds `,` `"` CR or LF. */
int ls_csv_field(ls_buf *b, const char *p, size_t n);

/* Like ls_csv_field, for files people open in a spreadsheet: a text cell
 * that starts with = + - @ tab or CR (which Excel and LibreOffice would run
 * as a formula) and is not a plain number gets an apostrophe in front, the
 * OWASP "CSV injection" remedy; the apostrophe is not shown by the
 * spreadsheet. Plain numbers such as -5 are written as they are. */
int ls_csv_safe_field(ls_buf *b, const char *p, size_t n);

/* The leads CSV: `lead_id,<one column per score, model order>,<grades>,
 * <matrix>,<top_category>,stage,mql_count,last_mql_at[,route]` (the middle
 * columns only where the model defines them) — for a model with the single
 * score `score` this is exactly spec §8. Lines end with LF. */
int ls_export_leads_header(const ls_model *m, ls_buf *b);
/* Appends a category as FAMILY:NAME (e.g. "product:crm"); a hash `names`
 * does not know is written #<16 hex digits>. `names` may be NULL. */
int ls_category_text(const ls_model *m, const ls_names *names, size_t score, uint64_t hash,
                     ls_buf *out);
int ls_export_leads_row(const ls_model *m, const ls_person_row *row, ls_buf *b);

#ifdef __cplusplus
}
#endif
#endif
