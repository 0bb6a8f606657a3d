// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_PIPELINE_JSON_HPP
#define SMTPERR_PIPELINE_JSON_HPP

#include <smtperr/config.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>
#include <smtperr/pipeline/send_report.hpp>
#include <smtperr/result.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace smtperr {

/** A diagnosis as JSON with DESIGN.md's keys (`code`, `status`, `phase`, `condition`,
    `action`, `scope`, `transient`, `retry_after_seconds`, `provider`, `help_url`,
    `server_text`) plus `category`, `message_id`, `forward_path` and `rule`. */
SMTPERR_DECL boost::json::object to_json(const diagnosis_record& d);

/// The inverse of to_json(); `errc::invalid_outbox_state` for anything malformed.
SMTPERR_DECL result<diagnosis_record> diagnosis_from_json(const boost::json::value& v);

/** A report as DESIGN.md's `send` prints it: `outcome`, `condition`, `action`,
    `possibly_delivered`, `recipients` [{address, accepted, condition}], plus `expired`,
    `deciding` (a diagnosis as above) and, per recipient, `possibly_delivered` and its
    `diagnosis` when it has one. */
SMTPERR_DECL boost::json::object to_json(const send_report& r);

/** Whether the JSON text `text` has an object with the same key twice (false for text that
    is no JSON). Boost.JSON keeps the last of them, and a reader that takes the first would
    see another value: outbox::restore() and `smtperr classify` refuse such text. */
SMTPERR_DECL bool has_duplicate_keys(std::string_view text);

}  // namespace smtperr

#endif  // SMTPERR_PIPELINE_JSON_HPP
