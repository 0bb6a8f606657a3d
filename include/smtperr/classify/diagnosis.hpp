// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CLASSIFY_DIAGNOSIS_HPP
#define SMTPERR_CLASSIFY_DIAGNOSIS_HPP

#include <smtperr/classify/action.hpp>
#include <smtperr/classify/phase.hpp>
#include <smtperr/config.hpp>
#include <smtperr/error/condition.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace smtperr {

/** What a reply (or a transport failure) means for the client.

    The string views point either into static data of the library or into the text of the
    reply that was classified: keep that reply alive as long as the diagnosis, or copy
    the views out.
*/
struct diagnosis {
    /// `smtperr.reply` (value = the wire code) or `smtperr.transport` for transport failures
    /// (smtperr's own transport gives no other, but `std::errc::operation_canceled` for a
    /// cancellation; a failure of another category passed to classify() is kept as given).
    std::error_code code;
    /// `smtperr.status` (the enhanced code, class from the basic code), or empty.
    std::error_code status;
    smtperr::phase phase = smtperr::phase::greeting;          ///< The phase that was classified.
    smtperr::condition condition = smtperr::condition::none;  ///< The specific condition.
    smtperr::action action = smtperr::action::none;           ///< What the UI should offer.
    smtperr::scope scope = smtperr::scope::connection;        ///< What the failure is about.
    bool transient = false;  ///< 4xx or a transport failure worth retrying.
    /// Suggested wait before retrying, in seconds, for transient failures.
    std::optional<std::uint32_t> retry_after_seconds;
    std::string_view provider;  ///< "gmail", "microsoft", … or "" when unknown.
    /// A link to one of the provider's own help pages, taken from the reply or the provider rule.
    std::string_view help_url;
    /// Key of the list-view message in the catalog (a condition name or a more specific id).
    std::string_view message_id;
    /// The forward-path a 251/551 reply names (without angle brackets), or "".
    std::string_view forward_path;
    std::string_view rule;  ///< Id of the rule that decided, for diagnostics and tests.

    /// True for every negative outcome (anything but condition::none).
    bool failed() const noexcept { return condition != smtperr::condition::none; }
};

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_DIAGNOSIS_HPP
