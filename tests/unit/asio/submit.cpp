#include <smtperr/asio/submit.hpp>

// The transport against a scripted server on 127.0.0.1.
#include <smtperr/asio/detail/session.hpp>
#include <smtperr/asio/tls.hpp>
#include <smtperr/classify/sasl.hpp>
#include <smtperr/error/condition.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <doctest/doctest.h>
#include <openssl/ssl.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/leak_forms.hpp"
#include "unit/asio/black_hole.hpp"
#include "unit/asio/script_server.hpp"
#include "unit/asio/test_pki.hpp"

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;
using smtperr::condition;
using smtperr::test::expect;
using smtperr::test::script_server;
using smtperr::test::send;
using smtperr::test::step;
using namespace std::chrono_literals;

struct result {
    bool called = false;
    boost::system::error_code ec;
    smtperr::send_report report;
    std::chrono::steady_clock::duration took{};
};

sa::submit_options base_options() {
    sa::submit_options o;
    o.host = "127.0.0.1";
    o.tls = sa::tls_mode::none;
    o.client_name = "client.test";
    auto& t = o.timeouts;
    t.connect = t.greeting = t.ehlo = t.starttls = t.auth = t.mail = t.rcpt = t.data_init =
        t.data_block = t.data_end = t.quit = 3s;
    return o;
}

sa::message base_message(std::vector<std::string> to = {"b@y.test"}) {
    return {"a@x.test", std::move(to), "Subject: hi\r\n\r\nHello\r\n"};
}

net::ssl::context client_context() {
    return net::ssl::context(net::ssl::context::tls_client);
}

net::ssl::context server_context(const smtperr::test::test_pki& pki) {
    net::ssl::context ctx(net::ssl::context::tls_server);
    ctx.use_certificate(net::buffer(pki.server.cert_pem), net::ssl::context::pem);
    ctx.use_private_key(net::buffer(pki.server.key_pem), net::ssl::context::pem);
    return ctx;
}

const smtperr::test::test_pki& pki() {
    static const smtperr::test::test_pki p;
    return p;
}

const smtperr::test::test_pki& other_pki() {
    static const smtperr::test::test_pki p("another CA");
    return p;
}

result run(net::io_context& ioc, script_server& srv, sa::submit_options o, sa::message m,
           net::ssl::context* ctx = nullptr) {
    auto own = client_context();
    o.port = srv.port();
    result r;
    const auto t0 = std::chrono::steady_clock::now();
    sa::async_submit(ioc, ctx != nullptr ? *ctx : own, o, std::move(m),
                     [&](boost::system::error_code ec, smtperr::send_report rep) {
                         r.called = true;
                         r.ec = ec;
                         r.report = std::move(rep);
                         r.took = std::chrono::steady_clock::now() - t0;
                         srv.stop();
                     });
    ioc.run_for(15s);
    return r;
}

/// Submits base_message() with `o` as it is (its own port); with `cancel_after` set, a
/// terminal cancellation follows that long after the start. `done` runs in the handler.
result run_direct(net::io_context& ioc, const sa::submit_options& o,
                  std::optional<std::chrono::milliseconds> cancel_after = std::nullopt,
                  const std::function<void()>& done = {}) {
    auto ctx = client_context();
    net::cancellation_signal sig;
    result r;
    const auto t0 = std::chrono::steady_clock::now();
    sa::async_submit(ioc, ctx, o, base_message(),
                     net::bind_cancellation_slot(
                         sig.slot(), [&](boost::system::error_code ec, smtperr::send_report rep) {
                             r.called = true;
                             r.ec = ec;
                             r.report = std::move(rep);
                             r.took = std::chrono::steady_clock::now() - t0;
                             if (done) {
                                 done();
                             }
                         }));
    net::steady_timer t(ioc, cancel_after.value_or(0ms));
    if (cancel_after) {
        t.async_wait(
            [&](boost::system::error_code) { sig.emit(net::cancellation_type::terminal); });
    }
    ioc.run_for(10s);
    return r;
}

const char* greeting = "220 mx.test ESMTP\r\n";
const char* ehlo_plain = "250-mx.test\r\n250-SIZE 1000000\r\n250 ENHANCEDSTATUSCODES\r\n";

std::vector<step> tail_transaction() {
    step data;
    data.data = true;
    data.reply = "250 2.0.0 queued\r\n";
    return {expect("MAIL FROM:<a@x.test>", "250 2.1.0 ok\r\n"),
            expect("RCPT TO:<b@y.test>", "250 2.1.5 ok\r\n"), expect("DATA", "354 go\r\n"), data,
            expect("QUIT", "221 bye\r\n")};
}

std::vector<step> concat(std::vector<step> a, const std::vector<step>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

step with_tls(step s) {
    s.starttls = true;
    return s;
}

/// Counts the transcript lines written inside and outside a strand.
class strand_check_sink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit strand_check_sink(net::strand<net::io_context::executor_type> strand)
        : strand_(std::move(strand)) {}
    std::atomic<int> inside{0};
    std::atomic<int> outside{0};

  protected:
    void sink_it_(const spdlog::details::log_msg&) override {
        ++(strand_.running_in_this_thread() ? inside : outside);
    }
    void flush_() override {}

  private:
    net::strand<net::io_context::executor_type> strand_;
};

