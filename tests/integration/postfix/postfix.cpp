// The Boost.Asio transport and the send pipeline against a real Postfix 3.7 with Dovecot
// SASL on 127.0.0.1 (issue #5). fixture.sh starts the server as a ctest fixture and writes
// the ports and paths to $SMTPERR_POSTFIX_DIR/fixture.env; each case below asserts the
// report, the diagnosis and the outbox events, and, where something was accepted, what
// Postfix delivered to the Maildirs.

#include <smtperr/asio/submit.hpp>
#include <smtperr/asio/tls.hpp>
#include <smtperr/classify/classify.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/outbox.hpp>
#include <smtperr/reply/reply.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <doctest/doctest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "support/leak_forms.hpp"

namespace {

namespace net = boost::asio;
namespace sa = smtperr::asio;
namespace fs = std::filesystem;
using smtperr::action;
using smtperr::condition;
using smtperr::phase;
using smtperr::scope;
using namespace std::chrono_literals;

//------------------------------------------------------------------------------------------
// The running server, as fixture.sh describes it.

class server {
  public:
    server() {
        const char* dir = std::getenv("SMTPERR_POSTFIX_DIR");
        if (dir == nullptr) {
            throw std::runtime_error(
                "SMTPERR_POSTFIX_DIR is not set: run these tests through ctest (-R '^postfix\\.'), "
                "or start tests/integration/postfix/fixture.sh start DIR and set it to DIR");
        }
        std::ifstream in(std::string(dir) + "/fixture.env");
        if (!in) {
            throw std::runtime_error(std::string("no fixture.env in ") + dir +
                                     ": is the fixture started?");
        }
        for (std::string line; std::getline(in, line);) {
            const auto eq = line.find('=');
            if (eq != std::string::npos) {
                vars_[line.substr(0, eq)] = line.substr(eq + 1);
            }
        }
    }

    const std::string& get(const std::string& key) const {
        const auto it = vars_.find("SMTPERR_PF_" + key);
        if (it == vars_.end()) {
            throw std::runtime_error("fixture.env lacks SMTPERR_PF_" + key);
        }
        return it->second;
    }
    std::uint16_t port(const std::string& listener) const {
        return static_cast<std::uint16_t>(std::stoul(get("PORT_" + listener)));
    }
    std::size_t number(const std::string& key) const { return std::stoul(get(key)); }
    std::string address(const std::string& local) const { return local + "@" + get("DOMAIN"); }
    std::string user() const { return get("USER"); }
    std::string password() const { return get("PASSWORD"); }

  private:
    std::map<std::string, std::string> vars_;
};

const server& pf() {
    static const server s;
    return s;
}

/// A token unique to this process and call, to find a message in the mailboxes.
std::string token(const std::string& name) {
    static unsigned counter = 0;
    return "smtperr-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

/// The Maildir files of `local` that contain `needle`, waiting up to 10 s for `count` of
/// them (delivery runs after the 250 to the final dot). Returns what it found.
std::vector<std::string> delivered(const std::string& local, const std::string& needle,
                                   std::size_t count = 1) {
    const fs::path dir = fs::path(pf().get("MAIL")) / local / "new";
    std::vector<std::string> found;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        found.clear();
        std::error_code ec;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            std::ifstream f(it->path(), std::ios::binary);
            std::string content((std::istreambuf_iterator<char>(f)), {});
            if (content.find(needle) != std::string::npos) {
                found.push_back(std::move(content));
            }
        }
        if (found.size() >= count || std::chrono::steady_clock::now() > deadline) {
            return found;
        }
        std::this_thread::sleep_for(50ms);
    }
}

/// The Postfix queue id in a delivered message's Received header ("(Postfix) with ESMTP id QID").
std::string queue_id(const std::string& message) {
    const auto by = message.find("(Postfix) with ");
    const auto at = by == std::string::npos ? by : message.find(" id ", by);
    if (at == std::string::npos) {
        return {};
    }
    const auto from = at + 4;
    return message.substr(from, message.find_first_of("\r\n;", from) - from);
}

