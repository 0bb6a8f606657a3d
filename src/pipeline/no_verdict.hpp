// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_PIPELINE_NO_VERDICT_HPP
#define SMTPERR_SRC_PIPELINE_NO_VERDICT_HPP

#include <smtperr/pipeline/diagnosis_record.hpp>

namespace smtperr::detail {

/// Why a recipient waits when nobody said why (the session ended before its verdict, or a
/// transport's report left it out): a temporary failure of the message, retried later.
inline diagnosis_record no_verdict() {
    diagnosis_record d;
    d.condition = condition::transient_failure;
    d.transient = true;
    d.action = action::retry_later;
    d.scope = scope::message;
    return d;
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_PIPELINE_NO_VERDICT_HPP
