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
    greeting,  ///< The 220 (or refusal) on connecting.
    ehlo,      ///< EHLO.
    helo,      ///< HELO, the fallback when EHLO is refused.
    starttls,  ///< STARTTLS.
    auth,      ///< AUTH and its challenges.
    mail,      ///< MAIL FROM.
    rcpt,      ///< RCPT TO.
    data,      ///< DATA (354 or an error).
    data_end,  ///< The final dot: the message itself.
    rset,      ///< RSET between transactions.
    quit,      ///< QUIT.
};

/// Number of enumerators of @ref phase.
inline constexpr int phase_count = static_cast<int>(phase::quit) + 1;

/// The DESIGN.md name ("rcpt"); "" for values out of range.
SMTPERR_DECL std::string_view to_string(phase p) noexcept;

/// The phase with that name, if any.
SMTPERR_DECL std::optional<phase> phase_from_string(std::string_view name) noexcept;

}  // namespace smtperr

#endif  // SMTPERR_CLASSIFY_PHASE_HPP
