#include <smtperr/asio/detail/tls.hpp>

// Per-connection TLS setup (src/asio/tls.cpp): what goes into the handshake, and which
// certificates a real handshake on 127.0.0.1 accepts for which configured host.
#include <smtperr/asio/tls.hpp>
#include <smtperr/error/errc.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "unit/asio/test_pki.hpp"

namespace net = boost::asio;
using namespace smtperr::asio;
using namespace smtperr::asio::detail;

namespace {

const smtperr::test::test_pki& pki() {
    static const smtperr::test::test_pki p("name check CA");
    return p;
}

/// How a handshake ended: whether the peer counted as verified, as the transport decides it,
/// and the reason the verification gave when it did not ("" when none).
struct handshake_result {
    bool verified = false;
    std::string reason;
};

/// The refusal of a good chain for its name alone.
const std::string name_mismatch = "host name does not match the certificate";

/// A client handshake with `o` (the host name is only checked, not resolved) against a
/// server on 127.0.0.1 presenting `leaf`, issued by pki().
handshake_result handshake(const smtperr::test::key_and_cert& leaf, submit_options o) {
    net::io_context ioc;
    net::ssl::context sctx(net::ssl::context::tls_server);
    sctx.use_certificate(net::buffer(leaf.cert_pem), net::ssl::context::pem);
    sctx.use_private_key(net::buffer(leaf.key_pem), net::ssl::context::pem);
    net::ip::tcp::acceptor acc(ioc, {net::ip::make_address("127.0.0.1"), 0});
    net::ssl::stream<net::ip::tcp::socket> srv(ioc, sctx);
    acc.async_accept(srv.next_layer(), [&](boost::system::error_code ec) {
        if (!ec) {
            srv.async_handshake(net::ssl::stream_base::server, [](boost::system::error_code) {});
        }
    });
    auto cctx = make_client_context();
    tls_stream cl(ioc, cctx);
    const auto store = load_ca_file(pki().ca_file);
    REQUIRE(store);
    verify_state st;
    bool verified = false;
    cl.next_layer().async_connect(acc.local_endpoint(), [&](boost::system::error_code ec) {
        REQUIRE_FALSE(ec);
        REQUIRE_FALSE(prepare_tls(cl, o, store.get(), st));
        cl.async_handshake(net::ssl::stream_base::client, [&](boost::system::error_code hec) {
            verified = !hec && peer_verified(cl, o, st);
            boost::system::error_code ignored;
            cl.next_layer().close(ignored);
            srv.next_layer().close(ignored);
        });
    });
    ioc.run_for(std::chrono::seconds(10));
    return {verified, st.reason};
}

handshake_result handshake(const smtperr::test::key_and_cert& leaf, const std::string& host) {
    submit_options o;
    o.host = host;
    return handshake(leaf, o);
}

/// A certificate with subject CN `cn` and subjectAltName `san`, presented to a client
/// connecting to `host`.
struct name_case {
    std::string cn;
    std::string san;
    std::string host;
    bool accepted;
};

void check_names(const std::vector<name_case>& cases) {
    for (const auto& c : cases) {
        INFO("CN=", c.cn, " SAN=", c.san, " host=", c.host);
        const auto r = handshake(pki().leaf(c.cn.c_str(), c.san.c_str()), c.host);
        CHECK(r.verified == c.accepted);
        // A refusal for the name, of a chain that was good: not for anything else.
        CHECK(r.reason == (c.accepted ? "" : name_mismatch));
    }
}

}  // namespace