/// Submits to `host` from inside a strand, with a strand-bound handler and two threads
/// running the io_context: the handler and every transcript line must run in the strand.
/// `pipelined`: MAIL, RCPT and DATA answered in one write, so two replies wait in the buffer
/// (their steps are posted, not read).
void strand_run(const char* host, bool pipelined) {
    net::io_context server_ioc;
    step group;
    group.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA"};
    group.reply = "250 2.1.0 ok\r\n250 2.1.5 ok\r\n354 go\r\n";
    auto script = concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction());
    if (pipelined) {
        script = {send(greeting), expect("EHLO", "250-mx.test\r\n250 PIPELINING\r\n"), group,
                  tail_transaction()[3], tail_transaction()[4]};
    }
    script_server srv(server_ioc, script);
    net::io_context ioc(2);  // Before the options: their logger's sink holds a strand of it.
    const auto strand = net::make_strand(ioc);
    auto sink = std::make_shared<strand_check_sink>(strand);
    auto o = base_options();
    o.host = host;
    o.port = srv.port();
    std::thread server([&] { server_ioc.run_for(20s); });
    o.logger = std::make_shared<spdlog::logger>("strand", sink);
    o.logger->set_level(spdlog::level::debug);  // The transcript's level.
    auto ctx = client_context();
    std::atomic<bool> handler_on_strand{false};
    smtperr::send_report rep;
    // Started inside the strand, so that the steps inside async_submit() count too.
    net::post(strand, [&] {
        sa::async_submit(
            ioc, ctx, o, base_message(),
            net::bind_executor(strand, [&](boost::system::error_code, smtperr::send_report r) {
                handler_on_strand = strand.running_in_this_thread();
                rep = std::move(r);
            }));
    });
    std::thread second([&] { ioc.run_for(10s); });
    ioc.run_for(10s);
    second.join();
    net::post(server_ioc, [&] { srv.stop(); });
    server.join();
    CHECK(rep.outcome == smtperr::outcome::sent);
    CHECK(handler_on_strand);
    CHECK(sink->inside.load() > 8);  // The transcript: every command and reply.
    CHECK(sink->outside.load() == 0);
}

// A coroutine function rather than a lambda (GCC 12 miscompiles capturing lambda coroutines).
net::awaitable<void> submit_awaitable(net::ssl::context* ctx, sa::submit_options o,
                                      smtperr::send_report* rep, script_server* srv) {
    auto ex = co_await net::this_coro::executor;
    auto op = sa::async_submit(ex, *ctx, o, base_message(), net::use_awaitable);
    *rep = co_await std::move(op);
    srv->stop();
}

// AUTH LOGIN with the user "user" and `password` (the server's challenges are the usual
// "Username:" and "Password:"), then a message: the script went as written and it was sent.
void check_login(const std::string& password) {
    net::io_context ioc;
    script_server srv(ioc, concat({send(greeting), expect("EHLO", "250-mx\r\n250 AUTH LOGIN\r\n"),
                                   expect("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"),
                                   expect(smtperr::base64_encode("user"), "334 UGFzc3dvcmQ6\r\n"),
                                   expect(smtperr::base64_encode(password), "235 2.7.0 ok\r\n")},
                                  tail_transaction()));
    auto o = base_options();
    o.allow_plaintext_auth = true;
    o.credentials = sa::credentials{"user", password, ""};
    const auto r = run(ioc, srv, o, base_message());
    CHECK(srv.mismatch.empty());
    CHECK(r.report.outcome == smtperr::outcome::sent);
}

}  // namespace

