// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The hostile-server suite (issue #6): cases of ../shared/reference/hostile-servers.md
// played by the scripted server of tests/unit/asio against async_submit. A case is data:
// the server's script, the client's options and the exact safe outcome. play() runs it
// and checks, besides the case's own expectations, the invariants every case must keep:
// no secret in any form in the transcript, events, report or error text; UI strings free
// of controls, bidi and invisible characters; nothing but the greeting and EHLO/STARTTLS
// exchanged in plaintext when TLS is required and was never established.

#ifndef SMTPERR_TESTS_HOSTILE_HOSTILE_HPP
#define SMTPERR_TESTS_HOSTILE_HOSTILE_HPP

#include <smtperr/asio/options.hpp>
#include <smtperr/error/condition.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/error/reply_code.hpp>
#include <smtperr/pipeline/send_report.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "unit/asio/script_server.hpp"

namespace smtperr::hostile {

namespace sa = smtperr::asio;
using smtperr::test::expect;
using smtperr::test::script_server;
using smtperr::test::send;
using smtperr::test::step;
using namespace std::chrono_literals;

/// Canaries: unique enough that any hit in any output is a leak.
inline const std::string canary_password = "Pw-canary-7f3a9c!Q";
inline const std::string canary_token = "ya29.tok-canary-51e2d8/x+y";
inline const std::string user = "alice@x.test";

/// The certificate the server presents (the client trusts only the suite's CA).
/// `ip_as_dns`: names 127.0.0.1 only as a DNS name, which an IP literal host must not accept.
/// `valid_leaf`: made like the broken ones (hostile_pki.hpp), valid: their control.
enum class cert { good, expired, wrong_host, self_signed, untrusted_ca, ip_as_dns, valid_leaf };

/// What the client signs in with.
enum class creds { password, token, none };

/// The exact safe outcome of a case.
struct expected {
    smtperr::outcome outcome = smtperr::outcome::failed;
    smtperr::condition condition = smtperr::condition::none;
    std::error_code code;  ///< report.deciding.code
    bool possibly_delivered = false;
    /// The completion's error code: set only for caller input refused before any I/O.
    std::error_code input_error;
};

/// What a finished case leaves to look at.
struct outcome_data {
    boost::system::error_code ec;
    smtperr::send_report report;
    std::string transcript;                ///< The debug log, as the caller's sink got it.
    std::vector<std::string> event_texts;  ///< Every string of every outbox event.
};

/// One hostile case.
struct hostile_case {
    std::string name;  ///< "<catalogue id> what" (e.g. "E-01 bytes after 220 to STARTTLS").
    std::vector<step> script;
    sa::tls_mode tls = sa::tls_mode::none;
    hostile::cert cert = hostile::cert::good;
    hostile::creds creds = hostile::creds::password;
    expected want;
    std::vector<std::string> never;  ///< Command prefixes the server must not receive.
    std::vector<std::string> must;   ///< Command prefixes the server must receive.
    std::function<void(sa::submit_options&, sa::message&)> tweak;          ///< Optional.
    std::function<void(const outcome_data&, const script_server&)> check;  ///< Optional.
    bool script_followed = true;  ///< The client sent what the script expects.

