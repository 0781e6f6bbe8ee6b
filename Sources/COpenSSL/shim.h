#ifndef SYNDICATE_COPENSSL_SHIM_H
#define SYNDICATE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>

// HMAC-SHA1 in one call; returns 1 on success. `out` must hold 20 bytes.
static inline int syn_hmac_sha1(const void *key, int key_length, const unsigned char *data, size_t data_length, unsigned char *out) {
    unsigned int length = 0;
    return HMAC(EVP_sha1(), key, key_length, data, data_length, out, &length) != NULL && length == 20;
}
#endif