TEST_SUITE("smtperr/asio/detail/tls.hpp") {
    TEST_CASE("SNI carries the host name without an absolute name's trailing dot") {
        // RFC 6066 §3 forbids the dot in SNI, and certificates name hosts without it: sent
        // as given, "smtp.example.com." drew unrecognized_name or a name mismatch (review).
        for (const auto& [given, sent] :
             {std::pair<std::string, std::string>{"smtp.example.com.", "smtp.example.com"},
              {"smtp.example.com", "smtp.example.com"},
              {"localhost.", "localhost"}}) {
            CAPTURE(given);
            net::io_context ioc;
            net::ssl::context ctx(net::ssl::context::tls_client);
            tls_stream s(ioc, ctx);
            submit_options o;
            o.host = given;
            verify_state st;
            REQUIRE_FALSE(prepare_tls(s, o, nullptr, st));
            const char* sni = SSL_get_servername(s.native_handle(), TLSEXT_NAMETYPE_host_name);
            REQUIRE(sni != nullptr);
            CHECK(std::string(sni) == sent);
        }
        // An address literal gets no SNI at all (RFC 6066 §3).
        net::io_context ioc;
        net::ssl::context ctx(net::ssl::context::tls_client);
        tls_stream s(ioc, ctx);
        submit_options o;
        o.host = "127.0.0.1";
        verify_state st;
        REQUIRE_FALSE(prepare_tls(s, o, nullptr, st));
        CHECK(SSL_get_servername(s.native_handle(), TLSEXT_NAMETYPE_host_name) == nullptr);
    }

    TEST_CASE("a host name is checked against DNS subjectAltNames only, RFC 9525 wildcards") {
        // Found in review: Asio's host_name_verification calls X509_check_host() with no
        // flags, which took partial wildcards and, without a DNS name, the subject's CN.
        check_names({
            {"x", "DNS:smtp.example.com", "smtp.example.com", true},
            {"x", "DNS:smtp.example.com", "SMTP.Example.COM", true},
            {"x", "DNS:smtp.example.com", "smtp.example.com.", true},
            {"x", "DNS:other.example,DNS:smtp.example.com", "smtp.example.com", true},
            {"x", "DNS:*.example.com", "smtp.example.com", true},
            {"x", "DNS:smtp.example.com", "mail.example.com", false},
            {"x", "DNS:*.example.com", "a.smtp.example.com", false},
            {"x", "DNS:*.example.com", "example.com", false},
            {"x", "DNS:f*.example.com", "foo.example.com", false},
            {"x", "DNS:*oo.example.com", "foo.example.com", false},
            {"x", "DNS:f*o.example.com", "foo.example.com", false},
            {"x", "DNS:smtp.*.com", "smtp.example.com", false},
            {"smtp.example.com", "", "smtp.example.com", false},
            {"smtp.example.com", "IP:127.0.0.1", "smtp.example.com", false},
            {"smtp.example.com", "DNS:other.example", "smtp.example.com", false},
            {"*.example.com", "IP:127.0.0.1", "smtp.example.com", false},
        });
    }

    TEST_CASE("an IP literal is checked against IP subjectAltNames only") {
        check_names({
            {"x", "IP:127.0.0.1", "127.0.0.1", true},
            {"x", "IP:::1", "::1", true},
            {"x", "IP:::1", "0:0:0:0:0:0:0:1", true},
            {"x", "IP:127.0.0.2", "127.0.0.1", false},
            {"127.0.0.1", "DNS:127.0.0.1", "127.0.0.1", false},
            {"127.0.0.1", "", "127.0.0.1", false},
            {"x", "DNS:*.0.0.1", "127.0.0.1", false},
        });
    }

    TEST_CASE("a pinned certificate needs no name") {
        const auto leaf = pki().leaf("smtp.example.com", "");
        const auto fp = certificate_sha256(leaf.cert_pem);
        REQUIRE(fp);
        submit_options o;
        o.host = "smtp.example.com";
        const auto unpinned = handshake(leaf, o);
        CHECK_FALSE(unpinned.verified);
        CHECK(unpinned.reason == name_mismatch);  // The chain was good: only the name failed.
        o.pinned_sha256 = fp.value();
        CHECK(handshake(leaf, o).verified);
    }

    TEST_CASE("a PEM longer than OpenSSL's int length is refused before it is read") {
        // Found in review: the length was cast to int, and a negative one makes
        // BIO_new_mem_buf read up to a NUL. The view's octets past the first are never read.
        const char one = '-';
        const std::string_view huge(&one,
                                    static_cast<std::size_t>(std::numeric_limits<int>::max()) + 1);
        const auto fp = certificate_sha256(huge);
        REQUIRE_FALSE(fp);
        CHECK(fp.error() == smtperr::errc::invalid_option);
    }

    TEST_CASE("a scoped IPv6 literal is checked without its zone") {
        // Found in review: "fe80::1%lo" went to X509_check_ip_asc(), which cannot parse a
        // zone, so no certificate could ever match it.
        CHECK(tls_host("fe80::1%lo") == "fe80::1");
        CHECK(tls_host("fe80::a:b%2") == "fe80::a:b");
        CHECK(tls_host("::1") == "::1");
        CHECK(tls_host("127.0.0.1") == "127.0.0.1");
        CHECK(tls_host("a%b.example") == "a%b.example");  // Not an address: no zone to cut.
        const auto leaf = pki().leaf("x", "IP:fe80::1");
        BIO* b = BIO_new_mem_buf(leaf.cert_pem.data(), static_cast<int>(leaf.cert_pem.size()));
        X509* cert = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
        BIO_free(b);
        REQUIRE(cert != nullptr);
        CHECK(name_matches(cert, tls_host("fe80::1%lo")));
        CHECK(name_matches(cert, tls_host("fe80::1%eth0")));
        CHECK_FALSE(name_matches(cert, tls_host("fe80::2%lo")));
        CHECK_FALSE(name_matches(cert, tls_host("fe80::1.example")));
        X509_free(cert);
        // The whole way, over a real handshake on 127.0.0.1 (only the name is the scoped
        // address), and without SNI, as for every address literal.
        CHECK(handshake(leaf, "fe80::1%lo").verified);
        const auto other = handshake(leaf, "fe80::2%lo");
        CHECK_FALSE(other.verified);
        CHECK(other.reason == name_mismatch);
        net::io_context ioc;
        net::ssl::context ctx(net::ssl::context::tls_client);
        tls_stream s(ioc, ctx);
        submit_options o;
        o.host = "fe80::1%lo";
        verify_state st;
        REQUIRE_FALSE(prepare_tls(s, o, nullptr, st));
        CHECK(SSL_get_servername(s.native_handle(), TLSEXT_NAMETYPE_host_name) == nullptr);
    }
}
