// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/error/errc.hpp>
#include <smtperr/pipeline/json.hpp>
#include <smtperr/pipeline/outbox.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <random>

#include "pipeline/no_verdict.hpp"
#include "pipeline/safe_record.hpp"
#include "text/address.hpp"

namespace smtperr {

namespace {

// How much a report's entry for a recipient says: delivered, perhaps delivered, decided,
// still waiting.
int weight(const recipient_result& r) noexcept {
    return r.accepted ? 3 : r.possibly_delivered ? 2 : r.pending() ? 0 : 1;
}

std::optional<credentials_reason> credentials_reason_for(condition c) noexcept {
    switch (c) {
        case condition::authentication_failed:
            return credentials_reason::authentication_failed;
        case condition::authentication_required:
            return credentials_reason::required;
        case condition::app_password_required:
            return credentials_reason::app_password_required;
        case condition::web_login_required:
            return credentials_reason::web_login_required;
        case condition::basic_auth_disabled:
            return credentials_reason::basic_auth_disabled;
        case condition::password_expired:
            return credentials_reason::password_expired;
        default:
            return std::nullopt;
    }
}

bool is_sign_in_problem(condition c) noexcept {
    return credentials_reason_for(c).has_value() || c == condition::oauth_token_invalid ||
           c == condition::authentication_temporary_failure;
}

/// The phase of a failure that the account got past its sign-in to meet.
bool past_sign_in(phase p) noexcept {
    return p == phase::mail || p == phase::rcpt || p == phase::data || p == phase::data_end;
}

constexpr std::string_view state_names[] = {"queued", "in_flight", "waiting_credentials",
                                            "waiting_token"};

std::int64_t to_unix(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_unix(std::int64_t s) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(s));
}

// A saved time: from 1970 up to 2200. The clock may count nanoseconds in 64 bits (it
// does in libstdc++), whose range ends in 2262; so the outbox's arithmetic on the time
// (ages, next attempts) stays inside it.
bool plausible_time(std::int64_t s) noexcept {
    return s >= 0 && s < 7258118400;  // 2200-01-01T00:00:00Z
}

// A saved counter (attempts, transactions, sign-in failures in a row): far more than an
// outbox reaches, and far enough from the top of `unsigned` that counting on never wraps
// (found in review: 4294967295 attempts restored, and the next one was the first again).
constexpr unsigned max_count = 1'000'000'000;

bool plausible_count(std::int64_t v) noexcept {
    return v >= 0 && v <= std::int64_t{max_count};
}

// Adds a transport's count, which nothing bounds, without leaving plausible_count().
unsigned add_count(unsigned total, unsigned more) noexcept {
    return more >= max_count - std::min(total, max_count) ? max_count : total + more;
}

std::uint64_t random_seed() {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32U) ^ rd();
}

}  // namespace

std::string_view to_string(message_state s) noexcept {
    const auto i = static_cast<std::size_t>(s);
    return i < std::size(state_names) ? state_names[i] : std::string_view{};
}

std::string_view to_string(severity s) noexcept {
    switch (s) {
        case severity::info:
            return "info";
        case severity::warning:
            return "warning";
        case severity::error:
            return "error";
    }
    return {};
}

std::string_view to_string(credentials_reason r) noexcept {
    switch (r) {
        case credentials_reason::authentication_failed:
            return "authentication_failed";
        case credentials_reason::required:
            return "required";
        case credentials_reason::app_password_required:
            return "app_password_required";
        case credentials_reason::web_login_required:
            return "web_login_required";
        case credentials_reason::basic_auth_disabled:
            return "basic_auth_disabled";
        case credentials_reason::password_expired:
            return "password_expired";
    }
    return {};
}

outbox::outbox(outbox_options options, event_sink sink, executor exec)
    : options_(std::move(options)),
      sink_(std::move(sink)),
      exec_(std::move(exec)),
      rng_(options_.jitter_seed ? *options_.jitter_seed : random_seed()) {
    // Ages are compared on the clock's nanoseconds, which cannot hold seconds::max().
    options_.retry.max_age =
        std::clamp(options_.retry.max_age, std::chrono::seconds{0}, retry_policy::longest);
    if (!options_.clock) {
        options_.clock = [] { return clock_type::now(); };
    }
}

