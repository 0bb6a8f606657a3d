// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// play(): one hostile case against async_submit, with the suite-wide invariants.

#include <smtperr/asio/submit.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/json/serialize.hpp>

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <sstream>
#include <variant>

#include "integration/hostile/hostile.hpp"
#include "integration/hostile/hostile_pki.hpp"
#include "support/leak_forms.hpp"

namespace smtperr::hostile {

namespace {

namespace net = boost::asio;

const test::test_pki& trusted() {
    static const test::test_pki p("hostile suite CA");
    return p;
}

const test::key_and_cert& server_cert(cert c) {
    static const test::key_and_cert expired =
        make_leaf(trusted(), {"DNS:localhost,IP:127.0.0.1", -3600L * 48, -3600L * 24, false});
    static const test::key_and_cert wrong_host =
        make_leaf(trusted(), {"DNS:mx.wrong.example", -3600, 3600L * 24, false});
    static const test::key_and_cert self_signed =
        make_leaf(trusted(), {"DNS:localhost,IP:127.0.0.1", -3600, 3600L * 24, true});
    static const test::key_and_cert ip_as_dns =
        make_leaf(trusted(), {"DNS:127.0.0.1,DNS:localhost", -3600, 3600L * 24, false});
    static const test::key_and_cert valid_leaf =
        make_leaf(trusted(), {"DNS:localhost,IP:127.0.0.1", -3600, 3600L * 24, false});
    static const test::test_pki rogue("rogue CA");
    switch (c) {
        case cert::good:
            return trusted().server;
        case cert::expired:
            return expired;
        case cert::wrong_host:
            return wrong_host;
        case cert::self_signed:
            return self_signed;
        case cert::untrusted_ca:
            return rogue.server;
        case cert::ip_as_dns:
            return ip_as_dns;
        case cert::valid_leaf:
            return valid_leaf;
    }
    return trusted().server;
}

net::ssl::context server_context(cert c) {
    net::ssl::context ctx(net::ssl::context::tls_server);
    const auto& kc = server_cert(c);
    ctx.use_certificate(net::buffer(kc.cert_pem), net::ssl::context::pem);
    ctx.use_private_key(net::buffer(kc.key_pem), net::ssl::context::pem);
    return ctx;
}

// hostile-servers M-02: the canary password and token, in every form, in no output of any case.
void check_no_secret(std::string_view where, const std::string& text) {
    static const std::vector<std::string> forms = [] {
        auto a = test::leak_forms(canary_password);
        auto b = test::leak_forms(canary_token);
        a.insert(a.end(), b.begin(), b.end());
        // The AUTH blobs as sent (RFC 4616, Google's XOAUTH2, RFC 7628), echoed whole.
        const auto blob = [&a](const std::string& before, const std::string& secret,
                               const std::string& after) {
            for (auto& f : test::blob_leak_forms(before + secret + after, before.size(),
                                                 before.size() + secret.size())) {
                a.push_back(std::move(f));
            }
        };
        blob(std::string(1, '\0') + user + '\0', canary_password, "");
        blob({}, canary_password, "");  // LOGIN's second answer
        blob("user=" + user +
                 "\x01"
                 "auth=Bearer ",
             canary_token, "\x01\x01");
        blob("n,a=" + user +
                 ",\x01"
                 "auth=Bearer ",
             canary_token, "\x01\x01");
        return a;
    }();
    // Also as the text would be shown (a form split by octets the sanitizer drops joins up
    // there), the transcript's \xNN escapes undone first (only there: elsewhere a backslash
    // is the server's own, shown as it is).
    const bool escaped = where == "transcript";
    std::string raw;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (escaped && text.compare(i, 2, "\\x") == 0 && i + 3 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2])) != 0 &&
            std::isxdigit(static_cast<unsigned char>(text[i + 3])) != 0) {
            raw += static_cast<char>(std::stoi(text.substr(i + 2, 2), nullptr, 16));
            i += 3;
        } else {
            raw += text[i];
        }
    }
    const std::string shown = sanitize_server_text(raw, raw.size());
    for (const auto& f : forms) {
        INFO(where, ": ", text);
        INFO("form: ", f);
        CHECK(text.find(f) == std::string::npos);
        CHECK(shown.find(f) == std::string::npos);
    }
}

