// smtperr — SMTP error mapping for mail clients.
// Distributed under the Boost Software License, Version 1.0.
//
// Untrusted server text → one safe line of valid UTF-8.
//
// One pass over the input, line by line. Each line is cleaned (escape sequences and invisible
// or control characters removed, whitespace collapsed, invalid UTF-8 replaced), then any
// enhanced status codes at its start are dropped and it is appended to the result. Every step
// only moves forward, so the work is linear in the input size; every read is bounds-checked.

#include <smtperr/messages/messages.hpp>
#include <smtperr/reply/enhanced_status.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace smtperr {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";               // U+2026

constexpr unsigned char byte_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<unsigned char>(s[i]);
}

constexpr bool in_range(unsigned char b, unsigned lo, unsigned hi) noexcept {
    return b >= lo && b <= hi;
}

/// One decoded code point: its value and length, or `valid == false` with the length of the
/// maximal ill-formed subpart (Unicode §3.9, "U+FFFD substitution of maximal subparts").
struct decoded {
    char32_t cp = 0;
    std::size_t length = 1;
    bool valid = false;
};

decoded decode(std::string_view s, std::size_t i) noexcept {
    const unsigned char b0 = byte_at(s, i);
    if (b0 < 0x80U) {
        return {b0, 1, true};
    }
    std::size_t need = 0;             // continuation bytes after the lead byte
    unsigned lo = 0x80U, hi = 0xBFU;  // the allowed range of the first continuation byte
    char32_t cp = 0;
    if (in_range(b0, 0xC2U, 0xDFU)) {
        need = 1;
        cp = b0 & 0x1FU;
    } else if (in_range(b0, 0xE0U, 0xEFU)) {
        need = 2;
        cp = b0 & 0x0FU;
        if (b0 == 0xE0U) {
            lo = 0xA0U;  // no overlongs
        } else if (b0 == 0xEDU) {
            hi = 0x9FU;  // no surrogates
        }
    } else if (in_range(b0, 0xF0U, 0xF4U)) {
        need = 3;
        cp = b0 & 0x07U;
        if (b0 == 0xF0U) {
            lo = 0x90U;  // no overlongs
        } else if (b0 == 0xF4U) {
            hi = 0x8FU;  // nothing above U+10FFFF
        }
    } else {
        return {};  // a continuation byte, C0/C1 (overlong leads) or F5..FF
    }
    std::size_t len = 1;
    for (std::size_t k = 0; k < need; ++k, ++len) {
        if (i + len >= s.size()) {
            return {0, len, false};  // truncated at the end of the line
        }
        const unsigned char b = byte_at(s, i + len);
        if (k == 0 ? !in_range(b, lo, hi) : !in_range(b, 0x80U, 0xBFU)) {
            return {0, len, false};
        }
        cp = (cp << 6U) | (b & 0x3FU);
    }
    return {cp, len, true};
}

enum class kind { keep, space, drop };

/// What happens to a (valid) code point that does not start an escape sequence.
constexpr kind classify(char32_t c) noexcept {
    if (c < 0x20U) {  // C0: the white-space ones become a space (TAB, LF, VT, FF, CR, FS..US)
        return (c >= 0x09U && c <= 0x0DU) || c >= 0x1CU ? kind::space : kind::drop;
    }
    if (c == 0x20U) {
        return kind::space;
    }
    if (c < 0x7FU) {
        return kind::keep;
    }
    if (c <= 0x9FU) {  // DEL and C1; NEL is a line break
        return c == 0x85U ? kind::space : kind::drop;
    }
    switch (c) {
        case 0x00A0:  // no-break space and the other Unicode white space
        case 0x1680:
        case 0x2028:  // line separator
        case 0x2029:  // paragraph separator
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return kind::space;
        case 0x00AD:  // soft hyphen
        case 0x061C:  // Arabic letter mark
        case 0x180E:  // Mongolian vowel separator
        case 0xFEFF:  // zero-width no-break space (BOM)
            return kind::drop;
        default:
            break;
    }
    if (c >= 0x2000U && c <= 0x200AU) {  // en quad .. hair space
        return kind::space;
    }
    if ((c >= 0x200BU && c <= 0x200FU) ||    // zero-width space/joiners, LRM, RLM
        (c >= 0x202AU && c <= 0x202EU) ||    // LRE, RLE, PDF, LRO, RLO
        (c >= 0x2060U && c <= 0x206FU) ||    // word joiner, invisible operators, isolates, …
        (c >= 0xFFF9U && c <= 0xFFFBU) ||    // interlinear annotation
        (c >= 0xE0000U && c <= 0xE007FU)) {  // tag characters
        return kind::drop;
    }
    return kind::keep;
}