outbox::time_point outbox::now() const {
    return options_.clock();
}

namespace {

// How far a recorded time may lie ahead of the clock before it counts as set on a clock that
// was ahead, and has been set back since (a wrong time corrected): smaller steps only
// lengthen a wait by as much.
constexpr std::chrono::minutes clock_tolerance{1};

// An address the outbox takes: what a transport can write into RCPT TO as it is.
bool sendable_address(const std::string& a) {
    return !a.empty() && detail::valid_address(a);
}

}  // namespace

bool outbox::clock_set_back(const message& m, time_point t) const {
    // Scheduled waits end within the maximum age of the first attempt (schedule() gives up
    // on a later one): anything further ahead was recorded on a clock that was ahead.
    // (Differences, not sums: a time near the end of the clock's range plus the maximum age
    // would overflow.)
    return (m.first_queued > t && m.first_queued - t > clock_tolerance) ||
           (m.next_attempt > t && m.next_attempt - t > options_.retry.max_age + clock_tolerance);
}

void outbox::post(std::vector<event>& events) {
    for (auto& e : events) {
        exec_([sink = sink_, ev = std::move(e)] { sink(ev); });
    }
    events.clear();
}

result<void> outbox::enqueue(std::string id, std::string account,
                             std::vector<std::string> recipients) {
    // Checked here, not at the first attempt: save() writes these strings as they are, and a
    // file that is not UTF-8 would not read back, costing every message in it.
    if (recipients.empty()) {
        return errc::no_recipients;  // It could never be sent.
    }
    if (!std::all_of(recipients.begin(), recipients.end(), sendable_address)) {
        return errc::invalid_address;
    }
    if (!detail::valid_utf8(id) || !detail::valid_utf8(account)) {
        return errc::invalid_utf8;
    }
    std::lock_guard lock(mutex_);
    if (messages_.count(id) != 0) {
        return errc::duplicate_id;
    }
    // The same address twice would be sent the message twice.
    std::vector<std::string> unique;
    for (auto& r : recipients) {
        if (std::find(unique.begin(), unique.end(), r) == unique.end()) {
            unique.push_back(std::move(r));
        }
    }
    recipients = std::move(unique);
    message m;
    m.id = id;
    m.account = std::move(account);
    m.pending = recipients;
    m.recipients = std::move(recipients);
    m.first_queued = m.next_attempt = now();
    accounts_[m.account];
    messages_.emplace(std::move(id), std::move(m));
    return BOOST_OUTCOME_V2_NAMESPACE::success();
}

std::vector<dispatch> outbox::take_due() {
    std::vector<dispatch> due;
    std::vector<event> events;
    {
        std::lock_guard lock(mutex_);
        const auto t = now();
        ++round_;
        for (auto it = messages_.begin(); it != messages_.end();) {
            message& m = it->second;
            const account_state& acct = accounts_[m.account];
            if (m.state != message_state::queued || acct.blocked()) {
                ++it;  // In flight, or held for the user or a token: not ageing out here.
                continue;
            }
            if (clock_set_back(m, t)) {
                // Else it would wait as long as the clock was ahead, and never age out: due
                // now, its age counted from now at the latest.
                m.first_queued = std::min(m.first_queued, t);
                m.next_attempt = t;
            }
            if (m.attempts > 0 && t - m.first_queued > options_.retry.max_age) {
                finish(m, events, true);
                it = messages_.erase(it);
                continue;
            }
            if (m.next_attempt <= t) {
                m.state = message_state::in_flight;
                m.dispatched_generation = acct.credentials_generation;
                m.dispatched_round = round_;
                due.push_back(dispatch{m.id, m.account, m.pending, m.attempts + 1});
            }
            ++it;
        }
    }
    post(events);
    return due;
}

