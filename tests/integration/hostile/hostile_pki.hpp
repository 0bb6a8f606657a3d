// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Broken server certificates for the hostile suite (catalogue K-01, EAST T_1..T_4): expired,
// wrong host name, self-signed, and issued by a CA the client does not trust. Made at test
// time from tests/unit/asio/test_pki.hpp's CA; nothing secret is committed.

#ifndef SMTPERR_TESTS_HOSTILE_HOSTILE_PKI_HPP
#define SMTPERR_TESTS_HOSTILE_HOSTILE_PKI_HPP

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <string>

#include "unit/asio/test_pki.hpp"

namespace smtperr::hostile {

/// How a leaf certificate is made.
struct leaf_spec {
    const char* san = "DNS:localhost,IP:127.0.0.1";
    long not_before = -3600;  ///< Seconds from now.
    long not_after = 3600L * 24;
    bool self_signed = false;
};

/// Issues a server certificate from `ca` (or self-signed) with its own new key.
inline test::key_and_cert make_leaf(const test::test_pki& ca, const leaf_spec& spec) {
    return ca.issue_with_ca([&](EVP_PKEY* key, EVP_PKEY* ca_key, X509* ca_cert) {
        using namespace test::pki_detail;
        X509* c = X509_new();
        X509_set_version(c, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(c), next_serial());
        X509_gmtime_adj(X509_getm_notBefore(c), spec.not_before);
        X509_gmtime_adj(X509_getm_notAfter(c), spec.not_after);
        X509_set_pubkey(c, key);
        X509_NAME* name = X509_get_subject_name(c);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("hostile leaf"), -1, -1,
                                   0);
        X509* issuer = spec.self_signed ? c : ca_cert;
        X509_set_issuer_name(c, X509_get_subject_name(issuer));
        add_ext(c, issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(c, issuer, NID_ext_key_usage, "serverAuth");
        add_ext(c, issuer, NID_subject_alt_name, spec.san);
        X509_sign(c, spec.self_signed ? key : ca_key, EVP_sha256());
        return c;
    });
}

}  // namespace smtperr::hostile

#endif  // SMTPERR_TESTS_HOSTILE_HOSTILE_PKI_HPP