// Decodes UTF-8; false when ill-formed.
bool decode_utf8(std::string_view s, std::vector<char32_t>& out) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80         ? 1
                        : (b >> 5) == 6  ? 2
                        : (b >> 4) == 14 ? 3
                        : (b >> 3) == 30 ? 4
                                         : 0;
        if (n == 0 || i + n > s.size()) {
            return false;
        }
        char32_t cp = n == 1 ? char32_t{b} : static_cast<char32_t>(b & (0x7fU >> n));
        for (std::size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c >> 6) != 2) {
                return false;
            }
            cp = (cp << 6) | (c & 0x3f);
        }
        const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        out.push_back(cp);
        i += n;
    }
    return true;
}

bool hidden_or_control(char32_t c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||  // C0, DEL, C1 (ESC included)
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||  // bidi
           c == 0x200e || c == 0x200f || c == 0x061c ||                     // marks
           (c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff;      // invisible
}

}  // namespace

void check_ui_text(std::string_view where, const std::string& text) {
    std::vector<char32_t> cps;
    INFO(where, ": ", text);
    REQUIRE(decode_utf8(text, cps));
    CHECK(std::none_of(cps.begin(), cps.end(), hidden_or_control));
}

namespace {

// Every string the outbox's events give the UI, and the UI-facing ones checked as such.
std::vector<std::string> event_texts(const send_report& rep, const std::vector<std::string>& to) {
    std::deque<std::function<void()>> queue;
    std::vector<event> events;
    outbox box(
        {}, [&](const event& e) { events.push_back(e); },
        [&](std::function<void()> f) { queue.push_back(std::move(f)); });
    if (const auto queued = box.enqueue("m1", user, to); !queued) {
        // An outbox never takes what the transport refuses as caller input (N-01): there is
        // no message to show events for.
        CHECK(queued.error() == errc::invalid_address);
        return {};
    }
    box.take_due();
    box.complete("m1", rep);
    while (!queue.empty()) {
        auto f = std::move(queue.front());
        queue.pop_front();
        f();
    }
    std::vector<std::string> out;
    const auto diag = [&](const diagnosis_record& d) {
        out.push_back(boost::json::serialize(to_json(d)));
        check_ui_text("event server_text", d.server_text);
    };
    for (const auto& e : events) {
        std::visit(
            [&](const auto& ev) {
                using T = std::decay_t<decltype(ev)>;
                if constexpr (std::is_same_v<T, system_message_event>) {
                    for (const auto* s : {&ev.list_line, &ev.detail, &ev.action_label,
                                          &ev.server_text, &ev.help_url}) {
                        check_ui_text("system_message", *s);
                        out.push_back(*s);
                    }
                    diag(ev.diagnosis);
                } else if constexpr (std::is_same_v<T, recipients_rejected_event>) {
                    for (const auto& r : ev.recipients) {
                        out.push_back(r.address + " " + r.forward_path);
                        diag(r.diagnosis);
                    }
                } else if constexpr (std::is_same_v<T, report_event>) {
                    out.push_back(boost::json::serialize(to_json(ev.report)));
                } else {
                    diag(ev.diagnosis);
                }
            },
            e);
    }
    return out;
}

// How many cases ran, for the README's count (doctest counts test cases, not subcases).
struct tally {
    unsigned played = 0;
    tally() = default;
    tally(const tally&) = delete;
    tally& operator=(const tally&) = delete;
    ~tally() {
        if (played != 0) {
            std::fprintf(stderr, "hostile-server suite: %u cases played\n", played);
        }
    }
} cases_played;

}  // namespace

