// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_REPLY_REPLY_HPP
#define SMTPERR_REPLY_REPLY_HPP

#include <smtperr/config.hpp>
#include <smtperr/reply/enhanced_status.hpp>
#include <smtperr/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtperr {

/** Facts about a reply that are not errors but that a careful client wants to know. */
struct reply_flags {
    /// On some line, the enhanced code's class disagreed with the basic code; `status`
    /// carries the basic code's class and `reported_status_class` the one the server wrote
    /// on the first line.
    bool status_class_mismatch = false;
    /// Lines of a multi-line reply carried different enhanced codes; the first one is kept.
    bool status_inconsistent = false;
    /// A line was longer than RFC 5321's 512 octets but within the lenient maximum.
    bool long_line = false;
    /// A line ended in a bare LF instead of CRLF (accepted in lenient mode).
    bool bare_lf = false;
};

/** A complete reply as the parser sees it: a view into the parser's buffer.

    It stays valid until the next call to reply_parser::feed() or reset(). Copy it into a
    @ref reply to keep it.
*/
struct reply_view {
    int code = 0;  ///< The three-digit basic code, 200–599.
    /// Each line's text (after the code and its separator), lines joined by '\n'. It may
    /// contain any octet but NUL and LF; it is untrusted server text.
    std::string_view text;
    std::size_t line_count = 0;              ///< Number of lines, at least 1.
    std::optional<enhanced_status> status;   ///< Enhanced code, class taken from `code`.
    std::uint8_t reported_status_class = 0;  ///< The class the server wrote (0 if none).
    reply_flags flags;                       ///< What the parser tolerated in this reply.

    /// Line `i` of the text (0-based), or "" when out of range. Linear in the text size.
    SMTPERR_DECL std::string_view line(std::size_t i) const noexcept;
};

/** An owning copy of a reply, for keeping past the parser's next input. */
struct reply {
    int code = 0;                            ///< As reply_view::code.
    std::string text;                        ///< As reply_view::text, owned.
    std::size_t line_count = 0;              ///< As reply_view::line_count.
    std::optional<enhanced_status> status;   ///< As reply_view::status.
    std::uint8_t reported_status_class = 0;  ///< As reply_view::reported_status_class.
    reply_flags flags;                       ///< As reply_view::flags.

    /// An empty reply (code 0): what a default-constructed result holds.
    reply() = default;
    /// Copies the view's text out of the parser's buffer.
    SMTPERR_DECL explicit reply(const reply_view& v);

    /// A view of this reply, valid as long as this object is unchanged.
    SMTPERR_DECL reply_view view() const noexcept;
};

/** Parses one complete reply from a string holding all of it.

    Lines may end in CRLF or LF; the last line needs no line ending. Bytes after the final
    line are an error (`errc::trailing_data`). Uses the default parser_limits in lenient mode.
*/
SMTPERR_DECL result<reply> parse_reply(std::string_view whole);

}  // namespace smtperr

#endif  // SMTPERR_REPLY_REPLY_HPP
