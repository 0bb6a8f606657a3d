// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_PIPELINE_SAFE_RECORD_HPP
#define SMTPERR_SRC_PIPELINE_SAFE_RECORD_HPP

#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>

#include "classify/forward_path.hpp"
#include "classify/help_url.hpp"
#include "text/utf8.hpp"

namespace smtperr::detail {

/// A diagnosis from outside the classifier (another transport's report, a saved file) made
/// fit for a UI string and a saved outbox: server text sanitized (idempotent, so what the
/// classifier gave stays as it was), a help link or forward-path the classifier would not
/// give dropped, names that are not UTF-8 cleared (the JSON a save writes must read back).
inline void make_safe(diagnosis_record& d) {
    for (auto* name : {&d.provider, &d.message_id, &d.rule}) {
        if (!valid_utf8(*name)) {
            name->clear();
        }
    }
    d.server_text = sanitize_server_text(d.server_text);
    if (!d.help_url.empty() && !provider_help_url(d.provider, d.help_url)) {
        d.help_url.clear();
    }
    if (!d.forward_path.empty() && !plain_forward_path(d.forward_path)) {
        d.forward_path.clear();
    }
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_PIPELINE_SAFE_RECORD_HPP