system_message_event outbox::system_message(const message& m, const diagnosis_record& d,
                                            smtperr::severity sev,
                                            std::string_view recipient) const {
    system_message_event e;
    e.message_id = m.id;
    e.severity = sev;
    message_args args;
    args.recipient = recipient;
    args.forward_path = d.forward_path;
    const auto text = render_message(d.view(), options_.language, args);
    e.list_line = text.list_line;
    e.detail = text.detail;
    e.action = d.action;
    e.action_label = std::string(text.action_label);
    e.server_text = d.server_text;
    e.help_url = d.help_url;
    e.diagnosis = d;
    return e;
}

void outbox::prompt(const std::string& account, credentials_reason why, const diagnosis_record& d,
                    std::vector<event>& out) {
    account_state& acct = accounts_[account];
    if (acct.prompt_outstanding) {
        return;
    }
    acct.prompt_outstanding = true;
    out.emplace_back(credentials_required_event{account, why, d});
}

void outbox::finish(message& m, std::vector<event>& out, bool expired) {
    send_report rep;
    rep.expired = expired;
    rep.possibly_delivered = m.possibly_delivered;
    rep.transactions = m.transactions;
    std::size_t accepted = 0;
    for (const auto& r : m.results) {
        if (r.accepted)
            ++accepted;
    }
    for (const auto& a : m.pending) {
        // Given up while still pending: why it waited is the reason.
        recipient_result r;
        r.address = a;
        const auto own = m.waits.find(a);
        r.diagnosis = own != m.waits.end() ? std::optional(own->second) : m.last;
        m.results.push_back(std::move(r));
    }
    m.pending.clear();
    m.waits.clear();
    // Report in the order the recipients were given.
    for (const auto& a : m.recipients) {
        const auto it = std::find_if(m.results.begin(), m.results.end(),
                                     [&](const recipient_result& r) { return r.address == a; });
        if (it != m.results.end()) {
            rep.recipients.push_back(*it);
        }
    }
    if (accepted == rep.recipients.size()) {
        rep.outcome = outcome::sent;
    } else {
        rep.outcome = accepted > 0 ? outcome::partially_sent : outcome::failed;
        // What decided is in the final results: the reason of the first recipient not
        // reached, or, for a message that aged out, why its last recipients waited. The last
        // attempt's reason may be an earlier wait that a later attempt got past.
        if (expired && m.last) {
            rep.deciding = *m.last;
        } else {
            for (const auto& r : rep.recipients) {
                if (!r.accepted && r.diagnosis) {
                    rep.deciding = *r.diagnosis;
                    break;
                }
            }
        }
        out.emplace_back(
            system_message(m, rep.deciding, accepted > 0 ? severity::warning : severity::error));
    }
    out.emplace_back(report_event{m.id, std::move(rep)});
}

void outbox::schedule(message& m, const diagnosis_record& d, std::vector<event>& out) {
    const auto t = now();
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    const auto delay = options_.retry.delay(m.attempts, d.retry_after_seconds, u);
    if (t + delay - m.first_queued > options_.retry.max_age) {
        m.state = message_state::queued;
        finish(m, out, true);
        const std::string id = m.id;  // m dies with the erase.
        messages_.erase(id);
        return;
    }
    m.state = message_state::queued;
    m.next_attempt = t + delay;
    // Held behind a prompt or a refresh, it is not handed out at that time: the time is
    // announced once the account is free (announce_held()).
    const auto acct = accounts_.find(m.account);
    if (acct == accounts_.end() || !acct->second.blocked()) {
        out.emplace_back(retry_scheduled_event{m.id, m.next_attempt, m.attempts + 1, d});
    }
    out.emplace_back(system_message(m, d, severity::warning));
}

void outbox::announce_held(const std::string& account, time_point t, std::vector<event>& out) {
    for (auto& [id, m] : messages_) {
        if (m.account != account || m.state != message_state::queued) {
            continue;
        }
        m.first_queued = t;  // A new retry period: the time spent held was the user's.
        if (m.attempts > 0 && m.next_attempt > t) {
            out.emplace_back(retry_scheduled_event{m.id, m.next_attempt, m.attempts + 1,
                                                   m.last.value_or(detail::no_verdict())});
        }
    }
}

