/* A minimal test harness: one program per module, run by ctest.
 * Each CHECK counts; the program prints "N passed, N failed" and exits
 * non-zero when anything failed. */
#ifndef LS_TEST_H
#define LS_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int ls_t_pass, ls_t_fail;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      ls_t_pass++;                                                         \
    } else {                                                               \
      ls_t_fail++;                                                         \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,     \
              #cond);                                                      \
    }                                                                      \
  } while (0)

#define CHECK_INT(a, b)                                                    \
  do {                                                                     \
    long long ls_a_ = (long long)(a), ls_b_ = (long long)(b);              \
    if (ls_a_ == ls_b_) {                                                  \
      ls_t_pass++;                                                         \
    } else {                                                               \
      ls_t_fail++;                                                         \
      fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, \
              __LINE__, #a, ls_a_, #b, ls_b_);                             \
    }                                                                      \
  } while (0)

#define CHECK_STR(a, b)                                                    \
  do {                                                                     \
    const char *ls_a_ = (a), *ls_b_ = (b);                                 \
    if (ls_a_ && ls_b_ && strcmp(ls_a_, ls_b_) == 0) {                     \
      ls_t_pass++;                                                         \
    } else {                                                               \
      ls_t_fail++;                                                         \
      fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,   \
              __LINE__, #a, ls_a_ ? ls_a_ : "(null)",                      \
              ls_b_ ? ls_b_ : "(null)");                                   \
    }                                                                      \
  } while (0)

/* Compares a slice (p, n) with a C string. */
#define CHECK_SLICE(sl, str)                                               \
  do {                                                                     \
    const char *ls_s_ = (str);                                             \
    size_t ls_n_ = strlen(ls_s_);                                          \
    if ((sl).n == ls_n_ && (ls_n_ == 0 || memcmp((sl).p, ls_s_, ls_n_) == 0)) { \
      ls_t_pass++;                                                         \
    } else {                                                               \
      ls_t_fail++;                                                         \
      fprintf(stderr, "%s:%d: %s == \"%.*s\", expected \"%s\"\n", __FILE__, \
              __LINE__, #sl, (int)(sl).n, (sl).p ? (sl).p : "", ls_s_);    \
    }                                                                      \
  } while (0)

static inline int ls_test_done(void) {
  printf("%d passed, %d failed\n", ls_t_pass, ls_t_fail);
  return ls_t_fail ? 1 : (ls_t_pass ? 0 : 1); /* a test that asserts nothing fails */
}

#endif
