/* leadscore — error codes shared by every module. */
#ifndef LEADSCORE_ERROR_H
#define LEADSCORE_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Every function that can fail returns LS_OK (0) or one of these negative
 * codes. Functions that also need to say *where* something failed take an
 * ls_diag (see below) and fill it. */
typedef enum ls_err {
  LS_OK = 0,
  LS_ENOMEM = -1,    /* allocation failed */
  LS_EINVAL = -2,    /* invalid argument (a caller bug) */
  LS_EPARSE = -3,    /* input text could not be parsed */
  LS_EMODEL = -4,    /* the model is invalid */
  LS_EIO = -5,       /* reading or writing failed */
  LS_ENOTFOUND = -6, /* no such person, identity, rule, ... */
  LS_ERANGE = -7,    /* a value is outside what is supported */
  LS_EEXIST = -8     /* already there (a task done twice) */
} ls_err;

/* Returns a static, human-readable description of `err`. Never NULL. */
const char *ls_strerror(int err);

/* A located diagnostic: filled by loaders so that messages can name
 * `file:line:col`. line and col are 1-based; 0 means unknown. */
typedef struct ls_diag {
  unsigned line;
  unsigned col;
  char msg[256];
} ls_diag;

#ifdef __cplusplus
}
#endif
#endif
