// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_SEND_REPORT_HPP
#define SMTPERR_PIPELINE_SEND_REPORT_HPP

#include <smtperr/config.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr {

/// How a submission ended (DESIGN.md).
enum class outcome : unsigned char {
    sent,            ///< Every recipient was accepted and the server took the message.
    partially_sent,  ///< Some recipients got it; others were rejected or are still pending.
    deferred,        ///< Nobody got it yet; it will be tried again.
    failed,          ///< Nobody got it and it will not be tried again without the user.
};

/// "sent", "partially_sent", "deferred", "failed".
SMTPERR_DECL std::string_view to_string(outcome o) noexcept;

/// What became of one recipient.
struct recipient_result {
    std::string address;  ///< As the caller gave it.
    /// The server took responsibility for delivery to this address: a 2yz to its RCPT and a
    /// 2yz to the final dot of the same transaction.
    bool accepted = false;
    /// Why not (empty when accepted).
    std::optional<diagnosis_record> diagnosis;
    /// The connection broke after the final dot, before its reply: it may have gone out.
    bool possibly_delivered = false;

    /// Rejected for good (not accepted, and the reason is permanent).
    bool rejected() const noexcept { return !accepted && diagnosis && !diagnosis->transient; }
    /// Still worth another try (not accepted, transient, and not possibly delivered).
    bool pending() const noexcept {
        return !accepted && !possibly_delivered && (!diagnosis || diagnosis->transient);
    }
};

/// The result of one submission attempt (or, from the outbox, of a message's whole life).
struct send_report {
    smtperr::outcome outcome = smtperr::outcome::failed;  ///< What became of the message.
    /// The diagnosis that decided the outcome (condition none when sent).
    diagnosis_record deciding;
    std::vector<recipient_result> recipients;  ///< One per recipient, in the caller's order.
    /// RFC 5321 §6.1: the connection broke after the final dot and before its reply, so the
    /// message may have gone out and a blind resend could duplicate it.
    bool possibly_delivered = false;
    /// The message was given up because it stayed undeliverable past the maximum age.
    bool expired = false;
    unsigned transactions = 0;  ///< MAIL transactions this attempt ran (MAIL answered).
};

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_SEND_REPORT_HPP
