// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The message `smtperr send` sends when it is given no --message file.

#ifndef SMTPERR_TOOLS_TEST_MESSAGE_HPP
#define SMTPERR_TOOLS_TEST_MESSAGE_HPP

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtperr::tool {

/// `t` in UTC, formatted by strftime's `format`.
std::string utc(std::chrono::system_clock::time_point t, const char* format);

/** A short test message from `from` to `to`, made at `now`, with CRLF line ends; the To:
    header is folded, one address a line, so no line grows past RFC 5322's 998 octets
    however many recipients there are. With `size`, filler lines after the text make it
    exactly `size` octets; "" if `size` is below the message without filler. */
std::string make_test_message(std::string_view from, const std::vector<std::string>& to,
                              std::optional<std::uint64_t> size,
                              std::chrono::system_clock::time_point now);

}  // namespace smtperr::tool

#endif  // SMTPERR_TOOLS_TEST_MESSAGE_HPP