void outbox::complete(const std::string& id, const send_report& given) {
    // Any transport's report is taken: what it says reaches events and the saved file only
    // made safe (found in review: text that is not UTF-8 made the next save unreadable, and
    // a "javascript:" link went into a system message).
    send_report report = given;
    detail::make_safe(report.deciding);
    for (auto& r : report.recipients) {
        if (r.diagnosis) {
            detail::make_safe(*r.diagnosis);
        }
    }
    std::vector<event> events;
    {
        std::lock_guard lock(mutex_);
        const auto it = messages_.find(id);
        if (it == messages_.end() || it->second.state != message_state::in_flight) {
            return;
        }
        message& m = it->second;
        account_state& acct = accounts_[m.account];
        m.attempts = add_count(m.attempts, 1);
        m.transactions = add_count(m.transactions, report.transactions);

        recipients_rejected_event rejected{m.id, {}};
        std::vector<std::string> still_pending;
        bool any_accepted = false;
        // Why the recipients left pending wait (the longest retry hint wins): the report's
        // deciding diagnosis may be another recipient's permanent rejection.
        const diagnosis_record* waits_for = nullptr;
        std::map<std::string, const diagnosis_record*> own_reasons;  // Of those left pending.
        for (const auto& address : m.pending) {
            // The report's verdict on a recipient it is ours to decide (a transport may list
            // one twice: a delivery outweighs a rejection, which outweighs a wait); one it
            // does not mention stays pending.
            const recipient_result* verdict = nullptr;
            for (const auto& r : report.recipients) {
                if (r.address == address && (verdict == nullptr || weight(r) > weight(*verdict))) {
                    verdict = &r;
                }
            }
            if (verdict == nullptr) {
                still_pending.push_back(address);
                continue;
            }
            const recipient_result& r = *verdict;
            // A sign-in problem (a 535, say) is permanent for the attempt but says nothing
            // about the recipient: it waits for new credentials or a token below.
            const bool waits_for_sign_in = !r.accepted && !r.possibly_delivered && r.diagnosis &&
                                           is_sign_in_problem(r.diagnosis->condition);
            if (r.pending() || waits_for_sign_in) {
                still_pending.push_back(r.address);
                if (r.diagnosis) {
                    own_reasons[r.address] = &*r.diagnosis;
                }
                if (r.pending() && r.diagnosis &&
                    (waits_for == nullptr || r.diagnosis->retry_after_seconds.value_or(0) >
                                                 waits_for->retry_after_seconds.value_or(0))) {
                    waits_for = &*r.diagnosis;
                }
                continue;
            }
            any_accepted = any_accepted || r.accepted;
            m.possibly_delivered = m.possibly_delivered || r.possibly_delivered;
            // Only the recipient's own rejections, its RCPT's reply, whatever the reason
            // (an unknown user, a policy, a blocklisted client): a refused MAIL, DATA or
            // final dot is the system message's business, not a list of "rejected" addresses.
            if (r.rejected() && r.diagnosis->phase == phase::rcpt) {
                rejected.recipients.push_back(
                    rejected_recipient{r.address, *r.diagnosis, r.diagnosis->forward_path});
            }
            m.results.push_back(r);
        }
        m.pending = std::move(still_pending);
        // Recipients left waiting with no reason from the report (not mentioned, or with no
        // diagnosis) wait for "no verdict", never for a success, nor for what the report
        // says of one other recipient (found in review: another address's "recipient
        // unknown", or with a report that said sent, no reason at all when they aged out).
        const diagnosis_record fallback = detail::no_verdict();
        const bool deciding_is_theirs = report.deciding.condition != condition::none &&
                                        report.deciding.scope != scope::recipient;
        const diagnosis_record& reason = m.pending.empty()      ? report.deciding
                                         : waits_for != nullptr ? *waits_for
                                         : deciding_is_theirs   ? report.deciding
                                                                : fallback;
        if (!m.pending.empty() || report.outcome != outcome::sent) {
            m.last = reason;
        }
        m.waits.clear();
        for (const auto& address : m.pending) {
            const auto own = own_reasons.find(address);
            m.waits.emplace(address, own != own_reasons.end() ? *own->second : reason);
        }
        if (!rejected.recipients.empty()) {
            events.emplace_back(std::move(rejected));
        }
        const condition cond = report.deciding.condition;
        if (any_accepted || (!is_sign_in_problem(cond) && past_sign_in(report.deciding.phase))) {
            // The account signed in fine: a failure before AUTH (a timeout at the greeting,
            // say) proves nothing about the credentials.
            acct.auth_temporary_failures = 0;
            acct.refresh_tried = false;
        }

        if (m.pending.empty()) {
            finish(m, events, false);
            messages_.erase(it);
        } else if (is_sign_in_problem(cond) &&
                   m.dispatched_generation != acct.credentials_generation) {
            // Tried with a password or token that has been replaced since: say nothing and
            // try the new one, instead of asking the user again for what they just gave.
            m.state = message_state::queued;
            m.next_attempt = now();
        } else if (const auto why = credentials_reason_for(cond)) {
            m.state = message_state::waiting_credentials;
            events.emplace_back(system_message(m, report.deciding, severity::warning));
            prompt(m.account, *why, report.deciding, events);
        } else if (cond == condition::oauth_token_invalid) {
            if (!acct.refresh_tried) {
                m.state = message_state::waiting_token;
                if (!acct.refresh_outstanding) {
                    acct.refresh_outstanding = true;
                    events.emplace_back(token_refresh_required_event{m.account, report.deciding});
                }
            } else {
                m.state = message_state::waiting_credentials;
                events.emplace_back(system_message(m, report.deciding, severity::warning));
                prompt(m.account, credentials_reason::authentication_failed, report.deciding,
                       events);
            }
        } else if (cond == condition::authentication_temporary_failure &&
                   acct.count_failure(m.dispatched_round) >= options_.auth_temporary_escalation) {
            m.state = message_state::waiting_credentials;
            events.emplace_back(system_message(m, report.deciding, severity::warning));
            prompt(m.account, credentials_reason::authentication_failed, report.deciding, events);
        } else {
            schedule(m, reason, events);
        }
    }
    post(events);
}