/// Lines of the Postfix log containing `needle`, waiting up to 10 s for at least `least`
/// of them (postlogd writes what the daemons send it a little later).
std::size_t log_lines(const std::string& needle, std::size_t least = 0) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    for (;;) {
        std::ifstream in(pf().get("LOG"));
        std::size_t n = 0;
        for (std::string line; std::getline(in, line);) {
            if (line.find(needle) != std::string::npos) {
                ++n;
            }
        }
        if (n >= least || std::chrono::steady_clock::now() > deadline) {
            return n;
        }
        std::this_thread::sleep_for(50ms);
    }
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) {
        ++n;
    }
    return n;
}

//------------------------------------------------------------------------------------------
// One submission with the library's transport.

sa::submit_options options(const std::string& listener, sa::tls_mode tls) {
    sa::submit_options o;
    o.host = pf().get("HOST");
    o.port = pf().port(listener);
    o.tls = tls;
    o.client_name = "client.smtperr.test";
    o.ca_file = pf().get("CA");
    auto& t = o.timeouts;
    t.connect = t.greeting = t.ehlo = t.starttls = t.auth = t.mail = t.rcpt = t.data_init =
        t.data_block = t.data_end = t.quit = 15s;
    return o;
}

sa::credentials good_credentials() {
    return {pf().user(), pf().password(), ""};
}

sa::message message(std::vector<std::string> to, const std::string& tok, std::size_t pad = 0) {
    std::string body =
        "From: <" + pf().address("sender") + ">\r\nSubject: " + tok + "\r\n\r\n" + tok + "\r\n";
    for (std::string line(70, 'x'); body.size() < pad;) {
        body += line + "\r\n";
    }
    return {pf().address("sender"), std::move(to), std::move(body)};
}

struct session {
    boost::system::error_code ec;
    smtperr::send_report report;
    std::string transcript;  ///< The redacted SMTP transcript ("C: …", "S: …").
};

