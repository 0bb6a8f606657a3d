// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The error layer's data: what each basic code, enhanced code and library error means
// without further context. The classifier refines these with phase, provider and text.

#include "error/tables.hpp"

#include <algorithm>

namespace smtperr::detail {

using c = condition;

// Only codes an SMTP RFC defines as replies. 422, 430, 523, 524, 525 and 533 appear only as
// "associated basic codes" in the IANA enhanced-status registry: they fall back by their
// class, and their enhanced code (X.7.12, X.7.13, ...) says the rest.
const reply_code_row reply_code_rows[] = {
    {211, "System status or help reply", c::none},
    {214, "Help message", c::none},
    {220, "Service ready", c::none},
    {221, "Service closing transmission channel", c::none},
    {235, "Authentication succeeded", c::none},
    {250, "Requested action okay, completed", c::none},
    {251, "User not local; will forward", c::none},
    {252, "Cannot verify the user, but will accept the message", c::none},
    {253, "Pending messages for the node started", c::none},
    {334, "Authentication challenge", c::none},
    {354, "Start mail input; end with <CRLF>.<CRLF>", c::none},
    {421, "Service not available, closing transmission channel", c::service_unavailable},
    {432, "A password transition is needed", c::auth_mechanism_rejected},
    {450, "Requested mail action not taken: mailbox unavailable", c::recipient_mailbox_unavailable},
    {451, "Requested action aborted: local error in processing", c::server_error},
    {452, "Requested action not taken: insufficient system storage", c::server_storage_full},
    {453, "You have no mail", c::transient_failure},
    {454, "Temporary authentication failure or TLS not available",
     c::authentication_temporary_failure},
    {455, "Server unable to accommodate parameters", c::transient_failure},
    {458, "Unable to queue messages for the node", c::transient_failure},
    {459, "Node not allowed", c::transient_failure},
    {500, "Syntax error, command unrecognized", c::syntax_error},
    {501, "Syntax error in parameters or arguments", c::syntax_error},
    {502, "Command not implemented", c::not_implemented},
    {503, "Bad sequence of commands", c::bad_sequence},
    {504, "Command parameter not implemented", c::not_implemented},
    {521, "Host does not accept mail", c::no_mail_service},
    {530, "Authentication or STARTTLS required", c::authentication_required},
    {534, "Authentication mechanism is too weak", c::auth_mechanism_rejected},
    {535, "Authentication credentials invalid", c::authentication_failed},
    {538, "Encryption required for the requested authentication mechanism", c::encryption_required},
    {550, "Requested action not taken: mailbox unavailable", c::recipient_mailbox_unavailable},
    {551, "User not local; please try the forward-path", c::recipient_not_local},
    {552, "Requested mail action aborted: exceeded storage allocation", c::message_too_large},
    {553, "Requested action not taken: mailbox name not allowed", c::recipient_address_invalid},
    {554, "Transaction failed", c::transaction_rejected},
    {555, "MAIL FROM/RCPT TO parameters not recognized or not implemented", c::syntax_error},
    {556, "Domain does not accept mail", c::recipient_domain_invalid},
};
const std::size_t reply_code_row_count = std::size(reply_code_rows);

const reply_code_row* find_reply_code_row(int code) noexcept {
    const auto* last = reply_code_rows + reply_code_row_count;
    const auto* it = std::lower_bound(reply_code_rows, last, code,
                                      [](const reply_code_row& r, int k) { return r.code < k; });
    return it != last && it->code == code ? it : nullptr;
}

const status_condition_row status_condition_rows[] = {
    {1, 1, c::recipient_unknown},
    {1, 2, c::recipient_domain_invalid},
    {1, 3, c::recipient_address_invalid},
    {1, 4, c::recipient_address_invalid},
    {1, 6, c::recipient_unknown},
    {1, 7, c::sender_rejected},
    {1, 8, c::sender_rejected},
    {1, 10, c::recipient_domain_invalid},
    {2, -1, c::recipient_mailbox_unavailable},
    {2, 2, c::recipient_mailbox_full},
    {2, 3, c::message_too_large},
    {3, -1, c::server_error},
    {3, 1, c::server_storage_full},
    // RFC 3463's examples are shutdown, load and maintenance: a transient one is an outage;
    // a permanent one is a host that takes no mail at all (RFC 7504's "521 5.3.2").
    {3, 2, c::no_mail_service, c::service_unavailable},
    {3, 3, c::not_implemented},
    {3, 4, c::message_too_large},
    {4, -1, c::server_error},
    {4, 2, c::service_unavailable},
    {4, 4, c::recipient_domain_invalid},
    {4, 5, c::service_unavailable},
    {4, 6, c::message_loop},
    {5, -1, c::syntax_error},
    {5, 3, c::too_many_recipients},
    {5, 5, c::not_implemented},
    {6, -1, c::message_content_rejected},
    {6, 7, c::international_address_unsupported},
    {6, 8, c::international_address_unsupported},
    {6, 9, c::international_address_unsupported},
    {6, 10, c::international_address_unsupported},
    {7, 1, c::domain_policy_rejected},
    {7, 2, c::domain_policy_rejected},
    {7, 3, c::encryption_required},
    {7, 4, c::auth_mechanism_rejected},
    {7, 5, c::tls_failed},
    {7, 6, c::tls_failed},
    {7, 7, c::message_content_rejected},
    {7, 8, c::authentication_failed},
    {7, 9, c::auth_mechanism_rejected},
    {7, 10, c::encryption_required},
    {7, 11, c::encryption_required},
    {7, 12, c::auth_mechanism_rejected},
    {7, 13, c::account_restricted},
    {7, 14, c::authentication_failed},
    {7, 15, c::transaction_rejected},
    {7, 16, c::message_too_large},
    {7, 17, c::recipient_mailbox_unavailable},
    {7, 18, c::recipient_domain_invalid},
    {7, 19, c::transaction_rejected},
    {7, 20, c::domain_policy_rejected},
    {7, 21, c::domain_policy_rejected},
    {7, 22, c::domain_policy_rejected},
    {7, 23, c::domain_policy_rejected},
    {7, 24, c::domain_policy_rejected},
    {7, 25, c::domain_policy_rejected},
    {7, 26, c::domain_policy_rejected},
    {7, 27, c::sender_rejected},
    {7, 28, c::rate_limited},
    {7, 29, c::domain_policy_rejected},
    {7, 30, c::encryption_required},
};
const std::size_t status_condition_row_count = std::size(status_condition_rows);

const errc_row errc_rows[] = {
    {errc::line_too_long, "reply line too long", c::protocol_violation, failure_class::transient},
    {errc::too_many_lines, "too many lines in one reply", c::protocol_violation,
     failure_class::transient},
    {errc::reply_too_large, "reply too large", c::protocol_violation, failure_class::transient},
    {errc::invalid_code, "reply line does not start with a three-digit code", c::protocol_violation,
     failure_class::transient},
    {errc::code_out_of_range, "reply code outside 200-599", c::protocol_violation,
     failure_class::transient},
    {errc::inconsistent_code, "multi-line reply with different codes", c::protocol_violation,
     failure_class::transient},
    {errc::missing_separator, "reply code not followed by space, hyphen or line end",
     c::protocol_violation, failure_class::transient},
    {errc::nul_byte, "NUL byte in reply", c::protocol_violation, failure_class::transient},
    {errc::bare_lf, "reply line ends in LF without CR", c::protocol_violation,
     failure_class::transient},
    {errc::truncated_reply, "input ended inside a reply", c::protocol_violation,
     failure_class::transient},
    {errc::trailing_data, "data after the final line of the reply", c::protocol_violation,
     failure_class::transient},
    {errc::connection_failed, "could not connect to the server", c::connection_failed,
     failure_class::transient},
    {errc::connection_lost, "connection to the server lost", c::connection_lost,
     failure_class::transient},
    {errc::timed_out, "the server did not answer in time", c::timed_out, failure_class::transient},
    {errc::tls_failed, "TLS failed", c::tls_failed, failure_class::transient},
    {errc::certificate_untrusted, "server certificate not trusted", c::certificate_untrusted,
     failure_class::permanent},
    {errc::starttls_unavailable, "server does not offer STARTTLS", c::starttls_unavailable,
     failure_class::permanent},
    {errc::protocol_violation, "server violated the SMTP protocol", c::protocol_violation,
     failure_class::transient},
    // Transient: a network without a working name service looks the same as a typo.
    {errc::host_not_found, "the server's host name was not found", c::connection_failed,
     failure_class::transient},
    {errc::sasl_invalid_base64, "SASL challenge is not valid base64", c::protocol_violation,
     failure_class::transient},
    {errc::sasl_invalid_json, "OAuth challenge is not a valid JSON object", c::protocol_violation,
     failure_class::transient},
    {errc::invalid_outbox_state, "saved outbox state is invalid", c::none,
     failure_class::permanent},
    {errc::invalid_address,
     "address contains CR, LF, NUL or angle brackets, is not valid UTF-8, or is too long", c::none,
     failure_class::permanent},
    {errc::no_recipients, "message has no recipients", c::none, failure_class::permanent},
    {errc::invalid_option,
     "invalid submission option (host, client name, credentials, CA file or fingerprint)", c::none,
     failure_class::permanent},
    {errc::duplicate_id, "a message with this id is already in the outbox", c::none,
     failure_class::permanent},
    {errc::invalid_utf8, "message id or account name is not valid UTF-8", c::none,
     failure_class::permanent},
};
const std::size_t errc_row_count = std::size(errc_rows);

const errc_row* find_errc_row(int value) noexcept {
    for (const auto& r : errc_rows) {
        if (static_cast<int>(r.value) == value) {
            return &r;
        }
    }
    return nullptr;
}

const condition_row condition_rows[] = {
    {"none", "no error"},
    {"authentication_required", "authentication required"},
    {"authentication_failed", "authentication failed"},
    {"authentication_temporary_failure", "temporary authentication failure"},
    {"authentication_unavailable", "authentication not offered by the server"},
    {"auth_mechanism_rejected", "authentication mechanism rejected"},
    {"app_password_required", "app-specific password required"},
    {"web_login_required", "sign-in via web browser required"},
    {"oauth_token_invalid", "OAuth token invalid or expired"},
    {"basic_auth_disabled", "password authentication disabled"},
    {"password_expired", "password expired"},
    {"account_restricted", "account restricted or disabled"},
    {"encryption_required", "encryption required"},
    {"tls_unavailable", "TLS temporarily unavailable"},
    {"sender_rejected", "sender address rejected"},
    {"sending_quota_exceeded", "sending quota exceeded"},
    {"rate_limited", "sending rate limited"},
    {"greylisted", "greylisted, try again later"},
    {"client_blocked", "client IP address blocked"},
    {"relay_denied", "relaying denied"},
    {"spam_rejected", "rejected as spam"},
    {"domain_policy_rejected", "rejected by domain policy"},
    {"recipient_unknown", "recipient unknown"},
    {"recipient_address_invalid", "recipient address invalid"},
    {"recipient_domain_invalid", "recipient domain invalid"},
    {"recipient_mailbox_full", "recipient mailbox full"},
    {"recipient_mailbox_unavailable", "recipient mailbox unavailable"},
    {"recipient_not_local", "recipient not local"},
    {"too_many_recipients", "too many recipients"},
    {"international_address_unsupported", "international address not supported"},
    {"message_too_large", "message too large"},
    {"message_content_rejected", "message content rejected"},
    {"message_loop", "mail loop detected"},
    {"transaction_rejected", "transaction rejected"},
    {"service_unavailable", "service unavailable"},
    {"server_error", "server error"},
    {"server_storage_full", "server storage full"},
    {"no_mail_service", "no mail service at this host"},
    {"syntax_error", "syntax error"},
    {"bad_sequence", "bad sequence of commands"},
    {"not_implemented", "command or parameter not implemented"},
    {"connection_failed", "connection failed"},
    {"connection_lost", "connection lost"},
    {"timed_out", "timed out"},
    {"tls_failed", "TLS failed"},
    {"certificate_untrusted", "certificate not trusted"},
    {"starttls_unavailable", "STARTTLS not available"},
    {"protocol_violation", "protocol violation"},
    {"transient_failure", "temporary failure"},
    {"permanent_failure", "permanent failure"},
};
static_assert(std::size(condition_rows) == static_cast<std::size_t>(condition_count));

}  // namespace smtperr::detail