void outbox::credentials_updated(const std::string& account) {
    std::vector<event> events;
    {
        std::lock_guard lock(mutex_);
        const auto found = accounts_.find(account);
        if (found == accounts_.end()) {
            return;  // No message of it was ever queued (nor a name saved that restore refuses).
        }
        account_state& acct = found->second;
        const bool held = acct.blocked();
        const unsigned generation = acct.credentials_generation + 1;
        // A refresh still running was for the credentials replaced now: its answer is ignored.
        const unsigned stale = acct.stale_refreshes + (acct.refresh_outstanding ? 1u : 0u);
        acct = account_state{};
        acct.credentials_generation = generation;
        acct.stale_refreshes = stale;
        const auto t = now();
        if (held) {
            announce_held(account, t, events);  // Those queued behind the prompt.
        }
        for (auto& [id, m] : messages_) {
            if (m.account == account && (m.state == message_state::waiting_credentials ||
                                         m.state == message_state::waiting_token)) {
                m.state = message_state::queued;
                m.next_attempt = t;
                m.first_queued = t;  // A new retry period: the time waiting was the user's.
            }
        }
    }
    post(events);
}

void outbox::token_refreshed(const std::string& account, bool ok) {
    std::vector<event> events;
    {
        std::lock_guard lock(mutex_);
        const auto found = accounts_.find(account);
        if (found == accounts_.end()) {
            return;
        }
        account_state& acct = found->second;
        if (acct.stale_refreshes > 0) {
            --acct.stale_refreshes;  // The answer to a refresh made before new credentials.
            return;
        }
        if (!acct.refresh_outstanding) {
            // Nobody asked (found in review: a stray answer marked a refresh tried, so the
            // next refused token went to the user without a silent refresh first).
            return;
        }
        acct.refresh_outstanding = false;
        acct.refresh_tried = true;
        if (ok) {
            ++acct.credentials_generation;
        }
        const auto t = now();
        for (auto& [id, m] : messages_) {
            if (m.account != account || m.state != message_state::waiting_token) {
                continue;
            }
            if (ok) {
                m.state = message_state::queued;
                m.next_attempt = t;
                m.first_queued = t;
            } else {
                m.state = message_state::waiting_credentials;
                prompt(account, credentials_reason::authentication_failed,
                       m.last.value_or(diagnosis_record{}), events);
            }
        }
        if (ok && !acct.blocked()) {
            announce_held(account, t, events);  // Those queued behind the refresh.
        }
    }
    post(events);
}

