// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/attempt.hpp>

#include <algorithm>
#include <cstddef>

#include "pipeline/no_verdict.hpp"

namespace smtperr {

attempt::attempt(std::vector<std::string> recipients, classify_context ctx,
                 std::size_t max_recipients_per_transaction)
    : host_(ctx.host), mechanism_(ctx.sasl_mechanism), limit_(max_recipients_per_transaction) {
    slots_.reserve(recipients.size());
    for (auto& r : recipients) {
        if (std::any_of(slots_.begin(), slots_.end(),
                        [&](const slot& x) { return x.address == r; })) {
            continue;  // The same address twice would get the message twice.
        }
        slot s;
        s.result.address = r;
        s.address = std::move(r);
        slots_.push_back(std::move(s));
    }
    for (const auto& s : slots_) {
        (limit_ == 0 || current_.size() < limit_ ? current_ : later_).push_back(s.address);
    }
}

attempt::slot& attempt::find(const std::string& address) {
    return *std::find_if(slots_.begin(), slots_.end(),
                         [&](const slot& s) { return s.address == address; });
}

bool attempt::any_recipient_accepted() const noexcept {
    return std::any_of(slots_.begin(), slots_.end(),
                       [](const slot& s) { return s.st == slot::state::rcpt_ok; });
}

bool attempt::more_transactions() const noexcept {
    return !session_failed_ && !later_.empty();
}

void attempt::next_transaction() {
    current_.clear();
    std::vector<std::string> rest;
    for (auto& a : later_) {
        (limit_ == 0 || current_.size() < limit_ ? current_ : rest).push_back(std::move(a));
    }
    later_ = std::move(rest);
    rcpt_seen_ = 0;
    data_ok_ = false;
}

// Every recipient of the current transaction that is not final gets `d`; true when there was
// one.
bool attempt::fail_open(const diagnosis_record& d, bool possibly_delivered_for_accepted) {
    bool decided = false;
    for (const auto& a : current_) {
        slot& s = find(a);
        if (s.st == slot::state::done) {
            continue;
        }
        if (possibly_delivered_for_accepted && s.st == slot::state::rcpt_ok) {
            s.result.possibly_delivered = true;
            possibly_delivered_ = true;
        }
        s.st = slot::state::done;
        s.result.diagnosis = d;
        decided = true;
    }
    if (!first_failure_) {
        first_failure_ = d;
    }
    return decided;
}

// `decided`: `d` just gave some recipient its verdict.
void attempt::fail_session(const diagnosis_record& d, bool decided) {
    session_failed_ = true;
    // An end that came after every recipient had its verdict (a 421 or a lost connection
    // behind a refused MAIL) decided none of them, so it does not decide the report either.
    const bool all_final = std::all_of(slots_.begin(), slots_.end(),
                                       [](const slot& s) { return s.st == slot::state::done; });
    if (!session_diag_ && (decided || !all_final)) {
        session_diag_ = d;
    }
    // Recipients waiting for a later transaction share the session's fate.
    for (auto& a : later_) {
        current_.push_back(std::move(a));
    }
    later_.clear();
}

void attempt::on_reply(phase p, const reply_view& r) {
    take_reply(p, r, true);
}

void attempt::on_reply_unsent(phase p, const reply_view& r) {
    take_reply(p, r, false);
}

void attempt::take_reply(phase p, const reply_view& r, bool sent) {
    const classify_context ctx{p, host_, mechanism_};
    const diagnosis d = classify(r, ctx);
    if (session_failed_) {
        return;  // Replies after a fatal one (QUIT, for instance) decide nothing.
    }
    const bool misplaced = p == phase::data
                               ? r.code / 100 == 2 || (r.code / 100 == 3 && r.code != 354)
                               : r.code / 100 == 3 && p != phase::auth;
    if (misplaced) {
        // Only DATA (and AUTH, RFC 4954) have a 3yz reply (RFC 5321 §4.3.2); anywhere else
        // it is no acceptance, least of all after the final dot. And DATA's only positive
        // reply is 354: a 2yz or another 3yz there leaves client and server disagreeing on
        // what comes next.
        on_failure(p, errc::protocol_violation);
        return;
    }
    switch (p) {
        case phase::greeting:
        case phase::ehlo:
        case phase::helo:
        case phase::starttls:
        case phase::auth:
            if (d.failed()) {
                const diagnosis_record rec(d, r.text);
                fail_session(rec, fail_open(rec, false));
            }
            return;
        case phase::mail:
            if (sent) {
                ++transactions_;  // A transaction counts once the server answered its MAIL.
            }
            if (d.failed()) {
                const diagnosis_record rec(d, r.text);
                const bool decided = fail_open(rec, false);
                // A 421 closes the connection whatever it says of the message (found in
                // review: "421 4.7.0 Message content rejected" is message-scoped).
                if (r.code == 421 || d.scope == scope::connection || d.scope == scope::account) {
                    fail_session(rec, decided);
                }
            }
            return;
        case phase::rcpt: {
            if (rcpt_seen_ >= current_.size()) {
                return;  // More RCPT replies than RCPTs: the transport's bug, not ours.
            }
            // The server's limit per transaction shows only after it took some recipients;
            // a too_many_recipients for the first ones is not a limit we can split around
            // (another transaction would get the same answer, for ever).
            // Nor around a server that closes the connection with it (a 421).
            const bool split =
                r.code != 421 && d.condition == condition::too_many_recipients &&
                std::any_of(
                    current_.begin(), current_.begin() + static_cast<std::ptrdiff_t>(rcpt_seen_),
                    [&](const std::string& a) { return find(a).st == slot::state::rcpt_ok; });
            slot& s = find(current_[rcpt_seen_++]);
            if (s.st == slot::state::done) {
                // Failed already (its MAIL was refused): only a closing server still counts.
                if (r.code == 421) {
                    fail_session(diagnosis_record(d, r.text), false);
                }
                return;
            }
            if (!d.failed()) {
                s.st = slot::state::rcpt_ok;
            } else if (split) {
                later_.push_back(s.address);  // Planned for a further transaction.
            } else {
                s.st = slot::state::done;
                diagnosis dd = d;
                if (d.condition == condition::too_many_recipients) {
                    // Nothing to split around: only time helps, and a 552 saying so is a
                    // 452 (RFC 5321 §4.5.3.1.10; hostile-servers H-06).
                    dd.transient = true;
                    dd.action = action::retry_later;
                }
                s.result.diagnosis = diagnosis_record(dd, r.text);
                if (!first_failure_) {
                    first_failure_ = s.result.diagnosis;
                }
                // Only a closing server ends the session here, as at DATA: whatever a refusal
                // says about the client or the account, the server goes on, and the
                // recipients it took still get the message.
                if (r.code == 421) {
                    fail_session(*s.result.diagnosis, true);
                }
            }
            // Recipients parked for later are not part of this transaction any more.
            if (rcpt_seen_ == current_.size()) {
                current_.erase(std::remove_if(current_.begin(), current_.end(),
                                              [&](const std::string& a) {
                                                  return std::find(later_.begin(), later_.end(),
                                                                   a) != later_.end();
                                              }),
                               current_.end());
                rcpt_seen_ = current_.size();
            }
            return;
        }
        case phase::data:
            if (!d.failed()) {
                data_ok_ = r.code == 354;
            } else {
                const diagnosis_record rec(d, r.text);
                const bool decided = fail_open(rec, false);
                if (r.code == 421) {
                    fail_session(rec, decided);  // The server closes the connection.
                }
            }
            return;
        case phase::data_end:
            if (!d.failed()) {
                for (const auto& a : current_) {
                    slot& s = find(a);
                    if (s.st == slot::state::rcpt_ok) {
                        s.st = slot::state::done;
                        s.result.accepted = true;
                        s.result.diagnosis.reset();
                    }
                }
            } else {
                const diagnosis_record rec(d, r.text);
                const bool decided = fail_open(rec, false);
                if (r.code == 421) {
                    fail_session(rec, decided);
                }
            }
            data_ok_ = false;
            return;
        case phase::rset:
        case phase::quit:
            if (r.code == 421) {
                // The server closes here too (found in review: a transport following
                // session_usable() sent the next MAIL into the closed connection).
                fail_session(diagnosis_record(d, r.text), false);
            }
            return;
    }
}

void attempt::on_failure(phase p, std::error_code ec) {
    if (session_failed_) {
        return;
    }
    const classify_context ctx{p, host_, mechanism_};
    diagnosis_record rec(classify(ec, ctx), {});
    const bool uncertain =
        p == phase::data_end && std::any_of(current_.begin(), current_.end(), [&](const auto& a) {
            return find(a).st == slot::state::rcpt_ok;
        });
    if (uncertain) {
        // Not "try again later": the message may have gone out (the catalog's RFC 5321 §6.1
        // entry says so, and that a resend could deliver it twice).
        rec.message_id = "delivery_uncertain";
        // Recipients left for a later transaction were in none: the session ended before
        // their turn, as before a MAIL (found in review: they read "may have been sent").
        const diagnosis_record untried(classify(ec, {phase::mail, host_, mechanism_}), {});
        for (const auto& a : later_) {
            find(a).result.diagnosis = untried;
        }
    }
    fail_session(rec, fail_open(rec, p == phase::data_end));
}

send_report attempt::finish() const {
    send_report rep;
    rep.transactions = transactions_;
    rep.possibly_delivered = possibly_delivered_;
    std::size_t accepted = 0;
    std::size_t pending = 0;
    for (const auto& s : slots_) {
        recipient_result r = s.result;
        if (!r.accepted && !r.diagnosis) {
            // Never reached a verdict (the session ended first): still pending.
            r.diagnosis = session_diag_ ? *session_diag_ : detail::no_verdict();
        }
        if (r.accepted)
            ++accepted;
        if (r.pending())
            ++pending;
        rep.recipients.push_back(std::move(r));
    }
    if (accepted == rep.recipients.size()) {
        rep.outcome = outcome::sent;
        return rep;
    }
    if (session_diag_) {
        rep.deciding = *session_diag_;
    } else if (first_failure_) {
        rep.deciding = *first_failure_;
    } else {
        for (const auto& r : rep.recipients) {
            if (r.diagnosis) {
                rep.deciding = *r.diagnosis;
                break;
            }
        }
    }
    if (accepted > 0) {
        rep.outcome = outcome::partially_sent;
    } else if (pending > 0) {
        rep.outcome = outcome::deferred;
    } else {
        rep.outcome = outcome::failed;
    }
    return rep;
}

}  // namespace smtperr
