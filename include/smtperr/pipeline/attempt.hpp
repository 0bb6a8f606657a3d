// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_ATTEMPT_HPP
#define SMTPERR_PIPELINE_ATTEMPT_HPP

#include <smtperr/classify/classify.hpp>
#include <smtperr/config.hpp>
#include <smtperr/pipeline/send_report.hpp>
#include <smtperr/reply/reply.hpp>

#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

namespace smtperr {

/** One submission attempt over one connection, as any transport sees it.

    The transport tells it, in order, which reply answered which command (pipelined replies
    in the order the commands were sent) or which transport failure ended the session. The
    attempt classifies every reply, tracks each recipient, plans further transactions when
    the server limits recipients per message, and produces the @ref send_report.

    @par Transactions
    Start with transaction_recipients(). RCPT replies are matched to those addresses by
    count. When the server answers `too_many_recipients` after it took some recipients, the
    remaining addresses are kept for another transaction: after the final dot, if
    more_transactions() is true, call next_transaction() and send MAIL/RCPT/DATA again on
    the same connection. Before any was taken, it is a transient failure (`retry_later`).

    @par Failures
    Report a transport failure with the phase whose reply was awaited. A failure at
    `phase::data_end` (the final dot was sent, its reply never came) marks the accepted
    recipients `possibly_delivered`. A failure while the body is still being sent (after
    the 354, before the final dot went out) is a failure at `phase::data`: nothing can have
    been delivered yet.

    @par Thread safety
    Distinct objects: safe. Shared objects: unsafe.
*/
class SMTPERR_DECL attempt {
  public:
    /** An attempt at the start of a session, before the greeting.
        @param recipients the message's recipients (each tried once per attempt; at least one).
        @param ctx host and SASL mechanism for classification (its phase is ignored; both
        are copied).
        @param max_recipients_per_transaction 0 for no limit of our own.
    */
    attempt(std::vector<std::string> recipients, classify_context ctx,
            std::size_t max_recipients_per_transaction = 0);

    /// The recipients of the current transaction, in RCPT order.
    const std::vector<std::string>& transaction_recipients() const noexcept { return current_; }

    /// Records the reply to a command of `p`. For `rcpt`, replies match recipients by count.
    void on_reply(phase p, const reply_view& r);

    /** Records `r` as the answer to a command of `p` that was never sent: a refusal the
        client decides itself (a message over the server's SIZE), or the reply that ended the
        session before this message's turn. Applied as on_reply() is, except that no MAIL
        transaction counts in the report: the server saw none. */
    void on_reply_unsent(phase p, const reply_view& r);

    /// Records a transport failure while the reply to a command of `p` was awaited.
    void on_failure(phase p, std::error_code ec);

    /// False once the session failed (a greeting, EHLO, TLS, AUTH or connection failure, a
    /// connection- or account-scoped MAIL refusal, a 421 at any phase): the transport should
    /// QUIT (or close) and call finish().
    bool session_usable() const noexcept { return !session_failed_; }

    /// True when the server took the DATA command (354) in the current transaction.
    bool data_accepted() const noexcept { return data_ok_; }

    /// True when some RCPT of the current transaction was accepted.
    bool any_recipient_accepted() const noexcept;

    /// True when recipients remain for another transaction on this connection.
    bool more_transactions() const noexcept;

    /// Starts the next transaction with the remaining recipients.
    void next_transaction();

    /// The report of the attempt. Recipients never reached are reported pending.
    send_report finish() const;

  private:
    struct slot {
        std::string address;
        enum class state : unsigned char { untried, rcpt_ok, done } st = state::untried;
        recipient_result result;
    };
    void take_reply(phase p, const reply_view& r, bool sent);
    slot& find(const std::string& address);
    bool fail_open(const diagnosis_record& d, bool possibly_delivered_for_accepted);
    void fail_session(const diagnosis_record& d, bool decided);

    std::string host_;  // Copies: the caller's context may not outlive the attempt.
    std::string mechanism_;
    std::size_t limit_;
    std::vector<slot> slots_;
    std::vector<std::string> current_;
    std::vector<std::string> later_;  // too_many_recipients: for the next transaction
    std::size_t rcpt_seen_ = 0;
    bool data_ok_ = false;
    bool session_failed_ = false;
    bool possibly_delivered_ = false;
    unsigned transactions_ = 0;
    std::optional<diagnosis_record> session_diag_;
    std::optional<diagnosis_record> first_failure_;
};

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_ATTEMPT_HPP
