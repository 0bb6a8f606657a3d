// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_ERROR_REPLY_CODE_HPP
#define SMTPERR_ERROR_REPLY_CODE_HPP

#include <smtperr/config.hpp>

#include <string_view>
#include <system_error>
#include <type_traits>

namespace smtperr {

/** A basic SMTP reply code as an error code value: `std::error_code ec = reply_code{550};`.

    The category is `smtperr.reply` and the value is the code on the wire. Its message is
    the code's meaning from RFC 5321 and the extension RFCs, or a line naming its class for
    codes no RFC defines.
*/
enum class reply_code : int {};

/// The `smtperr.reply` category.
SMTPERR_DECL const std::error_category& reply_category() noexcept;

/// Makes an error code of the `smtperr.reply` category; the value is the wire code.
inline std::error_code make_error_code(reply_code c) noexcept {
    return {static_cast<int>(c), reply_category()};
}

/// The meaning of a basic code as RFC 5321 and its extensions define it, or "" if none does.
SMTPERR_DECL std::string_view reply_code_meaning(int code) noexcept;

}  // namespace smtperr

template <>
struct std::is_error_code_enum<smtperr::reply_code> : std::true_type {};

#endif  // SMTPERR_ERROR_REPLY_CODE_HPP
