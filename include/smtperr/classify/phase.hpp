// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_CLASSIFY_PHASE_HPP
#define SMTPERR_CLASSIFY_PHASE_HPP

#include <smtperr/config.hpp>

#include <optional>
#include <string_view>

namespace smtperr {

/** Which command a reply answers (DESIGN.md). `data` is the reply to DATA (354 or an error),
    `data_end` the reply after the final dot. */
enum class phase : unsigned char {
    greeting,
    ehlo,
    helo,
    starttls,
    auth,
    mail,
    rcpt,
    data,
    data_end,
    rset,
    quit,
};

/// Number of enumerators of @ref phase.
inline constexpr int phase_count = static_cast<int>(phase::quit) + 1;

/// The DESIGN.md name ("rcpt"); "" for values out of range.
SMTPERR_DECL std::string_view to_string(phase p) noexcept;

/// The phase with that name, if any.
SMTPERR_DECL std::optional<phase> phase_from_string(std::string_view name) noexcept;

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_PHASE_HPP
