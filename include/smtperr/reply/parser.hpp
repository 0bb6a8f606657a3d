// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#ifndef SMTPERR_REPLY_PARSER_HPP
#define SMTPERR_REPLY_PARSER_HPP

#include <smtperr/config.hpp>
#include <smtperr/error/errc.hpp>
#include <smtperr/reply/reply.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace smtperr {

/** Bounds on what one reply may take. Each bound has its own error code.

    @par Specification
    RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including the code and CRLF.
    Real servers exceed it, so the lenient mode (the default) accepts lines up to
    `lenient_max_line_length` and flags them; strict mode enforces 512 and CRLF.
*/
struct parser_limits {
    std::size_t max_line_length = 512;           ///< RFC limit, octets incl. CRLF.
    std::size_t lenient_max_line_length = 8192;  ///< Hard cap in lenient mode.
    std::size_t max_lines = 128;                 ///< Lines in one reply.
    std::size_t max_reply_bytes = 65536;         ///< Octets in one reply, line ends included.
    bool strict = false;  ///< Enforce 512 octets per line and CRLF line ends.
};

/** An incremental RFC 5321 reply parser: bytes in, complete replies out.

    Feed it any chunks of bytes; the result never depends on where the input was split.
    Memory is bounded by the limits and, once the buffer has grown to the largest reply
    seen, parsing allocates nothing.

    @par Line endings
    CRLF ends a line. In lenient mode a bare LF does too (and sets reply_flags::bare_lf);
    in strict mode it is `errc::bare_lf`. A CR not followed by LF is never a line end: in
    the text it stays, where the sanitizer removes it before display; right after the code
    ("250\rok") it is `errc::missing_separator`.

    @par Errors
    A malformed line or a passed limit sets the error code to a value of @ref errc (the
    `smtperr.transport` category) that says which. The parser then drops the broken reply:
    the offending line and, when that line was not the reply's last (it announced more, or
    it broke into a multi-line reply), every line up to the reply's final line (a code
    followed by a space or the line end), which it drops too. It then goes on with the next
    reply: it stays usable, and no tail of a broken reply comes out as a reply of its own.
    A transport should still treat any error as a protocol violation and close.

    @par Thread safety
    Distinct objects: safe. Shared objects: unsafe.
*/
class SMTPERR_DECL reply_parser {
  public:
    /// A parser at the start of a reply, bounded by `limits`.
    explicit reply_parser(parser_limits limits = {});

    /** Consumes bytes from `input` until a reply is complete, an error occurs, or the input
        ends.

        @returns the number of octets consumed. When has_reply() is true afterwards, the
        rest of the input (from the returned offset) belongs to the next reply.
        @param ec set on a parse error; cleared otherwise. Running out of input is not an
        error: call feed() again with more.
    */
    std::size_t feed(std::string_view input, std::error_code& ec);

    /// True when the last feed() completed a reply; get() returns it.
    bool has_reply() const noexcept { return state_ == state::done; }

    /// The completed reply. Precondition: has_reply().
    reply_view get() const noexcept;

    /// True when some bytes of a reply not yet complete are buffered.
    bool in_progress() const noexcept;

    /** Tells the parser the stream has ended: `errc::truncated_reply` when a partial reply
        was buffered (it is discarded), else an empty error code.
    */
    std::error_code finish() noexcept;

    /// Drops any partial or completed reply; keeps the buffer's capacity.
    void reset() noexcept;

    /// The bounds this parser was made with.
    const parser_limits& limits() const noexcept { return limits_; }

  private:
    enum class state : std::uint8_t {
        line_start,
        code,
        separator,
        text,
        skip_line,
        skip_head,
        done
    };

    void start_reply() noexcept;
    void fail(std::error_code& ec, errc e, bool rest_of_reply) noexcept;
    void fail_in_text(std::error_code& ec, errc e, std::size_t seen) noexcept;
    bool end_line(std::error_code& ec);
    void next_line() noexcept;
    static bool ends_reply(const char* head, std::size_t size, bool whole) noexcept;

    parser_limits limits_;
    std::string text_;
    state state_ = state::line_start;
    bool final_line_ = false;
    bool cr_after_code_ = false;  // The code was followed by a CR: a line end, or no separator.
    bool skip_reply_ = false;     // Dropping a broken reply up to its final line.
    char head_[4] = {};           // The first octets of a line of the broken reply.
    std::uint8_t head_size_ = 0;
    char digits_[3] = {0, 0, 0};
    std::uint8_t digit_count_ = 0;
    int code_ = 0;
    std::size_t line_bytes_ = 0;
    std::size_t reply_bytes_ = 0;
    std::size_t line_count_ = 0;
    std::size_t line_text_start_ = 0;
    std::optional<enhanced_status> status_;
    std::uint8_t reported_class_ = 0;
    reply_flags flags_;
};

}  // namespace smtperr

#endif  // SMTPERR_REPLY_PARSER_HPP