std::optional<outbox::time_point> outbox::next_wakeup() const {
    std::lock_guard lock(mutex_);
    const auto t = now();
    std::optional<time_point> best;
    for (const auto& [id, m] : messages_) {
        const auto acct = accounts_.find(m.account);
        const bool held = acct != accounts_.end() && acct->second.blocked();
        // What take_due() will make of a time set on a clock that was ahead: due now.
        const auto next = clock_set_back(m, t) ? t : m.next_attempt;
        if (m.state == message_state::queued && !held && (!best || next < *best)) {
            best = next;
        }
    }
    return best;
}

std::optional<message_state> outbox::state(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = messages_.find(id);
    return it == messages_.end() ? std::nullopt : std::optional(it->second.state);
}

std::optional<outbox::time_point> outbox::next_attempt(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = messages_.find(id);
    if (it == messages_.end() || it->second.state != message_state::queued) {
        return std::nullopt;
    }
    return it->second.next_attempt;
}

std::size_t outbox::size() const {
    std::lock_guard lock(mutex_);
    return messages_.size();
}

void outbox::set_language(smtperr::language lang) {
    std::lock_guard lock(mutex_);
    options_.language = lang;
}

std::string outbox::save() const {
    std::lock_guard lock(mutex_);
    boost::json::array msgs;
    for (const auto& [id, m] : messages_) {
        boost::json::object o;
        o["id"] = m.id;
        o["account"] = m.account;
        o["recipients"] = boost::json::value_from(m.recipients);
        o["pending"] = boost::json::value_from(m.pending);
        boost::json::array results;
        for (const auto& r : m.results) {
            boost::json::object ro;
            ro["address"] = r.address;
            ro["accepted"] = r.accepted;
            ro["possibly_delivered"] = r.possibly_delivered;
            ro["diagnosis"] = r.diagnosis ? boost::json::value(to_json(*r.diagnosis)) : nullptr;
            results.push_back(std::move(ro));
        }
        o["results"] = std::move(results);
        o["attempts"] = m.attempts;
        o["first_queued"] = to_unix(m.first_queued);
        o["next_attempt"] = to_unix(m.next_attempt);
        // An attempt in flight when saved did not finish: it is due again.
        o["state"] =
            to_string(m.state == message_state::in_flight ? message_state::queued : m.state);
        o["possibly_delivered"] = m.possibly_delivered;
        o["transactions"] = m.transactions;
        o["last"] = m.last ? boost::json::value(to_json(*m.last)) : nullptr;
        boost::json::object waits;
        for (const auto& [address, d] : m.waits) {
            waits[address] = to_json(d);
        }
        o["waits"] = std::move(waits);
        msgs.push_back(std::move(o));
    }
    boost::json::array accts;
    for (const auto& [name, a] : accounts_) {
        boost::json::object o;
        o["account"] = name;
        o["prompt_outstanding"] = a.prompt_outstanding;
        o["refresh_outstanding"] = a.refresh_outstanding;
        o["refresh_tried"] = a.refresh_tried;
        o["auth_temporary_failures"] = a.auth_temporary_failures;
        accts.push_back(std::move(o));
    }
    boost::json::object root;
    root["version"] = 1;
    root["messages"] = std::move(msgs);
    root["accounts"] = std::move(accts);
    return boost::json::serialize(root);
}

