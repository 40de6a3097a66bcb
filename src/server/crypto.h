/* leadscore — internal: the service's cryptography (OpenSSL's libcrypto):
 * SHA-256 for API keys, HMAC-SHA256 for webhook signatures, random bytes
 * for keys and jitter. */
#ifndef LEADSCORE_SERVER_CRYPTO_H
#define LEADSCORE_SERVER_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

void ls__sha256(const void *p, size_t n, unsigned char out[32]);
void ls__hmac_sha256(const void *key, size_t kn, const void *p, size_t n,
                     unsigned char out[32]);
/* n random bytes from the operating system; LS_OK or LS_EIO. */
int ls__random(void *buf, size_t n);
/* Lower-case hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void ls__hex(const unsigned char *p, size_t n, char *out);
/* Constant-time comparison of n bytes (signatures, key hashes). */
int ls__same(const void *a, const void *b, size_t n);

#endif
