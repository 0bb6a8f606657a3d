// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_DIAGNOSIS_RECORD_HPP
#define SMTPERR_PIPELINE_DIAGNOSIS_RECORD_HPP

#include <smtperr/classify/diagnosis.hpp>
#include <smtperr/config.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace smtperr {

/** An owning copy of a @ref diagnosis, with the server's text already sanitized.

    It keeps codes, not rendered text, so a list view can render it again later in the
    language of the day; it survives the reply it came from and serializes to JSON.
*/
struct diagnosis_record {
    std::error_code code;  ///< `smtperr.reply` or `smtperr.transport` (or another category).
    std::optional<enhanced_status> status;                    ///< The reply's, if it had one.
    smtperr::phase phase = smtperr::phase::greeting;          ///< What the reply answered.
    smtperr::condition condition = smtperr::condition::none;  ///< The specific condition.
    smtperr::action action = smtperr::action::none;           ///< What the UI should offer.
    smtperr::scope scope = smtperr::scope::connection;        ///< What the failure is about.
    bool transient = false;  ///< 4yz, or a transport failure worth retrying.
    std::optional<std::uint32_t> retry_after_seconds;  ///< The retry hint, if any.
    std::string provider;      ///< Provider id ("gmail", …), or "" when unknown.
    std::string help_url;      ///< The provider's own help link, or "".
    std::string message_id;    ///< Catalog entry of the list-view text.
    std::string forward_path;  ///< A 251/551's suggested address, or "".
    std::string server_text;   ///< Sanitized (messages layer), safe to show.
    std::string rule;          ///< Id of the classification rule that decided (for support).

    /// An empty record: condition none, no code.
    diagnosis_record() = default;

    /// Copies `d`; `raw_server_text` is sanitized on the way in.
    SMTPERR_DECL diagnosis_record(const diagnosis& d, std::string_view raw_server_text);

    /// A diagnosis viewing this record's strings (valid while the record is unchanged).
    SMTPERR_DECL diagnosis view() const noexcept;
};

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_DIAGNOSIS_RECORD_HPP
