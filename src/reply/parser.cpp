// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.

#include <smtperr/error/errc.hpp>
#include <smtperr/reply/parser.hpp>

#include <algorithm>
#include <cstring>

namespace smtperr {

namespace {

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

}  // namespace

std::string_view reply_view::line(std::size_t i) const noexcept {
    std::string_view rest = text;
    for (std::size_t n = 0;; ++n) {
        const auto lf = rest.find('\n');
        if (n == i) {
            return rest.substr(0, lf);
        }
        if (lf == std::string_view::npos) {
            return {};
        }
        rest.remove_prefix(lf + 1);
    }
}

reply::reply(const reply_view& v)
    : code(v.code),
      text(v.text),
      line_count(v.line_count),
      status(v.status),
      reported_status_class(v.reported_status_class),
      flags(v.flags) {}

reply_view reply::view() const noexcept {
    return reply_view{code, text, line_count, status, reported_status_class, flags};
}

reply_parser::reply_parser(parser_limits limits) : limits_(limits) {
    // Typical replies then never allocate; larger ones grow the buffer once.
    text_.reserve(std::min<std::size_t>(limits_.max_reply_bytes, 1024));
}

void reply_parser::reset() noexcept {
    state_ = state::line_start;
    skip_reply_ = false;
    start_reply();
}

void reply_parser::start_reply() noexcept {
    text_.clear();
    final_line_ = false;
    digit_count_ = 0;
    code_ = 0;
    line_bytes_ = 0;
    reply_bytes_ = 0;
    line_count_ = 0;
    line_text_start_ = 0;
    cr_after_code_ = false;
    status_.reset();
    reported_class_ = 0;
    flags_ = {};
}

bool reply_parser::in_progress() const noexcept {
    return state_ != state::done && (line_count_ > 0 || line_bytes_ > 0);
}

std::error_code reply_parser::finish() noexcept {
    const bool partial = in_progress();
    reset();
    return partial ? make_error_code(errc::truncated_reply) : std::error_code{};
}

reply_view reply_parser::get() const noexcept {
    return reply_view{code_, text_, line_count_, status_, reported_class_, flags_};
}

// `rest_of_reply`: the broken line is not the last of its reply (it announced more, or it
// broke into a multi-line reply without ending it). Then all the lines up to the reply's
// final line are dropped too, or the broken reply's tail would come out as a reply.
void reply_parser::fail(std::error_code& ec, errc e, bool rest_of_reply) noexcept {
    ec = make_error_code(e);
    start_reply();
    skip_reply_ = rest_of_reply;
    state_ = state::skip_line;
}

// A line broken in its text, after `seen` octets of it: the rest of the reply goes too when
// the line announced more, or when a CR followed its code ("250\r…") and the line broke
// into a multi-line reply. Such a line is final only as "ddd\r\n": past its CR it is not,
// and up to its CR the octet after the CR decides, as it does for the lines skipped after it.
void reply_parser::fail_in_text(std::error_code& ec, errc e, std::size_t seen) noexcept {
    if (!cr_after_code_) {
        fail(ec, e, !final_line_);
        return;
    }
    const bool rest = line_count_ > 0;
    fail(ec, e, rest);
    if (rest && seen <= 1) {
        std::memcpy(head_, digits_, 3);
        head_[3] = '\r';
        head_size_ = static_cast<std::uint8_t>(3 + seen);
        state_ = state::skip_head;
    }
}

// After the LF of a skipped or broken line.
void reply_parser::next_line() noexcept {
    state_ = skip_reply_ ? state::skip_head : state::line_start;
    head_size_ = 0;
}

// Whether a line starting with the `size` octets `head` (all of it when `whole`, else
// followed by more) is the final line of a reply: a code, then a space or the line end.
bool reply_parser::ends_reply(const char* head, std::size_t size, bool whole) noexcept {
    const bool code = size >= 3 && is_digit(head[0]) && is_digit(head[1]) && is_digit(head[2]);
    return code && ((whole && size == 3) || (size >= 4 && head[3] == ' ') ||
                    (whole && size == 4 && head[3] == '\r'));
}

// Called at LF. Returns false when the line broke a rule (ec is set).
bool reply_parser::end_line(std::error_code& ec) {
    std::string_view line(text_.data() + line_text_start_, text_.size() - line_text_start_);
    if (!line.empty() && line.back() == '\r') {
        text_.pop_back();
        line.remove_suffix(1);
    } else {
        if (limits_.strict) {
            fail_in_text(ec, errc::bare_lf, line.size());
            return false;
        }
        flags_.bare_lf = true;
    }
    if (cr_after_code_ && !line.empty()) {
        // "250\rok": the CR after the code was no line end, so the code has no separator.
        fail(ec, errc::missing_separator, line_count_ > 0);
        return false;
    }
    if (line_bytes_ > limits_.max_line_length) {
        flags_.long_line = true;
    }
    ++line_count_;
    // RFC 2034 §4: no enhanced codes on 3yz replies.
    if (code_ / 100 != 3) {
        if (auto m = parse_enhanced_status(line)) {
            const auto reported = m->status.cls;
            m->status.cls = static_cast<std::uint8_t>(code_ / 100);
            if (!status_) {
                status_ = m->status;
                reported_class_ = reported;
                flags_.status_class_mismatch = reported != status_->cls;
            } else {
                flags_.status_inconsistent = flags_.status_inconsistent || *status_ != m->status;
                flags_.status_class_mismatch =
                    flags_.status_class_mismatch || reported != m->status.cls;
            }
        }
    }
    if (final_line_) {
        state_ = state::done;
        return true;
    }
    if (line_count_ >= limits_.max_lines) {
        fail(ec, errc::too_many_lines, true);
        return false;
    }
    text_.push_back('\n');
    line_bytes_ = 0;
    digit_count_ = 0;
    state_ = state::line_start;
    return true;
}

std::size_t reply_parser::feed(std::string_view input, std::error_code& ec) {
    ec.clear();
    if (state_ == state::done) {
        reset();
    }
    const std::size_t line_cap =
        limits_.strict ? limits_.max_line_length
                       : std::max(limits_.max_line_length, limits_.lenient_max_line_length);
    const char* const begin = input.data();
    const char* p = begin;
    const char* const end = begin + input.size();

    while (p < end) {
        switch (state_) {
            case state::skip_line: {
                const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
                if (lf == nullptr) {
                    return input.size();
                }
                p = static_cast<const char*>(lf) + 1;
                next_line();
                break;
            }
            case state::skip_head: {
                // A line of the broken reply: its first octets say whether it is the last.
                while (p < end && *p != '\n' && head_size_ < sizeof head_) {
                    head_[head_size_++] = *p++;
                }
                if (p == end) {
                    return input.size();
                }
                const bool at_lf = *p == '\n';
                if (ends_reply(head_, head_size_, at_lf)) {
                    skip_reply_ = false;
                }
                if (at_lf) {
                    ++p;
                    next_line();
                } else {
                    state_ = state::skip_line;
                }
                break;
            }
            case state::line_start:
            case state::code: {
                const char c = *p;
                if (!is_digit(c)) {
                    ++p;
                    fail(ec, c == '\0' ? errc::nul_byte : errc::invalid_code, line_count_ > 0);
                    if (c == '\n') {
                        next_line();
                    }
                    return static_cast<std::size_t>(p - begin);
                }
                digits_[digit_count_++] = c;
                ++p;
                ++line_bytes_;
                ++reply_bytes_;
                state_ = digit_count_ == 3 ? state::separator : state::code;
                break;
            }
            case state::separator: {
                const char c = *p;
                const int code =
                    (digits_[0] - '0') * 100 + (digits_[1] - '0') * 10 + (digits_[2] - '0');
                errc e{};
                if (digits_[0] < '2' || digits_[0] > '5') {
                    e = errc::code_out_of_range;
                } else if (line_count_ > 0 && code != code_) {
                    e = errc::inconsistent_code;
                } else if (is_digit(c)) {
                    e = errc::invalid_code;
                } else if (c == '\0') {
                    e = errc::nul_byte;
                } else if (c != ' ' && c != '-' && c != '\r' && c != '\n') {
                    e = errc::missing_separator;
                }
                if (e != errc{}) {
                    // Leave the offending byte for skip_line so a LF here ends the skip.
                    const bool final_line = c == ' ' || c == '\n';
                    fail(ec, e, c == '-' || (line_count_ > 0 && !final_line));
                    if (c == '\r' && skip_reply_) {
                        // Final only as "ddd\r\n": the octet after the CR decides (see
                        // fail_in_text()).
                        std::memcpy(head_, digits_, 3);
                        head_size_ = 3;
                        state_ = state::skip_head;
                    }
                    return static_cast<std::size_t>(p - begin);
                }
                code_ = code;
                line_text_start_ = text_.size();
                if (c == ' ' || c == '-') {
                    final_line_ = c == ' ';
                    ++p;
                    ++line_bytes_;
                    ++reply_bytes_;
                } else {
                    final_line_ = true;          // A bare code: RFC 5321 §4.2 says accept it.
                    cr_after_code_ = c == '\r';  // Checked at the LF (end_line()).
                }
                state_ = state::text;
                break;
            }
            case state::text: {
                const std::size_t avail = static_cast<std::size_t>(end - p);
                const void* lfp = std::memchr(p, '\n', avail);
                const std::size_t upto =
                    lfp ? static_cast<std::size_t>(static_cast<const char*>(lfp) - p) : avail;
                const std::size_t counted = upto + (lfp ? 1 : 0);
                // The earliest offending octet decides, so the error never depends on how
                // the input was split: a NUL, or the first octet past either limit.
                const std::size_t line_room = line_cap - std::min(line_cap, line_bytes_);
                const std::size_t reply_room =
                    limits_.max_reply_bytes - std::min(limits_.max_reply_bytes, reply_bytes_);
                const std::size_t room = std::min(line_room, reply_room);
                const std::size_t line_text = text_.size() - line_text_start_;
                if (const void* nul = std::memchr(p, '\0', std::min(upto, room))) {
                    const auto at = static_cast<const char*>(nul);
                    fail_in_text(ec, errc::nul_byte, line_text + static_cast<std::size_t>(at - p));
                    p = at;
                    return static_cast<std::size_t>(p - begin);
                }
                if (counted > room) {
                    // Consume only what fits: nothing past the cap is ever looked at.
                    p += room;
                    fail_in_text(
                        ec, line_room <= reply_room ? errc::line_too_long : errc::reply_too_large,
                        line_text + room);
                    return static_cast<std::size_t>(p - begin);
                }
                text_.append(p, upto);
                line_bytes_ += counted;
                reply_bytes_ += counted;
                p += counted;
                if (lfp != nullptr && !end_line(ec)) {
                    // end_line() put us in skip_line, but the line is already consumed.
                    next_line();
                    return static_cast<std::size_t>(p - begin);
                }
                if (state_ == state::done) {
                    return static_cast<std::size_t>(p - begin);
                }
                break;
            }
            case state::done:
                return static_cast<std::size_t>(p - begin);
        }
    }
    return input.size();
}

result<reply> parse_reply(std::string_view whole) {
    reply_parser parser;
    std::error_code ec;
    std::string with_end;
    if (whole.empty() || whole.back() != '\n') {
        with_end.reserve(whole.size() + 2);
        with_end.append(whole).append("\r\n");
        whole = with_end;
    }
    const std::size_t n = parser.feed(whole, ec);
    if (ec) {
        return ec;
    }
    if (!parser.has_reply()) {
        return make_error_code(errc::truncated_reply);
    }
    if (n != whole.size()) {
        return make_error_code(errc::trailing_data);
    }
    return reply(parser.get());
}

}  // namespace smtperr
