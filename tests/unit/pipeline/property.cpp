// Randomized checks (fixed seeds): a report never contradicts the replies it came from, and
// the outbox never loses a message nor reports one twice.
#include <smtperr/pipeline/attempt.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "unit/pipeline/pipeline_util.hpp"

using namespace pipeline_test;
using smtperr::report_event;

namespace {

using rng_t = std::mt19937_64;

bool chance(rng_t& rng, double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

template <class T>
const T& pick(rng_t& rng, const std::vector<T>& v) {
    return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)];
}

const char* const EOF_ = "EOF";

// Replies per phase: the positive one first, then failures (and a dropped connection).
const std::vector<std::string> greeting_replies = {
    "220 mx.example.org ESMTP", "421 4.3.2 Service not available", "554 5.3.2 No SMTP service",
    "554-mx.example.org\n554 5.7.1 Your IP is listed at zen.spamhaus.org", EOF_};
const std::vector<std::string> ehlo_replies = {
    "250-mx.example.org\n250-PIPELINING\n250-SIZE 10240000\n250 AUTH PLAIN XOAUTH2",
    "421 4.7.0 Too many connections", "502 5.5.2 Command not recognized", EOF_};
const std::vector<std::string> auth_replies = {
    "235 2.7.0 Authentication successful",
    "535 5.7.8 Authentication credentials invalid",
    "454 4.7.0 Temporary authentication failure",
    "534-5.7.9 Application-specific password required.\n534 5.7.9 Learn more at "
    "https://support.google.com/mail/?p=InvalidSecondFactor",
    "530 5.7.0 Must issue a STARTTLS command first",
    "504 5.5.4 Unrecognized authentication type",
    EOF_};
const std::vector<std::string> mail_replies = {
    "250 2.1.0 Sender OK",
    "550 5.7.1 Sender address rejected: not owned by user",
    "452 4.3.1 Insufficient system storage",
    "421 4.7.0 Closing connection",
    "530 5.7.0 Authentication required",
    "451 4.4.1 Try again later",
    "552 5.3.4 Message size exceeds fixed limit",
    EOF_};
const std::vector<std::string> rcpt_replies = {
    "250 2.1.5 Recipient OK",
    "251 2.1.5 User not local; will forward to <fwd@example.net>",
    "550 5.1.1 <x@example.org>: Recipient address rejected: User unknown",
    "550-5.1.1 The email account that you tried to reach does not exist.\n550 5.1.1 Please "
    "try double-checking the recipient's email address",
    "551 5.1.6 User not local; please try <new@example.net>",
    "450 4.2.1 Mailbox busy",
    "452 4.5.3 Too many recipients",
    "452 4.2.2 Mailbox full",
    "421 4.7.0 Closing connection",
    "553 5.1.3 Bad recipient address syntax",
    "450 4.7.1 Greylisted, please try again in 300 seconds",
    "554 5.7.1 Relay access denied",
    "530 5.7.0 Authentication required",
    EOF_};
const std::vector<std::string> data_replies = {
    "354 End data with <CR><LF>.<CR><LF>", "554 5.5.1 No valid recipients",
    "451 4.3.0 Local error in processing", "421 4.3.0 Shutting down", EOF_};
const std::vector<std::string> data_end_replies = {
    "250 2.0.0 Ok: queued as 4F2A1",
    "552 5.3.4 Message size exceeds fixed limit",
    "554 5.7.1 Message rejected as spam",
    "451 4.3.0 Temporary local problem",
    "450 4.7.0 Try again later",
    "421 4.4.2 Timeout",
    "550 5.7.26 Unauthenticated email is not accepted",
    EOF_};

/// What the transport fed into the attempt, for checking the report against it.
struct transcript {
    struct transaction {
        int mail = 0;
        std::vector<std::pair<std::string, int>> rcpt;  // Address, code (0: no reply).
        bool data_354 = false;
        int data_end = 0;  // 0: not answered.
        bool data_end_lost = false;
    };
    std::vector<transaction> transactions;
    bool ended_by_itself = false;
};

