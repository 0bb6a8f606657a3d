// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// The message catalog (private): the data lives in catalog.cpp, the rendering in render.cpp.

#ifndef SMTPERR_SRC_MESSAGES_CATALOG_HPP
#define SMTPERR_SRC_MESSAGES_CATALOG_HPP

#include <smtperr/classify/action.hpp>
#include <smtperr/messages/messages.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace smtperr::detail {

/// Number of enumerators of @ref language.
inline constexpr std::size_t language_count = 2;

/// Maximum length of a list-view line in code points, after filling the placeholders.
inline constexpr std::size_t list_line_limit = 90;

/** The texts of one catalog entry in one language.

    Each text is a list of variants in order of preference. A variant may use the placeholders
    `{recipient}`, `{limit}` and `{forward}`; the renderer takes the first variant whose facts
    are all known (and, for the list line, that fits into @ref list_line_limit). The last
    non-empty variant never has a placeholder. Unused slots are empty.
*/
struct localized_text {
    std::array<std::string_view, 3> lines;  ///< One line for the list view, no final period.
    std::array<std::string_view, 2>
        details;  ///< Two to four sentences: what, whose fault, what to do.
};

/// One entry: a condition name or a more specific message id, with its texts per language.
struct catalog_entry {
    std::string_view id;
    std::array<localized_text, language_count> text;  ///< Indexed by @ref language.
};

/// The entry with that id, or nullptr.
const catalog_entry* find_catalog_entry(std::string_view id) noexcept;

/// The button label of an action, "" for action::none and values out of range.
std::string_view action_text(action a, language lang) noexcept;

}  // namespace smtperr::detail

#endif  // SMTPERR_SRC_MESSAGES_CATALOG_HPP