/// The end of a CSI sequence whose parameters start at `j`: parameter bytes, intermediate
/// bytes, one final byte. A malformed sequence ends before the offending byte.
std::size_t skip_csi(std::string_view s, std::size_t j) noexcept {
    while (j < s.size() && in_range(byte_at(s, j), 0x30U, 0x3FU)) {
        ++j;
    }
    while (j < s.size() && in_range(byte_at(s, j), 0x20U, 0x2FU)) {
        ++j;
    }
    if (j < s.size() && in_range(byte_at(s, j), 0x40U, 0x7EU)) {
        ++j;
    }
    return j;
}

/// The end of a control string (OSC, DCS, SOS, PM, APC) whose body starts at `j`: after BEL,
/// ST (ESC \ or U+009C) or CAN/SUB; before an ESC that starts something else; or the end of
/// the line when it is never terminated.
std::size_t skip_string(std::string_view s, std::size_t j) noexcept {
    for (; j < s.size(); ++j) {
        const unsigned char b = byte_at(s, j);
        if (b == 0x07U || b == 0x18U || b == 0x1AU) {
            return j + 1;
        }
        if (b == 0x1BU) {
            return (j + 1 < s.size() && s[j + 1] == '\\') ? j + 2 : j;
        }
        if (b == 0xC2U && j + 1 < s.size() && byte_at(s, j + 1) == 0x9CU) {
            return j + 2;
        }
    }
    return j;
}

/// The end of an escape sequence starting with the ESC at `i`.
std::size_t skip_escape(std::string_view s, std::size_t i) noexcept {
    std::size_t j = i + 1;
    if (j >= s.size()) {
        return j;
    }
    const unsigned char b = byte_at(s, j);
    switch (b) {
        case '[':
            return skip_csi(s, j + 1);
        case ']':
        case 'P':
        case 'X':
        case '^':
        case '_':
            return skip_string(s, j + 1);
        default:
            break;
    }
    if (in_range(b, 0x20U, 0x2FU)) {  // nF: intermediates, then one final byte
        while (j < s.size() && in_range(byte_at(s, j), 0x20U, 0x2FU)) {
            ++j;
        }
        if (j < s.size() && in_range(byte_at(s, j), 0x30U, 0x7EU)) {
            ++j;
        }
        return j;
    }
    if (in_range(b, 0x30U, 0x7EU)) {  // ESC + one character
        return j + 1;
    }
    return j;  // a lone ESC: only the ESC goes
}

/// Cleans one line (no '\n' in it) into `out`: single spaces, no leading or trailing space.
void clean_line(std::string_view s, std::string& out) {
    out.clear();
    bool pending_space = false;
    std::size_t i = 0;
    while (i < s.size()) {
        const decoded d = decode(s, i);
        std::size_t next = i + d.length;
        std::string_view piece;
        if (!d.valid) {
            piece = replacement_character;
        } else if (d.cp == 0x1BU) {
            next = skip_escape(s, i);
        } else if (d.cp == 0x9BU) {  // C1 CSI
            next = skip_csi(s, next);
        } else if (d.cp == 0x90U || d.cp == 0x98U || d.cp == 0x9DU || d.cp == 0x9EU ||
                   d.cp == 0x9FU) {  // C1 DCS, SOS, OSC, PM, APC
            next = skip_string(s, next);
        } else {
            switch (classify(d.cp)) {
                case kind::keep:
                    piece = s.substr(i, d.length);
                    break;
                case kind::space:
                    pending_space = true;
                    break;
                case kind::drop:
                    break;
            }
        }
        if (!piece.empty()) {
            if (pending_space && !out.empty()) {
                out += ' ';
            }
            pending_space = false;
            out += piece;
        }
        i = next;
    }
}

}  // namespace

std::string sanitize_server_text(std::string_view text, std::size_t max_chars) {
    std::string out;
    if (max_chars == 0) {
        return out;
    }
    std::size_t count = 0;     // code points in `out`
    std::size_t keep_end = 0;  // byte length of the first max_chars - 1 code points
    // Appends code point by code point until the cap is exceeded.
    const auto append = [&](std::string_view piece) {
        for (std::size_t k = 0; k < piece.size(); ++k) {
            if ((byte_at(piece, k) & 0xC0U) != 0x80U) {
                if (count + 1 == max_chars) {
                    keep_end = out.size();
                }
                if (++count > max_chars) {
                    return;
                }
            }
            out += piece[k];
        }
    };
    std::string line;
    std::size_t start = 0;
    while (start <= text.size() && count <= max_chars) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        clean_line(text.substr(start, end - start), line);
        start = end + 1;

        // Enhanced status codes at the start of the line ("5.1.1 5.1.1 text" loses both, so
        // that sanitizing twice gives the same result).
        std::string_view rest = line;
        while (const auto m = parse_enhanced_status(rest)) {
            if (m->length == 0) {
                break;
            }
            rest.remove_prefix(m->length);
        }
        if (rest.empty()) {
            continue;
        }
        if (!out.empty()) {
            append(" ");
        }
        append(rest);
    }
    if (count > max_chars) {
        out.resize(keep_end);
        while (!out.empty() && out.back() == ' ') {
            out.pop_back();
        }
        out += ellipsis;
    }
    return out;
}

}  // namespace smtperr
