// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_REPLY_ENHANCED_STATUS_HPP
#define SMTPERR_REPLY_ENHANCED_STATUS_HPP

#include <smtperr/config.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtperr {

/** An RFC 3463 enhanced mail system status code, `class.subject.detail`.

    @par Specification
    RFC 3463 §2, RFC 2034 §4: class is 2, 4 or 5; subject and detail have 1 to 3 digits
    without leading zeros (a lone `0` is allowed).
*/
struct enhanced_status {
    std::uint8_t cls = 0;       ///< 2, 4 or 5.
    std::uint16_t subject = 0;  ///< 0..999.
    std::uint16_t detail = 0;   ///< 0..999.

    /// The value used in the `smtperr.status` category: class·10⁶ + subject·10³ + detail.
    constexpr int value() const noexcept { return cls * 1000000 + subject * 1000 + detail; }

    /// The inverse of value(); an out-of-range value gives an empty optional.
    SMTPERR_DECL static std::optional<enhanced_status> from_value(int v) noexcept;

    /// `"5.1.1"`.
    SMTPERR_DECL std::string to_string() const;

    /// Same class, subject and detail.
    friend constexpr bool operator==(enhanced_status a, enhanced_status b) noexcept {
        return a.cls == b.cls && a.subject == b.subject && a.detail == b.detail;
    }
    /// Not operator==.
    friend constexpr bool operator!=(enhanced_status a, enhanced_status b) noexcept {
        return !(a == b);
    }
};

/// What parse_enhanced_status() found at the start of a reply line's text.
struct enhanced_status_match {
    enhanced_status status;  ///< The code as written (its class may disagree with the reply).
    std::size_t length = 0;  ///< Octets taken by the code and the white space after it.
};

/** Parses an enhanced status code at the start of a reply line's text.

    The code must be followed by white space or the end of the text. Anything that is not
    a well-formed code (`5.1.1234`, `5..1`, `5.1.1x`, `05.1.1`) gives an empty optional and
    leaves the text as it is.
*/
SMTPERR_DECL std::optional<enhanced_status_match> parse_enhanced_status(
    std::string_view text) noexcept;

/// One row of the IANA "SMTP Enhanced Status Codes" registry.
struct status_registry_entry {
    std::uint16_t subject;         ///< Subject digits.
    std::uint16_t detail;          ///< Detail digits.
    std::string_view sample_text;  ///< The registry's sample text.
    std::string_view meaning;      ///< Its meaning, in a sentence.
    std::string_view basic_codes;  ///< The associated basic codes as the registry lists them.
    std::string_view reference;    ///< The defining RFC (and section).
};

/** Looks up `X.subject.detail` in the IANA registry (the class does not matter there).

    @returns the entry, or nullptr when the registry has no such code.
*/
SMTPERR_DECL const status_registry_entry* find_status_registry_entry(enhanced_status s) noexcept;

/** The short meaning of a code: the registry's sample text, falling back to the subject's
    meaning ("Addressing Status") and then the class's ("Permanent Failure") as RFC 3463 says
    a client should for unknown details.
*/
SMTPERR_DECL std::string_view status_meaning(enhanced_status s) noexcept;

/// The meaning of the subject alone (`X.1.YYY` → "Addressing Status"), or "" when unknown.
SMTPERR_DECL std::string_view status_subject_meaning(std::uint16_t subject) noexcept;

/// The meaning of the class alone (2, 4, 5), or "" for anything else.
SMTPERR_DECL std::string_view status_class_meaning(std::uint8_t cls) noexcept;

}  // namespace smtperr

#endif  // SMTPERR_REPLY_ENHANCED_STATUS_HPP