session submit(sa::submit_options o, sa::message m) {
    net::io_context ioc;
    auto ctx = sa::make_client_context();
    std::ostringstream out;
    auto logger = std::make_shared<spdlog::logger>(
        "postfix", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%v");
    o.logger = logger;
    session s;
    bool called = false;
    sa::async_submit(ioc, ctx, o, std::move(m),
                     [&](boost::system::error_code ec, smtperr::send_report rep) {
                         called = true;
                         s.ec = ec;
                         s.report = std::move(rep);
                     });
    ioc.run_for(60s);
    logger->flush();
    s.transcript = out.str();
    INFO(s.transcript);
    REQUIRE(called);
    CHECK_FALSE(s.ec);
    return s;
}

/// Whether no message of `local` contains `needle`, looked at once a message sent afterwards
/// has arrived: Postfix delivers after its reply to the final dot, so an immediate look
/// would pass even if the refused message had been queued.
bool never_delivered(const std::string& local, const std::string& needle) {
    auto o = options("SUBMIT", sa::tls_mode::none);
    o.allow_plaintext_auth = true;
    o.credentials = good_credentials();
    const auto control = token("control");
    const auto s = submit(o, message({pf().address(local)}, control));
    REQUIRE(s.report.outcome == smtperr::outcome::sent);
    REQUIRE(delivered(local, control).size() == 1);
    return delivered(local, needle, 0).empty();
}

//------------------------------------------------------------------------------------------
// The send pipeline around it: an outbox with a test clock and a queue for its events.

const smtperr::outbox::time_point t0{std::chrono::seconds(1'800'000'000)};

struct client {
    std::deque<std::function<void()>> posted;
    std::vector<smtperr::event> events;
    smtperr::outbox::time_point now = t0;
    smtperr::outbox box;

    client()
        : box(
              [this] {
                  smtperr::outbox_options o;
                  o.clock = [this] { return now; };
                  return o;
              }(),
              [this](const smtperr::event& e) { events.push_back(e); },
              [this](std::function<void()> f) { posted.push_back(std::move(f)); }) {}

    void drain() {
        while (!posted.empty()) {
            auto f = std::move(posted.front());
            posted.pop_front();
            f();
        }
    }

    /// Dispatches every due message through async_submit and completes it in the outbox.
    std::vector<session> run(const sa::submit_options& o,
                             const std::map<std::string, sa::message>& msgs) {
        std::vector<session> r;
        for (const auto& d : box.take_due()) {
            sa::message m = msgs.at(d.id);
            m.recipients = d.recipients;
            r.push_back(submit(o, std::move(m)));
            box.complete(d.id, r.back().report);
        }
        drain();
        return r;
    }

    /// Enqueues one message, runs its first attempt and returns it.
    session send(const sa::submit_options& o, const sa::message& m) {
        const std::string id = "msg-" + std::to_string(++ids_);
        REQUIRE(box.enqueue(id, account(o), m.recipients));
        auto r = run(o, {{id, m}});
        REQUIRE(r.size() == 1);
        return r.front();
    }

    static std::string account(const sa::submit_options& o) {
        return o.credentials ? o.credentials->user : "anonymous@127.0.0.1";
    }

  private:
    unsigned ids_ = 0;
};

/// The kinds of events, in order.
std::vector<std::string> kinds(const std::vector<smtperr::event>& events) {
    static const char* const names[] = {"system_message",         "credentials_required",
                                        "token_refresh_required", "retry_scheduled",
                                        "recipients_rejected",    "report"};
    std::vector<std::string> r;
    for (const auto& e : events) {
        r.emplace_back(names[e.index()]);
    }
    return r;
}

template <class T>
const T& nth(const std::vector<smtperr::event>& events, std::size_t i) {
    REQUIRE(i < events.size());
    REQUIRE(std::holds_alternative<T>(events[i]));
    return std::get<T>(events[i]);
}

/// Checks a diagnosis field by field.
struct expected {
    condition cond;
    action act;
    scope sc;
    phase ph;
    int code;
    const char* status;
    bool transient;
};

void check(const smtperr::diagnosis_record& d, const expected& e) {
    INFO("server text: " << d.server_text << "; rule: " << d.rule);
    CHECK(d.condition == e.cond);
    CHECK(d.action == e.act);
    CHECK(d.scope == e.sc);
    CHECK(d.phase == e.ph);
    CHECK(d.code.value() == e.code);
    if (e.status != nullptr) {
        REQUIRE(d.status.has_value());
        CHECK(d.status->to_string() == e.status);
    } else {
        CHECK_FALSE(d.status.has_value());
    }
    CHECK(d.transient == e.transient);
}

const smtperr::send_report& final_report(const client& c) {
    REQUIRE_FALSE(c.events.empty());
    return nth<smtperr::report_event>(c.events, c.events.size() - 1).report;
}

}  // namespace

TEST_SUITE("postfix") {
    TEST_CASE("correct credentials: sent and delivered") {
        for (const auto mech : {sa::sasl_mechanism::plain, sa::sasl_mechanism::login}) {
            CAPTURE(static_cast<int>(mech));
            client c;
            auto o = options("SUBMIT", sa::tls_mode::none);
            o.allow_plaintext_auth = true;  // Loopback only; the TLS cases are below.
            o.credentials = good_credentials();
            o.mechanisms = {mech};
            const auto tok = token("auth");
            const auto s = c.send(o, message({pf().address("anna")}, tok));
            INFO(s.transcript);
            CHECK(s.report.outcome == smtperr::outcome::sent);
            CHECK(s.report.deciding.condition == condition::none);
            CHECK(s.report.transactions == 1);
            REQUIRE(s.report.recipients.size() == 1);
            CHECK(s.report.recipients[0].accepted);
            // hostile-servers M-01: the verb and mechanism stay, the secret does not.
            CHECK(count(s.transcript, mech == sa::sasl_mechanism::plain ? "C: AUTH PLAIN <redacted>"
                                                                        : "C: AUTH LOGIN") == 1);
            CHECK(count(s.transcript, "S: 235 2.7.0") == 1);
            // With LOGIN the user name and the password go out as base64 lines of their own.
            CHECK(count(s.transcript, "C: <redacted>") ==
                  (mech == sa::sasl_mechanism::login ? 2 : 0));
            CHECK(smtperr::test::leaked_form(s.transcript, pf().password()).empty());

            CHECK(kinds(c.events) == std::vector<std::string>{"report"});
            CHECK(final_report(c).outcome == smtperr::outcome::sent);
            CHECK(c.box.size() == 0);
            const auto got = delivered("anna", tok);
            REQUIRE(got.size() == 1);
            CHECK(got[0].find("Subject: " + tok) != std::string::npos);
        }
    }

    TEST_CASE("wrong password: authentication_failed and one credentials_required") {
        const std::string failed_line = "SASL PLAIN authentication failed";
        const std::size_t failures_before = log_lines(failed_line);
        client c;
        auto bad = options("SUBMIT", sa::tls_mode::none);
        bad.allow_plaintext_auth = true;
        bad.credentials = sa::credentials{pf().user(), pf().password() + "-wrong", ""};
        const auto tok1 = token("wrongpw");
        const auto tok2 = token("wrongpw");
        const auto m1 = message({pf().address("bob")}, tok1);
        const auto m2 = message({pf().address("bob")}, tok2);
        const std::string account = client::account(bad);

        REQUIRE(c.box.enqueue("m1", account, m1.recipients));
        auto first = c.run(bad, {{"m1", m1}});
        REQUIRE(first.size() == 1);
        const auto& s = first[0];
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        check(s.report.deciding, {condition::authentication_failed, action::reauthenticate,
                                  scope::account, phase::auth, 535, "5.7.8", false});
        CHECK(count(s.transcript, "C: AUTH ") == 1);
        CHECK(s.transcript.find("C: MAIL FROM") == std::string::npos);
        CHECK(smtperr::test::leaked_form(s.transcript, pf().password() + "-wrong").empty());

        CHECK(kinds(c.events) ==
              std::vector<std::string>{"system_message", "credentials_required"});
        const auto& ask = nth<smtperr::credentials_required_event>(c.events, 1);
        CHECK(ask.account == account);
        CHECK(ask.reason == smtperr::credentials_reason::authentication_failed);
        CHECK(ask.diagnosis.condition == condition::authentication_failed);
        CHECK(c.box.state("m1") == smtperr::message_state::waiting_credentials);

        // A second message for the same account waits as well: the same password is never
        // tried again, and the user is not asked twice.
        REQUIRE(c.box.enqueue("m2", account, m2.recipients));
        CHECK(c.run(bad, {{"m2", m2}}).empty());
        CHECK(kinds(c.events).size() == 2);

        // The user types the right password: both go out on their next attempts.
        auto good = bad;
        good.credentials = good_credentials();
        c.box.credentials_updated(account);
        const auto again = c.run(good, {{"m1", m1}, {"m2", m2}});
        REQUIRE(again.size() == 2);
        for (const auto& a : again) {
            CHECK(a.report.outcome == smtperr::outcome::sent);
        }
        CHECK(kinds(c.events) == std::vector<std::string>{"system_message", "credentials_required",
                                                          "report", "report"});
        CHECK(delivered("bob", tok1).size() == 1);
        CHECK(delivered("bob", tok2).size() == 1);
        // Postfix saw exactly one failed AUTH (it logs each before its 535).
        CHECK(log_lines(failed_line, failures_before + 1) - failures_before == 1);
    }

    TEST_CASE("AUTH required but not configured: authentication_required") {
        client c;
        const auto tok = token("noauth");
        const auto s =
            c.send(options("SUBMIT", sa::tls_mode::none), message({pf().address("anna")}, tok));
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        check(s.report.deciding, {condition::authentication_required, action::reauthenticate,
                                  scope::account, phase::mail, 530, "5.7.0", false});
        CHECK(s.report.deciding.server_text.find(
                  "Sender address rejected: Authentication required") != std::string::npos);
        CHECK(s.transcript.find("C: AUTH") == std::string::npos);
        CHECK(kinds(c.events) ==
              std::vector<std::string>{"system_message", "credentials_required"});
        CHECK(nth<smtperr::credentials_required_event>(c.events, 1).reason ==
              smtperr::credentials_reason::required);
        CHECK(never_delivered("anna", tok));
    }

    TEST_CASE("STARTTLS-only listener used without TLS: encryption_required") {
        client c;
        const auto tok = token("needtls");
        const auto s =
            c.send(options("TLSONLY", sa::tls_mode::none), message({pf().address("anna")}, tok));
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        check(s.report.deciding, {condition::encryption_required, action::check_account_settings,
                                  scope::connection, phase::mail, 530, "5.7.0", false});
        CHECK(s.report.deciding.server_text == "Must issue a STARTTLS command first");
        CHECK(kinds(c.events) == std::vector<std::string>{"system_message", "report"});
        CHECK(nth<smtperr::system_message_event>(c.events, 0).action ==
              action::check_account_settings);
        CHECK(final_report(c).outcome == smtperr::outcome::failed);
        CHECK(never_delivered("anna", tok));
    }

    TEST_CASE("STARTTLS and implicit TLS with the test CA: sent and delivered") {
        struct variant {
            const char* listener;
            sa::tls_mode tls;
        };
        for (const auto& v :
             {variant{"SUBMIT", sa::tls_mode::starttls}, variant{"TLSONLY", sa::tls_mode::starttls},
              variant{"SMTPS", sa::tls_mode::implicit}}) {
            CAPTURE(v.listener);
            client c;
            auto o = options(v.listener, v.tls);
            o.credentials = good_credentials();
            const auto tok = token("tls");
            const auto s = c.send(o, message({pf().address("carol")}, tok));
            INFO(s.transcript);
            CHECK(s.report.outcome == smtperr::outcome::sent);
            CHECK(s.report.deciding.condition == condition::none);
            const auto tls_at = s.transcript.find("TLS established");
            const auto auth_at = s.transcript.find("C: AUTH PLAIN <redacted>");
            REQUIRE(tls_at != std::string::npos);
            REQUIRE(auth_at != std::string::npos);
            CHECK(tls_at < auth_at);
            CHECK(count(s.transcript, "C: STARTTLS") ==
                  (v.tls == sa::tls_mode::starttls ? 1u : 0u));
            CHECK(count(s.transcript, "C: EHLO") == (v.tls == sa::tls_mode::starttls ? 2u : 1u));
            CHECK(kinds(c.events) == std::vector<std::string>{"report"});
            const auto got = delivered("carol", tok);
            REQUIRE(got.size() == 1);
            // Postfix records the TLS session and the authenticated submission.
            CHECK(got[0].find("(using TLSv1.") != std::string::npos);
            CHECK(got[0].find("with ESMTPSA id") != std::string::npos);
        }
    }

    TEST_CASE("an untrusted CA: certificate_untrusted before any AUTH") {
        std::ifstream pem_in(fs::path(pf().get("DIR")) / "tls" / "server.pem");
        const std::string pem((std::istreambuf_iterator<char>(pem_in)), {});
        const auto fingerprint = sa::certificate_sha256(pem);
        REQUIRE(fingerprint);
        struct variant {
            const char* listener;
            sa::tls_mode tls;
            phase ph;
        };
        for (const auto& v : {variant{"SUBMIT", sa::tls_mode::starttls, phase::starttls},
                              variant{"SMTPS", sa::tls_mode::implicit, phase::greeting}}) {
            CAPTURE(v.listener);
            client c;
            auto o = options(v.listener, v.tls);
            o.ca_file = pf().get("OTHER_CA");
            o.credentials = good_credentials();
            const auto tok = token("untrusted");
            const auto s = c.send(o, message({pf().address("dave")}, tok));
            INFO(s.transcript);
            CHECK(s.report.outcome == smtperr::outcome::failed);
            const auto& d = s.report.deciding;
            CHECK(d.condition == condition::certificate_untrusted);
            CHECK(d.action == action::review_certificate);
            CHECK(d.scope == scope::connection);
            CHECK(d.phase == v.ph);
            CHECK(d.code == smtperr::errc::certificate_untrusted);
            CHECK_FALSE(d.transient);
            // The certificate's identity, for the user to compare.
            CHECK(d.server_text.find("CN=mx.smtperr.test") != std::string::npos);
            CHECK(d.server_text.find(fingerprint.value()) != std::string::npos);
            CHECK(s.transcript.find("C: AUTH") == std::string::npos);
            CHECK(s.transcript.find("C: MAIL") == std::string::npos);
            CHECK(kinds(c.events) == std::vector<std::string>{"system_message", "report"});
            CHECK(nth<smtperr::system_message_event>(c.events, 0).action ==
                  action::review_certificate);
            CHECK(never_delivered("dave", tok));
        }
    }

    TEST_CASE("an unknown local recipient among valid ones: partially_sent") {
        client c;
        const auto tok = token("unknown");
        const std::string nobody = pf().address("nobody");
        const auto s = c.send(options("MX", sa::tls_mode::none),
                              message({pf().address("anna"), nobody, pf().address("bob")}, tok));
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::partially_sent);
        REQUIRE(s.report.recipients.size() == 3);
        CHECK(s.report.recipients[0].accepted);
        CHECK(s.report.recipients[2].accepted);
        const auto& rejected = s.report.recipients[1];
        CHECK(rejected.address == nobody);
        CHECK_FALSE(rejected.accepted);
        CHECK(rejected.rejected());
        REQUIRE(rejected.diagnosis);
        check(*rejected.diagnosis, {condition::recipient_unknown, action::check_recipients,
                                    scope::recipient, phase::rcpt, 550, "5.1.1", false});
        CHECK(rejected.diagnosis->server_text.find("User unknown in virtual mailbox table") !=
              std::string::npos);

        CHECK(kinds(c.events) ==
              std::vector<std::string>{"recipients_rejected", "system_message", "report"});
        const auto& rej = nth<smtperr::recipients_rejected_event>(c.events, 0);
        REQUIRE(rej.recipients.size() == 1);
        CHECK(rej.recipients[0].address == nobody);
        CHECK(rej.recipients[0].diagnosis.condition == condition::recipient_unknown);
        CHECK(final_report(c).outcome == smtperr::outcome::partially_sent);
        CHECK(delivered("anna", tok).size() == 1);
        CHECK(delivered("bob", tok).size() == 1);
    }

    TEST_CASE("relay to an outside domain: relay_denied") {
        client c;
        const auto tok = token("relay");
        const std::string outside = "user@example.net";  // Rejected at RCPT, never contacted.
        const auto s = c.send(options("MX", sa::tls_mode::none), message({outside}, tok));
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        check(s.report.deciding, {condition::relay_denied, action::check_account_settings,
                                  scope::recipient, phase::rcpt, 554, "5.7.1", false});
        CHECK(s.report.deciding.server_text == "<user@example.net>: Relay access denied");
        REQUIRE(s.report.recipients.size() == 1);
        CHECK(s.report.recipients[0].rejected());
        CHECK(kinds(c.events) ==
              std::vector<std::string>{"recipients_rejected", "system_message", "report"});
        CHECK(nth<smtperr::recipients_rejected_event>(c.events, 0).recipients.at(0).address ==
              outside);
        CHECK(final_report(c).outcome == smtperr::outcome::failed);
        CHECK(final_report(c).deciding.condition == condition::relay_denied);
    }

    TEST_CASE("a message over the announced SIZE: message_too_large before MAIL") {
        client c;
        const auto tok = token("size");
        const std::size_t limit = pf().number("SIZE_LIMIT");
        const auto s = c.send(options("LIMITS", sa::tls_mode::none),
                              message({pf().address("anna")}, tok, limit + 1000));
        INFO(s.transcript);
        CHECK(s.transcript.find("S: 250-SIZE " + std::to_string(limit)) != std::string::npos);
        CHECK(s.transcript.find("C: MAIL") == std::string::npos);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        check(s.report.deciding, {condition::message_too_large, action::reduce_message_size,
                                  scope::message, phase::mail, 552, "5.3.4", false});
        CHECK(kinds(c.events) == std::vector<std::string>{"system_message", "report"});
        CHECK(nth<smtperr::system_message_event>(c.events, 0).action ==
              action::reduce_message_size);
        CHECK(never_delivered("anna", tok));
    }

    TEST_CASE("SIZE= over the limit: message_too_large from Postfix") {
        // A client that honours the announced SIZE never sends a larger SIZE=, so this
        // speaks SMTP by hand and hands Postfix's reply to the pipeline.
        net::io_context ioc;
        net::ip::tcp::socket sock(ioc);
        sock.connect({net::ip::make_address(pf().get("HOST")), pf().port("LIMITS")});
        net::streambuf buf;
        const auto reply = [&] {
            std::string all;
            for (;;) {
                net::read_until(sock, buf, "\r\n");
                std::istream is(&buf);
                std::string line;
                std::getline(is, line);
                all += line + "\n";
                if (line.size() < 4 || line[3] != '-') {
                    return all;
                }
            }
        };
        const auto say = [&](const std::string& cmd) {
            net::write(sock, net::buffer(cmd + "\r\n"));
            return reply();
        };
        CHECK(reply().rfind("220 ", 0) == 0);
        CHECK(say("EHLO client.smtperr.test").rfind("250-", 0) == 0);
        const std::string too_big = std::to_string(pf().number("SIZE_LIMIT") + 1);
        const std::string text = say("MAIL FROM:<" + pf().address("sender") + "> SIZE=" + too_big);
        say("QUIT");
        CHECK(text == "552 5.3.4 Message size exceeds fixed limit\r\n");

        auto parsed = smtperr::parse_reply(text);
        REQUIRE(parsed);
        smtperr::attempt a({pf().address("anna")}, {phase::greeting, pf().get("HOST"), ""});
        a.on_reply(phase::mail, parsed.value().view());
        const auto rep = a.finish();
        CHECK(rep.outcome == smtperr::outcome::failed);
        check(rep.deciding, {condition::message_too_large, action::reduce_message_size,
                             scope::message, phase::mail, 552, "5.3.4", false});
    }

    TEST_CASE("an oversized body: message_too_large after the final dot") {
        client c;
        const auto tok = token("body");
        // Under the SIZE smtpd announces, over what its cleanup service accepts.
        const std::size_t pad = pf().number("CLEANUP_LIMIT") + 10000;
        REQUIRE(pad < pf().number("SIZE_LIMIT"));
        const auto s = c.send(options("LIMITS", sa::tls_mode::none),
                              message({pf().address("anna")}, tok, pad));
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::failed);
        CHECK_FALSE(s.report.possibly_delivered);
        check(s.report.deciding, {condition::message_too_large, action::reduce_message_size,
                                  scope::message, phase::data_end, 552, "5.3.4", false});
        CHECK(s.report.deciding.server_text == "Error: message file too big");
        CHECK(kinds(c.events) == std::vector<std::string>{"system_message", "report"});
        CHECK(never_delivered("anna", tok));
    }

    TEST_CASE("more recipients than the limit: split_recipients and two transactions") {
        client c;
        const auto tok = token("split");
        const std::vector<std::string> to = {pf().address("anna"), pf().address("bob"),
                                             pf().address("carol")};
        REQUIRE(pf().number("RCPT_LIMIT") == 2);
        const auto s = c.send(options("LIMITS", sa::tls_mode::none), message(to, tok));
        INFO(s.transcript);
        // Postfix's answer to the third RCPT is what the pipeline splits on.
        const std::string limit_reply = "452 4.5.3 Error: too many recipients";
        CHECK(count(s.transcript, "S: " + limit_reply) == 1);
        auto parsed = smtperr::parse_reply(limit_reply + "\r\n");
        REQUIRE(parsed);
        const auto d = smtperr::classify(parsed.value().view(), {phase::rcpt, "127.0.0.1", ""});
        CHECK(d.condition == condition::too_many_recipients);
        CHECK(d.action == action::split_recipients);

        CHECK(s.report.outcome == smtperr::outcome::sent);
        CHECK(s.report.transactions == 2);
        REQUIRE(s.report.recipients.size() == 3);
        for (const auto& r : s.report.recipients) {
            CHECK(r.accepted);
        }
        CHECK(count(s.transcript, "C: MAIL FROM") == 2);
        CHECK(kinds(c.events) == std::vector<std::string>{"report"});
        CHECK(final_report(c).transactions == 2);

        const auto anna = delivered("anna", tok);
        const auto bob = delivered("bob", tok);
        const auto carol = delivered("carol", tok);
        REQUIRE(anna.size() == 1);
        REQUIRE(bob.size() == 1);
        REQUIRE(carol.size() == 1);
        // Two queue files: the first two recipients in one, the third in the other.
        CHECK_FALSE(queue_id(anna[0]).empty());
        CHECK(queue_id(anna[0]) == queue_id(bob[0]));
        CHECK(queue_id(carol[0]) != queue_id(anna[0]));
    }

    TEST_CASE("a connection rate limit: rate_limited with a retry time") {
        // anvil counts connections per client and listener for a minute: the first one
        // in the window may pass (it is delivered), the next is refused (pitfall 17).
        const std::size_t bound = pf().number("RATE_LIMIT") + 2;
        bool limited = false;
        for (std::size_t i = 0; i < bound && !limited; ++i) {
            client c;
            const auto tok = token("rate");
            const auto s =
                c.send(options("RATE", sa::tls_mode::none), message({pf().address("dave")}, tok));
            INFO(s.transcript);
            if (s.report.outcome == smtperr::outcome::sent) {
                CHECK(delivered("dave", tok).size() == 1);
                continue;
            }
            limited = true;
            CHECK(s.report.outcome == smtperr::outcome::deferred);
            const auto& d = s.report.deciding;
            check(d, {condition::rate_limited, action::retry_later, scope::account, phase::greeting,
                      421, "4.7.0", true});
            CHECK(d.server_text.find("Error: too many connections from 127.0.0.1") !=
                  std::string::npos);
            REQUIRE(d.retry_after_seconds.has_value());
            CHECK(*d.retry_after_seconds == 600);
            CHECK(s.transcript.find("C: EHLO") == std::string::npos);

            CHECK(kinds(c.events) == std::vector<std::string>{"retry_scheduled", "system_message"});
            const auto& retry = nth<smtperr::retry_scheduled_event>(c.events, 0);
            CHECK(retry.attempt == 2);
            CHECK(retry.when >= t0 + 600s);
            CHECK(retry.when <= t0 + 6h);
            CHECK(retry.diagnosis.condition == condition::rate_limited);
            CHECK(c.box.state("msg-1") == smtperr::message_state::queued);
            CHECK(c.box.next_attempt("msg-1") == retry.when);
            CHECK(never_delivered("dave", tok));
        }
        CHECK(limited);
    }

    TEST_CASE("a deferred recipient: retry_later") {
        client c;
        const auto tok = token("defer");
        const std::string later = pf().get("DEFERRED");
        const auto o = options("MX", sa::tls_mode::none);
        const auto m = message({pf().address("anna"), later}, tok);
        const auto s = c.send(o, m);
        INFO(s.transcript);
        CHECK(s.report.outcome == smtperr::outcome::partially_sent);
        REQUIRE(s.report.recipients.size() == 2);
        CHECK(s.report.recipients[0].accepted);
        const auto& r = s.report.recipients[1];
        CHECK(r.pending());
        REQUIRE(r.diagnosis);
        check(*r.diagnosis, {condition::recipient_mailbox_unavailable, action::retry_later,
                             scope::recipient, phase::rcpt, 450, "4.2.0", true});
        REQUIRE(r.diagnosis->retry_after_seconds.has_value());
        CHECK(*r.diagnosis->retry_after_seconds == 900);
        CHECK(delivered("anna", tok).size() == 1);

        // The message stays in the outbox for that one address, with a retry time.
        CHECK(kinds(c.events) == std::vector<std::string>{"retry_scheduled", "system_message"});
        const auto& retry = nth<smtperr::retry_scheduled_event>(c.events, 0);
        CHECK(retry.attempt == 2);
        CHECK(retry.when >= t0 + 900s);
        CHECK(retry.diagnosis.condition == condition::recipient_mailbox_unavailable);
        CHECK(retry.diagnosis.action == action::retry_later);
        CHECK(c.box.state("msg-1") == smtperr::message_state::queued);

        // At that time only the deferred address is tried again, and it is deferred again.
        c.now = retry.when;
        c.events.clear();
        const auto second = c.run(o, {{"msg-1", m}});
        REQUIRE(second.size() == 1);
        REQUIRE(second[0].report.recipients.size() == 1);
        CHECK(second[0].report.recipients[0].address == later);
        CHECK(second[0].report.outcome == smtperr::outcome::deferred);
        CHECK(kinds(c.events) == std::vector<std::string>{"retry_scheduled", "system_message"});
        CHECK(nth<smtperr::retry_scheduled_event>(c.events, 0).attempt == 3);
        CHECK(delivered("anna", tok).size() == 1);
    }
}
