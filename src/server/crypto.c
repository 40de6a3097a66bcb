#include "server/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "leadscore/error.h"

void ls__sha256(const void *p, size_t n, unsigned char out[32]) {
  SHA256(p, n, out);
}

void ls__hmac_sha256(const void *key, size_t kn, const void *p, size_t n,
                     unsigned char out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, (int)kn, p, n, out, &len);
}

int ls__random(void *buf, size_t n) {
  return RAND_bytes(buf, (int)n) == 1 ? LS_OK : LS_EIO;
}

void ls__hex(const unsigned char *p, size_t n, char *out) {
  static const char d[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  out[2 * n] = '\0';
}

int ls__same(const void *a, const void *b, size_t n) { return CRYPTO_memcmp(a, b, n) == 0; }
