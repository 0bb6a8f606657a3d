// The generic tables: every code of seed-codes.md in each phase where it occurs
// (command-reply.md), every basic code of reply-codes.tsv, every enumerated enhanced code of
// the IANA registry, class mismatches, and the first-digit fallback for unknown codes.
#include <smtperr/classify/classify.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "unit/classify/classify_util.hpp"

namespace {

using namespace classify_test;
using a = smtperr::action;
using c = smtperr::condition;
using s = smtperr::scope;
using p = smtperr::phase;

struct code_case {
    std::string_view reply;
    p ph;
    c cond;
    a act;
    s sc;
};

// clang-format off
// The codes the product started from (seed-codes.md), in each phase where RFC 5321 and its
// extensions allow them. The reply text is the RFC's or a typical server's.
const code_case seed_cases[] = {
    // 421: service not available, closing the channel — any command, even unsolicited.
    {"421 mx.example.org Service not available, closing transmission channel", p::greeting, c::service_unavailable, a::retry_later, s::connection},
    {"421 4.3.2 Service shutting down", p::ehlo, c::service_unavailable, a::retry_later, s::connection},
    {"421 4.3.2 Service shutting down", p::mail, c::service_unavailable, a::retry_later, s::connection},
    {"421 4.3.2 Service shutting down", p::rcpt, c::service_unavailable, a::retry_later, s::connection},
    {"421 4.3.2 Service shutting down", p::data_end, c::service_unavailable, a::retry_later, s::connection},
    // 450: mailbox unavailable for now (busy, locked) at RCPT; policy deferral after the dot.
    {"450 4.2.1 <bob@example.org>: Mailbox busy", p::rcpt, c::recipient_mailbox_unavailable, a::retry_later, s::recipient},
    {"450 Requested mail action not taken: mailbox unavailable", p::rcpt, c::recipient_mailbox_unavailable, a::retry_later, s::recipient},
    {"450 4.2.0 <bob@example.org>: mailbox is locked", p::rcpt, c::recipient_mailbox_unavailable, a::retry_later, s::recipient},
    {"450 4.1.8 <alice@example.net>: Sender address rejected: Domain not found", p::mail, c::sender_rejected, a::retry_later, s::message},
    {"450 Requested mail action not taken", p::mail, c::transient_failure, a::retry_later, s::message},
    {"450 Requested mail action not taken", p::data_end, c::transient_failure, a::retry_later, s::message},
    // 451: local error in processing — not your fault.
    {"451 Requested action aborted: local error in processing", p::mail, c::server_error, a::retry_later, s::connection},
    {"451 4.3.0 Error: queue file write error", p::rcpt, c::server_error, a::retry_later, s::connection},
    {"451 4.3.0 Requested action aborted", p::data_end, c::server_error, a::retry_later, s::connection},
    // 452: insufficient system storage; at RCPT also "too many recipients" (RFC 5321 §4.5.3.1.10).
    {"452 4.3.1 Insufficient system storage", p::mail, c::server_storage_full, a::retry_later, s::connection},
    {"452 Requested action not taken", p::mail, c::server_storage_full, a::retry_later, s::connection},
    {"452 4.5.3 Too many recipients", p::rcpt, c::too_many_recipients, a::split_recipients, s::message},
    {"452 Requested action not taken", p::rcpt, c::too_many_recipients, a::split_recipients, s::message},
    {"452 4.2.2 <bob@example.org>: Mailbox full", p::rcpt, c::recipient_mailbox_full, a::retry_later, s::recipient},
    {"452 4.3.1 Insufficient system storage", p::data_end, c::server_storage_full, a::retry_later, s::connection},
    // 454: after STARTTLS "TLS unavailable", after AUTH a temporary failure (no password prompt).
    {"454 4.7.0 TLS not available due to local problem", p::starttls, c::tls_unavailable, a::retry_later, s::connection},
    {"454 4.7.0 Temporary authentication failure", p::auth, c::authentication_temporary_failure, a::retry_later, s::account},
    {"454 4.7.0 Temporary failure, try again later", p::auth, c::authentication_temporary_failure, a::retry_later, s::account},
    // 501: syntax error in the arguments.
    {"501 Syntax error in parameters or arguments", p::ehlo, c::syntax_error, a::report_problem, s::connection},
    {"501 5.1.7 Bad sender address syntax", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"501 5.1.3 Bad recipient address syntax", p::rcpt, c::recipient_address_invalid, a::check_recipients, s::recipient},
    {"501 Syntax error in parameters or arguments", p::rcpt, c::recipient_address_invalid, a::check_recipients, s::recipient},
    {"501 5.5.4 Syntax error, DATA takes no arguments", p::data, c::syntax_error, a::report_problem, s::connection},
    {"501 Authentication cancelled", p::auth, c::authentication_failed, a::reauthenticate, s::account},
    // 503: bad sequence — including AUTH twice or inside a transaction (RFC 4954 §4).
    {"503 5.5.1 Error: already authenticated", p::auth, c::bad_sequence, a::report_problem, s::connection},
    {"503 5.5.1 Error: send HELO/EHLO first", p::mail, c::bad_sequence, a::report_problem, s::connection},
    {"503 5.5.1 Error: need MAIL command", p::rcpt, c::bad_sequence, a::report_problem, s::connection},
    {"503 5.5.1 Error: need RCPT command", p::data, c::bad_sequence, a::report_problem, s::connection},
    // 504: parameter not implemented; during AUTH an unsupported mechanism (5.5.4).
    {"504 5.5.4 Unrecognized authentication type", p::auth, c::auth_mechanism_rejected, a::check_account_settings, s::account},
    {"504 5.5.2 Command parameter not implemented", p::ehlo, c::not_implemented, a::report_problem, s::connection},
    {"504 5.5.4 Command parameter not implemented", p::mail, c::not_implemented, a::report_problem, s::connection},
    // 521: this host accepts no mail (RFC 7504).
    {"521 5.3.2 mx.example.org does not accept mail", p::greeting, c::no_mail_service, a::check_account_settings, s::connection},
    {"521 Host does not accept mail", p::ehlo, c::no_mail_service, a::check_account_settings, s::connection},
    {"521 5.3.2 System not accepting network messages", p::rcpt, c::no_mail_service, a::check_account_settings, s::connection},
    // 530: authentication (RFC 4954) or STARTTLS (RFC 3207) required.
    {"530 5.7.0 Authentication required", p::mail, c::authentication_required, a::reauthenticate, s::account},
    {"530 5.7.0 Authentication required", p::rcpt, c::authentication_required, a::reauthenticate, s::account},
    {"530 5.7.0 Must issue a STARTTLS command first", p::mail, c::encryption_required, a::check_account_settings, s::connection},
    {"530 5.7.0 Must issue a STARTTLS command first", p::auth, c::encryption_required, a::check_account_settings, s::connection},
    {"530 Access denied", p::auth, c::encryption_required, a::check_account_settings, s::connection},
    // 535: credentials invalid.
    {"535 5.7.8 Authentication credentials invalid", p::auth, c::authentication_failed, a::reauthenticate, s::account},
    {"535 Authentication failed", p::auth, c::authentication_failed, a::reauthenticate, s::account},
    // 550: an unknown recipient after RCPT, a refused sender after MAIL, policy after the dot.
    {"550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient},
    {"550 Requested action not taken: mailbox unavailable", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient},
    {"550 Requested action not taken: mailbox unavailable", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"550 5.7.1 Sender refused", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"550 Access denied - Invalid HELO name", p::ehlo, c::client_blocked, a::contact_provider, s::connection},
    {"550 5.7.1 Access denied", p::helo, c::client_blocked, a::contact_provider, s::connection},
    {"550 Requested action not taken", p::data, c::transaction_rejected, a::check_recipients, s::message},
    {"550 Requested action not taken", p::data_end, c::message_content_rejected, a::edit_message, s::message},
    // 551: not local; the text names the forward-path.
    {"551 User not local; please try <bob@other.example>", p::rcpt, c::recipient_not_local, a::check_recipients, s::recipient},
    // 552: a full mailbox (5.2.2) or too large a message (5.3.4).
    {"552 5.2.2 <bob@example.org>: Mailbox full", p::rcpt, c::recipient_mailbox_full, a::contact_recipient, s::recipient},
    {"552 Requested mail action aborted: exceeded storage allocation", p::rcpt, c::recipient_mailbox_full, a::contact_recipient, s::recipient},
    {"552 5.3.4 Message size exceeds fixed limit", p::data_end, c::message_too_large, a::reduce_message_size, s::message},
    {"552 Requested mail action aborted: exceeded storage allocation", p::data_end, c::message_too_large, a::reduce_message_size, s::message},
    {"552 5.3.4 Message size exceeds fixed maximum message size", p::mail, c::message_too_large, a::reduce_message_size, s::message},
    {"552 5.5.3 Too many recipients", p::rcpt, c::too_many_recipients, a::split_recipients, s::message},
    // 553: mailbox name not allowed.
    {"553 Requested action not taken: mailbox name not allowed", p::rcpt, c::recipient_address_invalid, a::check_recipients, s::recipient},
    {"553 Requested action not taken: mailbox name not allowed", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"553 5.1.3 <bob@@example.org>... User address required", p::rcpt, c::recipient_address_invalid, a::check_recipients, s::recipient},
    // 554: no service at greeting; content rejected after the dot; the general submission refusal.
    {"554 mx.example.org No SMTP service here", p::greeting, c::no_mail_service, a::check_account_settings, s::connection},
    {"554 5.7.1 Access denied", p::greeting, c::client_blocked, a::contact_provider, s::connection},
    {"554 Transaction failed", p::mail, c::transaction_rejected, a::check_sender_address, s::message},
    {"554 Transaction failed", p::rcpt, c::transaction_rejected, a::check_recipients, s::recipient},
    {"554 5.5.1 Error: no valid recipients", p::data, c::transaction_rejected, a::check_recipients, s::message},
    {"554 Transaction failed", p::data_end, c::message_content_rejected, a::edit_message, s::message},
    {"554 5.6.0 Message content rejected", p::data_end, c::spam_rejected, a::edit_message, s::message},
    {"554 5.6.0 Invalid message", p::data_end, c::message_content_rejected, a::edit_message, s::message},
};
// clang-format on

bool positive(int code) {
    return code < 400;
}

int code_of(std::string_view reply) {
    return (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
}

/// Every basic code of reply-codes.tsv, with the phase its reply usually answers and the
/// condition it gets there without further text.
struct basic_case {
    int code;
    p ph;
    c cond;
};

// clang-format off
const basic_case basic_cases[] = {
    {211, p::ehlo, c::none}, {214, p::ehlo, c::none}, {220, p::greeting, c::none},
    {220, p::starttls, c::none}, {221, p::quit, c::none}, {235, p::auth, c::none},
    {250, p::rcpt, c::none}, {251, p::rcpt, c::none}, {252, p::rcpt, c::none},
    {253, p::ehlo, c::none}, {334, p::auth, c::none}, {354, p::data, c::none},
    {421, p::mail, c::service_unavailable},
    {422, p::auth, c::transient_failure},
    {430, p::mail, c::transient_failure},
    {432, p::auth, c::auth_mechanism_rejected},
    {450, p::rcpt, c::recipient_mailbox_unavailable},
    {451, p::rcpt, c::server_error},
    {452, p::mail, c::server_storage_full},
    {453, p::ehlo, c::transient_failure},
    {454, p::auth, c::authentication_temporary_failure},
    {455, p::mail, c::transient_failure},
    {458, p::ehlo, c::transient_failure},
    {459, p::ehlo, c::transient_failure},
    {500, p::ehlo, c::syntax_error},
    {501, p::ehlo, c::syntax_error},
    {502, p::ehlo, c::not_implemented},
    {503, p::data, c::bad_sequence},
    {504, p::ehlo, c::not_implemented},
    {521, p::greeting, c::no_mail_service},
    {523, p::auth, c::permanent_failure},
    {524, p::auth, c::permanent_failure},
    {525, p::auth, c::permanent_failure},
    {530, p::mail, c::authentication_required},
    {533, p::rcpt, c::permanent_failure},
    {534, p::auth, c::auth_mechanism_rejected},
    {535, p::auth, c::authentication_failed},
    {538, p::auth, c::encryption_required},
    {550, p::rcpt, c::recipient_unknown},
    {551, p::rcpt, c::recipient_not_local},
    {552, p::rcpt, c::recipient_mailbox_full},
    {553, p::rcpt, c::recipient_address_invalid},
    {554, p::rcpt, c::transaction_rejected},
    {555, p::mail, c::syntax_error},
    {556, p::rcpt, c::recipient_domain_invalid},
};
// clang-format on

/// The enumerated codes of the IANA registry (enhanced-status.tsv), subject and detail, with
/// what each one means there, read by hand from the registry's description: the condition
/// it names, or none where it says no more than its class (X.0.0, X.1.0, X.7.0, and X.1.5 and
/// X.1.9, which report a success), so that the basic code and the phase decide.
struct registry_row {
    int subject;
    int detail;
    c meaning;
};
// clang-format off
const registry_row registry[] = {
    {0, 0, c::none},
    {1, 0, c::none},
    {1, 1, c::recipient_unknown},               // bad destination mailbox address
    {1, 2, c::recipient_domain_invalid},        // bad destination system address
    {1, 3, c::recipient_address_invalid},       // bad destination mailbox address syntax
    {1, 4, c::recipient_address_invalid},       // ambiguous: the address must be made precise
    {1, 5, c::none},                            // destination address valid (a success)
    {1, 6, c::recipient_unknown},               // moved, no forwarding address
    {1, 7, c::sender_rejected},                 // bad sender's mailbox address syntax
    {1, 8, c::sender_rejected},                 // bad sender's system address
    {1, 9, c::none},                            // relayed to a non-compliant mailer
    {1, 10, c::recipient_domain_invalid},       // recipient domain has a null MX
    {2, 0, c::recipient_mailbox_unavailable},   // some mailbox status
    {2, 1, c::recipient_mailbox_unavailable},   // mailbox disabled
    {2, 2, c::recipient_mailbox_full},
    {2, 3, c::message_too_large},               // over the mailbox's own size limit
    {2, 4, c::recipient_mailbox_unavailable},   // a list that could not be expanded
    {3, 0, c::server_error},                    // the destination system's trouble
    {3, 1, c::server_storage_full},
    {3, 2, c::no_mail_service},                 // not accepting network messages
    {3, 3, c::not_implemented},                 // features not supported
    {3, 4, c::message_too_large},
    {3, 5, c::server_error},                    // incorrectly configured
    {3, 6, c::server_error},                    // priority changed: a mail system status
    {4, 0, c::server_error},                    // network or routing trouble
    {4, 1, c::server_error},                    // no answer from the next host
    {4, 2, c::service_unavailable},             // bad connection
    {4, 3, c::server_error},                    // directory server failure
    {4, 4, c::recipient_domain_invalid},        // unable to route
    {4, 5, c::service_unavailable},             // congestion
    {4, 6, c::message_loop},
    {4, 7, c::server_error},                    // delivery time expired
    {5, 0, c::syntax_error},                    // some protocol status
    {5, 1, c::syntax_error},                    // invalid command
    {5, 2, c::syntax_error},
    {5, 3, c::too_many_recipients},
    {5, 4, c::syntax_error},                    // invalid command arguments
    {5, 5, c::not_implemented},                 // wrong protocol version
    {5, 6, c::syntax_error},                    // AUTH line too long
    {6, 0, c::message_content_rejected},        // X.6.0 to X.6.6: the content or its encoding
    {6, 1, c::message_content_rejected},
    {6, 2, c::message_content_rejected},
    {6, 3, c::message_content_rejected},
    {6, 4, c::message_content_rejected},
    {6, 5, c::message_content_rejected},
    {6, 6, c::message_content_rejected},
    {6, 7, c::international_address_unsupported},
    {6, 8, c::international_address_unsupported},
    {6, 9, c::international_address_unsupported},
    {6, 10, c::international_address_unsupported},  // deprecated duplicate of X.6.8
    {7, 0, c::none},
    {7, 1, c::domain_policy_rejected},          // delivery not authorized
    {7, 2, c::domain_policy_rejected},          // list expansion prohibited
    // X.7.3, X.7.5 and X.7.6 (security conversion, cryptographic failure, algorithm) read as
    // TLS trouble, as servers use them ("451 4.7.6 STARTTLS required but not advertised"), and
    // as Sisimai reads 5.7.6 (securityerror): see docs/classification.md.
    {7, 3, c::encryption_required},
    {7, 4, c::auth_mechanism_rejected},         // security features not supported
    {7, 5, c::tls_failed},
    {7, 6, c::tls_failed},
    {7, 7, c::message_content_rejected},        // message integrity failure
    {7, 8, c::authentication_failed},
    {7, 9, c::auth_mechanism_rejected},         // mechanism too weak
    {7, 10, c::encryption_required},
    {7, 11, c::encryption_required},            // encryption required for the mechanism
    {7, 12, c::auth_mechanism_rejected},        // a password transition is needed
    {7, 13, c::account_restricted},             // user account disabled
    {7, 14, c::authentication_failed},          // trust relationship required
    {7, 15, c::transaction_rejected},           // priority too low
    {7, 16, c::message_too_large},              // too big for the priority
    {7, 17, c::recipient_mailbox_unavailable},  // mailbox owner has changed
    {7, 18, c::recipient_domain_invalid},       // domain owner has changed
    {7, 19, c::transaction_rejected},           // RRVS test cannot be completed
    {7, 20, c::domain_policy_rejected},         // X.7.20 to X.7.24: DKIM, SPF
    {7, 21, c::domain_policy_rejected},
    {7, 22, c::domain_policy_rejected},
    {7, 23, c::domain_policy_rejected},
    {7, 24, c::domain_policy_rejected},
    {7, 25, c::client_blocked},                 // reverse DNS failed: the client's address
    {7, 26, c::domain_policy_rejected},         // several authentication checks
    {7, 27, c::sender_rejected},                // sender domain has a null MX
    {7, 28, c::rate_limited},                   // mail flood
    {7, 29, c::domain_policy_rejected},         // ARC validation failure
    {7, 30, c::encryption_required},            // REQUIRETLS support required
};
// clang-format on

/// The conditions about one recipient (the recipient is their scope).
bool about_recipient(c x) {
    return x == c::recipient_unknown || x == c::recipient_address_invalid ||
           x == c::recipient_domain_invalid || x == c::recipient_mailbox_full ||
           x == c::recipient_mailbox_unavailable || x == c::recipient_not_local ||
           x == c::international_address_unsupported;
}

/// The condition "<cls>50 <cls>.<s>.<d> Status" should get in phase `ph`: the code's meaning,
/// except where docs/classification.md (step 5) lets the phase outrank it or the meaning is
/// none and the basic code decides by phase.
c expected_condition(const registry_row& r, int cls, p ph) {
    const bool permanent = cls == 5;
    if (ph == p::auth && permanent) {
        return c::authentication_failed;  // A 550 to AUTH refuses the sign-in (no message yet).
    }
    if (ph == p::auth && about_recipient(r.meaning)) {
        // No recipient exists at AUTH: such a code says no more than 450's meaning there.
        return c::authentication_temporary_failure;
    }
    if (ph == p::mail) {
        // MAIL's sender codes: the only address is the sender's (X.1.x in either class).
        if (r.subject == 1 || (permanent && r.subject == 7 && r.detail == 1)) {
            return c::sender_rejected;
        }
        if (!permanent && r.subject == 2) {
            return c::transient_failure;  // 450 4.2.x to MAIL: the sender's own mailbox, busy.
        }
        if (permanent && r.subject == 2) {
            // The sender's own mailbox, refused; but X.2.3 is the message's size.
            return r.detail == 3 ? c::message_too_large : c::sender_rejected;
        }
    }
    if (ph == p::rcpt && r.subject == 7 && r.detail == 13) {
        return c::recipient_mailbox_unavailable;  // The recipient's account is disabled.
    }
    if (!permanent && r.subject == 3 && r.detail == 2) {
        return c::service_unavailable;  // 4.3.2: an outage to wait out, not "no mail here".
    }
    if (r.subject == 7 && r.detail == 9 && ph != p::auth) {
        // Outside AUTH a vendor's policy code, not a weak mechanism.
        return ph == p::data_end ? c::message_content_rejected : c::domain_policy_rejected;
    }
    if (r.meaning != c::none) {
        return r.meaning;
    }
    switch (ph) {
        case p::rcpt:
            return !permanent       ? c::recipient_mailbox_unavailable
                   : r.subject == 7 ? c::domain_policy_rejected
                                    : c::recipient_unknown;
        case p::mail:
            return permanent ? c::sender_rejected : c::transient_failure;
        case p::data_end:
            return permanent ? c::message_content_rejected : c::transient_failure;
        default:
            return c::authentication_temporary_failure;  // A 450 to AUTH: the sign-in, for now.
    }
}

/// Replies whose condition the enhanced code decides (the text says nothing).
struct status_case {
    std::string_view reply;
    p ph;
    c cond;
    a act;
    s sc;
};
// clang-format off
const status_case status_cases[] = {
    {"550 5.1.1 Status", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient},
    {"550 5.1.1 Status", p::data_end, c::recipient_unknown, a::check_recipients, s::recipient},
    {"550 5.1.1 Status", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"550 5.1.2 Status", p::rcpt, c::recipient_domain_invalid, a::check_recipients, s::recipient},
    {"556 5.1.10 Status", p::rcpt, c::recipient_domain_invalid, a::check_recipients, s::recipient},
    {"553 5.1.3 Status", p::rcpt, c::recipient_address_invalid, a::check_recipients, s::recipient},
    {"550 5.1.6 Status", p::rcpt, c::recipient_unknown, a::check_recipients, s::recipient},
    {"553 5.1.8 Status", p::rcpt, c::sender_rejected, a::check_sender_address, s::message},
    {"550 5.2.1 Status", p::rcpt, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient},
    {"450 4.2.1 Status", p::rcpt, c::recipient_mailbox_unavailable, a::retry_later, s::recipient},
    {"552 5.2.2 Status", p::rcpt, c::recipient_mailbox_full, a::contact_recipient, s::recipient},
    {"452 4.2.2 Status", p::rcpt, c::recipient_mailbox_full, a::retry_later, s::recipient},
    {"552 5.2.2 Status", p::data_end, c::recipient_mailbox_full, a::contact_recipient, s::recipient},
    {"552 5.2.3 Status", p::data_end, c::message_too_large, a::reduce_message_size, s::message},
    {"452 4.3.1 Status", p::rcpt, c::server_storage_full, a::retry_later, s::connection},
    {"554 5.3.4 Status", p::data_end, c::message_too_large, a::reduce_message_size, s::message},
    {"552 5.3.4 Status", p::mail, c::message_too_large, a::reduce_message_size, s::message},
    {"554 5.4.6 Status", p::data_end, c::message_loop, a::report_problem, s::message},
    {"452 4.5.3 Status", p::rcpt, c::too_many_recipients, a::split_recipients, s::message},
    {"550 5.5.3 Status", p::rcpt, c::too_many_recipients, a::split_recipients, s::message},
    {"553 5.6.7 Status", p::rcpt, c::international_address_unsupported, a::check_recipients, s::recipient},
    {"550 5.6.7 Status", p::mail, c::international_address_unsupported, a::check_recipients, s::recipient},
    {"554 5.6.0 Status", p::data_end, c::message_content_rejected, a::edit_message, s::message},
    {"535 5.7.8 Status", p::auth, c::authentication_failed, a::reauthenticate, s::account},
    {"534 5.7.9 Status", p::auth, c::auth_mechanism_rejected, a::check_account_settings, s::account},
    {"538 5.7.11 Status", p::auth, c::encryption_required, a::check_account_settings, s::connection},
    {"432 4.7.12 A password transition is needed", p::auth, c::auth_mechanism_rejected, a::check_account_settings, s::account},
    {"454 4.7.0 Status", p::auth, c::authentication_temporary_failure, a::retry_later, s::account},
    {"550 5.7.13 Status", p::mail, c::account_restricted, a::contact_provider, s::account},
    {"525 5.7.13 Status", p::rcpt, c::recipient_mailbox_unavailable, a::contact_recipient, s::recipient},
    {"550 5.7.1 Status", p::rcpt, c::domain_policy_rejected, a::check_sender_address, s::message},
    {"550 5.7.1 Status", p::mail, c::sender_rejected, a::check_sender_address, s::message},
    {"550 5.7.26 Status", p::data_end, c::domain_policy_rejected, a::check_sender_address, s::message},
    {"550 5.7.25 Status", p::rcpt, c::client_blocked, a::contact_provider, s::connection},
    {"554 5.7.9 Status", p::data_end, c::message_content_rejected, a::edit_message, s::message},
    {"550 5.7.9 Status", p::rcpt, c::domain_policy_rejected, a::check_sender_address, s::message},
    {"550 5.7.0 Status", p::rcpt, c::domain_policy_rejected, a::check_sender_address, s::message},
    {"421 4.7.28 Status", p::data_end, c::service_unavailable, a::retry_later, s::connection},
    {"451 4.7.28 Status", p::data_end, c::rate_limited, a::retry_later, s::account},
};
// clang-format on

}  // namespace

TEST_SUITE("classify.codes") {
    TEST_CASE("seed codes in each phase") {
        // Among them hostile-servers C-01: 550 5.1.1 at RCPT.
        for (const auto& t : seed_cases) {
            CAPTURE(t.reply);
            CAPTURE(t.ph);
            const auto v = classify_reply(t.reply, t.ph);
            check4(v, {t.cond, t.act, t.sc, code_of(t.reply) / 100 == 4});
            // Every "retry later" comes with a suggested wait.
            CHECK(v.retry.has_value() == (v.act == a::retry_later));
        }
    }

    TEST_CASE("transient mailbox trouble gets its own list-view text") {
        CHECK(classify_reply("450 4.2.1 Mailbox busy", p::rcpt).message_id ==
              "recipient_mailbox_unavailable_temporary");
        CHECK(classify_reply("550 5.2.1 Mailbox disabled", p::rcpt).message_id ==
              "recipient_mailbox_unavailable");
    }

    TEST_CASE("551 names the forward-path") {
        const auto v =
            classify_reply("551 User not local; please try <bob@other.example>", p::rcpt);
        CHECK(v.forward_path == "bob@other.example");
        CHECK(classify_reply("551 User not local", p::rcpt).forward_path.empty());
        const auto ok =
            classify_reply("251 User not local; will forward to <bob@other.example>", p::rcpt);
        CHECK(ok.cond == c::none);
        CHECK(ok.forward_path == "bob@other.example");
    }

    TEST_CASE("a forward-path is only a plain address") {
        // It goes to the UI (recipients_rejected) and into a saved outbox as it is: control
        // characters, bidi overrides, invalid UTF-8 or prose between the brackets give none.
        const std::string long_local(248, 'a');
        const std::string_view bad[] = {
            "<bob@new\x1b[31m.example>",
            "<bob@\xe2\x80\xae"
            "elpmaxe.example>",
            "<bob@new\xff.example>",
            "<try bob@new.example>",
            "<bob@new.example\x1c>",
            "<>",
            "<<bob@new.example>",
            "<bob.new.example>",
        };
        for (const auto b : bad) {
            CAPTURE(b);
            const auto v =
                classify_reply("551 5.1.6 User not local; please try " + std::string(b), p::rcpt);
            CHECK(v.cond == c::recipient_not_local);
            CHECK(v.forward_path.empty());
        }
        CHECK(classify_reply("551 5.1.6 try <" + long_local + "@ab.cd>", p::rcpt)
                  .forward_path.size() == 254);
        CHECK(classify_reply("551 5.1.6 try <" + long_local + "@abc.de>", p::rcpt)
                  .forward_path.empty());  // 255 octets, 257 with the brackets: over RFC 5321's 256
        CHECK(classify_reply("551 5.1.6 try <o'brien+x@new.example>", p::rcpt).forward_path ==
              "o'brien+x@new.example");
    }

    TEST_CASE("every basic code of the registry of reply codes") {
        for (const auto& t : basic_cases) {
            const std::string reply = std::to_string(t.code) + " Text";
            CAPTURE(reply);
            CAPTURE(t.ph);
            const auto v = classify_reply(reply, t.ph, {}, t.code == 334 ? "LOGIN" : "");
            CHECK(v.cond == t.cond);
            CHECK(v.transient == (t.code / 100 == 4));
            if (positive(t.code)) {
                CHECK(v.act == a::none);
                CHECK_FALSE(v.retry.has_value());
            } else {
                CHECK(v.act != a::none);
            }
        }
    }

    TEST_CASE("no basic code is read as its opposite in any phase") {
        for (const auto& t : basic_cases) {
            for (int ph = 0; ph < smtperr::phase_count; ++ph) {
                const std::string reply = std::to_string(t.code) + " Text";
                CAPTURE(reply);
                CAPTURE(static_cast<p>(ph));
                const auto v = classify_reply(reply, static_cast<p>(ph));
                if (positive(t.code)) {
                    CHECK(v.cond == c::none);
                    CHECK(v.act == a::none);
                    CHECK_FALSE(v.transient);
                } else {
                    CHECK(v.cond != c::none);
                    CHECK(v.act != a::none);
                    CHECK(v.transient == (t.code / 100 == 4));
                }
            }
        }
    }

    TEST_CASE("no recipient's condition where no command names a recipient") {
        // Without an enhanced code or telling text, a basic code whose context-free meaning
        // is a recipient's (450, 550, 551, 553, 556) says only its class before RCPT and after
        // the transaction: a list line about a recipient, or the recipient scope, would blame
        // one that does not exist. At MAIL the address is the sender's. (From RCPT to the
        // final dot the recipients exist: a server may refuse one of them after the data.)
        for (const auto& t : basic_cases) {
            if (positive(t.code)) {
                continue;
            }
            for (int ph = 0; ph < smtperr::phase_count; ++ph) {
                const auto phase = static_cast<p>(ph);
                if (phase == p::rcpt || phase == p::data || phase == p::data_end) {
                    continue;
                }
                const std::string reply = std::to_string(t.code) + " Text";
                CAPTURE(reply);
                CAPTURE(phase);
                const auto v = classify_reply(reply, phase);
                CHECK(v.sc != s::recipient);
            }
        }
        CHECK(classify_reply("450 Text", p::auth).cond == c::authentication_temporary_failure);
        CHECK(classify_reply("450 Text", p::greeting).cond == c::transient_failure);
        CHECK(classify_reply("550 Text", p::quit).cond == c::permanent_failure);
        CHECK(classify_reply("553 Text", p::ehlo).cond == c::permanent_failure);
        CHECK(classify_reply("553 Text", p::auth).cond == c::permanent_failure);  // No prompt.
        CHECK(classify_reply("556 Text", p::mail).cond == c::sender_rejected);
        CHECK(classify_reply("450 4.1.1 Text", p::mail).cond == c::sender_rejected);
        // Nor an enhanced code about a recipient, where no address exists.
        const p no_address[] = {p::greeting, p::ehlo, p::helo, p::starttls,
                                p::auth,     p::rset, p::quit};
        for (const auto& e : registry) {
            for (const int basic : {450, 451, 452, 454, 535, 550, 552, 553, 554}) {
                const int cls = basic / 100;
                const std::string reply = std::to_string(basic) + " " + std::to_string(cls) + "." +
                                          std::to_string(e.subject) + "." +
                                          std::to_string(e.detail) + " Status";
                for (const p phase : no_address) {
                    CAPTURE(reply);
                    CAPTURE(phase);
                    CHECK(classify_reply(reply, phase).sc != s::recipient);
                }
            }
        }
        CHECK(classify_reply("535 5.1.1 Status", p::auth).cond == c::authentication_failed);
        CHECK(classify_reply("550 5.2.1 Status", p::mail).cond == c::sender_rejected);
        CHECK(classify_reply("552 5.2.3 Status", p::mail).cond == c::message_too_large);
        // RCPT, and a refusal after the data, keep the recipient's reading.
        CHECK(classify_reply("450 Text", p::rcpt).cond == c::recipient_mailbox_unavailable);
        CHECK(classify_reply("551 Text", p::data_end).cond == c::recipient_not_local);
        CHECK(classify_reply("551 Text", p::rcpt).cond == c::recipient_not_local);
        CHECK(classify_reply("556 Text", p::rcpt).cond == c::recipient_domain_invalid);
    }

    TEST_CASE("every enumerated enhanced code, transient and permanent") {
        for (const auto& e : registry) {
            for (const int cls : {4, 5}) {
                for (const p ph : {p::rcpt, p::mail, p::data_end, p::auth}) {
                    const std::string reply = std::to_string(cls) + "50 " + std::to_string(cls) +
                                              "." + std::to_string(e.subject) + "." +
                                              std::to_string(e.detail) + " Status";
                    CAPTURE(reply);
                    CAPTURE(ph);
                    const auto v = classify_reply(reply, ph);
                    CHECK(v.cond == expected_condition(e, cls, ph));
                    CHECK(v.act != a::none);
                    CHECK(v.transient == (cls == 4));
                    CHECK(v.status.value() == cls * 1000000 + e.subject * 1000 + e.detail);
                }
            }
        }
    }

    TEST_CASE("conditions the enhanced code decides") {
        for (const auto& t : status_cases) {
            CAPTURE(t.reply);
            CAPTURE(t.ph);
            const auto v = classify_reply(t.reply, t.ph);
            check4(v, {t.cond, t.act, t.sc, code_of(t.reply) / 100 == 4});
        }
    }

    TEST_CASE("the basic code decides the class when the enhanced code disagrees") {
        // hostile-servers.md C-02.
        const auto full = classify_reply("550 4.2.2 Mailbox full", p::rcpt);
        CHECK(full.cond == c::recipient_mailbox_full);
        CHECK_FALSE(full.transient);
        CHECK(full.act == a::contact_recipient);
        const auto later = classify_reply("452 5.2.2 x", p::rcpt);
        CHECK(later.cond == c::recipient_mailbox_full);
        CHECK(later.transient);
        CHECK(later.act == a::retry_later);
    }

    TEST_CASE("unknown codes fall back by their first digit, never to success") {
        const auto t = classify_reply("466 Something odd", p::rcpt);
        CHECK(t.cond == c::transient_failure);
        CHECK(t.act == a::retry_later);
        CHECK(t.transient);
        CHECK(t.retry.has_value());
        CHECK(t.rule == "basic_code");
        const auto f = classify_reply("577 Something odd", p::rcpt);
        CHECK(f.cond == c::permanent_failure);
        CHECK(f.act == a::report_problem);
        CHECK_FALSE(f.transient);
        for (const auto* r : {"299 Fine", "399 Go on", "200 OK", "300 Hmm"}) {
            CAPTURE(r);
            const auto v = classify_reply(r, p::rcpt);
            CHECK(v.cond == c::none);
            CHECK(v.act == a::none);
        }
        for (const auto* r : {"499", "599", "400 x", "500-x\n500 y"}) {
            for (int ph = 0; ph < smtperr::phase_count; ++ph) {
                CAPTURE(r);
                const auto v = classify_reply(r, static_cast<p>(ph));
                CHECK(v.cond != c::none);
                CHECK(v.transient == (r[0] == '4'));
            }
        }
    }

    TEST_CASE("a reply_view with a code outside 200-599 is a protocol violation") {
        for (const int code : {0, 99, 199, 600, 999, -5}) {
            smtperr::reply_view r;
            r.code = code;
            r.text = "x";
            const auto d = smtperr::classify(r, {p::rcpt, {}, {}});
            CAPTURE(code);
            CHECK(d.condition == c::protocol_violation);
            CHECK(d.transient);
        }
    }
}
