// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_OUTBOX_HPP
#define SMTPERR_PIPELINE_OUTBOX_HPP

#include <smtperr/config.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/events.hpp>
#include <smtperr/pipeline/retry_policy.hpp>
#include <smtperr/pipeline/send_report.hpp>
#include <smtperr/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr {

/// Settings of an @ref outbox.
struct outbox_options {
    retry_policy retry;  ///< Backoff, jitter and the maximum age of a message.
    /// Consecutive temporary authentication failures (454) of an account before the user
    /// is asked for the password after all.
    unsigned auth_temporary_escalation = 3;
    /// The language of the rendered texts in events; change it with outbox::set_language.
    smtperr::language language = smtperr::language::en;
    /// The clock (tests control it); defaults to `std::chrono::system_clock::now`.
    std::function<std::chrono::system_clock::time_point()> clock;
    /// Seed of the retry jitter. Unset (the default), each outbox draws its own from
    /// `std::random_device`: with one seed for every install, clients that failed together
    /// (a provider's outage) would all come back at the same moments. Set it for a
    /// reproducible schedule.
    std::optional<std::uint64_t> jitter_seed;
};

/// A message handed to a transport for one attempt.
struct dispatch {
    std::string id;                       ///< The id given to outbox::enqueue().
    std::string account;                  ///< Its account (credentials and token events name it).
    std::vector<std::string> recipients;  ///< Only those still pending.
    unsigned attempt = 1;                 ///< 1 for the first attempt.
};

/// Where a message is in the outbox.
enum class message_state : unsigned char {
    queued,               ///< Waiting for its next attempt time.
    in_flight,            ///< Handed out by take_due(), not completed yet.
    waiting_credentials,  ///< Waiting for outbox::credentials_updated().
    waiting_token,        ///< Waiting for outbox::token_refreshed().
};

/// "queued", "in_flight", "waiting_credentials", "waiting_token".
SMTPERR_DECL std::string_view to_string(message_state s) noexcept;

/** The send adapter's queue: decides what each attempt means for the message, the account
    and the UI, and never loses a message.

    Every message given to enqueue() either stays in the outbox with a next-attempt time
    (or waiting for credentials) or leaves it with exactly one `report_event`.

    @par Sign-in discipline
    At most one `credentials_required` is outstanding per account, however many messages
    fail the same way; the others wait and resume on credentials_updated(). After a 535
    the same credentials are never retried automatically. A temporary authentication
    failure (454) is retried with backoff and prompts only after
    `auth_temporary_escalation` failures in a row, counted once per take_due() round (the
    messages handed out together share their sessions' sign-ins). An OAuth
    `oauth_token_invalid` first asks for one silent refresh (`token_refresh_required`).

    @par Events
    Events go to the sink through the executor, never from within a member function. The
    executor is called on the thread of the member function that produced the events, after
    the outbox's mutex is released: when several threads use the outbox, it must accept
    concurrent calls.

    @par Thread safety
    All member functions may be called from any thread; the outbox serializes them with a
    mutex, and posts events after releasing it.
*/
class SMTPERR_DECL outbox {
  public:
    using clock_type = std::chrono::system_clock;  ///< Wall-clock time: retries survive restarts.
    using time_point = clock_type::time_point;     ///< A time on clock_type.

    /// An empty outbox. Events go to `sink`, each one through `exec` (the UI thread's
    /// post, say), never from inside a member function call.
    outbox(outbox_options options, event_sink sink, executor exec);

    /** Queues a new message, due at once; repeated addresses are sent to once. Refused, the
        outbox unchanged: an id already in the outbox (errc::duplicate_id), no recipients
        (errc::no_recipients), an address the transport could not send or a saved outbox
        could not hold — CR, LF, NUL, angle brackets, over 254 octets, not valid UTF-8
        (errc::invalid_address) — and an id or account that is not valid UTF-8
        (errc::invalid_utf8). So whatever is queued can be saved and restored. */
    result<void> enqueue(std::string id, std::string account, std::vector<std::string> recipients);

    /// Hands out every message that is due now and whose account is not waiting for the
    /// user or a token; they become in_flight. Messages past the maximum age fail here,
    /// except those held for the user or a token.
    std::vector<dispatch> take_due();

    /** Records the outcome of an attempt of an in_flight message. The report may come from
        any transport: its diagnoses are taken made safe, as restore() reads them (server
        text sanitized, a help link or forward-path the classifier would not give dropped,
        names that are not UTF-8 cleared). */
    void complete(const std::string& id, const send_report& report);