    hostile_case(std::string n, std::vector<step> s, sa::tls_mode t, hostile::cert c,
                 hostile::creds cr, expected w, std::vector<std::string> nev = {},
                 std::vector<std::string> mu = {})
        : name(std::move(n)),
          script(std::move(s)),
          tls(t),
          cert(c),
          creds(cr),
          want(std::move(w)),
          never(std::move(nev)),
          must(std::move(mu)) {}
};

/// Runs one case and checks its expectations and the suite's invariants (doctest CHECKs).
void play(const hostile_case& c);

/// Runs every case of a table, each in a SUBCASE of its name.
void play_all(const std::vector<hostile_case>& cases);

/// Checks that a UI string is valid UTF-8 without controls, bidi or invisible characters.
void check_ui_text(std::string_view where, const std::string& text);

// Building blocks of scripts. ---------------------------------------------------------------

inline const std::string greeting = "220 mx.test ESMTP\r\n";
/// EHLO over plaintext with STARTTLS, the post-TLS EHLO with AUTH.
inline const std::string ehlo_starttls = "250-mx.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
inline const std::string ehlo_auth = "250-mx.test\r\n250-ENHANCEDSTATUSCODES\r\n250 AUTH PLAIN\r\n";

inline std::vector<step> operator+(std::vector<step> a, const std::vector<step>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// A step that replies and then runs the server side of the TLS handshake.
inline step tls(step s) {
    s.starttls = true;
    return s;
}
/// A step that replies (possibly nothing) and then closes the connection.
inline step closing(step s) {
    s.close = true;
    return s;
}
/// A step that reads its command and then never answers.
inline step silent(std::string cmd) {
    step s;
    s.expect.push_back(std::move(cmd));
    s.silent = true;
    return s;
}
/// Reads the message data up to the final dot, then replies.
inline step data(std::string reply) {
    step s;
    s.data = true;
    s.reply = std::move(reply);
    return s;
}

/// Greeting, EHLO and AUTH PLAIN over plaintext (tls_mode::none, plaintext AUTH allowed).
inline std::vector<step> plain_login() {
    return {send(greeting), expect("EHLO client.test", ehlo_auth),
            expect("AUTH PLAIN ", "235 2.7.0 ok\r\n")};
}
/// Greeting, EHLO, STARTTLS, EHLO and AUTH PLAIN.
inline std::vector<step> starttls_login() {
    return {send(greeting), expect("EHLO client.test", ehlo_starttls),
            tls(expect("STARTTLS", "220 2.0.0 go ahead\r\n")),
            expect("EHLO client.test", ehlo_auth), expect("AUTH PLAIN ", "235 2.7.0 ok\r\n")};
}
/// plain_login(), MAIL accepted, `reply` to the RCPT, then QUIT.
inline std::vector<step> rcpt_reply(std::string reply) {
    return plain_login() + std::vector<step>{expect("MAIL FROM:<a@x.test>", "250 ok\r\n"),
                                             expect("RCPT TO:<b@y.test>", std::move(reply)),
                                             expect("QUIT", "221 bye\r\n")};
}
/// MAIL, RCPT, DATA, the data and QUIT, all accepted (one recipient, no pipelining).
inline std::vector<step> transaction() {
    return {expect("MAIL FROM:<a@x.test>", "250 2.1.0 ok\r\n"),
            expect("RCPT TO:<b@y.test>", "250 2.1.5 ok\r\n"), expect("DATA", "354 go\r\n"),
            data("250 2.0.0 queued\r\n"), expect("QUIT", "221 2.0.0 bye\r\n")};
}

inline std::error_code transport(errc e) {
    return make_error_code(e);
}
inline std::error_code reply(int code) {
    return make_error_code(reply_code{code});
}

inline expected sent() {
    return {smtperr::outcome::sent, smtperr::condition::none, {}, false, {}};
}
inline expected deferred(smtperr::condition c, std::error_code code) {
    return {smtperr::outcome::deferred, c, code, false, {}};
}
inline expected failed(smtperr::condition c, std::error_code code) {
    return {smtperr::outcome::failed, c, code, false, {}};
}
/// The connection broke after the final dot went out: not sent, and possibly delivered.
inline expected lost_after_dot() {
    return {smtperr::outcome::failed,
            smtperr::condition::connection_lost,
            make_error_code(errc::connection_lost),
            true,
            {}};
}

/// Sets every per-phase timeout to `d` (stall cases use a short one).
inline void all_timeouts(sa::submit_options& o, std::chrono::milliseconds d) {
    auto& t = o.timeouts;
    t.connect = t.greeting = t.ehlo = t.starttls = t.auth = t.mail = t.rcpt = t.data_init =
        t.data_block = t.data_end = t.quit = d;
}

}  // namespace smtperr::hostile

#endif  // SMTPERR_TESTS_HOSTILE_HOSTILE_HPP
