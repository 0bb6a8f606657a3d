// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/error/status_code.hpp>
#include <smtperr/messages/messages.hpp>
#include <smtperr/pipeline/diagnosis_record.hpp>
#include <smtperr/pipeline/send_report.hpp>

namespace smtperr {

diagnosis_record::diagnosis_record(const diagnosis& d, std::string_view raw_server_text)
    : code(d.code),
      phase(d.phase),
      condition(d.condition),
      action(d.action),
      scope(d.scope),
      transient(d.transient),
      retry_after_seconds(d.retry_after_seconds),
      provider(d.provider),
      help_url(d.help_url),
      message_id(d.message_id),
      forward_path(d.forward_path),
      server_text(sanitize_server_text(raw_server_text)),
      rule(d.rule) {
    if (d.status) {
        status = enhanced_status::from_value(d.status.value());
    }
}

diagnosis diagnosis_record::view() const noexcept {
    diagnosis d;
    d.code = code;
    if (status) {
        d.status = make_error_code(*status);
    }
    d.phase = phase;
    d.condition = condition;
    d.action = action;
    d.scope = scope;
    d.transient = transient;
    d.retry_after_seconds = retry_after_seconds;
    d.provider = provider;
    d.help_url = help_url;
    d.message_id = message_id;
    d.forward_path = forward_path;
    d.rule = rule;
    return d;
}

std::string_view to_string(outcome o) noexcept {
    switch (o) {
        case outcome::sent:
            return "sent";
        case outcome::partially_sent:
            return "partially_sent";
        case outcome::deferred:
            return "deferred";
        case outcome::failed:
            return "failed";
    }
    return {};
}

}  // namespace smtperr