    /** The user entered new credentials for `account`: its waiting messages are due now,
        and they and the messages held behind the prompt get a new retry period
        (`retry.max_age` from now): the time spent waiting for the user does not age them.
        A held message whose retry is still to come gets its `retry_scheduled` now (while
        held, complete() announces none: take_due() would not hand it out then).
        An attempt still in flight with the old ones that fails to sign in is tried again
        with the new ones, without a second prompt. The answer to a token refresh asked for
        before is ignored (it was for the old credentials). An account with no message ever
        queued is ignored.
    */
    void credentials_updated(const std::string& account);

    /// The client refreshed (or failed to refresh) `account`'s OAuth token. As with
    /// credentials_updated(), a sign-in failure of an attempt made with the old token is
    /// retried silently, and after a refresh the messages that waited get a new retry period.
    /// Call it once per `token_refresh_required` event, in order; an answer with no refresh
    /// outstanding is ignored.
    void token_refreshed(const std::string& account, bool ok);

    /// The earliest next-attempt time of a queued message that take_due() could hand out
    /// (not one held while its account waits for the user or a token), if any.
    std::optional<time_point> next_wakeup() const;

    /// The state of a message still in the outbox.
    std::optional<message_state> state(const std::string& id) const;

    /// The next attempt time of a queued message.
    std::optional<time_point> next_attempt(const std::string& id) const;

    /// Number of messages in the outbox.
    std::size_t size() const;

    /// Changes the language of the texts in later events.
    void set_language(smtperr::language lang);

    /** The queue as JSON: ids, accounts, recipients and their results, attempts, times,
        the last diagnosis and each waiting recipient's as codes (not rendered text).
        In-flight messages are saved as due at once.
    */
    std::string save() const;

    /// Replaces the queue with a saved one; on error (`errc::invalid_outbox_state`: not
    /// what save() writes, inconsistent, or a time outside 1970–2199) the outbox is unchanged.
    /// Meant for start-up: messages already in the outbox are replaced without a report, and
    /// the complete() of one in flight is then ignored.
    result<void> restore(std::string_view json);

  private:
    struct message;
    struct account_state {
        bool prompt_outstanding = false;
        bool refresh_outstanding = false;
        bool refresh_tried = false;
        unsigned auth_temporary_failures = 0;
        /// Counts new passwords and refreshed tokens, so that an attempt still made with the
        /// old ones can be told apart from one that failed with the new.
        unsigned credentials_generation = 0;
        std::uint64_t counted_round = 0;  // The latest take_due() round whose 454 counted.
        /// Refreshes asked for before the credentials were replaced: answers to ignore.
        unsigned stale_refreshes = 0;

        /// Waiting for the user or a token: its messages are held.
        bool blocked() const noexcept { return prompt_outstanding || refresh_outstanding; }
        /// Counts a temporary sign-in failure once per take_due() round: messages handed
        /// out together share their sessions' sign-ins, so one 454 reaching several of them
        /// is one failure. A round older than one already counted adds nothing (parallel
        /// transports complete in any order). Returns the failures in a row.
        unsigned count_failure(std::uint64_t round) noexcept {
            if (round > counted_round) {
                counted_round = round;
                ++auth_temporary_failures;
            }
            return auth_temporary_failures;
        }
    };
    struct message {
        std::string id;
        std::string account;
        std::vector<std::string> recipients;
        std::vector<recipient_result> results;  // Final results so far.
        std::vector<std::string> pending;
        unsigned attempts = 0;
        time_point first_queued;
        time_point next_attempt;
        message_state state = message_state::queued;
        std::optional<diagnosis_record> last;
        /// Why each pending recipient waits: its own reason from the last report, so one that
        /// ages out is reported with it, not with another's (`last` decides the retry).
        std::map<std::string, diagnosis_record> waits;
        bool possibly_delivered = false;
        unsigned transactions = 0;           // Over all attempts, for the final report.
        unsigned dispatched_generation = 0;  // The account's credentials_generation then.
        std::uint64_t dispatched_round = 0;  // The take_due() call that handed it out.
    };

    time_point now() const;
    bool clock_set_back(const message& m, time_point t) const;
    void finish(message& m, std::vector<event>& out, bool expired);
    void schedule(message& m, const diagnosis_record& d, std::vector<event>& out);
    void announce_held(const std::string& account, time_point t, std::vector<event>& out);
    void prompt(const std::string& account, credentials_reason why, const diagnosis_record& d,
                std::vector<event>& out);
    system_message_event system_message(const message& m, const diagnosis_record& d,
                                        smtperr::severity sev,
                                        std::string_view recipient = {}) const;
    void post(std::vector<event>& events);

    outbox_options options_;
    event_sink sink_;
    executor exec_;
    mutable std::mutex mutex_;
    std::map<std::string, message> messages_;
    std::map<std::string, account_state> accounts_;
    std::uint64_t round_ = 0;  // take_due() calls so far.
    std::mt19937_64 rng_;
};

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_OUTBOX_HPP
