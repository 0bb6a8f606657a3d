// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/asio/detail/tls.hpp>
#include <smtperr/asio/tls.hpp>
#include <smtperr/error/errc.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstddef>
#include <limits>

namespace smtperr::asio {

namespace detail {

struct ca_store {
    X509_STORE* store = nullptr;
};

void ca_store_deleter::operator()(ca_store* p) const noexcept {
    if (p != nullptr) {
        X509_STORE_free(p->store);
        delete p;
    }
}

ca_store_ptr load_ca_file(const std::string& path) {
    X509_STORE* s = X509_STORE_new();
    if (s == nullptr) {
        return nullptr;
    }
    if (X509_STORE_load_file(s, path.c_str()) != 1) {
        X509_STORE_free(s);
        return nullptr;
    }
    STACK_OF(X509_OBJECT)* objs = X509_STORE_get0_objects(s);
    if (objs == nullptr || sk_X509_OBJECT_num(objs) == 0) {
        X509_STORE_free(s);
        return nullptr;
    }
    ca_store_ptr p(new ca_store);
    p->store = s;
    return p;
}

namespace {

std::string hex_pairs(const unsigned char* p, std::size_t n) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string r;
    for (std::size_t i = 0; i < n; ++i) {
        if (i != 0) {
            r += ':';
        }
        r += hex[p[i] >> 4];
        r += hex[p[i] & 15];
    }
    return r;
}

std::string fingerprint(X509* cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1) {
        return {};
    }
    return hex_pairs(md.data(), len);
}

std::string subject(X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (bio == nullptr) {
        return {};
    }
    // RFC 2253 with control characters and non-ASCII escaped: untrusted text stays inert.
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    std::string r =
        n > 0 && data != nullptr ? std::string(data, static_cast<std::size_t>(n)) : std::string();
    BIO_free(bio);
    if (r.size() > 512) {
        r.resize(512);
    }
    return r;
}

// "ab:CD…" → "ABCD…".
std::string normalize_pin(std::string_view pin) {
    std::string r;
    for (const char c : pin) {
        if (c != ':') {
            r += c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c;
        }
    }
    return r;
}

}  // namespace

std::error_code prepare_tls(tls_stream& s, const submit_options& o, const ca_store* extra,
                            verify_state& st) {
    SSL* ssl = s.native_handle();
    if (SSL_set_min_proto_version(ssl, TLS1_2_VERSION) != 1) {
        return errc::tls_failed;
    }
    const std::string host = tls_host(o.host);
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    if (ec) {  // A host name, not an IP literal: send SNI (RFC 6066 §3).
        if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(host.c_str())) != 1) {
            return errc::tls_failed;
        }
    }
    if (extra != nullptr && SSL_set1_verify_cert_store(ssl, extra->store) != 1) {
        return errc::tls_failed;
    }
    s.set_verify_mode(boost::asio::ssl::verify_peer, ec);
    if (ec) {
        return errc::tls_failed;
    }
    std::string pin = normalize_pin(o.pinned_sha256);
    s.set_verify_callback(
        [&st, pin = std::move(pin), host](bool preverified, boost::asio::ssl::verify_context& vc) {
            X509_STORE_CTX* c = vc.native_handle();
            if (X509* leaf = X509_STORE_CTX_get0_cert(c);
                leaf != nullptr && st.fingerprint.empty()) {
                st.fingerprint = fingerprint(leaf);
                st.subject = subject(leaf);
            }
            if (!pin.empty()) {
                // The pin replaces chain and name checks; only the leaf decides.
                if (X509_STORE_CTX_get_error_depth(c) > 0) {
                    return true;
                }
                X509* cert = X509_STORE_CTX_get_current_cert(c);
                const bool ok = cert != nullptr && normalize_pin(fingerprint(cert)) == pin;
                if (!ok) {
                    st.failed = true;
                    st.reason = "certificate does not match the pinned fingerprint";
                }
                return ok;
            }
            const int err = X509_STORE_CTX_get_error(c);
            // The chain is OpenSSL's verdict; the name is the leaf's alone.
            const bool ok = preverified && (X509_STORE_CTX_get_error_depth(c) > 0 ||
                                            name_matches(X509_STORE_CTX_get_current_cert(c), host));
            if (!ok) {
                st.failed = true;
                if (st.reason.empty()) {
                    st.reason = !preverified ? X509_verify_cert_error_string(err)
                                             : "host name does not match the certificate";
                }
            }
            return ok;
        },
        ec);
    return ec ? std::error_code(errc::tls_failed) : std::error_code();
}

bool peer_verified(tls_stream& s, const submit_options& o, const verify_state& st) {
    SSL* ssl = s.native_handle();
    // The callback saw the leaf (its fingerprint is set) and failed nothing; with a pin it
    // decides alone, else OpenSSL's own verdict on the chain must be OK as well.
    return !st.failed && !st.fingerprint.empty() && SSL_get0_peer_certificate(ssl) != nullptr &&
           (!o.pinned_sha256.empty() || SSL_get_verify_result(ssl) == X509_V_OK);
}

std::string tls_host(const std::string& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    if (!ec) {
        // The zone of "fe80::1%eth0" names our interface, and X509_check_ip_asc() cannot
        // parse it: a certificate carries the address alone.
        return host.substr(0, host.find('%'));
    }
    return !host.empty() && host.back() == '.' ? host.substr(0, host.size() - 1) : host;
}

bool name_matches(X509* leaf, const std::string& name) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(name, ec);
    if (!ec) {
        return X509_check_ip_asc(leaf, name.c_str(), 0) == 1;
    }
    // RFC 9525 §6.3: a wildcard only as the whole left-most label, and never the subject's
    // CN (OpenSSL's default takes "f*.example.com" and, without a DNS SAN, the CN).
    return X509_check_host(
               leaf, name.data(), name.size(),
               X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
               nullptr) == 1;
}

std::string describe(const verify_state& st) {
    std::string r = "certificate subject: " + (st.subject.empty() ? "?" : st.subject);
    r += "; SHA-256: " + (st.fingerprint.empty() ? "?" : st.fingerprint);
    if (!st.reason.empty()) {
        r += "; reason: " + st.reason;
    }
    return r;
}

}  // namespace detail

boost::asio::ssl::context make_client_context() {
    namespace ssl = boost::asio::ssl;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                    ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                    ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
    ctx.set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    // The system's trust store; without one only a CA file or a pin can verify a server.
    ctx.set_default_verify_paths(ec);
    return ctx;
}

result<std::string> certificate_sha256(std::string_view pem) {
    if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        // BIO_new_mem_buf takes an int; a negative one would make it read up to a NUL.
        return std::error_code(errc::invalid_option);
    }
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    if (bio == nullptr) {
        return std::error_code(errc::invalid_option);
    }
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (cert == nullptr) {
        return std::error_code(errc::invalid_option);
    }
    std::string fp = detail::fingerprint(cert);
    X509_free(cert);
    return fp;
}

}  // namespace smtperr::asio
