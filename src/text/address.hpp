// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_TEXT_ADDRESS_HPP
#define SMTPERR_SRC_TEXT_ADDRESS_HPP

#include <string_view>

#include "text/utf8.hpp"

namespace smtperr::detail {

/// Whether a caller's address can go into MAIL FROM or RCPT TO and a saved outbox as it is:
/// at most 254 octets (RFC 5321 §4.5.3.1.3: a path is 256 with its brackets), valid UTF-8
/// (RFC 6531; and a saved outbox must read back), and no CR, LF, NUL or angle bracket, which
/// would end the command or the path early.
constexpr bool valid_address(std::string_view a) noexcept {
    return a.size() <= 254 &&
           a.find_first_of(std::string_view("\r\n\0<>", 5)) == std::string_view::npos &&
           valid_utf8(a);
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_TEXT_ADDRESS_HPP
