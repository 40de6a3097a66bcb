#include "leadscore/error.h"

const char *ls_strerror(int err) {
  switch (err) {
    case LS_OK: return "success";
    case LS_ENOMEM: return "out of memory";
    case LS_EINVAL: return "invalid argument";
    case LS_EPARSE: return "parse error";
    case LS_EMODEL: return "invalid model";
    case LS_EIO: return "input/output error";
    case LS_ENOTFOUND: return "not found";
    case LS_ERANGE: return "value out of range";
    case LS_EEXIST: return "already exists";
    default: return "unknown error";
  }
}
