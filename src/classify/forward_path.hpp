// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_SRC_CLASSIFY_FORWARD_PATH_HPP
#define SMTPERR_SRC_CLASSIFY_FORWARD_PATH_HPP

#include <string_view>

namespace smtperr::detail {

/// Whether `addr` may be a diagnosis's forward-path (a 251/551's "please try <…>"): 1 to 254
/// octets (RFC 5321 §4.5.3.1.3 less the brackets) of printable ASCII without space or angle
/// brackets, with an '@'. It reaches a UI and a saved outbox as it is, so anything else
/// (control characters, bidi overrides, invalid UTF-8, server prose) is not taken.
constexpr bool plain_forward_path(std::string_view addr) noexcept {
    if (addr.empty() || addr.size() > 254 || addr.find('@') == std::string_view::npos) {
        return false;
    }
    for (const char c : addr) {
        if (c <= ' ' || c >= 0x7f || c == '<' || c == '>') {
            return false;
        }
    }
    return true;
}

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_CLASSIFY_FORWARD_PATH_HPP
