// Shared helpers for the pipeline tests: a clock the test moves, an executor that only
// queues (events run when the test calls drain(), never inline), a recording sink, and a
// scripted fake transport that feeds canned replies into smtperr::attempt.
#ifndef SMTPERR_TESTS_UNIT_PIPELINE_UTIL_HPP
#define SMTPERR_TESTS_UNIT_PIPELINE_UTIL_HPP

#include <smtperr/classify/classify.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/events.hpp>
#include <smtperr/pipeline/outbox.hpp>
#include <smtperr/reply/reply.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace pipeline_test {

using smtperr::condition;
using smtperr::outcome;
using smtperr::phase;
using std::chrono::seconds;
using time_point = std::chrono::system_clock::time_point;

inline std::string str(std::string_view s) {
    return std::string(s);
}
template <class E>
std::string name(E e) {
    return std::string(smtperr::to_string(e));
}

/// An owning reply from its wire form (lines separated by '\n').
inline smtperr::reply wire(std::string_view text) {
    auto r = smtperr::parse_reply(text);
    REQUIRE_MESSAGE(r.has_value(), "unparsable test reply: ", std::string(text));
    return std::move(r).value();
}

inline void feed(smtperr::attempt& a, phase p, std::string_view text) {
    const auto r = wire(text);
    a.on_reply(p, r.view());
}

/// The transport failure the tests use for a dropped connection (EOF).
inline std::error_code eof() {
    return make_error_code(smtperr::errc::connection_lost);
}

/// A clock the test moves by hand; starts at 2024-05-06 12:00:00 UTC.
struct test_clock {
    std::shared_ptr<time_point> now =
        std::make_shared<time_point>(std::chrono::system_clock::time_point(seconds(1714996800)));
    std::function<time_point()> fn() const {
        return [n = now] { return *n; };
    }
    void advance(seconds s) const { *now += s; }
    void set(time_point t) const { *now = t; }
    time_point get() const { return *now; }
};

/// An executor that only queues; drain() runs what was queued, in order.
struct test_executor {
    std::shared_ptr<std::deque<std::function<void()>>> queue =
        std::make_shared<std::deque<std::function<void()>>>();
    smtperr::executor fn() const {
        return [q = queue](std::function<void()> f) { q->push_back(std::move(f)); };
    }
    std::size_t drain() const {
        std::size_t n = 0;
        while (!queue->empty()) {
            auto f = std::move(queue->front());
            queue->pop_front();
            f();
            ++n;
        }
        return n;
    }
    std::size_t queued() const { return queue->size(); }
};

inline std::string kind(const smtperr::event& e) {
    static const char* const names[] = {"system_message",         "credentials_required",
                                        "token_refresh_required", "retry_scheduled",
                                        "recipients_rejected",    "report"};
    return names[e.index()];
}

/// The event kinds, comma-separated, for readable CHECKs.
inline std::string kinds(const std::vector<smtperr::event>& events) {
    std::string s;
    for (const auto& e : events) {
        if (!s.empty())
            s += ',';
        s += kind(e);
    }
    return s;
}

/// An outbox wired to a test clock, a queuing executor and a recording sink.
struct harness {
    test_clock clock;
    test_executor exec;
    std::shared_ptr<std::vector<smtperr::event>> seen =
        std::make_shared<std::vector<smtperr::event>>();
    smtperr::outbox box;

    static smtperr::outbox_options with_clock(smtperr::outbox_options o, const test_clock& c) {
        o.clock = c.fn();
        return o;
    }

    explicit harness(smtperr::outbox_options o = {})
        : box(
              with_clock(std::move(o), clock),
              [s = seen](const smtperr::event& e) { s->push_back(e); }, exec.fn()) {}

    /// Runs the queued events and returns them. Checks first that nothing reached the sink
    /// before (events never run inline).
    std::vector<smtperr::event> events() {
        CHECK_MESSAGE(seen->empty(), "an event reached the sink without the executor");
        exec.drain();
        auto out = std::move(*seen);
        seen->clear();
        return out;
    }
};

template <class T>
const T& as(const smtperr::event& e) {
    REQUIRE(std::holds_alternative<T>(e));
    return std::get<T>(e);
}