result<void> outbox::restore(std::string_view json) {
    const auto bad = make_error_code(errc::invalid_outbox_state);
    boost::system::error_code ec;
    const auto root = boost::json::parse(json, ec);
    const auto* obj = ec ? nullptr : root.if_object();
    if (obj == nullptr || has_duplicate_keys(json)) {
        return bad;  // save() writes each key once: an edited file could say two things.
    }
    const auto* version = obj->if_contains("version");
    const auto* msgs = obj->if_contains("messages");
    const auto* accts = obj->if_contains("accounts");
    if (version == nullptr || !version->is_int64() || version->as_int64() != 1 || msgs == nullptr ||
        !msgs->is_array() || accts == nullptr || !accts->is_array()) {
        return bad;
    }
    auto strings = [](const boost::json::value* v, std::vector<std::string>& out) {
        if (v == nullptr || !v->is_array())
            return false;
        for (const auto& s : v->get_array()) {
            if (!s.is_string())
                return false;
            out.emplace_back(s.get_string());
        }
        return true;
    };
    auto get_string = [](const boost::json::object& o, std::string_view key, std::string& out) {
        const auto* v = o.if_contains(key);
        if (v == nullptr || !v->is_string())
            return false;
        out = v->get_string();
        return true;
    };
    auto get_int = [](const boost::json::object& o, std::string_view key, std::int64_t& out) {
        const auto* v = o.if_contains(key);
        if (v == nullptr || !v->is_int64())
            return false;
        out = v->get_int64();
        return true;
    };
    auto get_bool = [](const boost::json::object& o, std::string_view key, bool& out) {
        const auto* v = o.if_contains(key);
        if (v == nullptr || !v->is_bool())
            return false;
        out = v->get_bool();
        return true;
    };
    std::map<std::string, message> loaded;
    for (const auto& mv : msgs->get_array()) {
        const auto* mo = mv.if_object();
        if (mo == nullptr)
            return bad;
        message m;
        std::int64_t attempts = 0;
        std::int64_t transactions = 0;
        std::int64_t first = 0;
        std::int64_t next = 0;
        std::string state;
        if (!get_string(*mo, "id", m.id) || !get_string(*mo, "account", m.account) ||
            !strings(mo->if_contains("recipients"), m.recipients) ||
            !strings(mo->if_contains("pending"), m.pending) ||
            !get_int(*mo, "attempts", attempts) || !plausible_count(attempts) ||
            !get_int(*mo, "first_queued", first) || !plausible_time(first) ||
            !get_int(*mo, "next_attempt", next) || !plausible_time(next) ||
            !get_string(*mo, "state", state) ||
            !get_bool(*mo, "possibly_delivered", m.possibly_delivered) ||
            !get_int(*mo, "transactions", transactions) || !plausible_count(transactions)) {
            return bad;
        }
        m.attempts = static_cast<unsigned>(attempts);
        m.transactions = static_cast<unsigned>(transactions);
        m.first_queued = from_unix(first);
        m.next_attempt = from_unix(next);
        const auto st = std::find(std::begin(state_names), std::end(state_names), state);
        if (st == std::end(state_names) || *st == "in_flight")
            return bad;
        m.state = static_cast<message_state>(st - std::begin(state_names));
        const auto* results = mo->if_contains("results");
        if (results == nullptr || !results->is_array())
            return bad;
        for (const auto& rv : results->get_array()) {
            const auto* ro = rv.if_object();
            if (ro == nullptr)
                return bad;
            recipient_result r;
            if (!get_string(*ro, "address", r.address) || !get_bool(*ro, "accepted", r.accepted) ||
                !get_bool(*ro, "possibly_delivered", r.possibly_delivered)) {
                return bad;
            }
            const auto* dv = ro->if_contains("diagnosis");
            if (dv == nullptr)
                return bad;
            if (!dv->is_null()) {
                auto d = diagnosis_from_json(*dv);
                if (!d)
                    return bad;
                r.diagnosis = std::move(d).value();
            }
            if (r.pending()) {
                return bad;  // A result that decides nothing: the recipient would be lost.
            }
            m.results.push_back(std::move(r));
        }
        const auto* last = mo->if_contains("last");
        if (last == nullptr)
            return bad;
        if (!last->is_null()) {
            auto d = diagnosis_from_json(*last);
            if (!d)
                return bad;
            m.last = std::move(d).value();
        }
        // Each waiting recipient's own reason; files saved before there was one have none.
        if (const auto* waits = mo->if_contains("waits")) {
            if (!waits->is_object())
                return bad;
            for (const auto& w : waits->get_object()) {
                auto d = diagnosis_from_json(w.value());
                const std::string address(w.key());
                if (!d ||
                    std::find(m.pending.begin(), m.pending.end(), address) == m.pending.end()) {
                    return bad;  // A reason for no waiting recipient: an edited file.
                }
                m.waits.emplace(address, std::move(d).value());
            }
        }
        // What enqueue() refuses, restore() refuses: a transport may hand the addresses to
        // the server as they are, and an edited file must not inject a command.
        if (!std::all_of(m.recipients.begin(), m.recipients.end(), sendable_address))
            return bad;
        // Every recipient is either still pending or has a result, exactly once; else a
        // later report would drop or duplicate it.
        std::vector<std::string> seen = m.pending;
        for (const auto& r : m.results)
            seen.push_back(r.address);
        std::vector<std::string> all = m.recipients;
        std::sort(seen.begin(), seen.end());
        std::sort(all.begin(), all.end());
        if (seen != all || std::adjacent_find(all.begin(), all.end()) != all.end())
            return bad;
        // A message without a pending recipient has had its report and left the outbox.
        if (m.pending.empty())
            return bad;
        if (loaded.count(m.id) != 0)
            return bad;
        loaded.emplace(m.id, std::move(m));
    }
    std::map<std::string, account_state> loaded_accounts;
    for (const auto& av : accts->get_array()) {
        const auto* ao = av.if_object();
        if (ao == nullptr)
            return bad;
        std::string name;
        account_state a;
        std::int64_t failures = 0;
        if (!get_string(*ao, "account", name) ||
            !get_bool(*ao, "prompt_outstanding", a.prompt_outstanding) ||
            !get_bool(*ao, "refresh_outstanding", a.refresh_outstanding) ||
            !get_bool(*ao, "refresh_tried", a.refresh_tried) ||
            !get_int(*ao, "auth_temporary_failures", failures) || !plausible_count(failures) ||
            loaded_accounts.count(name) != 0) {  // Which of two would count is a guess.
            return bad;
        }
        a.auth_temporary_failures = static_cast<unsigned>(failures);
        loaded_accounts[name] = a;
    }
    std::vector<event> events;
    {
        std::lock_guard lock(mutex_);
        messages_ = std::move(loaded);
        accounts_ = std::move(loaded_accounts);
        // Whoever was asked before the restart is not asked any more: ask again, once per
        // account, for the messages that wait.
        for (auto& [name, a] : accounts_) {
            a.prompt_outstanding = false;
            a.refresh_outstanding = false;
        }
        for (auto& [id, m] : messages_) {
            account_state& a = accounts_[m.account];
            const diagnosis_record d = m.last.value_or(diagnosis_record{});
            if (m.state == message_state::waiting_credentials) {
                prompt(m.account,
                       credentials_reason_for(d.condition)
                           .value_or(credentials_reason::authentication_failed),
                       d, events);
            } else if (m.state == message_state::waiting_token && !a.refresh_outstanding) {
                a.refresh_outstanding = true;
                events.emplace_back(token_refresh_required_event{m.account, d});
            }
        }
    }
    post(events);
    return BOOST_OUTCOME_V2_NAMESPACE::success();
}

}  // namespace smtperr
