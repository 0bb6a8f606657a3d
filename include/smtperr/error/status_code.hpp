// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ERROR_STATUS_CODE_HPP
#define SMTPERR_ERROR_STATUS_CODE_HPP

#include <smtperr/config.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <system_error>

namespace smtperr {

/// The `smtperr.status` category: enhanced status codes, value = enhanced_status::value().
SMTPERR_DECL const std::error_category& status_category() noexcept;

/// Makes an error code of the `smtperr.status` category. Its message is the registry meaning.
inline std::error_code make_error_code(enhanced_status s) noexcept {
    return {s.value(), status_category()};
}

}  // namespace smtperr

#endif  // SMTPERR_ERROR_STATUS_CODE_HPP