/// One step of a script: a reply to a command of `p`, or a transport failure.
struct step {
    phase p;
    std::string reply;  // Wire text; empty when `failure` is set.
    std::error_code failure{};
};

inline step say(phase p, std::string reply) {
    return step{p, std::move(reply), {}};
}
inline step fail(phase p, std::error_code ec = eof()) {
    return step{p, {}, ec};
}

/// Feeds a fixed script (exactly as written) into a new attempt.
inline smtperr::send_report run_script(std::vector<std::string> recipients,
                                       const std::vector<step>& script,
                                       std::string_view mechanism = "PLAIN") {
    smtperr::classify_context ctx;
    ctx.sasl_mechanism = mechanism;
    smtperr::attempt a(std::move(recipients), ctx);
    for (const auto& s : script) {
        if (s.failure) {
            a.on_failure(s.p, s.failure);
        } else {
            feed(a, s.p, s.reply);
        }
    }
    return a.finish();
}

/// A scripted server for the fake transport below: the reply to each command, or "EOF" for
/// a dropped connection while that reply was awaited.
struct server {
    std::string greeting = "220 mx.example.org ESMTP ready";
    std::string ehlo = "250-mx.example.org\n250-PIPELINING\n250 AUTH PLAIN LOGIN XOAUTH2";
    std::string auth = "235 2.7.0 Authentication successful";
    std::string mail = "250 2.1.0 Sender OK";
    /// The reply to RCPT TO:<address> in transaction `n` (1-based).
    std::function<std::string(const std::string& address, unsigned n)> rcpt =
        [](const std::string&, unsigned) { return std::string("250 2.1.5 Recipient OK"); };
    std::string data = "354 End data with <CR><LF>.<CR><LF>";
    bool body_breaks = false;  ///< The connection drops while the body is being sent.
    std::string data_end = "250 2.0.0 Ok: queued as 4F2A1";
    std::string mechanism = "PLAIN";
    std::size_t max_transactions = 8;
};

/// Drives one attempt like a pipelining transport would: MAIL, all RCPTs, DATA when some
/// recipient was accepted, the body, the final dot, then further transactions if planned.
inline smtperr::send_report run_session(std::vector<std::string> recipients, const server& s,
                                        std::size_t max_per_transaction = 0) {
    smtperr::classify_context ctx;
    ctx.sasl_mechanism = s.mechanism;
    smtperr::attempt a(std::move(recipients), ctx, max_per_transaction);
    auto answer = [&](phase p, const std::string& text) {
        if (text == "EOF") {
            a.on_failure(p, eof());
        } else {
            feed(a, p, text);
        }
        return a.session_usable();
    };
    if (!answer(phase::greeting, s.greeting) || !answer(phase::ehlo, s.ehlo) ||
        !answer(phase::auth, s.auth)) {
        return a.finish();
    }
    for (unsigned n = 1; n <= s.max_transactions; ++n) {
        if (!answer(phase::mail, s.mail))
            break;
        const auto batch = a.transaction_recipients();  // A copy: RCPT replies change it.
        bool usable = true;
        for (const auto& r : batch) {
            if (!(usable = answer(phase::rcpt, s.rcpt(r, n))))
                break;
        }
        if (!usable)
            break;
        if (a.any_recipient_accepted()) {
            if (!answer(phase::data, s.data))
                break;
            if (a.data_accepted()) {
                if (s.body_breaks) {
                    a.on_failure(phase::data, eof());
                    break;
                }
                if (!answer(phase::data_end, s.data_end))
                    break;
            }
        }
        if (!a.more_transactions())
            break;
        a.next_transaction();
    }
    if (a.session_usable()) {
        feed(a, phase::quit, "221 2.0.0 Bye");
    }
    return a.finish();
}

/// Finds a recipient's result in a report (fails the test when missing).
inline const smtperr::recipient_result& recipient(const smtperr::send_report& r,
                                                  std::string_view address) {
    for (const auto& x : r.recipients) {
        if (x.address == address)
            return x;
    }
    FAIL("no result for ", std::string(address));
    static const smtperr::recipient_result none;
    return none;
}

}  // namespace pipeline_test

#endif  // SMTPERR_TESTS_UNIT_PIPELINE_UTIL_HPP
