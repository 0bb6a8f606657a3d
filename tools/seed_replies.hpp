// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_TOOLS_SEED_REPLIES_HPP
#define SMTPERR_TOOLS_SEED_REPLIES_HPP

#include <smtperr/classify/phase.hpp>

#include <span>
#include <string_view>

namespace smtperr::tool {

/// A typical reply for one of the codes of the help page smtperr grew from.
struct seed_reply {
    phase ph;                ///< The phase it typically answers.
    std::string_view reply;  ///< The reply as a server sends it (lines joined by CRLF).
};

/// The sixteen seed codes, 421 to 554, in the order of the help page.
std::span<const seed_reply> seed_replies() noexcept;

}  // namespace smtperr::tool

#endif  // SMTPERR_TOOLS_SEED_REPLIES_HPP
