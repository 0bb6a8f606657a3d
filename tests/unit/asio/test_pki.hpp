// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// A throwaway PKI made at test time with the OpenSSL C API: a CA and a server certificate
// for "localhost" and 127.0.0.1, and more server certificates with other names on request.
// Nothing secret is committed.

#ifndef SMTPERR_TESTS_ASIO_TEST_PKI_HPP
#define SMTPERR_TESTS_ASIO_TEST_PKI_HPP

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace smtperr::test {

struct key_and_cert {
    std::string key_pem;
    std::string cert_pem;
};

namespace pki_detail {

inline std::string to_pem(EVP_PKEY* k) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* p = nullptr;
    const long n = BIO_ctrl(b, BIO_CTRL_INFO, 0, static_cast<void*>(&p));
    std::string s(p, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}

inline std::string to_pem(X509* c) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, c);
    char* p = nullptr;
    const long n = BIO_ctrl(b, BIO_CTRL_INFO, 0, static_cast<void*>(&p));
    std::string s(p, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}

inline void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
        throw std::runtime_error("X509V3_EXT_conf_nid");
    }
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

inline long next_serial() {
    static std::atomic<long> serial{1000};
    return ++serial;
}

// Issues a certificate for `cn`; self-signed when issuer is null. A server certificate gets
// `san` as its subjectAltName, or none when it is empty.
inline X509* issue(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca,
                   const char* san = "DNS:localhost,IP:127.0.0.1") {
    X509* c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), next_serial());
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600L * 24);
    X509_set_pubkey(c, key);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("smtperr tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509* iss = issuer != nullptr ? issuer : c;
    if (ca) {
        add_ext(c, iss, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(c, iss, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(c, iss, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(c, iss, NID_key_usage, "critical,digitalSignature");
        add_ext(c, iss, NID_ext_key_usage, "serverAuth");
        if (*san != '\0') {
            add_ext(c, iss, NID_subject_alt_name, san);
        }
    }
    add_ext(c, iss, NID_subject_key_identifier, "hash");
    X509_sign(c, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
    return c;
}

}  // namespace pki_detail

/// A CA and one server certificate it issued.
struct test_pki {
    key_and_cert ca;
    key_and_cert server;
    std::string ca_file;  ///< The CA certificate written to a temporary file.

    explicit test_pki(const char* ca_name = "smtperr test CA") {
        using namespace pki_detail;
        EVP_PKEY* ca_key = EVP_EC_gen("P-256");
        EVP_PKEY* srv_key = EVP_EC_gen("P-256");
        if (ca_key == nullptr || srv_key == nullptr) {
            throw std::runtime_error("EVP_EC_gen");
        }
        X509* ca_cert = issue(ca_key, ca_name, nullptr, nullptr, true);
        X509* srv_cert = issue(srv_key, "localhost", ca_cert, ca_key, false);
        ca = {to_pem(ca_key), to_pem(ca_cert)};
        server = {to_pem(srv_key), to_pem(srv_cert)};
        X509_free(srv_cert);
        X509_free(ca_cert);
        EVP_PKEY_free(srv_key);
        EVP_PKEY_free(ca_key);
        static std::atomic<int> n{0};
        ca_file =
            (std::filesystem::temp_directory_path() /
             ("smtperr-test-ca-" + std::to_string(::getpid()) + "-" + std::to_string(++n) + ".pem"))
                .string();
        std::ofstream(ca_file) << ca.cert_pem;
    }
    /// Calls `f(key, ca_key, ca_cert)` with a new key and this CA's key and certificate,
    /// freed afterwards; `f` issues a certificate with them.
    template <class F>
    key_and_cert issue_with_ca(F&& f) const {
        using namespace pki_detail;
        BIO* kb = BIO_new_mem_buf(ca.key_pem.data(), static_cast<int>(ca.key_pem.size()));
        BIO* cb = BIO_new_mem_buf(ca.cert_pem.data(), static_cast<int>(ca.cert_pem.size()));
        EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
        X509* ca_cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
        BIO_free(kb);
        BIO_free(cb);
        EVP_PKEY* key = EVP_EC_gen("P-256");
        if (ca_key == nullptr || ca_cert == nullptr || key == nullptr) {
            throw std::runtime_error("test_pki: CA");
        }
        X509* c = f(key, ca_key, ca_cert);
        key_and_cert out{to_pem(key), to_pem(c)};
        X509_free(c);
        X509_free(ca_cert);
        EVP_PKEY_free(key);
        EVP_PKEY_free(ca_key);
        return out;
    }
    /// Another server certificate from this CA, with its own key, subject CN `cn` and
    /// subjectAltName `san` ("DNS:a.example,IP:::1"; none when empty).
    key_and_cert leaf(const char* cn, const char* san) const {
        return issue_with_ca([&](EVP_PKEY* key, EVP_PKEY* ca_key, X509* ca_cert) {
            return pki_detail::issue(key, cn, ca_cert, ca_key, false, san);
        });
    }
    ~test_pki() {
        std::error_code ec;
        std::filesystem::remove(ca_file, ec);
    }
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;
};

}  // namespace smtperr::test

#endif  // SMTPERR_TESTS_ASIO_TEST_PKI_HPP