std::string dump(const transcript& log) {
    std::string s;
    for (const auto& t : log.transactions) {
        s += "[MAIL=" + std::to_string(t.mail);
        for (const auto& [a, c] : t.rcpt)
            s += " " + a + "=" + std::to_string(c);
        s += t.data_354 ? " DATA=354" : "";
        s += " end=" + std::to_string(t.data_end) + (t.data_end_lost ? "(lost)" : "") + "] ";
    }
    return s;
}

std::string dump(const smtperr::send_report& rep) {
    std::string s = name(rep.outcome) + " transactions=" + std::to_string(rep.transactions);
    for (const auto& r : rep.recipients) {
        s += " " + r.address + (r.accepted ? "+" : "-") + (r.possibly_delivered ? "?" : "") +
             (r.diagnosis ? name(r.diagnosis->condition) : "");
    }
    return s;
}

int code_of(const std::string& text) {
    return text == EOF_ ? 0 : std::stoi(text.substr(0, 3));
}
bool positive(int code) {
    return code >= 200 && code < 400;
}

/// A random session: random replies per phase (the positive one often), random drops.
smtperr::send_report random_session(rng_t& rng, std::vector<std::string> recipients,
                                    std::string_view mechanism, transcript& log,
                                    std::size_t max_per_transaction = 0) {
    smtperr::classify_context ctx;
    ctx.sasl_mechanism = mechanism;
    smtperr::attempt a(std::move(recipients), ctx, max_per_transaction);
    auto reply = [&](const std::vector<std::string>& pool, double ok) -> const std::string& {
        return chance(rng, ok) ? pool.front() : pick(rng, pool);
    };
    auto answer = [&](phase p, const std::string& text) {
        if (text == EOF_) {
            a.on_failure(p, chance(rng, 0.5) ? eof() : make_error_code(smtperr::errc::timed_out));
        } else {
            feed(a, p, text);
        }
        return a.session_usable();
    };
    if (!answer(phase::greeting, reply(greeting_replies, 0.9)) ||
        !answer(phase::ehlo, reply(ehlo_replies, 0.9)) ||
        !answer(phase::auth, reply(auth_replies, 0.8))) {
        log.ended_by_itself = true;
        return a.finish();
    }
    for (int n = 0; n < 32; ++n) {
        log.transactions.emplace_back();
        auto& t = log.transactions.back();
        const auto& mail = reply(mail_replies, 0.85);
        t.mail = code_of(mail);
        if (!answer(phase::mail, mail)) {
            log.ended_by_itself = true;
            break;
        }
        if (!positive(t.mail)) {
            // MAIL refused for this message (its size, say). A pipelining client has sent
            // its RCPTs and DATA already and gets their (negative) replies; either way it
            // resets and goes on with a planned transaction, if any.
            if (chance(rng, 0.5)) {
                for (const auto& r : a.transaction_recipients()) {
                    t.rcpt.emplace_back(r, 503);
                }
                for (std::size_t i = 0; i < t.rcpt.size(); ++i) {
                    feed(a, phase::rcpt, "503 5.5.1 Error: need MAIL command");
                }
                feed(a, phase::data, "503 5.5.1 Error: need RCPT command");
            }
            feed(a, phase::rset, "250 2.0.0 Ok");
            if (!a.more_transactions()) {
                log.ended_by_itself = true;
                break;
            }
            a.next_transaction();
            continue;
        }
        const auto batch = a.transaction_recipients();
        bool usable = true;
        for (const auto& r : batch) {
            const auto& text = reply(rcpt_replies, 0.5);
            t.rcpt.emplace_back(r, code_of(text));
            if (!(usable = answer(phase::rcpt, text)))
                break;
        }
        if (!usable) {
            log.ended_by_itself = true;
            break;
        }
        // A pipelining client sends DATA blindly now and then.
        if (a.any_recipient_accepted() || chance(rng, 0.2)) {
            const auto& d = reply(data_replies, 0.8);
            t.data_354 = code_of(d) == 354;
            if (!answer(phase::data, d)) {
                log.ended_by_itself = true;
                break;
            }
            if (a.data_accepted()) {
                if (chance(rng, 0.05)) {  // Dropped while the body was being sent.
                    a.on_failure(phase::data, eof());
                    log.ended_by_itself = true;
                    break;
                }
                const auto& e = reply(data_end_replies, 0.7);
                t.data_end = code_of(e);
                t.data_end_lost = e == EOF_;
                if (!answer(phase::data_end, e)) {
                    log.ended_by_itself = true;
                    break;
                }
            }
        }
        if (!a.more_transactions()) {
            log.ended_by_itself = true;
            break;
        }
        a.next_transaction();
    }
    if (a.session_usable() && chance(rng, 0.5))
        feed(a, phase::quit, "221 2.0.0 Bye");
    return a.finish();
}

