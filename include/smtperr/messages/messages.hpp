// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_MESSAGES_MESSAGES_HPP
#define SMTPERR_MESSAGES_MESSAGES_HPP

#include <smtperr/classify/action.hpp>
#include <smtperr/classify/diagnosis.hpp>
#include <smtperr/config.hpp>
#include <smtperr/error/condition.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtperr {

/// The languages of the message catalog. Anything else falls back to English.
enum class language : unsigned char {
    en,  ///< English.
    de,  ///< German.
};

/** The catalog language for a locale name: "de", "de_DE.UTF-8", "de-AT" → de; anything else,
    including "" and "C", → en. */
SMTPERR_DECL language resolve_language(std::string_view locale) noexcept;

/// The two-letter code ("en", "de").
SMTPERR_DECL std::string_view to_string(language l) noexcept;

/// Facts that make a list-view line specific. Empty members are simply not mentioned.
struct message_args {
    std::string_view recipient = {};               ///< The rejected recipient's address.
    std::optional<std::uint64_t> size_limit = {};  ///< The server's size limit in octets.
    std::string_view forward_path = {};            ///< A 551 forwarding address.
};

/// The texts the UI shows for one diagnosis.
struct message_text {
    std::string list_line;          ///< One line for the mail list view, at most 90 characters.
    std::string detail;             ///< A paragraph explaining what happened and what to do.
    std::string_view action_label;  ///< The button text for the action ("Update password").
};

/** Renders the catalog texts for a diagnosis in a language.

    The entry is looked up by `d.message_id`, falling back to the entry of `d.condition`.
    Placeholders are filled from `args` (and `d.forward_path`); a line variant without the
    placeholder is used when the fact is unknown, so no placeholder ever reaches the UI.
*/
SMTPERR_DECL message_text render_message(const diagnosis& d, language lang,
                                         const message_args& args = {});

/// The button label of an action ("Passwort aktualisieren"); "" for action::none.
SMTPERR_DECL std::string_view action_label(action a, language lang) noexcept;

/// Maximum length of sanitized server text, in Unicode code points.
inline constexpr std::size_t default_server_text_limit = 300;

/** Makes untrusted server text safe to show: the text of a reply, lines joined by a space,
    with the enhanced status code at the start of each line removed.

    Removes ANSI escape sequences, C0/C1 control characters (CR, TAB and the like become a
    space) and every default-ignorable code point of Unicode 15 — bidirectional overrides
    and isolates (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C), zero-width
    characters (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen, the combining grapheme
    joiner, Hangul fillers, variation selectors and tag characters among them; replaces
    invalid UTF-8 with U+FFFD; collapses runs of spaces; and caps the length at `max_chars`
    code points, ending in "…" when cut. The result is always valid UTF-8.
*/
SMTPERR_DECL std::string sanitize_server_text(std::string_view text,
                                              std::size_t max_chars = default_server_text_limit);

}  // namespace smtperr

#endif  // SMTPERR_MESSAGES_MESSAGES_HPP