void play(const hostile_case& c) {
    INFO("case: ", c.name);
    ++cases_played.played;
    net::io_context ioc;
    auto sctx = server_context(c.cert);
    script_server srv(ioc, c.script, &sctx, c.tls == sa::tls_mode::implicit);

    std::ostringstream log;
    auto logger = std::make_shared<spdlog::logger>(
        "hostile", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    logger->set_level(spdlog::level::debug);

    sa::submit_options o;
    o.host = "127.0.0.1";
    o.port = srv.port();
    o.tls = c.tls;
    o.client_name = "client.test";
    o.ca_file = trusted().ca_file;
    o.allow_plaintext_auth = c.tls == sa::tls_mode::none;
    o.logger = logger;
    all_timeouts(o, 5s);
    if (c.creds == creds::password) {
        o.credentials = sa::credentials{user, canary_password, ""};
    } else if (c.creds == creds::token) {
        o.credentials = sa::credentials{user, "", canary_token};
    }
    sa::message m{"a@x.test", {"b@y.test"}, "Subject: hi\r\n\r\nHello\r\n"};
    if (c.tweak) {
        c.tweak(o, m);
    }
    const auto recipients = m.recipients;

    bool called = false;
    outcome_data r;
    net::ssl::context client_ctx(net::ssl::context::tls_client);
    sa::async_submit(ioc, client_ctx, o, std::move(m),
                     [&](boost::system::error_code ec, send_report rep) {
                         called = true;
                         r.ec = ec;
                         r.report = std::move(rep);
                     });
    const auto until = [&](auto pred, std::chrono::milliseconds d) {
        const auto end = std::chrono::steady_clock::now() + d;
        while (!pred() && std::chrono::steady_clock::now() < end) {
            ioc.run_one_for(20ms);
        }
    };
    until([&] { return called; }, 40s);
    // Let the server read what the client sent last (its lines are checked below). After a
    // failed server-side handshake nothing readable can follow.
    until([&] { return srv.finished || srv.connections == 0 || srv.handshake_failed; }, 3s);
    srv.stop();
    ioc.run_for(1s);
    logger->flush();
    r.transcript = log.str();
    INFO("transcript:\n", r.transcript);
    REQUIRE(called);

    // The case's own expectations.
    const auto& w = c.want;
    CHECK(static_cast<bool>(r.ec) == static_cast<bool>(w.input_error));
    if (w.input_error) {
        CHECK(std::error_code(r.ec) == w.input_error);
    }
    CHECK(to_string(r.report.outcome) == to_string(w.outcome));
    CHECK(to_string(r.report.deciding.condition) == to_string(w.condition));
    CHECK(r.report.deciding.code == w.code);
    CHECK(r.report.possibly_delivered == w.possibly_delivered);
    for (const auto& p : c.never) {
        INFO("must not be sent: ", p);
        CHECK_FALSE(srv.saw(p));
    }
    for (const auto& p : c.must) {
        INFO("must be sent: ", p);
        CHECK(srv.saw(p));
    }
    if (c.script_followed) {
        CHECK(srv.mismatch == "");
    }
    if (w.input_error) {
        CHECK(srv.connections == 0);  // Refused before anything was sent.
    }
    // Never sent without a 2yz to the final dot: the server read the data.
    if (r.report.outcome == outcome::sent || r.report.outcome == outcome::partially_sent) {
        CHECK_FALSE(srv.data.empty());
    }
    // TLS required and never established: nothing but the negotiation went out in clear.
    if (c.tls != sa::tls_mode::none && !srv.tls_ok) {
        for (const char* p : {"AUTH", "MAIL", "RCPT", "DATA"}) {
            INFO("sent without TLS: ", p);
            CHECK_FALSE(srv.saw(p));
        }
        CHECK(r.report.outcome != outcome::sent);
    }
    if (c.check) {
        c.check(r, srv);
    }

    // No secret anywhere the client writes text.
    r.event_texts = event_texts(r.report, recipients);
    check_no_secret("transcript", r.transcript);
    check_no_secret("report", boost::json::serialize(to_json(r.report)));
    check_no_secret("report server_text", r.report.deciding.server_text);
    check_no_secret("error", r.ec.message() + " " + r.report.deciding.code.message());
    for (const auto& t : r.event_texts) {
        check_no_secret("event", t);
    }
    // The UI strings of the report, rendered in both languages.
    check_ui_text("report server_text", r.report.deciding.server_text);
    for (const auto lang : {language::en, language::de}) {
        const auto text = render_message(r.report.deciding.view(), lang);
        check_ui_text("list_line", text.list_line);
        check_ui_text("detail", text.detail);
        check_no_secret("list_line", text.list_line + text.detail);
    }
    for (const auto& rr : r.report.recipients) {
        if (rr.diagnosis) {
            check_ui_text("recipient server_text", rr.diagnosis->server_text);
        }
    }
}

void play_all(const std::vector<hostile_case>& cases) {
    for (const auto& c : cases) {
        SUBCASE(c.name.c_str()) {
            play(c);
        }
    }
}

}  // namespace smtperr::hostile