/// Checks the report against the transcript it came from.
void check_consistent(const smtperr::send_report& rep, const std::vector<std::string>& input,
                      const transcript& log) {
    // Every recipient exactly once, in the order given.
    std::vector<std::string> unique;
    for (const auto& a : input) {
        if (std::find(unique.begin(), unique.end(), a) == unique.end())
            unique.push_back(a);
    }
    REQUIRE(rep.recipients.size() == unique.size());
    for (std::size_t i = 0; i < unique.size(); ++i)
        CHECK(rep.recipients[i].address == unique[i]);

    std::size_t accepted = 0;
    std::size_t pending = 0;
    bool any_possibly = false;
    for (const auto& r : rep.recipients) {
        if (r.accepted) {
            ++accepted;
            CHECK_FALSE(r.possibly_delivered);
            CHECK_FALSE(r.diagnosis.has_value());
            // A 2yz to its RCPT and a 2yz to the final dot of that same transaction.
            const bool backed =
                std::any_of(log.transactions.begin(), log.transactions.end(), [&](const auto& t) {
                    return positive(t.data_end) &&
                           std::any_of(t.rcpt.begin(), t.rcpt.end(), [&](const auto& x) {
                               return x.first == r.address && positive(x.second);
                           });
                });
            CHECK_MESSAGE(backed, "accepted without a 2yz to RCPT and the final dot: ", r.address);
        } else {
            CHECK(r.diagnosis.has_value());
        }
        if (r.pending())
            ++pending;
        any_possibly = any_possibly || r.possibly_delivered;
    }
    CHECK(rep.possibly_delivered == any_possibly);
    const bool lost_after_dot = std::any_of(log.transactions.begin(), log.transactions.end(),
                                            [](const auto& t) { return t.data_end_lost; });
    if (rep.possibly_delivered) {
        CHECK_MESSAGE(lost_after_dot, "possibly delivered without a failure at data_end");
    }
    // And the other way round: never silently failed when it may have gone out.
    for (const auto& t : log.transactions) {
        if (!t.data_end_lost || !t.data_354)
            continue;
        for (const auto& x : t.rcpt) {
            if (positive(x.second)) {
                for (const auto& r : rep.recipients) {
                    if (r.address == x.first)
                        CHECK_MESSAGE(r.possibly_delivered, dump(log), dump(rep));
                }
            }
        }
    }
    switch (rep.outcome) {
        case outcome::sent:
            CHECK(accepted == rep.recipients.size());
            CHECK(rep.deciding.condition == condition::none);
            CHECK_FALSE(rep.possibly_delivered);
            // A 2yz to the final dot in every transaction that carried recipients.
            for (const auto& t : log.transactions) {
                const bool carried = std::any_of(t.rcpt.begin(), t.rcpt.end(),
                                                 [](const auto& x) { return positive(x.second); });
                if (carried)
                    CHECK(positive(t.data_end));
            }
            break;
        case outcome::partially_sent:
            CHECK(accepted > 0);
            CHECK(accepted < rep.recipients.size());
            CHECK(rep.deciding.condition != condition::none);
            break;
        case outcome::deferred:
            CHECK(accepted == 0);
            CHECK(pending > 0);
            CHECK(rep.deciding.condition != condition::none);
            break;
        case outcome::failed:
            CHECK(accepted == 0);
            CHECK(pending == 0);
            CHECK(rep.deciding.condition != condition::none);
            break;
    }
    // A transaction counts when its MAIL was answered (not lost), and only then.
    const auto answered = std::count_if(log.transactions.begin(), log.transactions.end(),
                                        [](const auto& t) { return t.mail != 0; });
    CHECK(rep.transactions == static_cast<unsigned>(answered));
}