TEST_SUITE("smtperr/asio/submit.hpp") {
    TEST_CASE("plain submission succeeds") {
        net::io_context ioc;
        script_server srv(ioc, concat({send(greeting), expect("EHLO client.test", ehlo_plain)},
                                      tail_transaction()));
        const auto r = run(ioc, srv, base_options(), base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.outcome == smtperr::outcome::sent);
        REQUIRE(r.report.recipients.size() == 1);
        CHECK(r.report.recipients[0].accepted);
        CHECK(srv.mismatch.empty());
        CHECK(srv.data == "Subject: hi\r\n\r\nHello\r\n.\r\n");
        CHECK(srv.saw("MAIL FROM:<a@x.test> SIZE="));
        CHECK(srv.saw("QUIT"));
    }

    TEST_CASE("a stalled DNS lookup ends at the connect timeout and at a cancellation" *
              doctest::skip()) {
        // Found in review: Boost 1.81's resolver cannot cancel a running getaddrinfo, and a
        // parallel group waits for it: neither the connect timeout nor a cancel ended the wait
        // before getaddrinfo gave up (30 s and more behind a dead DNS server). ctest runs
        // this as asio.dns_stall (unit/asio/dns_stall.sh) with a resolv.conf that names
        // 127.0.0.1 alone, where `hole` swallows every query for 5 s ("timeout:5").
        std::ifstream conf("/etc/resolv.conf");
        std::string line;
        std::size_t servers = 0;
        while (std::getline(conf, line)) {
            if (line.rfind("nameserver", 0) == 0) {
                INFO("tests talk to 127.0.0.1 only: " << line);
                REQUIRE(line == "nameserver 127.0.0.1");
                ++servers;
            }
        }
        REQUIRE(servers == 1);
        // And no name service but files and DNS (dns_stall.sh): an mdns or resolve module
        // could send the name off the machine.
        std::ifstream nss("/etc/nsswitch.conf");
        std::size_t hosts_lines = 0;
        while (std::getline(nss, line)) {
            if (line.rfind("hosts:", 0) == 0) {
                INFO("the name goes to 127.0.0.1 only: " << line);
                std::istringstream sources(line.substr(6));
                std::vector<std::string> words;
                for (std::string w; sources >> w;) {
                    words.push_back(w);
                }
                REQUIRE(words == std::vector<std::string>{"files", "dns"});
                ++hosts_lines;
            }
        }
        REQUIRE(hosts_lines == 1);
        net::io_context hole_ctx;
        const net::ip::udp::socket hole(hole_ctx, {net::ip::make_address("127.0.0.1"), 53});
        auto o = base_options();
        o.host = "stall.smtperr.test";
        o.port = 25;
        o.timeouts.connect = 300ms;
        // Before getaddrinfo gives up (dns_stall.sh: "timeout:5"), with a margin: neither
        // the timeout nor the cancellation waited for the stalled lookup.
        const auto stall = 4s;
        {
            net::io_context ioc;
            const auto r = run_direct(ioc, o);
            REQUIRE(r.called);
            CHECK_FALSE(r.ec);
            CHECK(r.report.deciding.condition == condition::connection_failed);
            CHECK(r.took < stall);
        }
        o.timeouts.connect = 30s;
        {
            net::io_context ioc;
            const auto r = run_direct(ioc, o, 200ms);
            REQUIRE(r.called);
            CHECK(r.ec == net::error::operation_aborted);
            CHECK(r.took < stall);
        }
    }

    TEST_CASE("a timeout of milliseconds::max() is for ever, not at once") {
        // Found in review: max() in the clock's nanoseconds wrapped around to -1 ms, and the
        // greeting "timed out" at once.
        net::io_context ioc;
        auto slow_greeting = send(greeting);
        slow_greeting.delay = 100ms;  // A reply that takes its time: no "timeout" at once.
        auto slow_ehlo = expect("EHLO client.test", ehlo_plain);
        slow_ehlo.delay = 100ms;
        script_server srv(ioc, concat({slow_greeting, slow_ehlo}, tail_transaction()));
        auto o = base_options();
        auto& t = o.timeouts;
        t.connect = t.greeting = t.ehlo = t.starttls = t.auth = t.mail = t.rcpt = t.data_init =
            t.data_block = t.data_end = t.quit = std::chrono::milliseconds::max();
        const auto r = run(ioc, srv, o, base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.outcome == smtperr::outcome::sent);
        CHECK(srv.mismatch.empty());
    }

    TEST_CASE("pipelining sends MAIL, every RCPT and DATA in one write") {
        net::io_context ioc;
        step group;
        group.expect = {"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "RCPT TO:<c@y.test>", "DATA"};
        group.reply = "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n";
        step data;
        data.data = true;
        data.reply = "250 queued\r\n";
        script_server srv(ioc, {send(greeting), expect("EHLO", "250-mx\r\n250 PIPELINING\r\n"),
                                group, data, expect("QUIT", "221 bye\r\n")});
        const auto r = run(ioc, srv, base_options(), base_message({"b@y.test", "c@y.test"}));
        REQUIRE(r.called);
        CHECK(r.report.outcome == smtperr::outcome::sent);
        CHECK(srv.mismatch.empty());
        REQUIRE(srv.reads_per_step.size() >= 3);
        CHECK(srv.reads_per_step[2] == 1);  // The whole group arrived in one read.
    }

    TEST_CASE("without PIPELINING each command waits for its reply") {
        net::io_context ioc;
        script_server srv(ioc,
                          concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()));
        const auto r = run(ioc, srv, base_options(), base_message());
        CHECK(r.report.outcome == smtperr::outcome::sent);
        REQUIRE(srv.reads_per_step.size() >= 4);
        CHECK(srv.reads_per_step[2] == 1);
        CHECK(srv.reads_per_step[3] == 1);
    }

    TEST_CASE("STARTTLS upgrades, re-EHLOs and forgets the pre-TLS capabilities") {
        net::io_context ioc;
        auto sctx = server_context(pki());
        script_server srv(
            ioc,
            // PLAIN, the client's first choice, is offered only before TLS: a client that
            // kept the old list would pick it.
            concat({send(greeting), expect("EHLO", "250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"),
                    with_tls(expect("STARTTLS", "220 2.0.0 go ahead\r\n")),
                    expect("EHLO", "250-mx\r\n250-STARTTLS\r\n250 AUTH LOGIN\r\n"),
                    expect("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"),
                    expect(smtperr::base64_encode("user"), "334 UGFzc3dvcmQ6\r\n"),
                    expect(smtperr::base64_encode("secret"), "235 2.7.0 ok\r\n")},
                   tail_transaction()),
            &sctx);
        auto o = base_options();
        o.tls = sa::tls_mode::starttls;
        o.ca_file = pki().ca_file;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(srv.tls_ok);
        CHECK(srv.mismatch.empty());
        CHECK(r.report.outcome == smtperr::outcome::sent);
        std::size_t starttls = 0;
        for (const auto& l : srv.lines) {
            if (script_server::starts_with(l, "STARTTLS")) {
                ++starttls;
            }
        }
        CHECK(starttls == 1);
    }

    TEST_CASE("tls=starttls without STARTTLS offered fails before AUTH or MAIL") {
        net::io_context ioc;
        script_server srv(ioc,
                          {send(greeting), expect("EHLO", "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
                           expect("QUIT", "221 bye\r\n")});
        auto o = base_options();
        o.tls = sa::tls_mode::starttls;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.deciding.condition == condition::starttls_unavailable);
        CHECK(r.report.outcome == smtperr::outcome::failed);
        CHECK_FALSE(srv.saw("AUTH"));
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("bytes injected after the 220 to STARTTLS end the session") {
        net::io_context ioc;
        auto sctx = server_context(pki());
        script_server srv(ioc,
                          {send(greeting), expect("EHLO", "250-mx\r\n250 STARTTLS\r\n"),
                           with_tls(expect("STARTTLS", "220 go\r\n250 injected\r\n")),
                           expect("EHLO", "250 mx\r\n")},
                          &sctx);
        auto o = base_options();
        o.tls = sa::tls_mode::starttls;
        o.ca_file = pki().ca_file;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.deciding.condition == condition::protocol_violation);
        CHECK_FALSE(srv.tls_ok);
        REQUIRE_FALSE(srv.lines.empty());
        CHECK(srv.lines.back() == "STARTTLS");  // Nothing after it.
    }

    TEST_CASE("implicit TLS succeeds") {
        net::io_context ioc;
        auto sctx = server_context(pki());
        script_server srv(ioc,
                          concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()),
                          &sctx, true);
        auto o = base_options();
        o.tls = sa::tls_mode::implicit;
        auto cctx = client_context();
        cctx.add_certificate_authority(net::buffer(pki().ca.cert_pem));
        const auto r = run(ioc, srv, o, base_message(), &cctx);
        REQUIRE(r.called);
        CHECK(srv.tls_ok);
        CHECK(r.report.outcome == smtperr::outcome::sent);
    }

    TEST_CASE("an untrusted certificate stops the session before AUTH") {
        net::io_context ioc;
        auto sctx = server_context(pki());
        script_server srv(
            ioc,
            {send(greeting), expect("EHLO", "250-mx\r\n250 STARTTLS\r\n"),
             with_tls(expect("STARTTLS", "220 go\r\n")),
             expect("EHLO", "250-mx\r\n250 AUTH PLAIN\r\n"), expect("AUTH", "235 ok\r\n")},
            &sctx);
        auto o = base_options();
        o.tls = sa::tls_mode::starttls;
        o.ca_file = other_pki().ca_file;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.deciding.condition == condition::certificate_untrusted);
        CHECK(r.report.deciding.server_text.find("CN=localhost") != std::string::npos);
        CHECK(r.report.deciding.server_text.find("SHA-256: ") != std::string::npos);
        CHECK_FALSE(srv.saw("AUTH"));
        CHECK_FALSE(srv.tls_ok);
    }

    TEST_CASE("an anonymous cipher suite (no certificate at all) stops the session before AUTH") {
        // Found in review: OpenSSL skips verification, callback and all, when an anonymous
        // suite is negotiated; a caller's context with "ALL:@SECLEVEL=0" (seen for legacy
        // servers) offers them, and the handshake "succeeded" with a man in the middle.
        net::io_context ioc;
        net::ssl::context sctx(net::ssl::context::tls_server);
        SSL_CTX_set_max_proto_version(sctx.native_handle(), TLS1_2_VERSION);
        REQUIRE(SSL_CTX_set_cipher_list(sctx.native_handle(),
                                        "ADH-AES256-GCM-SHA384:@SECLEVEL=0") == 1);
        SSL_CTX_set_dh_auto(sctx.native_handle(), 1);
        script_server srv(
            ioc,
            {send(greeting), expect("EHLO", "250-mx\r\n250 STARTTLS\r\n"),
             with_tls(expect("STARTTLS", "220 go\r\n")),
             expect("EHLO", "250-mx\r\n250 AUTH PLAIN\r\n"), expect("AUTH", "235 ok\r\n")},
            &sctx);
        net::ssl::context weak(net::ssl::context::tls_client);
        REQUIRE(SSL_CTX_set_cipher_list(weak.native_handle(), "ALL:@SECLEVEL=0") == 1);
        auto o = base_options();
        o.tls = sa::tls_mode::starttls;
        o.ca_file = pki().ca_file;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message(), &weak);
        REQUIRE(r.called);
        CHECK(srv.tls_ok);  // The anonymous handshake itself went through,
        CHECK(r.report.deciding.condition == condition::certificate_untrusted);
        CHECK(r.report.deciding.server_text.find("anonymous") != std::string::npos);
        CHECK_FALSE(srv.saw("AUTH"));  // but nothing was sent over it.
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("a pinned fingerprint replaces CA trust") {
        const auto fp = sa::certificate_sha256(pki().server.cert_pem);
        REQUIRE(fp);
        SUBCASE("matching pin") {
            net::io_context ioc;
            auto sctx = server_context(pki());
            script_server srv(
                ioc, concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()),
                &sctx, true);
            auto o = base_options();
            o.tls = sa::tls_mode::implicit;
            o.pinned_sha256 = fp.value();
            const auto r = run(ioc, srv, o, base_message());
            CHECK(r.report.outcome == smtperr::outcome::sent);
        }
        SUBCASE("wrong pin") {
            net::io_context ioc;
            auto sctx = server_context(pki());
            script_server srv(ioc, {send(greeting)}, &sctx, true);
            auto o = base_options();
            o.tls = sa::tls_mode::implicit;
            o.ca_file = pki().ca_file;  // Would be trusted; the pin decides.
            std::string wrong = fp.value();
            wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
            o.pinned_sha256 = wrong;
            const auto r = run(ioc, srv, o, base_message());
            CHECK(r.report.deciding.condition == condition::certificate_untrusted);
            CHECK(r.report.deciding.server_text.find(fp.value()) != std::string::npos);
        }
    }

    TEST_CASE("AUTH PLAIN and LOGIN succeed") {
        SUBCASE("PLAIN") {
            net::io_context ioc;
            const std::string ir = smtperr::base64_encode(std::string("\0user\0secret", 12));
            script_server srv(
                ioc, concat({send(greeting), expect("EHLO", "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
                             expect("AUTH PLAIN " + ir, "235 2.7.0 ok\r\n")},
                            tail_transaction()));
            auto o = base_options();
            o.allow_plaintext_auth = true;
            o.credentials = sa::credentials{"user", "secret", ""};
            const auto r = run(ioc, srv, o, base_message());
            CHECK(srv.mismatch.empty());
            CHECK(r.report.outcome == smtperr::outcome::sent);
        }
        SUBCASE("LOGIN") {
            check_login("secret");
        }
    }

    TEST_CASE("a password inside the server's text leaves the protocol what the server said") {
        // The secret is masked in what is reported and logged, not in what the session reads
        // (found in review: "STARTTLS" with the password "TLS" read as no STARTTLS offered; a
        // LOGIN challenge holding the password read as garbled).
        SUBCASE("STARTTLS offered, the password \"TLS\"") {
            net::io_context ioc;
            auto sctx = server_context(pki());
            const std::string ir = smtperr::base64_encode(std::string("\0user\0TLS", 9));
            script_server srv(ioc,
                              concat({send(greeting), expect("EHLO", "250-mx\r\n250 STARTTLS\r\n"),
                                      with_tls(expect("STARTTLS", "220 2.0.0 go ahead\r\n")),
                                      expect("EHLO", "250-mx\r\n250 AUTH PLAIN\r\n"),
                                      expect("AUTH PLAIN " + ir, "235 2.7.0 ok\r\n")},
                                     tail_transaction()),
                              &sctx);
            auto o = base_options();
            o.tls = sa::tls_mode::starttls;
            o.ca_file = pki().ca_file;
            o.credentials = sa::credentials{"user", "TLS", ""};
            const auto r = run(ioc, srv, o, base_message());
            CHECK(srv.mismatch.empty());
            CHECK(r.report.outcome == smtperr::outcome::sent);
        }
        SUBCASE("a LOGIN challenge that holds the password") {
            check_login("VXNl");  // In the challenge "VXNlcm5hbWU6".
        }
    }

    TEST_CASE("535 is authentication_failed and AUTH is not repeated") {
        net::io_context ioc;
        script_server srv(
            ioc,
            {send(greeting), expect("EHLO", "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
             expect("AUTH PLAIN", "535 5.7.8 bad credentials\r\n"), expect("QUIT", "221 bye\r\n")});
        auto o = base_options();
        o.allow_plaintext_auth = true;
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        CHECK(r.report.deciding.condition == condition::authentication_failed);
        std::size_t auths = 0;
        for (const auto& l : srv.lines) {
            if (script_server::starts_with(l, "AUTH")) {
                ++auths;
            }
        }
        CHECK(auths == 1);
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("no AUTH over plaintext unless allowed") {
        net::io_context ioc;
        script_server srv(ioc, {send(greeting), expect("EHLO", "250-mx\r\n250 AUTH PLAIN\r\n"),
                                expect("QUIT", "221 bye\r\n")});
        auto o = base_options();
        o.credentials = sa::credentials{"user", "secret", ""};
        const auto r = run(ioc, srv, o, base_message());
        CHECK(r.report.deciding.condition == condition::encryption_required);
        CHECK(r.report.outcome == smtperr::outcome::failed);
        CHECK_FALSE(srv.saw("AUTH"));
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("the XOAUTH2 error challenge is answered with an empty line") {
        net::io_context ioc;
        const std::string challenge =
            "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29v"
            "Z2xlLmNvbS8ifQ==";
        script_server srv(ioc, {send(greeting), expect("EHLO", "250-mx\r\n250 AUTH XOAUTH2\r\n"),
                                expect("AUTH XOAUTH2 ", "334 " + challenge + "\r\n"),
                                expect("", "535 5.7.8 Username and Password not accepted\r\n"),
                                expect("QUIT", "221 bye\r\n")});
        auto o = base_options();
        o.allow_plaintext_auth = true;
        o.credentials = sa::credentials{"user@x.test", "", "ya29.token"};
        const auto r = run(ioc, srv, o, base_message());
        CHECK(r.report.deciding.condition == condition::oauth_token_invalid);
        REQUIRE(srv.lines.size() >= 4);
        CHECK(srv.lines[2].empty());
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("over SIZE and split by a recipient limit: every recipient fails, none waits") {
        // Found in review: only the first transaction's recipients got the verdict; the rest
        // stayed pending, and a message that can never go was "deferred" for ever.
        net::io_context ioc;
        script_server srv(ioc, {send(greeting), expect("EHLO", "250-mx\r\n250 SIZE 10\r\n"),
                                expect("QUIT", "221 bye\r\n")});
        auto o = base_options();
        o.max_recipients_per_transaction = 1;
        const auto r = run(ioc, srv, o, base_message({"b@y.test", "c@y.test", "d@y.test"}));
        CHECK(r.report.outcome == smtperr::outcome::failed);
        REQUIRE(r.report.recipients.size() == 3);
        for (const auto& rr : r.report.recipients) {
            CAPTURE(rr.address);
            REQUIRE(rr.diagnosis.has_value());
            CHECK(rr.diagnosis->condition == condition::message_too_large);
            CHECK_FALSE(rr.pending());
        }
        CHECK_FALSE(srv.saw("MAIL"));
    }

    TEST_CASE("a message larger than SIZE fails before MAIL") {
        net::io_context ioc;
        script_server srv(ioc, {send(greeting), expect("EHLO", "250-mx\r\n250 SIZE 10\r\n"),
                                expect("QUIT", "221 bye\r\n")});
        const auto r = run(ioc, srv, base_options(), base_message());
        CHECK(r.report.deciding.condition == condition::message_too_large);
        CHECK(r.report.outcome == smtperr::outcome::failed);
        CHECK_FALSE(srv.saw("MAIL"));
        CHECK(r.report.transactions == 0);  // Refused by the client: no MAIL, no transaction.
    }

    TEST_CASE("a message of exactly SIZE octets is sent, and declared without its stuffing") {
        // RFC 1870 §3: the size excludes the terminating dot and the doubled dots, so this
        // body is 17 octets although 19 go on the wire before the final ".\r\n".
        for (const int limit : {17, 16}) {
            INFO("limit " << limit);
            net::io_context ioc;
            const std::string ehlo = "250-mx\r\n250 SIZE " + std::to_string(limit) + "\r\n";
            std::vector<step> script{send(greeting), expect("EHLO", ehlo)};
            if (limit == 17) {
                script = concat(script, tail_transaction());
            } else {
                script.push_back(expect("QUIT", "221 bye\r\n"));
            }
            script_server srv(ioc, script);
            auto m = base_message();
            m.body = ".hidden\n.\nend";
            const auto r = run(ioc, srv, base_options(), m);
            CHECK(srv.mismatch.empty());
            if (limit == 17) {
                CHECK(r.report.outcome == smtperr::outcome::sent);
                CHECK(std::count(srv.lines.begin(), srv.lines.end(),
                                 "MAIL FROM:<a@x.test> SIZE=17") == 1);
                CHECK(srv.data == "..hidden\r\n..\r\nend\r\n.\r\n");
            } else {
                CHECK(r.report.deciding.condition == condition::message_too_large);
                CHECK_FALSE(srv.saw("MAIL"));
            }
        }
    }

    TEST_CASE("the body reaches the server dot-stuffed with CRLF line ends") {
        net::io_context ioc;
        script_server srv(ioc,
                          concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()));
        auto m = base_message();
        m.body = "L1\n.\nx\r.\rfoo\r\n..bar\n.\r\nlast";
        const auto r = run(ioc, srv, base_options(), m);
        CHECK(r.report.outcome == smtperr::outcome::sent);
        CHECK(srv.data == "L1\r\n..\r\nx\r\n..\r\nfoo\r\n...bar\r\n..\r\nlast\r\n.\r\n");
    }

    TEST_CASE("one rejected recipient among others is partially_sent") {
        net::io_context ioc;
        step data;
        data.data = true;
        data.reply = "250 queued\r\n";
        script_server srv(ioc,
                          {send(greeting), expect("EHLO", ehlo_plain), expect("MAIL", "250 ok\r\n"),
                           expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
                           expect("RCPT TO:<c@y.test>", "550 5.1.1 unknown user\r\n"),
                           expect("DATA", "354 go\r\n"), data, expect("QUIT", "221 bye\r\n")});
        const auto r = run(ioc, srv, base_options(), base_message({"b@y.test", "c@y.test"}));
        CHECK(r.report.outcome == smtperr::outcome::partially_sent);
        REQUIRE(r.report.recipients.size() == 2);
        CHECK(r.report.recipients[0].accepted);
        REQUIRE(r.report.recipients[1].diagnosis);
        CHECK(r.report.recipients[1].diagnosis->condition == condition::recipient_unknown);
    }

    TEST_CASE("452 4.5.3 splits the recipients over two transactions") {
        net::io_context ioc;
        step data;
        data.data = true;
        data.reply = "250 queued\r\n";
        script_server srv(
            ioc,
            {send(greeting), expect("EHLO", ehlo_plain), expect("MAIL", "250 ok\r\n"),
             expect("RCPT TO:<b@y.test>", "250 ok\r\n"),
             expect("RCPT TO:<c@y.test>", "452 4.5.3 Too many recipients\r\n"),
             expect("RCPT TO:<d@y.test>", "452 4.5.3 Too many recipients\r\n"),
             expect("DATA", "354 go\r\n"), data, expect("MAIL", "250 ok\r\n"),
             expect("RCPT TO:<c@y.test>", "250 ok\r\n"), expect("RCPT TO:<d@y.test>", "250 ok\r\n"),
             expect("DATA", "354 go\r\n"), data, expect("QUIT", "221 bye\r\n")});
        const auto r =
            run(ioc, srv, base_options(), base_message({"b@y.test", "c@y.test", "d@y.test"}));
        CHECK(srv.mismatch.empty());
        CHECK(r.report.outcome == smtperr::outcome::sent);
        CHECK(r.report.transactions == 2);
        for (const auto& rr : r.report.recipients) {
            CHECK(rr.accepted);
        }
    }

    TEST_CASE("a silent server times out") {
        SUBCASE("at the greeting") {
            net::io_context ioc;
            step silent;
            silent.silent = true;
            script_server srv(ioc, {silent});
            auto o = base_options();
            o.timeouts.greeting = 150ms;
            const auto r = run(ioc, srv, o, base_message());
            CHECK_FALSE(r.ec);
            CHECK(r.report.deciding.condition == condition::timed_out);
            CHECK(r.report.outcome == smtperr::outcome::deferred);
            // The greeting's own timeout, not another phase's (3 s in base_options()).
            CHECK(r.took < base_options().timeouts.ehlo);
        }
        SUBCASE("after the final dot") {
            net::io_context ioc;
            step data;
            data.data = true;
            data.silent = true;
            script_server srv(
                ioc, {send(greeting), expect("EHLO", ehlo_plain), expect("MAIL", "250 ok\r\n"),
                      expect("RCPT", "250 ok\r\n"), expect("DATA", "354 go\r\n"), data});
            auto o = base_options();
            o.timeouts.data_end = 150ms;
            const auto r = run(ioc, srv, o, base_message());
            CHECK(r.report.deciding.condition == condition::timed_out);
            CHECK(r.report.possibly_delivered);
            CHECK(r.took < base_options().timeouts.data_block);  // Not another phase's timeout.
        }
    }

    TEST_CASE("EOF after the final dot is possibly_delivered") {
        net::io_context ioc;
        step data;
        data.data = true;
        data.close = true;
        script_server srv(ioc,
                          {send(greeting), expect("EHLO", ehlo_plain), expect("MAIL", "250 ok\r\n"),
                           expect("RCPT", "250 ok\r\n"), expect("DATA", "354 go\r\n"), data});
        const auto r = run(ioc, srv, base_options(), base_message());
        CHECK_FALSE(r.ec);
        CHECK(r.report.possibly_delivered);
        CHECK(r.report.deciding.condition == condition::connection_lost);
        CHECK(r.report.outcome != smtperr::outcome::sent);
    }

    TEST_CASE("J-01: the resolver's 'no such name' is host_not_found, 'try again' is not") {
        using sa::detail::map_io_error;
        CHECK(map_io_error(net::error::host_not_found) == smtperr::errc::host_not_found);
        CHECK(map_io_error(net::error::host_not_found) == condition::connection_failed);
        CHECK(map_io_error(net::error::host_not_found_try_again) != smtperr::errc::host_not_found);
        CHECK(map_io_error(net::error::connection_refused) != smtperr::errc::host_not_found);
    }

    TEST_CASE("a failure on the open connection is always in smtperr's categories") {
        // Found in review: EHOSTUNREACH, ETIMEDOUT and the like went into reports as they
        // were, comparing equal to no condition and to neither failure class.
        using sa::detail::session_io_error;
        for (const auto ec : {net::error::host_unreachable, net::error::network_unreachable,
                              net::error::network_down, net::error::no_buffer_space,
                              net::error::connection_refused}) {
            const std::error_code e = session_io_error(ec);
            CAPTURE(e.message());
            CHECK(e == smtperr::errc::connection_lost);
            CHECK(e == condition::connection_lost);
            CHECK(e == smtperr::failure_class::transient);
        }
        const boost::system::error_code io(EIO, boost::system::system_category());
        CHECK(session_io_error(io) == smtperr::errc::connection_lost);
        CHECK(session_io_error(net::error::timed_out) == smtperr::errc::timed_out);
        CHECK(session_io_error(net::error::timed_out) == condition::timed_out);
        // What map_io_error() already knows stays, and so does a cancellation.
        CHECK(session_io_error(net::error::eof) == smtperr::errc::connection_lost);
        CHECK(session_io_error(net::ssl::error::stream_truncated) ==
              smtperr::errc::connection_lost);
        CHECK(session_io_error(net::error::operation_aborted) == std::errc::operation_canceled);
        CHECK_FALSE(session_io_error({}));
    }

    TEST_CASE("a refused connection is connection_failed") {
        net::io_context ioc;
        std::uint16_t port = 0;
        {
            net::ip::tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
            port = a.local_endpoint().port();
        }
        auto o = base_options();
        o.port = port;
        const auto r = run_direct(ioc, o);
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.deciding.condition == condition::connection_failed);
        CHECK(r.report.outcome == smtperr::outcome::deferred);
    }

    TEST_CASE("a server that never answers the SYN: connect timeout, then connection_failed") {
        net::io_context ioc;
        smtperr::test::black_hole hole(ioc, net::ip::make_address("127.0.0.1"));
        auto o = base_options();
        o.port = hole.endpoint().port();
        o.timeouts.connect = 300ms;
        std::ostringstream log;
        o.logger = std::make_shared<spdlog::logger>(
            "t", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
        o.logger->set_level(spdlog::level::debug);
        const auto r = run_direct(ioc, o);
        REQUIRE(r.called);
        CHECK_FALSE(r.ec);
        CHECK(r.report.deciding.condition == condition::connection_failed);
        CHECK(r.took >= 300ms);
        CHECK(r.took < base_options().timeouts.greeting);  // The connect timeout, no other.
        CHECK(log.str().find("connect to 127.0.0.1 failed: ") != std::string::npos);
    }

    TEST_CASE("cancellation while connecting completes with operation_aborted") {
        net::io_context ioc;
        smtperr::test::black_hole hole(ioc, net::ip::make_address("127.0.0.1"));
        auto o = base_options();
        o.port = hole.endpoint().port();
        o.timeouts.connect = 30s;
        const auto r = run_direct(ioc, o, 200ms);
        REQUIRE(r.called);
        CHECK(r.ec == net::error::operation_aborted);
        // Ended by the cancellation at 200 ms: run_direct() gives it 10 s, a third of the 30 s
        // connect timeout, so a completion at all (and operation_aborted) shows it.
        REQUIRE(r.report.recipients.size() == 1);
        CHECK_FALSE(r.report.recipients[0].accepted);
    }

    TEST_CASE("cancellation mid-session completes with operation_aborted") {
        net::io_context ioc;
        step silent;
        silent.silent = true;
        script_server srv(ioc, {send(greeting), expect("EHLO", ehlo_plain), silent});
        auto o = base_options();
        o.port = srv.port();
        o.timeouts.ehlo = o.timeouts.mail = 30s;  // The MAIL goes unanswered: no timeout ends it.
        const auto r = run_direct(ioc, o, 200ms, [&] { srv.stop(); });
        REQUIRE(r.called);
        CHECK(r.ec == net::error::operation_aborted);
        // Ended by the cancellation at 200 ms: run_direct() gives it 10 s, a third of the 30 s
        // timeouts, so a completion at all (and operation_aborted) shows it.
        CHECK(srv.saw("MAIL"));
    }

    TEST_CASE("invalid caller input completes later, not inline, and sends nothing") {
        using smtperr::errc;
        const std::vector<std::pair<sa::message, errc>> bad = {
            {{"a@b>\r\nRCPT TO:<victim@x", {"b@y.test"}, "x"}, errc::invalid_address},
            {{"a@x.test", {"b@y.test\n"}, "x"}, errc::invalid_address},
            {{"a@x.test", {std::string("b@y\0.test", 9)}, "x"}, errc::invalid_address},
            {{"a\r@x.test", {"b@y.test"}, "x"}, errc::invalid_address},
            {{"a@x.test", {std::string(65, 'l') + "@y.test"}, "x"}, errc::invalid_address},
            {{"a@" + std::string(64, 'd') + ".test", {"b@y.test"}, "x"}, errc::invalid_address},
            {{"a@x.test", {}, "x"}, errc::no_recipients},
        };
        for (const auto& [m, want] : bad) {
            net::io_context ioc;
            script_server srv(ioc, {send(greeting)});
            auto o = base_options();
            o.port = srv.port();
            auto ctx = client_context();
            result r;
            sa::async_submit(ioc, ctx, o, m,
                             [&](boost::system::error_code ec, smtperr::send_report) {
                                 r.called = true;
                                 r.ec = ec;
                                 srv.stop();
                             });
            CHECK_FALSE(r.called);  // Never inside the initiating function.
            ioc.run_for(5s);
            REQUIRE(r.called);
            const std::error_code ec = r.ec;
            CHECK(ec == want);
            CHECK(srv.connections == 0);
        }
    }

    // The session is compiled once and gets the handler type-erased: the handler's executor
    // must still be where every step runs, and a deferred start must not hold references.
    TEST_CASE("every step runs on the handler's strand while two threads run the io_context") {
        // An address literal, and a name (the resolver's steps: Asio's lookup thread).
        for (const char* host : {"127.0.0.1", "localhost"}) {
            CAPTURE(host);
            strand_run(host, false);
        }
        strand_run("127.0.0.1", true);
    }

    TEST_CASE("deferred: the options are a copy taken at the call") {
        net::io_context ioc;
        script_server srv(ioc,
                          concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()));
        auto ctx = client_context();
        auto o = std::make_unique<sa::submit_options>(base_options());
        o->port = srv.port();
        auto op = sa::async_submit(ioc, ctx, *o, base_message(), net::deferred);
        o.reset();  // A reference kept to them is a use after free (AddressSanitizer in CI).
        smtperr::send_report rep;
        bool called = false;
        std::move(op)([&](boost::system::error_code, smtperr::send_report r) {
            called = true;
            rep = std::move(r);
            srv.stop();
        });
        CHECK_FALSE(called);
        ioc.run_for(10s);
        REQUIRE(called);
        CHECK(rep.outcome == smtperr::outcome::sent);
        CHECK(srv.connections == 1);
    }

    TEST_CASE("an empty type-erased handler is refused at the call, before any I/O") {
        net::io_context ioc;
        auto ctx = client_context();
        net::any_completion_handler<void(boost::system::error_code, smtperr::send_report)> none;
        CHECK_THROWS_AS(sa::async_submit(ioc, ctx, base_options(), base_message(), std::move(none)),
                        std::invalid_argument);
        CHECK(ioc.poll() == 0);  // Nothing was started.
    }

    TEST_CASE("use_future and use_awaitable") {
        SUBCASE("use_future") {
            net::io_context ioc;
            script_server srv(
                ioc, concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()));
            auto o = base_options();
            o.port = srv.port();
            auto ctx = client_context();
            auto fut = sa::async_submit(ioc, ctx, o, base_message(), net::use_future);
            std::thread th([&] { ioc.run_for(10s); });
            const auto rep = fut.get();
            srv.stop();  // Not thread-safe in general; the client is done and the server idle.
            th.join();
            CHECK(rep.outcome == smtperr::outcome::sent);
        }
        SUBCASE("use_awaitable") {
            net::io_context ioc;
            script_server srv(
                ioc, concat({send(greeting), expect("EHLO", ehlo_plain)}, tail_transaction()));
            auto o = base_options();
            o.port = srv.port();
            auto ctx = client_context();
            smtperr::send_report rep;
            net::co_spawn(ioc, submit_awaitable(&ctx, o, &rep, &srv), net::detached);
            ioc.run_for(10s);
            CHECK(rep.outcome == smtperr::outcome::sent);
        }
    }

    TEST_CASE("the transcript never contains a secret in any encoding") {
        const std::string password = "Pw-canary-7f3a9c!";
        const std::string token = "ya29.tok-canary-51e2d8/x+y";
        struct variant {
            std::string caps;
            std::vector<step> auth;
            sa::credentials creds;
        };
        const std::string xo_challenge = "eyJzdGF0dXMiOiI0MDEifQ==";
        std::vector<variant> variants = {
            {"250-mx\r\n250 AUTH PLAIN\r\n",
             {expect("AUTH PLAIN", "235 ok\r\n")},
             {"user", password, ""}},
            {"250-mx\r\n250 AUTH LOGIN\r\n",
             {expect("AUTH LOGIN", "334 VXNlcm5hbWU6\r\n"), expect("", "334 UGFzc3dvcmQ6\r\n"),
              expect("", "235 ok\r\n")},
             {"user", password, ""}},
            {"250-mx\r\n250 AUTH XOAUTH2\r\n",
             {expect("AUTH XOAUTH2", "334 " + xo_challenge + "\r\n"),
              expect("", "535 5.7.8 no\r\n")},
             {"user", "", token}},
            {"250-mx\r\n250 AUTH OAUTHBEARER\r\n",
             {expect("AUTH OAUTHBEARER", "235 ok\r\n")},
             {"user", "", token}},
        };
        // Every form, each base64 alignment included, so the PLAIN, LOGIN and OAuth blobs
        // too, from the tests' own oracle rather than the redactor's list.
        auto forms = smtperr::test::leak_forms(password);
        for (auto& f : smtperr::test::leak_forms(token)) {
            forms.push_back(std::move(f));
        }
        for (const auto& v : variants) {
            net::io_context ioc;
            std::vector<step> script = {send(greeting), expect("EHLO", v.caps)};
            script.insert(script.end(), v.auth.begin(), v.auth.end());
            script = concat(script, tail_transaction());
            script_server srv(ioc, script);
            std::ostringstream out;
            auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
            auto logger = std::make_shared<spdlog::logger>("smtp", sink);
            logger->set_level(spdlog::level::debug);
            auto o = base_options();
            o.allow_plaintext_auth = true;
            o.credentials = v.creds;
            o.logger = logger;
            run(ioc, srv, o, base_message());
            logger->flush();
            const std::string log = out.str();
            INFO(log);
            CHECK(log.find("C: AUTH ") != std::string::npos);
            CHECK(log.find("<redacted>") != std::string::npos);
            for (const auto& f : forms) {
                CHECK(log.find(f) == std::string::npos);
            }
        }
    }
}