const std::vector<std::string> address_pool = {
    "anna@example.org", "ben@example.net",  "carl@example.com", "dora@example.de",
    "emil@example.at",  "fritz@example.ch", "gina@example.it",  "hugo@example.fr"};

std::vector<std::string> random_recipients(rng_t& rng, std::size_t max) {
    const auto n = std::uniform_int_distribution<std::size_t>(1, max)(rng);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(pick(rng, address_pool));
    return out;
}

}  // namespace

TEST_SUITE("smtperr/pipeline/property") {
    TEST_CASE("random reply sequences never give a report that contradicts the replies") {
        rng_t rng(20240506);
        std::map<outcome, int> seen;
        int possibly = 0;
        int multi = 0;
        for (int run = 0; run < 4000; ++run) {
            CAPTURE(run);
            const auto input = random_recipients(rng, 6);
            const auto limit = chance(rng, 0.2)
                                   ? std::uniform_int_distribution<std::size_t>(1, 3)(rng)
                                   : std::size_t{0};
            transcript log;
            const auto rep =
                random_session(rng, input, chance(rng, 0.3) ? "XOAUTH2" : "PLAIN", log, limit);
            CHECK_MESSAGE(log.ended_by_itself, "more_transactions() never ended");
            check_consistent(rep, input, log);
            ++seen[rep.outcome];
            possibly += rep.possibly_delivered ? 1 : 0;
            multi += rep.transactions > 1 ? 1 : 0;
        }
        // The generator reached every outcome, the uncertain case and split transactions.
        CHECK(seen[outcome::sent] > 100);
        CHECK(seen[outcome::partially_sent] > 100);
        CHECK(seen[outcome::deferred] > 100);
        CHECK(seen[outcome::failed] > 100);
        CHECK(possibly > 20);
        CHECK(multi > 100);
    }

    TEST_CASE("random outbox scenarios: every message ends in one report or stays queued") {
        rng_t rng(777);
        const std::vector<std::string> accounts = {"plain@example.org", "oauth@example.org",
                                                   "other@example.net"};
        auto mechanism = [&](const std::string& acct) {
            return acct == accounts[1] ? "XOAUTH2" : "PLAIN";
        };
        int total_reports = 0;
        int expired = 0;
        for (int scenario = 0; scenario < 150; ++scenario) {
            CAPTURE(scenario);
            smtperr::outbox_options o;
            o.retry.max_age = seconds(std::uniform_int_distribution<int>(3600, 2 * 86400)(rng));
            o.jitter_seed = rng();
            harness h(o);
            std::map<std::string, std::vector<std::string>> enqueued;  // id → recipients
            std::map<std::string, int> reports;
            std::vector<smtperr::dispatch> out;  // Handed out, maybe stale.
            auto collect = [&] {
                for (const auto& e : h.events()) {
                    if (const auto* r = std::get_if<report_event>(&e)) {
                        ++reports[r->message_id];
                        ++total_reports;
                        expired += r->report.expired ? 1 : 0;
                        const auto& rep = r->report;
                        REQUIRE(enqueued.count(r->message_id) == 1);
                        std::vector<std::string> unique;
                        for (const auto& a : enqueued[r->message_id]) {
                            if (std::find(unique.begin(), unique.end(), a) == unique.end()) {
                                unique.push_back(a);
                            }
                        }
                        REQUIRE(rep.recipients.size() == unique.size());
                        std::size_t accepted = 0;
                        for (std::size_t i = 0; i < unique.size(); ++i) {
                            CHECK(rep.recipients[i].address == unique[i]);
                            if (rep.recipients[i].accepted)
                                ++accepted;
                        }
                        CHECK(rep.outcome != outcome::deferred);
                        CHECK((rep.outcome == outcome::sent) == (accepted == unique.size()));
                        CHECK((rep.outcome == outcome::failed) == (accepted == 0));
                        if (rep.outcome == outcome::sent)
                            CHECK_FALSE(rep.possibly_delivered);
                    }
                }
            };
            int next_id = 0;
            for (int op = 0; op < 80; ++op) {
                switch (std::uniform_int_distribution<int>(0, 9)(rng)) {
                    case 0:
                    case 1: {
                        const auto id = "m" + std::to_string(next_id++);
                        const auto rcpts = random_recipients(rng, 4);
                        enqueued[id] = rcpts;
                        CHECK(h.box.enqueue(id, pick(rng, accounts), rcpts));
                        break;
                    }
                    case 2:
                    case 3:
                        for (auto& d : h.box.take_due())
                            out.push_back(std::move(d));
                        break;
                    case 4:
                    case 5:
                    case 6:
                        if (!out.empty()) {
                            const auto i =
                                std::uniform_int_distribution<std::size_t>(0, out.size() - 1)(rng);
                            const auto d = out[i];
                            if (!chance(rng, 0.1))
                                out.erase(out.begin() + static_cast<std::ptrdiff_t>(i));
                            transcript log;
                            h.box.complete(
                                d.id, random_session(rng, d.recipients, mechanism(d.account), log));
                        }
                        break;
                    case 7:
                        if (chance(rng, 0.5)) {
                            h.box.credentials_updated(pick(rng, accounts));
                        } else {
                            h.box.token_refreshed(pick(rng, accounts), chance(rng, 0.7));
                        }
                        break;
                    case 8:
                        h.clock.advance(seconds(std::uniform_int_distribution<int>(0, 7200)(rng)));
                        break;
                    case 9:
                        if (chance(rng, 0.3)) {
                            // A restart: in-flight attempts are orphaned, messages stay.
                            REQUIRE(h.box.restore(h.box.save()).has_value());
                        } else {
                            collect();
                        }
                        break;
                }
            }
            collect();
            // Nothing lost, nothing twice: one report, or still in the outbox.
            for (const auto& [id, rcpts] : enqueued) {
                CAPTURE(id);
                const int n = reports.count(id) ? reports[id] : 0;
                CHECK(n <= 1);
                CHECK((n == 1) != h.box.state(id).has_value());
            }
            // And every message still in it can reach its report.
            for (int round = 0; round < 200 && h.box.size() > 0; ++round) {
                for (const auto& a : accounts) {
                    h.box.credentials_updated(a);
                    h.box.token_refreshed(a, true);
                }
                for (const auto& d : out) {
                    h.box.complete(d.id, run_session(d.recipients, [&] {
                                       server s;
                                       s.mechanism = mechanism(d.account);
                                       return s;
                                   }()));
                }
                out.clear();
                if (const auto w = h.box.next_wakeup(); w && *w > h.clock.get())
                    h.clock.set(*w);
                out = h.box.take_due();
                collect();
            }
            CHECK(h.box.size() == 0);
            for (const auto& [id, rcpts] : enqueued) {
                CAPTURE(id);
                CHECK(reports[id] == 1);
            }
        }
        CHECK(total_reports > 500);
        CHECK(expired > 0);
    }
}
